"""Erasure of residents' words: one note or contact on request, and every kind at the end of its retention period."""
