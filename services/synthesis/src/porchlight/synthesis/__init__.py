"""Porchlight synthesis: reads every note and keeps what each district is saying."""
