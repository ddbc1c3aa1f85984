"""Wins: a plain-language line about a finished project, published once a supervisor approves."""
