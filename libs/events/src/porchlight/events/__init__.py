"""Porchlight's event plumbing: catalog, CloudEvents envelope, Kafka, outbox, inbox."""

from porchlight.events.base import Event, all_event_classes, event_class
from porchlight.events.catalog import (
    ContactLogged,
    CorrelationClosed,
    CorrelationDetected,
    InsightUpdated,
    IssueFlagged,
    MeetingScheduled,
    NoteAnalyzed,
    NoteSubmitted,
    PriorityCreated,
    ProjectCompleted,
    ProjectCompletionRequested,
    ProjectCreated,
    ProjectEvaluated,
    ProjectMoved,
    ProjectReminded,
    RecordAccepted,
    RecordClosed,
    RecordImported,
    RecordReported,
    TaskCompleted,
    UpdatePublished,
)
from porchlight.events.consumer import ConsumerRunner, ConsumerSpec
from porchlight.events.envelope import Envelope, EventRefused, MalformedEvent, from_kafka, new_envelope, to_kafka
from porchlight.events.inbox import Inbox
from porchlight.events.outbox import Outbox, OutboxRelay
from porchlight.events.producer import EventProducer
from porchlight.events.routing import EventRouter
from porchlight.events.topics import Topics, dlq_topic, ensure_topics

__all__ = [
    "ConsumerRunner",
    "ConsumerSpec",
    "ContactLogged",
    "CorrelationClosed",
    "CorrelationDetected",
    "Envelope",
    "Event",
    "EventProducer",
    "EventRefused",
    "EventRouter",
    "Inbox",
    "InsightUpdated",
    "IssueFlagged",
    "MalformedEvent",
    "MeetingScheduled",
    "NoteAnalyzed",
    "NoteSubmitted",
    "Outbox",
    "OutboxRelay",
    "PriorityCreated",
    "ProjectCompleted",
    "ProjectCompletionRequested",
    "ProjectCreated",
    "ProjectEvaluated",
    "ProjectMoved",
    "ProjectReminded",
    "RecordAccepted",
    "RecordClosed",
    "RecordImported",
    "RecordReported",
    "TaskCompleted",
    "Topics",
    "UpdatePublished",
    "all_event_classes",
    "dlq_topic",
    "ensure_topics",
    "event_class",
    "from_kafka",
    "new_envelope",
    "to_kafka",
]
