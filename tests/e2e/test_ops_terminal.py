"""``make run`` in a terminal (issue 16): log lines in colour for a person at a terminal (never in
a pipe, never with NO_COLOR), and the demo load's progress in a few lines.

The colour test runs Python in a real pseudo-terminal (``pty``), as a person's shell would run
``porchlight run``; the settings read NO_COLOR from the environment there.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import httpx
from support import running

from porchlight.dashboard.demo.service import Endpoints, load_demo, summary
from porchlight.kit.settings import KitSettings

#: What `porchlight run` does with its logs at a terminal (kit/cli.py, `run`).
SCRIPT = """
import logging, sys
from pathlib import Path
from porchlight.kit.logs import configure_terminal_logging
from porchlight.kit.settings import KitSettings

settings = KitSettings()
configure_terminal_logging(Path(sys.argv[1]), settings.log_level, no_color=settings.no_color)
logging.getLogger("porchlight.test").info("a fact for the file only")
logging.getLogger("porchlight.test").warning("the broker died; restarting it")
logging.getLogger("porchlight.test").error("intake did not start")
"""

ESC = "\x1b["


def run_logging(tmp_path: Path, *, tty: bool, no_color: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    if no_color is not None:
        env["NO_COLOR"] = no_color
    args = [sys.executable, "-c", SCRIPT, str(tmp_path / "porchlight.log")]
    if not tty:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=True).stderr
    leader, follower = pty.openpty()
    with contextlib.closing(os.fdopen(leader, "rb", buffering=0)) as out:
        proc = subprocess.Popen(args, env=env, stdin=follower, stdout=follower, stderr=follower)
        os.close(follower)
        chunks = []
        while True:
            ready, _, _ = select.select([out], [], [], 30)
            if not ready:
                break
            try:
                chunk = out.read(4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(30) == 0
    return b"".join(chunks).decode()


def test_log_lines_are_coloured_at_a_terminal_only_and_never_with_no_color(tmp_path: Path) -> None:
    coloured = run_logging(tmp_path, tty=True, no_color=None)
    lines = [line for line in coloured.splitlines() if line.strip()]
    assert len(lines) == 2, coloured  # warnings and errors only; the INFO line is in the file
    warning, error = lines
    assert "\x1b[33m\x1b[1mWARNING" in warning and "the broker died; restarting it" in warning
    assert "\x1b[31m\x1b[1mERROR" in error and "intake did not start" in error
    assert "\x1b[2m" in warning  # the time and the logger's name dimmed
    assert "a fact for the file only" in (tmp_path / "porchlight.log").read_text()

    for plain in (
        run_logging(tmp_path, tty=True, no_color="1"),  # no-color.org: any non-empty value
        run_logging(tmp_path, tty=False, no_color=None),  # a pipe, a file, a CI log
    ):
        assert ESC not in plain, plain
        assert "WARNING the broker died; restarting it  [porchlight.test]" in plain
        assert "ERROR   intake did not start  [porchlight.test]" in plain
    # An empty NO_COLOR is unset (no-color.org).
    assert ESC in run_logging(tmp_path, tty=True, no_color="")


def test_the_summary_line_says_what_was_made_and_what_was_refused() -> None:
    counts = {"notes": 713, "meetings": 700, "contacts": 1320, "notes_refused_409": 2, "incidents": 18204}
    assert summary(counts, 47.6) == (
        "demo city loaded in 48 s: 713 notes, 700 meetings, 1,320 contacts, 18,204 incidents"
        " (2 requests refused: see the log file)"
    )
    assert summary({"contacts": 5}, 3.0) == "demo city loaded in 3 s: 5 contacts"


async def test_the_demo_load_reports_its_progress_in_a_few_lines(settings: KitSettings) -> None:
    lines: list[str] = []
    async with running("intake", settings, background=False) as (intake, _):  # noqa: SIM117
        async with running("dashboard", settings, background=False) as (dashboard, _):
            mounts = {"http://intake": httpx.ASGITransport(app=intake)}
            mounts["http://dashboard"] = httpx.ASGITransport(app=dashboard)
            http = httpx.AsyncClient(mounts=mounts, timeout=30)  # load_demo opens and closes it
            # No layers (no incidents) and no projects (port 0): the notes and contacts only.
            ep = Endpoints(intake="http://intake", projects="http://projects:0", dashboard="http://dashboard")
            counts = await load_demo(settings, ep, seed=11, scale=0.05, http=http, progress=lines.append)
    assert counts.get("notes", 0) + counts.get("notes_refused_409", 0) >= 12, counts
    # The demo's contact ids do not depend on the seed: in a session whose database holds another
    # test's demo load they come back 409 (loaded before), and the line says 0.
    assert counts.get("contacts", 0) + counts.get("contacts_refused_409", 0) >= 12, counts
    assert lines == [
        f"{counts.get('notes', 0)} notes loaded, from {counts.get('meetings', 0)} meetings",
        f"{counts.get('contacts', 0)} contacts loaded",
    ]
