"""Streamed CSV files out of intake (notes, contacts): formula-safe cells, keyset batches."""
