"""The public pages' start-up: one page cache per process."""

from __future__ import annotations

from porchlight.dashboard.public.service import PageCache
from porchlight.kit.runtime import ServiceRuntime


def provide_page_cache(runtime: ServiceRuntime) -> None:
    runtime.provide(PageCache())
