"""Bulk import of past notes and contacts from CSV and XLSX (issue 3): dry run first, then commit."""
