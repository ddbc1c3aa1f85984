"""Crime statistics: incidents imported from CSV, counted by district and month."""
