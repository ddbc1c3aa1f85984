"""Notes as synthesis received them (redacted text from intake)."""
