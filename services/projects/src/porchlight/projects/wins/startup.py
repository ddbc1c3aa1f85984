"""Start-up hook of wins: a finished project drafts its win, in the transaction that finishes it."""

from __future__ import annotations

from porchlight.kit.runtime import ServiceRuntime
from porchlight.projects.wins.service import draft_win
from porchlight.projects.work.service import Completion


def draft_wins_on_completion(runtime: ServiceRuntime) -> None:
    """on_startup hook: work's moves to done run ``draft_win`` (work does not import wins)."""
    runtime.provide(Completion(draft_win))
