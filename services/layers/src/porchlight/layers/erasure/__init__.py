"""Erasure of a note's words in layers: its concerns' texts and the quotes in connections' evidence."""
