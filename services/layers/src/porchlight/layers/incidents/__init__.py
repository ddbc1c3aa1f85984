"""Crime incidents: the police records system's layer, imported from its CSV exports."""
