"""Formats people already use: projects as CSV (spreadsheets), due dates as iCalendar (calendars)."""
