"""Supervisors' topic corrections: a concern relabelled by hand, and the model taught by it."""
