"""Issues departments flagged (``issue.flagged``): on the district page and its map."""
