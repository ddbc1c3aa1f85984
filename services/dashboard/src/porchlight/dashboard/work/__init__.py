"""Priorities, micro-projects, tasks and wins as the pages count them (events from projects)."""
