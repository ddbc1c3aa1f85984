"""Alembic environment: the kit runs every service's migrations the same way."""

from porchlight.kit.migrations import run_env

run_env()
