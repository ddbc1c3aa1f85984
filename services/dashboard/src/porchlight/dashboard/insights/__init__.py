"""Synthesis' district summaries as the pages show them: insight.updated -> insights."""
