"""Drawing the monthly report: HTML, PDF, charts and sentences (pure: no database, no HTTP)."""
