"""The Porchlight event catalog (docs/architecture.md, "Event flow").

One class per event, past-tense names. Each class's docstring says when the event happens; it
becomes the event's description in docs/asyncapi.yaml. Free text in every event is already
redacted by its producer: no event carries a resident's personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from porchlight.events.base import Event
from porchlight.events.sealing import CarriesWords, SealedWords
from porchlight.events.topics import Topics

Sentiment5 = Literal[1, 2, 3, 4, 5]
SentimentLabel = Literal["negative", "neutral", "positive"]
RemedyKind = Literal["physical", "positive_activity", "ownership", "policy", "enforcement"]


class GeoPoint(BaseModel):
    """A WGS84 point."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"lat": 42.3398, "lon": -71.0892}]})

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Concern(BaseModel):
    """One of a note's top concerns, as the host wrote it (redacted)."""

    text: str
    topic: str | None = None
    location: str | None = None
    point: GeoPoint | None = None


# --- intake -------------------------------------------------------------------------------


class NoteSubmitted(Event):
    """A host filed a note (standardized form) in intake; text fields are redacted."""

    TYPE: ClassVar[str] = "org.porchlight.note.submitted.v1"
    TOPIC: ClassVar[str] = Topics.NOTES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    revision: int = 1
    meeting_id: UUID | None = None
    district: str
    neighborhood: str | None = None
    host_id: str
    submitted_at: datetime
    concerns: list[Concern] = Field(default_factory=list)
    sentiment: Sentiment5 | None = None
    attendees: int | None = None
    text: str = ""
    #: Follow-ups the residents asked for (redacted); added compatibly, absent from older events.
    follow_ups: list[str] = Field(default_factory=list)
    #: When the conversation took place (``submitted_at`` is when the note was filed).
    held_at: datetime | None = None

    def subject(self) -> str:
        return str(self.note_id)


# A correction replaces the note.submitted (revision 1) and every earlier revision entirely. It
# may move the note to another district, so its key can differ from the submission's: consumers
# keep the highest ``revision`` per note rather than relying on order.
class NoteRevised(Event):
    """The author corrected a note: its full content at the new revision; text fields are redacted."""

    TYPE: ClassVar[str] = "org.porchlight.note.revised.v1"
    TOPIC: ClassVar[str] = Topics.NOTES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    revision: int = Field(ge=2)
    meeting_id: UUID | None = None
    district: str
    neighborhood: str | None = None
    host_id: str
    submitted_at: datetime
    revised_at: datetime
    concerns: list[Concern] = Field(default_factory=list)
    sentiment: Sentiment5 | None = None
    attendees: int | None = None
    text: str = ""
    follow_ups: list[str] = Field(default_factory=list)
    held_at: datetime | None = None

    def subject(self) -> str:
        return str(self.note_id)


# Version 2 of the note events (docs/adr/0014): the words (text, follow-ups, concerns' texts and
# places) travel sealed under the note's key. On the wire they are blank and ``sealed`` holds
# them; a consumer's runner opens them before its handlers see the event. A v1 payload is a valid
# v2 payload (no ``sealed``, words in clear), so one handler serves both.
_SEALED_DOC = "The note's words (text, follow-ups, concerns' texts and places), encrypted under the note's key."


class _NoteWords(CarriesWords):
    note_id: UUID
    text: str
    follow_ups: list[str]
    concerns: list[Concern]

    def words(self) -> dict[UUID, dict[str, Any]]:
        concerns = [{"text": c.text, "location": c.location} for c in self.concerns]
        return {self.note_id: {"text": self.text, "follow_ups": list(self.follow_ups), "concerns": concerns}}

    def without_words(self) -> Self:
        blank = [c.model_copy(update={"text": "", "location": None}) for c in self.concerns]
        return self.model_copy(update={"text": "", "follow_ups": [], "concerns": blank})  # type: ignore[attr-defined, no-any-return]

    def with_words(self, words: Mapping[UUID, dict[str, Any]]) -> Self:
        mine = words.get(self.note_id)
        if mine is None:
            return self.without_words()
        opened = list(mine.get("concerns") or [])
        concerns = [
            c.model_copy(update=opened[i]) if i < len(opened) else c.model_copy(update={"text": "", "location": None})
            for i, c in enumerate(self.concerns)
        ]
        update = {
            "text": mine.get("text") or "",
            "follow_ups": list(mine.get("follow_ups") or []),
            "concerns": concerns,
        }
        return self.model_copy(update=update)  # type: ignore[attr-defined, no-any-return]


class NoteSubmittedV2(_NoteWords, NoteSubmitted):
    """A host filed a note in intake; its words (redacted) travel sealed under the note's key."""

    TYPE: ClassVar[str] = "org.porchlight.note.submitted.v2"

    sealed: list[SealedWords] = Field(default_factory=list, description=_SEALED_DOC)


class NoteRevisedV2(_NoteWords, NoteRevised):
    """The author corrected a note: its full content at the new revision, the words sealed under the note's key."""

    TYPE: ClassVar[str] = "org.porchlight.note.revised.v2"

    sealed: list[SealedWords] = Field(default_factory=list, description=_SEALED_DOC)


class ContactLogged(Event):
    """An officer logged a positive community contact (kept apart from patrol and enforcement)."""

    TYPE: ClassVar[str] = "org.porchlight.contact.logged.v1"
    TOPIC: ClassVar[str] = Topics.CONTACTS
    KEY: ClassVar[str] = "district"

    contact_id: UUID
    officer_id: str
    unit: str | None = None
    district: str
    neighborhood: str | None = None
    contact_type: Literal["conversation", "youth_activity", "business_checkin", "event", "referral", "other"]
    minutes: int = Field(ge=0)
    residents_reached: int = Field(ge=0)
    occurred_at: datetime
    point: GeoPoint | None = None

    def subject(self) -> str:
        return str(self.contact_id)


class MeetingScheduled(Event):
    """A host scheduled a micro-meeting (under ten residents); sent again when its real duration is recorded."""

    # Sent again with the same meeting_id: consumers keep the latest state per meeting_id.

    TYPE: ClassVar[str] = "org.porchlight.meeting.scheduled.v1"
    TOPIC: ClassVar[str] = Topics.MEETINGS
    KEY: ClassVar[str] = "district"

    meeting_id: UUID
    host_id: str
    district: str
    neighborhood: str | None = None
    venue_type: str
    starts_at: datetime
    language: str = "en"
    expected_attendees: int | None = None
    #: Optional (added compatibly): producers before it sent none; consumers assume 60 minutes.
    duration_minutes: int | None = Field(
        default=None, ge=1, le=600, description="How long the meeting runs (or ran), in minutes; absent if unknown"
    )

    def subject(self) -> str:
        return str(self.meeting_id)


ErasureReason = Literal["request", "retention"]


# Erasure (docs/privacy.md, "Retention and erasure"). Keyed by district like the note's own
# events, so it follows note.submitted and note.revised on their partition: a consumer has applied
# the words before it reads that they are gone.
class NoteErased(Event):
    """Intake erased a note's words (on request, or at the end of the retention period); only counts remain.

    Consumers blank every text they hold of the note (concerns, quotes, the note's text) and keep
    what counts it: the note, its district, its date, its number of concerns and their topics.
    """

    TYPE: ClassVar[str] = "org.porchlight.note.erased.v1"
    TOPIC: ClassVar[str] = Topics.NOTES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    district: str
    erased_at: datetime
    reason: ErasureReason

    def subject(self) -> str:
        return str(self.note_id)


class ContactErased(Event):
    """Intake erased a contact's words (its note and place name); its type, minutes and residents reached remain."""

    TYPE: ClassVar[str] = "org.porchlight.contact.erased.v1"
    TOPIC: ClassVar[str] = Topics.CONTACTS
    KEY: ClassVar[str] = "district"

    contact_id: UUID
    district: str
    #: The month the contact counts in (its first day), so counters know where it stays counted.
    month: date
    erased_at: datetime
    reason: ErasureReason

    def subject(self) -> str:
        return str(self.contact_id)


# --- synthesis ----------------------------------------------------------------------------


# Sentiment has its own event since issue 17 (sentiment.scored.v1, below). note.analyzed keeps its
# sentiment fields, still filled: removing or loosening them would break its readers (docs/adr/0007);
# they are marked deprecated, which the committed schemas and docs/asyncapi.yaml show.
_DEPRECATED_SENTIMENT = (
    "Deprecated: read sentiment.scored.v1 (org.porchlight.sentiment.scored.v1), published beside this event "
    "for every analysis; still filled with the same reading."
)


class ConcernAnalysis(BaseModel):
    """The model's reading of one concern statement."""

    text: str
    topic: str | None = None
    topic_score: float | None = None
    sentiment: SentimentLabel = Field(description=_DEPRECATED_SENTIMENT, json_schema_extra={"deprecated": True})
    sentiment_score: float = Field(description=_DEPRECATED_SENTIMENT, json_schema_extra={"deprecated": True})
    #: The topic's name as synthesis' taxonomy gives it ("Speeding and traffic safety"; a promoted
    #: topic's given name): subscribers show this, never a name made from the code (added compatibly).
    topic_label: str | None = None
    #: What a reader estimates topic counts from, with topic.calibrated (added compatibly; absent
    #: from older events and from concerns analyzed before synthesis kept them).
    topic_probs: dict[str, float] | None = Field(
        default=None,
        description="The model's probability of each topic code for this statement, before the city's fitted "
        "topic shares; topics under 0.0005 are left out.",
    )
    topic_source: Literal["model", "supervisor"] | None = Field(
        default=None,
        description="Who set `topic`: the model, or a supervisor (a correction, a promoted topic), whose label "
        "counts as certain.",
    )


class NoteAnalyzed(Event):
    """Synthesis scored a note's concerns: topics and sentiment, with the model version used."""

    TYPE: ClassVar[str] = "org.porchlight.note.analyzed.v1"
    TOPIC: ClassVar[str] = Topics.NOTE_ANALYSES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    district: str
    neighborhood: str | None = None
    model_version: str
    concerns: list[ConcernAnalysis] = Field(default_factory=list)
    sentiment: SentimentLabel = Field(description=_DEPRECATED_SENTIMENT, json_schema_extra={"deprecated": True})
    sentiment_score: float = Field(description=_DEPRECATED_SENTIMENT, json_schema_extra={"deprecated": True})
    #: The note revision analyzed (added compatibly; absent from older events).
    revision: int | None = None
    #: When the conversation took place (the time insights count the note at).
    occurred_at: datetime | None = None

    def subject(self) -> str:
        return str(self.note_id)


class NoteAnalyzedV2(CarriesWords, NoteAnalyzed):
    """Synthesis scored a note's concerns; the concerns' statements travel sealed under the note's key."""

    TYPE: ClassVar[str] = "org.porchlight.note.analyzed.v2"

    sealed: list[SealedWords] = Field(
        default_factory=list, description="The concerns' statements, encrypted under the note's key."
    )

    def words(self) -> dict[UUID, dict[str, Any]]:
        return {self.note_id: {"concerns": [c.text for c in self.concerns]}}

    def without_words(self) -> Self:
        blank = [c.model_copy(update={"text": ""}) for c in self.concerns]
        return self.model_copy(update={"concerns": blank})

    def with_words(self, words: Mapping[UUID, dict[str, Any]]) -> Self:
        texts = list((words.get(self.note_id) or {}).get("concerns") or [])
        concerns = [
            c.model_copy(update={"text": texts[i] if i < len(texts) else ""}) for i, c in enumerate(self.concerns)
        ]
        return self.model_copy(update={"concerns": concerns})


class SentimentProbabilities(BaseModel):
    """The model's probability of each sentiment label (they sum to 1)."""

    negative: float = Field(ge=0, le=1)
    neutral: float = Field(ge=0, le=1)
    positive: float = Field(ge=0, le=1)


class ConcernSentiment(BaseModel):
    """The model's sentiment of one of a note's concern statements: scores only, never the statement."""

    position: int = Field(
        ge=0,
        description="The concern's number in the note (0, 1, ...): with note_id, its id; also its place in "
        "the concerns of the note.analyzed of the same analysis (same note_id and model_version).",
    )
    sentiment: SentimentLabel
    sentiment_score: float = Field(ge=-1, le=1, description="-1 (most negative) .. +1 (most positive).")
    probabilities: SentimentProbabilities | None = Field(
        default=None, description="Each label's probability, when the model gives them; absent otherwise."
    )


# No resident's words ride here (scores and ids only), so it is no CarriesWords event. It goes on
# the analyses' topic with their key, after the note.analyzed of the same analysis.
class SentimentScored(Event):
    """Synthesis scored how residents felt in a note, and in each of its concerns: scores only, no words.

    One per note per analysis: published with the note's ``note.analyzed`` (same transaction, same
    topic and key, just after it), and again whenever the note is re-analyzed (a revision, a
    re-analysis with a newer model). A reader keeps, per note, the event with the highest
    ``revision``, then the latest ``analyzed_at``: one arriving late from an older analysis
    changes nothing. ``host_rating`` is the host's own 1-5 rating of the conversation, beside the
    model's reading.
    """

    TYPE: ClassVar[str] = "org.porchlight.sentiment.scored.v1"
    TOPIC: ClassVar[str] = Topics.NOTE_ANALYSES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    revision: int = Field(ge=1, description="The note revision analyzed.")
    district: str
    neighborhood: str | None = None
    occurred_at: datetime = Field(description="When the conversation took place (the time figures count it at).")
    analyzed_at: datetime = Field(description="When synthesis analyzed the note: the later analysis wins.")
    model_version: str = Field(description="The model version that scored it (as in note.analyzed).")
    sentiment: SentimentLabel = Field(description="The note's overall sentiment, from its concerns'.")
    sentiment_score: float = Field(ge=-1, le=1, description="-1 (most negative) .. +1 (most positive).")
    concerns: list[ConcernSentiment] = Field(default_factory=list)
    host_rating: Sentiment5 | None = Field(
        default=None, description="The host's own rating of the conversation, 1 (very negative) .. 5 (very positive)."
    )

    def subject(self) -> str:
        return str(self.note_id)


class TopicCountEstimate(BaseModel):
    """A topic's notes allowing for the model's mistakes, with the range it is 90 % sure of."""

    count: int = Field(ge=0, description="Estimated notes that truly raised the topic.")
    low: int = Field(ge=0, description="Lower end of the 90 % interval of count.")
    high: int = Field(ge=0, description="Upper end of the 90 % interval of count.")
    basis: str = Field(
        description="Where the model's calibration was measured: the city's 'corrections' or an 'evaluation' "
        "on labeled data shipped with the model."
    )


# Numbers only, on the analyses' topic: a reader of note.analyzed that estimates topic counts
# (the dashboard) keeps the newest, by ``published_at``.
class TopicCalibrated(Event):
    """Synthesis' measure of how its topic probabilities relate to the true topics changed.

    Published when synthesis starts with a calibration it has not published yet, and whenever it
    fits a new one (its city's corrections grew by a tenth). With each concern's ``topic_probs``
    (note.analyzed) it lets a reader estimate a place's true topic counts with a 90 % interval as
    synthesis does (docs/adr/0016): with ``l = log(probs)`` over ``topics`` in their order (a
    topic left out of ``topic_probs``: 0.0001, each row then scaled to sum to 1), the calibrated probabilities are
    ``softmax(l + l @ weights + bias)``, and a concern's likelihoods are those divided by ``shares``.
    """

    TYPE: ClassVar[str] = "org.porchlight.topic.calibrated.v1"
    TOPIC: ClassVar[str] = Topics.NOTE_ANALYSES
    KEY: ClassVar[str] = "scope"

    scope: Literal["city"] = "city"
    published_at: datetime = Field(description="When synthesis published it: the newest wins.")
    basis: str = Field(
        description="'corrections': fitted on the city's own corrections; 'evaluation': on the labeled "
        "evaluation shipped with the model."
    )
    source: str = Field(description="What it was fitted on, in words.")
    labels: int = Field(ge=0, description="How many labeled statements it was fitted on.")
    topics: list[str] = Field(min_length=1, description="The topic codes, in the order of the arrays below.")
    shares: list[float] = Field(description="Each topic's share in what it was fitted on.")
    bias: list[float]
    weights: list[list[float]] = Field(description="A square matrix, one row per topic.")

    @model_validator(mode="after")
    def _square(self) -> Self:
        k = len(self.topics)
        if len(set(self.topics)) != k:
            raise ValueError("topics: each topic once")
        if len(self.shares) != k or len(self.bias) != k:
            raise ValueError(f"shares and bias: one value per topic ({k})")
        if len(self.weights) != k or any(len(row) != k for row in self.weights):
            raise ValueError(f"weights: {k} rows of {k}")
        return self


class InsightUpdated(Event):
    """A district's synthesis changed materially (ranking of topics, a new emerging topic)."""

    TYPE: ClassVar[str] = "org.porchlight.insight.updated.v1"
    TOPIC: ClassVar[str] = Topics.INSIGHTS
    KEY: ClassVar[str] = "district"

    district: str
    period_start: date
    period_end: date
    top_topics: list[str] = Field(default_factory=list)
    summary: str = ""
    model_version: str
    #: Notes per topic in the period, for the topics in ``top_topics`` (added compatibly).
    topic_notes: dict[str, int] = Field(default_factory=dict)
    #: Notes in the district in the period.
    notes: int | None = None
    #: Why the change is material: "first", "ranking" or "counts".
    reason: str | None = None
    #: For the topics in ``topic_notes``: their notes estimated from the model's calibrated
    #: probabilities, with a 90 % interval (porchlight.kit.quantify; added compatibly).
    topic_estimates: dict[str, TopicCountEstimate] = Field(default_factory=dict)


# Synthesis' own announcement, on the topic of its analyses and keyed like them: it comes after
# every note.analyzed it published for the note, so a reader of that topic (the dashboard, layers)
# that applies it has no later analysis to bring the words back.
class NoteAnalysisErased(Event):
    """Synthesis erased a note's concern statements after note.erased; its analyses' texts must go too."""

    TYPE: ClassVar[str] = "org.porchlight.note.analysis-erased.v1"
    TOPIC: ClassVar[str] = Topics.NOTE_ANALYSES
    KEY: ClassVar[str] = "district"

    note_id: UUID
    district: str
    erased_at: datetime
    reason: ErasureReason

    def subject(self) -> str:
        return str(self.note_id)


# --- projects -----------------------------------------------------------------------------


class ConcernSelection(BaseModel):
    """Residents' concerns picked by topic and place: every note of ``topic`` from the place (the
    district, or one neighborhood of it) counts, from ``heard_since`` on. Counts are computed from
    the notes where they are shown, never typed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"topic": "street_lighting", "district": "D4", "neighborhood": "south-end"}]}
    )

    topic: str
    district: str
    neighborhood: str | None = None


class ConcernRef(BaseModel):
    """One concern of one note: the ``position``-th of note.analyzed's ``concerns`` (synthesis'
    quotes name it so). Its words stay where the notes are kept; a reader resolves them, so an
    erased note's words are never shown again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"note_id": "5d0c2a8e-2f3b-4c59-9e0a-7d1b2c3d4e5f", "position": 0}]}
    )

    note_id: UUID
    position: int = Field(ge=0)


class PriorityCreated(Event):
    """A supervisor set a quarterly priority for a place."""

    TYPE: ClassVar[str] = "org.porchlight.priority.created.v1"
    TOPIC: ClassVar[str] = Topics.PRIORITIES
    KEY: ClassVar[str] = "priority_id"

    priority_id: UUID
    title: str
    district: str
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    topics: list[str] = Field(default_factory=list)
    #: Added compatibly (issue 5): the neighborhood it targets and how it will be evaluated.
    neighborhood: str | None = None
    outcome_measure: str | None = None
    #: Added compatibly (issue 18): the concerns it answers, picked by topic and place (never
    #: typed figures), counted from ``heard_since``, and the residents' words it quotes.
    concerns: list[ConcernSelection] = Field(default_factory=list)
    heard_since: date | None = None
    quotes: list[ConcernRef] = Field(default_factory=list)


class ProjectCreated(Event):
    """A micro-project was added to a priority."""

    TYPE: ClassVar[str] = "org.porchlight.project.created.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    title: str
    district: str
    department: str
    remedy_kind: RemedyKind
    starts_on: date
    due_on: date
    point: GeoPoint | None = None
    #: Added compatibly (issue 5): where on the map, and the co-response team that owns it.
    neighborhood: str | None = None
    place: str | None = None
    team: str | None = None
    #: Added compatibly (issue 18): whether residents see it on their neighborhood's public page
    #: (a project may be kept internal; before the field existed every project was shown to staff
    #: only, so a reader of an old event keeps it internal).
    public: bool = False


ProjectStatus = Literal["proposed", "planned", "in_progress", "done", "blocked"]


class ProjectMoved(Event):
    """A micro-project's card moved on the board (proposed, planned, in progress, done, blocked)."""

    TYPE: ClassVar[str] = "org.porchlight.project.moved.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    district: str
    department: str
    from_status: ProjectStatus
    to_status: ProjectStatus
    #: Why the project is blocked (staff-written; set when ``to_status`` is ``blocked``).
    reason: str | None = None
    moved_by: str
    moved_at: datetime
    #: The card's version after the move (optimistic concurrency on the board).
    version: int


class ProjectCompletionRequested(Event):
    """Every task of a micro-project is done: its owner is asked to confirm the project complete."""

    TYPE: ClassVar[str] = "org.porchlight.project.completion_requested.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    district: str
    department: str
    owner: str | None = None
    requested_at: datetime


class ProjectReminded(Event):
    """A micro-project is overdue or stalled and its owner was reminded (other systems may email)."""

    TYPE: ClassVar[str] = "org.porchlight.project.reminded.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    title: str
    district: str
    department: str
    owner: str | None = None
    reason: Literal["overdue", "stalled"]
    due_on: date
    last_changed_at: datetime
    reminded_at: datetime
    reminded_by: str


class TaskCompleted(Event):
    """A task inside a micro-project was marked done."""

    TYPE: ClassVar[str] = "org.porchlight.task.completed.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    # Keyed by project so a project's task and completion events stay in order.
    KEY: ClassVar[str] = "project_id"

    task_id: UUID
    project_id: UUID
    department: str
    completed_at: datetime
    completed_by: str
    #: Added compatibly (issue 18): the task as residents may read it. ``public``: it goes on the
    #: project's public timeline (a task of a project kept internal never does); ``announce``:
    #: the owner chose to tell the neighborhood's channels at once.
    title: str | None = None
    public: bool = False
    announce: bool = False

    def subject(self) -> str:
        return str(self.task_id)


class TaskReopened(Event):
    """A task marked done was marked not done again: every count of done tasks loses it.

    Ordered after its ``task.completed`` (same key); ``reopened_at`` is later than the
    ``completed_at`` it undoes, so a reader that keeps each task's latest state by time needs
    nothing else.
    """

    TYPE: ClassVar[str] = "org.porchlight.task.reopened.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    task_id: UUID
    project_id: UUID
    department: str
    reopened_at: datetime
    reopened_by: str

    def subject(self) -> str:
        return str(self.task_id)


class ProjectCompleted(Event):
    """The owner confirmed a micro-project done."""

    TYPE: ClassVar[str] = "org.porchlight.project.completed.v1"
    TOPIC: ClassVar[str] = Topics.PROJECTS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    district: str
    department: str
    completed_at: datetime
    #: Added compatibly (issue 5): who confirmed it.
    completed_by: str | None = None
    #: Added compatibly (issue 13): where the work was done (city work, not a resident's place),
    #: so layers can compare the place with matched places of its district (target vs control).
    point: GeoPoint | None = None


# --- departments, layers, bulletins ------------------------------------------------------


class IssueFlagged(Event):
    """Any city department flagged an issue on the shared map (a streetlight out, a vacant lot).

    Departments' own systems may publish it (docs/integrating.md); layers publishes the ones
    flagged through its API and web form. Projects puts each on its board, the dashboard on its map.
    """

    TYPE: ClassVar[str] = "org.porchlight.issue.flagged.v1"
    TOPIC: ClassVar[str] = Topics.ISSUES
    KEY: ClassVar[str] = "district"
    INBOUND: ClassVar[bool] = True

    issue_id: UUID
    department: str
    category: str
    district: str
    point: GeoPoint | None = None
    description: str = ""
    flagged_at: datetime
    #: Added compatibly (issue 13): the department records it is about (their external ids), the
    #: place in words, and the kind of remedy the flagging department proposes.
    record_ids: list[str] = Field(default_factory=list)
    place: str | None = None
    remedy_kind: RemedyKind | None = None

    def subject(self) -> str:
        return str(self.issue_id)


# Deprecated (issue 13): never produced nor consumed. record.reported / record.closed replace it;
# it stays in the catalog so its committed schema keeps its meaning (docs/adr/0011).
class RecordImported(Event):
    """Deprecated, never produced: superseded by record.reported.v1 and record.closed.v1."""

    TYPE: ClassVar[str] = "org.porchlight.record.imported.v1"
    TOPIC: ClassVar[str] = Topics.RECORDS
    KEY: ClassVar[str] = "district"

    record_id: str
    layer: str
    category: str
    district: str | None = None
    point: GeoPoint | None = None
    occurred_at: datetime

    def subject(self) -> str:
        return self.record_id


#: A department's own field values: flat, JSON scalars.
AttributeValue = str | int | float | bool | None


class RecordReported(Event):
    """A department's system reported a record on one of its layers, or changed it.

    A streetlight outage, a permit, a park's maintenance window, a school event, a crime incident.
    Published by the department's own system (any Kafka client, docs/integrating.md); layers
    checks and stores it. The same ``department`` + ``external_id`` again updates the record.
    """

    TYPE: ClassVar[str] = "org.porchlight.record.reported.v1"
    TOPIC: ClassVar[str] = Topics.RECORDS
    # Keyed by the department's own id: one record's reports and its closure stay in order.
    KEY: ClassVar[str] = "external_id"
    INBOUND: ClassVar[bool] = True

    department: str = Field(
        min_length=1, max_length=64, description="The department's code, as registered with layers."
    )
    layer: str = Field(
        min_length=1, max_length=64, description="The layer, e.g. street_light_outage, permit, incident."
    )
    external_id: str = Field(min_length=1, max_length=200, description="The department system's own id of the record.")
    category: str = Field(min_length=1, max_length=200, description="What it is, in the department's words.")
    status: str = Field(default="open", max_length=64, description="open, closed, or the department's own status.")
    point: GeoPoint | None = Field(default=None, description="Where it is (a point); or give geometry.")
    geometry: dict[str, Any] | None = Field(
        default=None, description="GeoJSON geometry (RFC 7946): Point, LineString or Polygon (or Multi*)."
    )
    opened_at: datetime | None = Field(default=None, description="When it was opened (or give starts_at).")
    closed_at: datetime | None = None
    starts_at: datetime | None = Field(default=None, description="A scheduled thing's start (a permit, an event).")
    ends_at: datetime | None = None
    description: str = Field(default="", max_length=2000)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict, description="The department's other fields.")


class RecordClosed(Event):
    """A department's system closed one of its records (the outage fixed, the permit ended)."""

    TYPE: ClassVar[str] = "org.porchlight.record.closed.v1"
    TOPIC: ClassVar[str] = Topics.RECORDS
    KEY: ClassVar[str] = "external_id"
    INBOUND: ClassVar[bool] = True

    department: str = Field(min_length=1, max_length=64)
    external_id: str = Field(min_length=1, max_length=200)
    closed_at: datetime
    status: str = Field(default="closed", max_length=64)


class RecordAccepted(Event):
    """Layers accepted a department record (from Kafka, Open311, a file or its API), checked and located.

    The platform's copy that every other service reads. Published again with a higher ``version``
    whenever the record changes or closes: readers keep the highest version per ``record_id``.
    """

    TYPE: ClassVar[str] = "org.porchlight.record.accepted.v1"
    TOPIC: ClassVar[str] = Topics.LAYER_RECORDS
    KEY: ClassVar[str] = "record_id"

    record_id: UUID
    version: int
    department: str
    layer: str
    external_id: str
    category: str
    status: str
    open: bool
    district: str | None = None
    #: A point on the record's geometry (the point itself for a point record); None for a record
    #: its department placed by district alone.
    point: GeoPoint | None = None
    geometry_type: str | None = None
    opened_at: datetime
    closed_at: datetime | None = None
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)

    def subject(self) -> str:
        return str(self.record_id)


class CorrelationDetected(Event):
    """Two layers meet at one place (a streetlight out on the block where auto thefts rise).

    Published by layers when one of the city's connection rules matches, with its evidence.
    """

    TYPE: ClassVar[str] = "org.porchlight.correlation.detected.v1"
    TOPIC: ClassVar[str] = Topics.CORRELATIONS
    KEY: ClassVar[str] = "district"

    correlation_id: UUID
    district: str
    layers: list[str]
    place: str
    relative_risk: float | None = None
    explanation: str = ""
    #: Added compatibly (issue 13): the rule that matched, where, and its evidence.
    rule: str | None = None
    point: GeoPoint | None = None
    record_ids: list[str] = Field(default_factory=list)
    incidents: int | None = None
    baseline: float | None = None
    p_value: float | None = None
    note_ids: list[UUID] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list)
    detected_at: datetime | None = None

    def subject(self) -> str:
        return str(self.correlation_id)


class CorrelationDetectedV2(CarriesWords, CorrelationDetected):
    """Two layers meet at one place; residents' quotes in the evidence travel sealed, each under its note's key."""

    TYPE: ClassVar[str] = "org.porchlight.correlation.detected.v2"

    #: The note each of ``quotes`` comes from (same order), so each quote is sealed under its note's key.
    quote_note_ids: list[UUID] = Field(default_factory=list)
    sealed: list[SealedWords] = Field(
        default_factory=list, description="Residents' quotes, per note, encrypted under that note's key."
    )

    def words(self) -> dict[UUID, dict[str, Any]]:
        by_note: dict[UUID, dict[str, Any]] = {}
        for note_id, quote in zip(self.quote_note_ids, self.quotes, strict=False):
            by_note.setdefault(note_id, {"quotes": []})["quotes"].append(quote)
        return by_note

    def without_words(self) -> Self:
        return self.model_copy(update={"quotes": [], "quote_note_ids": []})

    def with_words(self, words: Mapping[UUID, dict[str, Any]]) -> Self:
        quotes: list[str] = []
        owners: list[UUID] = []
        for s in self.sealed:  # in the order they were sealed: the quotes' order, note by note
            for quote in (words.get(s.note_id) or {}).get("quotes") or []:
                quotes.append(quote)
                owners.append(s.note_id)
        return self.model_copy(update={"quotes": quotes, "quote_note_ids": owners})


class CorrelationClosed(Event):
    """A same-block connection closed: its department record closed, or its rule no longer holds."""

    TYPE: ClassVar[str] = "org.porchlight.correlation.closed.v1"
    TOPIC: ClassVar[str] = Topics.CORRELATIONS
    KEY: ClassVar[str] = "district"

    correlation_id: UUID
    district: str
    reason: str
    closed_at: datetime

    def subject(self) -> str:
        return str(self.correlation_id)


class UpdateText(BaseModel):
    """An update's title and words in one language."""

    title: str
    body: str


class UpdatePublished(Event):
    """A plain-language update (a win, a bulletin) went out to a neighborhood's channels."""

    TYPE: ClassVar[str] = "org.porchlight.update.published.v1"
    TOPIC: ClassVar[str] = Topics.UPDATES
    KEY: ClassVar[str] = "district"

    update_id: UUID
    district: str
    neighborhood: str | None = None
    kind: Literal["win", "bulletin"]
    title: str
    body: str
    published_at: datetime
    project_id: UUID | None = None
    #: Added compatibly (issue 5): the place of a win, so neighborhood channels can pick it up,
    #: and the topics of the residents' concerns it answers ("you said, we did").
    place: str | None = None
    point: GeoPoint | None = None
    topics: list[str] = Field(default_factory=list)
    #: Added compatibly (issue 18): the update in residents' other languages (``{"es": {...}}``;
    #: ``title`` and ``body`` are English), the reading grade of its hardest version and, when
    #: above 10, the reason a supervisor gave for publishing it so.
    translations: dict[str, UpdateText] = Field(default_factory=dict)
    reading_grade: float | None = None
    plain_language_reason: str | None = None
    #: Added compatibly (issue 18): what a win answers ("you said"): its priority, that priority's
    #: concerns in the win's place counted from ``heard_since`` to ``published_at``, and the
    #: residents' words it quotes. The notes are found from these, so a win names them.
    priority_id: UUID | None = None
    concerns: list[ConcernSelection] = Field(default_factory=list)
    heard_since: date | None = None
    quotes: list[ConcernRef] = Field(default_factory=list)

    def subject(self) -> str:
        return str(self.update_id)


class NewsletterEdition(BaseModel):
    """A newsletter in one language, rendered: ``html`` (styles inlined) and ``text`` carry
    ``UNSUBSCRIBE_URL`` where each recipient's own unsubscribe link goes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "subject": "South End: the streetlights on Tremont St are fixed",
                    "html": '<!doctype html><html lang="en">...<a href="%%UNSUBSCRIBE_URL%%">...</a>...</html>',
                    "text": "South End\n\nThe streetlights on Tremont St are fixed.\n...\n%%UNSUBSCRIBE_URL%%",
                }
            ]
        }
    )

    subject: str
    html: str
    text: str


#: Where a newsletter's rendered edition puts the recipient's unsubscribe link (intake fills it).
UNSUBSCRIBE_URL = "%%UNSUBSCRIBE_URL%%"


class NewsletterRequested(Event):
    """A published update is to be mailed to its neighborhoods' subscribers (ADR 0017).

    The dashboard renders it once per language; intake, which alone holds the addresses, sends
    each confirmed subscriber of ``neighborhoods`` the edition of their language, once (by
    ``newsletter_id``). No address, name or resident's word is in it.
    """

    TYPE: ClassVar[str] = "org.porchlight.newsletter.requested.v1"
    TOPIC: ClassVar[str] = Topics.UPDATES
    KEY: ClassVar[str] = "district"

    newsletter_id: UUID
    update_id: UUID
    district: str
    neighborhoods: list[str] = Field(min_length=1)
    editions: dict[str, NewsletterEdition] = Field(min_length=1)
    requested_at: datetime

    def subject(self) -> str:
        return str(self.newsletter_id)


# --- evaluation -------------------------------------------------------------------------------


class SentimentComparison(BaseModel):
    """Residents' sentiment (mean note score, -1..1) in the target area and matched control areas."""

    target_notes_before: int
    target_notes_after: int
    control_notes_before: int
    control_notes_after: int
    target_before_mean: float
    target_after_mean: float
    control_before_mean: float
    control_after_mean: float
    did: float
    did_low: float
    did_high: float
    p_value: float
    significant: bool


class ProjectEvaluated(Event):
    """Layers compared a completed micro-project's place with matched control places (target vs control).

    Published when the first whole day after completion has passed and again each day while the
    after period is still filling (``so_far``), then once more when it is complete: readers keep
    the highest ``version`` per ``project_id``. Incidents are counts in the target area's cells and
    in a control area of the same size (the mean over each target cell's matched control cells);
    ``did`` is the difference in differences, ``p_value`` from a permutation test.
    """

    TYPE: ClassVar[str] = "org.porchlight.project.evaluated.v1"
    TOPIC: ClassVar[str] = Topics.EVALUATIONS
    KEY: ClassVar[str] = "project_id"

    project_id: UUID
    priority_id: UUID
    district: str
    version: int = Field(ge=1)
    point: GeoPoint
    completed_at: datetime
    evaluated_at: datetime
    before_start: datetime
    before_end: datetime
    after_start: datetime
    after_end: datetime
    days: int
    #: The after period is still under way: both periods are the whole days elapsed so far.
    so_far: bool
    target_cells: list[str]
    controls_per_cell: int
    target_before: int
    target_after: int
    control_before_mean: float
    control_after_mean: float
    did: float
    did_low: float
    did_high: float
    #: (target after / before) / (controls after / before); None when either had no incident before.
    ratio: float | None = None
    ratio_low: float | None = None
    ratio_high: float | None = None
    p_value: float
    permutations: int
    significant: bool
    sentiment: SentimentComparison | None = None
    #: Why sentiment is not compared (too few residents' notes), when it is not.
    sentiment_reason: str | None = None
    #: The result in plain words; every number in it is one of the figures above.
    summary: str

    def subject(self) -> str:
        return str(self.project_id)
