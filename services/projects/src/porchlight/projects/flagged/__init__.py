"""Flagged issues: any department's issue.flagged, a card in the board's Flagged column, one step
from a micro-project."""
