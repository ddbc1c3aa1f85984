"""Micro-projects and their tasks: small, concrete actions at a place, owned by a department."""
