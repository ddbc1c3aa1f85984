"""Flagged issues: any department marks a problem on the shared map (issue.flagged)."""
