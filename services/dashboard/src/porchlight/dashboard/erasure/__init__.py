"""Erasure of a note's words in the dashboard's read model (note.erased, note.analysis-erased)."""
