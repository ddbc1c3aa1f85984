"""``topic.calibrated``: a calibration whose arrays do not fit its topics is refused, naming the field."""

from __future__ import annotations

import pytest

from porchlight.events import TopicCalibrated


def test_a_calibration_of_the_wrong_shape_is_refused_naming_the_field() -> None:
    good = {
        "published_at": "2026-12-06T10:00:00Z",
        "basis": "evaluation",
        "source": "shipped",
        "labels": 10,
        "topics": ["a", "b"],
        "shares": [0.5, 0.5],
        "bias": [0.0, 0.0],
        "weights": [[0.0, 0.0], [0.0, 0.0]],
    }
    assert TopicCalibrated.model_validate(good).topics == ["a", "b"]
    for change, field in (
        ({"weights": [[0.0, 0.0]]}, "weights"),
        ({"shares": [1.0]}, "shares"),
        ({"topics": ["a", "a"]}, "topics"),
        ({"labels": -1}, "labels"),
    ):
        with pytest.raises(ValueError, match=field):
            TopicCalibrated.model_validate({**good, **change})
