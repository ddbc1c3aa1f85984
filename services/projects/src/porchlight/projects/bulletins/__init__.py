"""Bulletins: a supervisor tells a neighborhood something in plain language, on every channel at once."""
