"""Re-analysis of stored notes after the taxonomy or the model changed (resumable)."""
