"""Department records: one model for every layer (an outage, a permit, a crime incident), any door."""
