"""In which districts a caller may act (the kit's district scope, applied to projects' changes)."""
