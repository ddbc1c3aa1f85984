"""The read-model tables. Every row here can be rebuilt from the topics (see rebuild.py).

Notes, meetings, projects and wins are kept one row per aggregate (a note's latest revision may
move it to another district, so per-note rows beat counters). Contacts are the big stream
(200,000 a year for six districts): they are kept as counters per district, month, unit,
officer and kind — the district page reads a handful of rows instead of scanning contacts.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from porchlight.dashboard.db import metadata
from porchlight.dashboard.flagged.models import flagged_issues
from porchlight.dashboard.incidents.models import incident_counts, incident_records
from porchlight.dashboard.listening.models import contact_reach

meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("meeting_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("neighborhood", sa.Text),
    sa.Column("host_id", sa.Text, nullable=False),
    sa.Column("venue_type", sa.Text, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expected_attendees", sa.Integer),
    sa.Column("duration_minutes", sa.Integer),  # null: not given (counted as the default hour)
    sa.Index("meetings_district_starts", "district", "starts_at"),
)

notes = sa.Table(
    "notes",
    metadata,
    sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("meeting_id", UUID(as_uuid=True)),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("neighborhood", sa.Text),
    sa.Column("host_id", sa.Text, nullable=False),
    #: When the conversation took place (``held_at``, else when it was filed).
    sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attendees", sa.Integer),
    sa.Column("sentiment", sa.SmallInteger),  # the host's 1..5
    #: The model's label (sentiment.scored; for a note analysed before that event existed,
    #: note.analyzed's), copied here so the sentiment trend needs no join.
    sa.Column("model_sentiment", sa.Text),
    sa.Index("notes_district_held", "district", "held_at"),
)

#: One row per concern: the host's reading (source 'host') and, once synthesis has analysed the
#: note, the model's (source 'model'). ``active`` marks the rows that count: the model's when the
#: note has an analysis, else the host's. The note's district and time are copied here (kept in
#: step by the handlers) so the top-concerns query reads this table alone.
note_concerns = sa.Table(
    "note_concerns",
    metadata,
    sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("idx", sa.SmallInteger, primary_key=True),
    sa.Column("topic", sa.Text),
    sa.Column("text", sa.Text, nullable=False),  # redacted by the producer
    sa.Column("topic_score", sa.Float),
    sa.Column("sentiment", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("district", sa.Text),  # None until the note itself has arrived
    sa.Column("held_at", sa.DateTime(timezone=True)),
    #: The model's topic probabilities and who set ``topic`` ('model' or 'supervisor'), from
    #: note.analyzed: what topic counts are estimated from (with ``topic_calibration``).
    sa.Column("topic_probs", JSONB),
    sa.Column("topic_source", sa.Text),
    sa.Index("note_concerns_counted", "district", "held_at", postgresql_where=sa.text("active")),
)

#: Synthesis' calibration of its topic probabilities (``topic.calibrated``; the newest wins), as
#: the event's body: with ``note_concerns.topic_probs`` the pages estimate topic counts as
#: synthesis' do, "about N (L-H)".
topic_calibration = sa.Table(
    "topic_calibration",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("body", JSONB, nullable=False),
)

#: Each topic's name as synthesis' taxonomy gives it (``topic_label`` of note.analyzed; the newest
#: event wins, so a renamed or promoted topic shows its given name). The pages and the report name
#: topics from here: one name for one topic, synthesis' (never one made from the code).
topic_labels = sa.Table(
    "topic_labels",
    metadata,
    sa.Column("topic", sa.Text, primary_key=True),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
)

note_analyses = sa.Table(
    "note_analyses",
    metadata,
    sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("sentiment", sa.Text, nullable=False),
    sa.Column("sentiment_score", sa.Float, nullable=False),
)

#: The model's sentiment of each note, from sentiment.scored: the latest analysis (highest revision,
#: then latest ``analyzed_at``) wins, so one arriving late from an older analysis changes nothing.
#: ``concerns``: each concern's position, label and score (no words), as the event gives them.
note_sentiments = sa.Table(
    "note_sentiments",
    metadata,
    sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("sentiment", sa.Text, nullable=False),
    sa.Column("sentiment_score", sa.Float, nullable=False),
    sa.Column("concerns", JSONB, nullable=False),
    sa.Column("host_rating", sa.SmallInteger),
)

#: Per district and month: what the city page needs, without summing officers' rows.
contact_totals = sa.Table(
    "contact_totals",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("contacts", sa.Integer, nullable=False),
    sa.Column("minutes", sa.BigInteger, nullable=False),
    sa.Column("residents", sa.BigInteger, nullable=False),
)

contact_stats = sa.Table(
    "contact_stats",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("unit", sa.Text, primary_key=True),  # '' when the contact named none
    sa.Column("officer_id", sa.Text, primary_key=True),
    sa.Column("contact_type", sa.Text, primary_key=True),
    sa.Column("contacts", sa.Integer, nullable=False),
    sa.Column("minutes", sa.BigInteger, nullable=False),
    sa.Column("residents", sa.BigInteger, nullable=False),
)

insights = sa.Table(
    "insights",
    metadata,
    sa.Column("district", sa.Text, primary_key=True),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("top_topics", JSONB, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("model_version", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

priorities = sa.Table(
    "priorities",
    metadata,
    sa.Column("priority_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("quarter", sa.Text, nullable=False),
    sa.Column("topics", JSONB, nullable=False),
    #: What it answers (priority.created): concerns picked by topic and place, the first day their
    #: notes count, and the residents' words quoted as ``{note_id, position}`` (read from
    #: ``note_concerns``: an erased note's words are gone from there).
    sa.Column("neighborhood", sa.Text),
    sa.Column("concerns", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("heard_since", sa.Date),
    sa.Column("quotes", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("project_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("priority_id", UUID(as_uuid=True)),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False, server_default=""),
    sa.Column("remedy_kind", sa.Text),
    sa.Column("starts_on", sa.Date),
    sa.Column("due_on", sa.Date),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("tasks_done", sa.Integer, nullable=False, server_default="0"),
    #: The board column (project.moved), and the card version that set it (moves may repeat).
    sa.Column("status", sa.Text, nullable=False, server_default="planned"),
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    #: Where the work is (city work, not a resident's place) and whether residents see it
    #: (project.created; an event from before the field existed keeps it internal).
    sa.Column("neighborhood", sa.Text),
    sa.Column("place", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("projects_district", "district"),
    sa.Index("projects_priority", "priority_id"),
)

#: Each task's latest state (task.completed, task.reopened): ``tasks_done`` of its project is the
#: count of its done rows, so done, undone, done counts one. ``changed_at`` orders the two events
#: (a late one older than the state kept changes nothing).
project_tasks = sa.Table(
    "project_tasks",
    metadata,
    sa.Column("task_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("project_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("title", sa.Text),
    sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

updates = sa.Table(
    "updates",
    metadata,
    sa.Column("update_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("neighborhood", sa.Text),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("project_id", UUID(as_uuid=True)),
    #: What residents read beside the English (update.published's ``translations``: {"es": {title,
    #: body}}), the place of the work and the topics it answers.
    sa.Column("translations", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("place", sa.Text),
    sa.Column("topics", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    #: A win's priority and what it answers, as its priority's (update.published; see priorities).
    sa.Column("priority_id", UUID(as_uuid=True)),
    sa.Column("concerns", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("heard_since", sa.Date),
    sa.Column("quotes", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Index("updates_district_published", "district", "published_at"),
    sa.Index("updates_priority", "priority_id"),
    sa.Index("updates_neighborhood_published", "neighborhood", "published_at"),
)

#: Everything ``porchlight dashboard rebuild`` empties before replaying the topics (crime counts
#: included: they are layers' ``record.accepted`` events counted).
PROJECTED = (
    flagged_issues,
    incident_records,
    incident_counts,
    meetings,
    notes,
    note_concerns,
    topic_labels,
    topic_calibration,
    note_analyses,
    note_sentiments,
    contact_totals,
    contact_stats,
    contact_reach,
    insights,
    priorities,
    projects,
    project_tasks,
    updates,
)
