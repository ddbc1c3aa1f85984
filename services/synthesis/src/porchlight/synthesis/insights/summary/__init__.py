"""The plain-language summary of an insight, phrased only from the insight's own figures (no SQL)."""

from porchlight.synthesis.insights.summary.sentences import summarize

__all__ = ["summarize"]
