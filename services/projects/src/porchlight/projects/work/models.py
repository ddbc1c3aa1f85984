"""Micro-projects, their tasks and the history of every move on the board."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.projects.db import Base


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    priority_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("priorities.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str | None] = mapped_column(sa.Text)
    district: Mapped[str] = mapped_column(sa.Text, index=True)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    #: The point or block, as people say it ("Main St between 3rd and 5th").
    place: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    department: Mapped[str] = mapped_column(sa.ForeignKey("departments.code"), index=True)
    team: Mapped[str | None] = mapped_column(sa.ForeignKey("teams.code"))
    remedy_kind: Mapped[str] = mapped_column(sa.Text)
    justification: Mapped[str | None] = mapped_column(sa.Text)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.Text, default="proposed")
    blocked_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Every task done: the owner is asked to confirm (cleared when it moves on).
    awaiting_confirmation: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    owner: Mapped[str | None] = mapped_column(sa.Text)
    #: Shown on its neighborhood's public page (with its public tasks); enforcement is not, by
    #: default (work/service.py: ``create_project``).
    public: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: The owner's choice: a public task ticked off goes to the neighborhood's channels at once.
    announce_tasks: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    #: What residents will read when it is done ("The streetlights on Main St are fixed.").
    win_text: Mapped[str | None] = mapped_column(sa.Text)
    #: Kept on the card so the board needs no join over tasks.
    tasks_total: Mapped[int] = mapped_column(sa.Integer, default=0)
    tasks_done: Mapped[int] = mapped_column(sa.Integer, default=0)
    #: The card as the board shows it, minus ``overdue`` and the closing brace (cards.head_of).
    card_head: Mapped[str | None] = mapped_column(sa.Text)
    #: Optimistic concurrency: the ETag of the card; every change adds one.
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    #: The last change of any kind (a stalled project is one unchanged for a week).
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class ProjectMove(Base):
    """One status transition: who moved the card, when, from where to where, and why."""

    __tablename__ = "project_moves"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.Text)
    to_status: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    moved_by: Mapped[str] = mapped_column(sa.Text)
    moved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class Task(Base):
    __tablename__ = "tasks"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    assignee: Mapped[str | None] = mapped_column(sa.Text)
    department: Mapped[str] = mapped_column(sa.ForeignKey("departments.code"))
    #: On the project's public timeline once done (only if the project is public too).
    public: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    done: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_by: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
