"""Newsletters: each published update rendered per language and handed to intake, which alone
holds the subscribers' addresses (ADR 0017), as newsletter.requested."""
