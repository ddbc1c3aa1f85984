"""The rows behind each figure of the district page: meetings, contacts and incidents (issue 14)."""
