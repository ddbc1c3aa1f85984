"""What every input of projects shares: no NUL in text, finite numbers, dates within reason."""
