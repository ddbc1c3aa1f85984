"""Form rules shared by meetings, notes and imports: one 422 naming every bad field, retries."""
