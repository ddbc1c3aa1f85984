"""Micro-meetings: kitchen-table conversations of under ten residents, and who hosts them."""
