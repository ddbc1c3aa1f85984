"""``porchlight eval``: scoring the model on labeled files (the scoring itself is model/evaluation.py)."""
