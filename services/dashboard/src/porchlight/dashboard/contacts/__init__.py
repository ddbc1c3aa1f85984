"""Positive contacts as the pages count them: contact.logged -> monthly counters."""
