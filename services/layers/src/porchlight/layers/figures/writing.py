"""How layers writes a number into a sentence (the risk narrative, target vs control's summary):
one way everywhere, so a reader and a test can match every number in a text to its figure."""

from __future__ import annotations

import math


def figure(x: float) -> str:
    """One decimal from 1 up (``14``, ``2.4``, ``-7.6``), two significant digits below (``0.43``,
    ``0.012``, ``0.0005``); a trailing ``.0`` is dropped."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    text = f"{x:.1f}" if abs(x) >= 1 else f"{float(f'{x:.2g}'):f}".rstrip("0")
    return text[:-2] if text.endswith(".0") else text.rstrip(".")
