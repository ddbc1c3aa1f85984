"""The city's places: districts and neighborhoods, and the resolver every capability calls."""
