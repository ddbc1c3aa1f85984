"""The listening gap: residents reached per 1,000 residents of each neighborhood (read model, API)."""
