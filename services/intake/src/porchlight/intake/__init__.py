"""Porchlight intake: where everything residents and officers say enters the platform."""
