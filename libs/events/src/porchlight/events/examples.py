"""Example events for docs/asyncapi.yaml: what a department's system publishes, as it would.

Kept beside the catalog rather than in each class's JSON Schema: an example is documentation, and
adding one must not change the committed schemas (docs/schemas/) that the compatibility check
compares. Every example is validated by its event class when the document is generated, and its
headers are the ones ``envelope.to_kafka`` writes, so an example can never say what Porchlight
does not read. The inbound events (``Event.INBOUND``) must have one: docs/integrating.md points
departments' IT teams at them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from porchlight.events.base import Event
from porchlight.events.catalog import (
    CorrelationClosed,
    CorrelationDetected,
    IssueFlagged,
    ProjectEvaluated,
    RecordAccepted,
    RecordClosed,
    RecordReported,
    SentimentScored,
    TopicCalibrated,
)
from porchlight.events.envelope import Envelope, to_kafka

#: The time every example envelope says it was sent (fixed: the document is deterministic).
EXAMPLE_TIME = datetime(2025, 6, 1, 13, 30, tzinfo=UTC)
_IDS = uuid.UUID("6f1c1d0e-3b7a-4f0e-9a53-5d1d2c0b9a11")  # namespace of the examples' ce_id


@dataclass(frozen=True)
class Example:
    """One example message: a name, a one-line summary, who sends it and the event's data."""

    name: str
    summary: str
    source: str
    payload: dict[str, Any]


_OUTAGE = "SL-2025-004217"
_ISSUE_ID = "0b6f6a2e-8d1c-4c55-b1f4-7e0d9f4a2c31"
_RECORD_ID = "5a0e3c1b-9f2d-4e7a-8c6b-1d2e3f4a5b6c"
_CORRELATION_ID = "c3d2e1f0-4b5a-4c6d-9e8f-0a1b2c3d4e5f"

EXAMPLES: dict[type[Event], list[Example]] = {
    RecordReported: [
        Example(
            name="streetLightOut",
            summary="Public Works reports a street light out (a point).",
            source="/city/public-works/streetlights",
            payload={
                "department": "public-works",
                "layer": "street_light_outage",
                "external_id": _OUTAGE,
                "category": "Street light out",
                "status": "open",
                "point": {"lat": 42.3433, "lon": -71.0747},
                "opened_at": "2025-06-01T09:30:00-04:00",
                "description": "Two lights out by the bus stop",
                "attributes": {"pole_id": "P-88123", "reported_via": "311"},
            },
        ),
        Example(
            name="roadClosure",
            summary="Public Works schedules a road closure (a line, with its window).",
            source="/city/public-works/permits",
            payload={
                "department": "public-works",
                "layer": "road_closure",
                "external_id": "RC-2025-0193",
                "category": "Street closed for water main work",
                "geometry": {"type": "LineString", "coordinates": [[-71.0747, 42.3433], [-71.0721, 42.3451]]},
                "starts_at": "2025-06-09T07:00:00-04:00",
                "ends_at": "2025-06-13T17:00:00-04:00",
                "attributes": {"detour": True, "lanes_closed": 2},
            },
        ),
    ],
    RecordClosed: [
        Example(
            name="streetLightFixed",
            summary="Public Works closes the outage: the crew fixed the light.",
            source="/city/public-works/streetlights",
            payload={
                "department": "public-works",
                "external_id": _OUTAGE,
                "closed_at": "2025-06-03T14:05:00-04:00",
                "status": "fixed",
            },
        )
    ],
    IssueFlagged: [
        Example(
            name="darkBlock",
            summary="Public Works flags a dark block for the shared board, with the records it is about.",
            source="/city/public-works/streetlights",
            payload={
                "issue_id": _ISSUE_ID,
                "department": "public-works",
                "category": "dark block",
                "district": "D4",
                "point": {"lat": 42.3433, "lon": -71.0747},
                "description": "Three outages on one block in two weeks",
                "flagged_at": "2025-06-01T10:00:00-04:00",
                "record_ids": [_OUTAGE],
                "place": "Tremont St at Worcester Sq",
                "remedy_kind": "physical",
            },
        )
    ],
    RecordAccepted: [
        Example(
            name="streetLightOutAccepted",
            summary="Layers accepted the outage and placed it in district D4.",
            source="/porchlight/layers",
            payload={
                "record_id": _RECORD_ID,
                "version": 1,
                "department": "public-works",
                "layer": "street_light_outage",
                "external_id": _OUTAGE,
                "category": "Street light out",
                "status": "open",
                "open": True,
                "district": "D4",
                "point": {"lat": 42.3433, "lon": -71.0747},
                "geometry_type": "Point",
                "opened_at": "2025-06-01T13:30:00Z",
                "attributes": {"pole_id": "P-88123", "reported_via": "311"},
            },
        )
    ],
    CorrelationDetected: [
        Example(
            name="darkBlockThefts",
            summary="A street light out on the block where car break-ins rose.",
            source="/porchlight/layers",
            payload={
                "correlation_id": _CORRELATION_ID,
                "district": "D4",
                "layers": ["street_light_outage", "incident"],
                "place": "Tremont St at Worcester Sq",
                "relative_risk": 2.4,
                "explanation": "7 thefts from vehicles within 150 m since the light went out, 2.9 expected",
                "rule": "dark_block_thefts",
                "point": {"lat": 42.3433, "lon": -71.0747},
                "record_ids": [_OUTAGE],
                "incidents": 7,
                "baseline": 2.9,
                "p_value": 0.03,
                "detected_at": "2025-06-02T06:00:00Z",
            },
        )
    ],
    ProjectEvaluated: [
        Example(
            name="underpassLit",
            summary="Thefts fell where the underpass was lit, against matched blocks of the district.",
            source="/porchlight/layers",
            payload={
                "project_id": "7d4c2b1a-0e9f-4a8b-b7c6-d5e4f3a2b1c0",
                "priority_id": "1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9",
                "district": "D4",
                "version": 3,
                "point": {"lat": 42.3433, "lon": -71.0747},
                "completed_at": "2025-03-01T16:00:00Z",
                "evaluated_at": "2025-05-31T06:00:00Z",
                "before_start": "2024-12-01T16:00:00Z",
                "before_end": "2025-03-01T16:00:00Z",
                "after_start": "2025-03-01T16:00:00Z",
                "after_end": "2025-05-30T16:00:00Z",
                "days": 90,
                "so_far": False,
                "target_cells": ["8a2a1072b59ffff", "8a2a1072b597fff"],
                "controls_per_cell": 5,
                "target_before": 14,
                "target_after": 6,
                "control_before_mean": 12.4,
                "control_after_mean": 11.8,
                "did": -7.4,
                "did_low": -12.9,
                "did_high": -2.1,
                "ratio": 0.45,
                "ratio_low": 0.17,
                "ratio_high": 1.18,
                "p_value": 0.012,
                "permutations": 2000,
                "significant": True,
                "sentiment": None,
                "sentiment_reason": "only 2 residents' notes in the target area before completion (5 needed)",
                "summary": "Incidents in the target area went from 14 to 6 in 90 days, while matched control areas "
                "went from 12.4 to 11.8 on average: a difference of -7.4 (permutation p = 0.012).",
            },
        )
    ],
    SentimentScored: [
        Example(
            name="noteScored",
            summary="Synthesis scored a note of two concerns; the host rated the conversation 2 of 5.",
            source="/porchlight/synthesis",
            payload={
                "note_id": "2d9b7c3e-6a1f-4e8d-9b2c-5f4a3e2d1c0b",
                "revision": 1,
                "district": "D4",
                "neighborhood": "South End",
                "occurred_at": "2025-06-01T18:30:00Z",
                "analyzed_at": "2025-06-01T18:42:07Z",
                "model_version": "3/4f1d2c3b4a59/minilm-l6-v2@0c9e8a7b6d5f",
                "sentiment": "negative",
                "sentiment_score": -0.41,
                "concerns": [
                    {"position": 0, "sentiment": "negative", "sentiment_score": -0.72},
                    {"position": 1, "sentiment": "neutral", "sentiment_score": 0.02},
                ],
                "host_rating": 2,
            },
        )
    ],
    TopicCalibrated: [
        Example(
            name="fromCorrections",
            summary="Synthesis fitted its calibration on 64 of the city's corrections (three topics shown).",
            source="/porchlight/synthesis",
            payload={
                "scope": "city",
                "published_at": "2025-06-02T09:15:00Z",
                "basis": "corrections",
                "source": "the city's corrections",
                "labels": 64,
                "topics": ["street_lighting", "speeding_traffic", "parks"],
                "shares": [0.41, 0.34, 0.25],
                "bias": [0.12, -0.05, -0.07],
                "weights": [[-0.21, 0.04, 0.02], [0.03, -0.18, 0.01], [0.02, 0.01, -0.25]],
            },
        )
    ],
    CorrelationClosed: [
        Example(
            name="lightFixed",
            summary="The connection closed: its street light was fixed.",
            source="/porchlight/layers",
            payload={
                "correlation_id": _CORRELATION_ID,
                "district": "D4",
                "reason": "record closed",
                "closed_at": "2025-06-03T18:05:00Z",
            },
        )
    ],
}


def example_headers(cls: type[Event], example: Example) -> dict[str, str]:
    """The Kafka record headers of an example, exactly as ``envelope.to_kafka`` writes them."""
    event = cls.model_validate(example.payload)  # an example that does not validate fails generation
    env = Envelope(
        id=str(uuid.uuid5(_IDS, f"{cls.TYPE}/{example.name}")),
        source=example.source,
        type=cls.TYPE,
        time=EXAMPLE_TIME,
        data=example.payload,
        subject=event.subject(),
        key=event.partition_key(),
        extensions={"partitionkey": event.partition_key()},
    )
    _, _, headers = to_kafka(env)
    return {name: value.decode() for name, value in headers}


def message_examples(cls: type[Event]) -> list[dict[str, Any]]:
    """AsyncAPI 3 message examples (``name``, ``summary``, ``headers``, ``payload``) of one type."""
    return [
        {"name": ex.name, "summary": ex.summary, "headers": example_headers(cls, ex), "payload": ex.payload}
        for ex in EXAMPLES.get(cls, [])
    ]
