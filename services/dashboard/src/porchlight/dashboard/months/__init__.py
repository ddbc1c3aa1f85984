"""Calendar months as the pages and reports count them (pure: no database, no HTTP)."""
