"""You said, we did: from a note to the work that answers it, and back."""
