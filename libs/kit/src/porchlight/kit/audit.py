"""The audit trail's record and its hash chain (no database here: storage is audittrail.py).

Every read of residents' words or contacts and every change is one ``Entry``: when, who (the
token's subject, roles, district claim, or the API key's department), what was done (an
``Action``), through which route template or command, which ids and districts it touched, the
query filters and the answer's status. Never the words themselves.

Entries form a chain (docs/adr/0013-audit-trail.md): entry *n* stores ``prev_hash``, the hash
of entry *n-1* (``GENESIS`` for the first), and its own ``hash`` =
``sha256(prev_hash + canonical JSON of its fields)``. Editing an entry changes its hash and breaks
the link from the next one; deleting one breaks the numbering and the link; ``verify`` walks the
chain and names the first entry that does not hold.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

GENESIS = "0" * 64


class Action(StrEnum):
    """What an audited request did: read or exported residents' words or contacts, or changed something."""

    read = "read"
    export = "export"
    create = "create"
    update = "update"
    delete = "delete"


#: The action a change recorded by its HTTP method is.
ACTION_OF_METHOD = {"POST": Action.create, "PUT": Action.update, "PATCH": Action.update, "DELETE": Action.delete}


@dataclass(frozen=True)
class Entry:
    """One audited access, before it takes its place in the chain."""

    at: datetime
    actor: str
    action: str
    route: str
    status: int
    actor_kind: str = "user"
    roles: tuple[str, ...] = ()
    actor_district: str | None = None
    department: str | None = None
    districts: tuple[str, ...] = ()
    #: What was touched, by kind: ``{"note_id": [...], "contact_id": [...]}``.
    ids: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: The query's filters that say what was asked for (district, topic, from, to...).
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def fields(self, seq: int) -> dict[str, object]:
        """What the hash covers, in the types JSON and the database give back unchanged."""
        return {
            "seq": seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "actor_kind": self.actor_kind,
            "roles": sorted(self.roles),
            "actor_district": self.actor_district,
            "department": self.department,
            "action": self.action,
            "route": self.route,
            "status": self.status,
            "districts": sorted(set(self.districts)),
            "ids": {k: [str(v) for v in vs] for k, vs in sorted(self.ids.items()) if vs},
            "filters": {k: [str(v) for v in vs] for k, vs in sorted(self.filters.items()) if vs},
        }


def canonical(fields: Mapping[str, object]) -> bytes:
    """One byte string per content: sorted keys, no spaces, UTF-8 (RFC 8785's shape for our types)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link(prev_hash: str, fields: Mapping[str, object]) -> str:
    """An entry's hash: sha256 of the previous entry's hash followed by its canonical JSON."""
    return hashlib.sha256(prev_hash.encode() + canonical(fields)).hexdigest()


@dataclass(frozen=True)
class Stored:
    """An entry as the chain holds it."""

    seq: int
    fields: Mapping[str, object]
    prev_hash: str
    hash: str


def chain(head_seq: int, head_hash: str, entries: Iterable[Entry]) -> list[Stored]:
    """``entries`` appended after the head (seq 0 and ``GENESIS`` for an empty chain)."""
    out: list[Stored] = []
    seq, prev = head_seq, head_hash
    for e in entries:
        seq += 1
        fields = e.fields(seq)
        digest = link(prev, fields)
        out.append(Stored(seq, fields, prev, digest))
        prev = digest
    return out


@dataclass(frozen=True)
class Verification:
    """The chain's state: how many entries hold, and the first that does not (if any)."""

    entries: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None


class Verifier:
    """Walks stored entries in ``seq`` order, one at a time (a chain may be long: nothing is kept)."""

    def __init__(self) -> None:
        self.count, self.seq, self.prev = 0, 0, GENESIS
        self.broken: tuple[int, str] | None = None

    def feed(self, stored: Stored) -> bool:
        """Check the next entry; False once the chain is broken (stop walking)."""
        if self.broken is not None:
            return False
        if stored.seq != self.seq + 1:
            self.broken = (stored.seq, f"expected entry {self.seq + 1} next: entries are missing")
        elif stored.prev_hash != self.prev:
            self.broken = (stored.seq, "its previous hash is not the hash of the entry before it")
        elif link(stored.prev_hash, stored.fields) != stored.hash:
            self.broken = (stored.seq, "its content does not match its hash: it was changed")
        if self.broken is not None:
            return False
        self.count, self.seq, self.prev = self.count + 1, stored.seq, stored.hash
        return True

    def result(self) -> Verification:
        if self.broken is None:
            return Verification(self.count, self.seq, self.prev)
        return Verification(self.count, self.seq, self.prev, self.broken[0], self.broken[1])


def verify(stored: Iterable[Stored]) -> Verification:
    """The first entry of ``stored`` (in ``seq`` order) whose link does not hold, if any."""
    v = Verifier()
    for s in stored:
        if not v.feed(s):
            break
    return v.result()


@dataclass(frozen=True)
class AuditPolicy:
    """What a service records (``ServiceSpec.audit``): every change, and the reads named here.

    ``reads`` maps ``"GET <route template>"`` to ``Action.read`` or ``Action.export`` for every
    route whose answer carries residents' words or contacts (or the audit trail itself): one
    list per service, in its spec.py, for a reviewer to check against its routes (the app
    refuses to start when one names no route).
    """

    reads: Mapping[str, Action] = field(default_factory=dict)
    #: Route templates starting with these only forward to another service, which records the
    #: request itself (the dashboard's ``/api/<service>/...`` proxy): not recorded twice.
    forwards: tuple[str, ...] = ()
    #: ``"POST <route template>"`` of writes that change no data: the web UI's sign-ins mint a
    #: token and store nothing (the identity provider keeps the sign-in's own record).
    not_changes: frozenset[str] = frozenset()
