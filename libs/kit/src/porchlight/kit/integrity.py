"""Pinned files: check a packaged model's files against their SHA-256 before loading them.

Models that come from anonymous repackagings on a registry (the embedding model in synthesis,
the NER pipeline in intake's redaction) are pinned file by file; a mismatch or a missing file
raises :class:`FileIntegrityError` naming the file and both digests, and nothing is loaded.
One mechanism for every service, so that every pinned model is checked the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path


class FileIntegrityError(RuntimeError):
    """A pinned file is missing or its SHA-256 differs from the pinned one."""

    def __init__(self, path: Path, expected: str, actual: str | None, what: str = "model") -> None:
        self.path = path
        self.expected = expected
        self.actual = actual
        found = "the file is missing" if actual is None else f"found sha256 {actual}"
        super().__init__(
            f"{what} file {path} failed verification: expected sha256 {expected}, {found}. "
            f"The {what} may have been tampered with; refusing to load it."
        )


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_files(
    root: Path,
    pinned: Mapping[str, str],
    *,
    what: str = "model",
    error: type[FileIntegrityError] = FileIntegrityError,
) -> None:
    """Check every pinned file under ``root``; raise ``error`` on the first mismatch."""
    for rel, expected in pinned.items():
        path = root / rel
        actual = sha256_file(path) if path.is_file() else None
        if actual != expected:
            raise error(path, expected, actual, what)
