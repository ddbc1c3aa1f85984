"""Layers test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.city import TestCity, make_test_city


@pytest.fixture
def test_city(tmp_path: Path) -> TestCity:
    """A small city of the test's own (tests/support/city.py)."""
    return make_test_city(tmp_path)
