"""The listening gap: residents reached per 1,000 residents of a neighborhood, and which
neighborhoods were heard least (pure: no database, no HTTP)."""

from porchlight.dashboard.reach.gap import Heard, UnderHeard, overall_rate, per_thousand, under_heard

__all__ = ["Heard", "UnderHeard", "overall_rate", "per_thousand", "under_heard"]
