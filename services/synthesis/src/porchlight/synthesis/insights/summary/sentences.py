"""The plain-language summary, built only from figures of the insight it summarizes.

Every number in a sentence is a value of the response, and the sentence says where
(``figures``: JSON pointers into the response); every sentence lists the notes its figures count.
Nothing here counts: it only phrases what the repository counted. Dates and place codes are kept out
of the prose on purpose so that the only numbers in it are figures.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from porchlight.synthesis.insights.schemas import Figure, Insight, SummarySentence

TOP_TOPICS = 3
TOP_CLUSTERS = 2


def _place(ins: Insight) -> str:
    p = ins.place
    if p.district and p.neighborhood:
        return f"{p.neighborhood} ({p.district})"
    return p.district or p.neighborhood or "the city"


def _ids(*groups: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return sorted({i for g in groups for i in g}, key=str)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _in(against: str) -> str:
    """'last month', else 'in the same days last month' / 'in the previous period of equal length'."""
    return against if against.startswith("last ") else f"in {against}"


def _had(against: str) -> str:
    """'the previous period of equal length had', 'last month had', 'the same days last month had'."""
    return f"{against} had"


def summarize(
    ins: Insight,
    notes: Sequence[uuid.UUID],
    previous_notes: Sequence[uuid.UUID],
    topic_notes: Mapping[str, Sequence[uuid.UUID]],
    previous_topic_notes: Mapping[str, Sequence[uuid.UUID]],
    pending: Sequence[uuid.UUID] = (),
) -> list[SummarySentence]:
    out: list[SummarySentence] = []
    place = _place(ins)
    # Notes received but not analyzed yet are in no figure; say so rather than "no notes".
    waiting = SummarySentence(
        text=f"{_plural(ins.pending, 'more note' if ins.notes else 'note')} "
        f"{'is' if ins.pending == 1 else 'are'} waiting for analysis "
        "and not counted here yet.",
        note_ids=_ids(pending),
        figures=[Figure(path="/pending", value=ins.pending)],
    )
    if ins.notes == 0:
        opening = (
            f"No note for {place} has been analyzed yet in this period"
            if ins.pending
            else f"No notes were filed for {place} in this period"
        )
        out.append(
            SummarySentence(
                text=f"{opening}; {_had(ins.against)} {_plural(ins.previous_notes, 'note')}.",
                note_ids=_ids(previous_notes),
                figures=[Figure(path="/previous_notes", value=ins.previous_notes)],
            )
        )
        if ins.pending:
            out.append(waiting)
        return out
    out.append(
        SummarySentence(
            text=f"{_plural(ins.notes, 'note')} raised {_plural(ins.concerns, 'concern')} in {place} in this period; "
            f"{_had(ins.against)} {_plural(ins.previous_notes, 'note')}.",
            note_ids=_ids(notes, previous_notes),
            figures=[
                Figure(path="/notes", value=ins.notes),
                Figure(path="/concerns", value=ins.concerns),
                Figure(path="/previous_notes", value=ins.previous_notes),
            ],
        )
    )
    for i, t in enumerate(ins.topics[:TOP_TOPICS]):
        figures = [Figure(path=f"/topics/{i}/notes", value=t.notes)]
        if t.previous_notes == 0:
            trend = f"none {_in(ins.against)}"
        elif t.notes == t.previous_notes:
            trend = f"as many as {_in(ins.against)}"
        else:
            trend = f"{'up' if t.notes > t.previous_notes else 'down'} from {t.previous_notes} {_in(ins.against)}"
            figures.append(Figure(path=f"/topics/{i}/previous_notes", value=t.previous_notes))
        text = f"{t.label} was raised in {_plural(t.notes, 'note')}, {trend}"
        if ins.place.neighborhood is None and t.neighborhoods and 2 * t.neighborhoods[0].notes > t.notes:
            top = t.neighborhoods[0]
            text += f"; most of them are from {top.neighborhood} ({top.notes})"
            figures.append(Figure(path=f"/topics/{i}/neighborhoods/0/notes", value=top.notes))
        out.append(
            SummarySentence(
                text=text + ".",
                note_ids=_ids(topic_notes.get(t.topic, ()), previous_topic_notes.get(t.topic, ())),
                figures=figures,
            )
        )
    s = ins.sentiment
    text = (
        f"Of these notes, {s.notes.negative} read as negative, {s.notes.neutral} as neutral and "
        f"{s.notes.positive} as positive."
    )
    figures = [
        Figure(path="/sentiment/notes/negative", value=s.notes.negative),
        Figure(path="/sentiment/notes/neutral", value=s.notes.neutral),
        Figure(path="/sentiment/notes/positive", value=s.notes.positive),
    ]
    if s.host_rating_mean is not None:
        text += (
            f" Hosts' own ratings of {s.host_rated_notes} of them average {s.host_rating_mean} on the five-point scale."
        )
        figures += [
            Figure(path="/sentiment/host_rated_notes", value=s.host_rated_notes),
            Figure(path="/sentiment/host_rating_mean", value=s.host_rating_mean),
        ]
    out.append(SummarySentence(text=text, note_ids=_ids(notes), figures=figures))
    for i, c in enumerate(ins.emerging[:TOP_CLUSTERS]):
        words = ", ".join(f"“{w}”" for w in c.words) or "no distinctive words"
        out.append(
            SummarySentence(
                text=f"{_plural(c.concerns, 'concern')} from {_plural(c.notes, 'note')} fit no topic yet and share "
                f"the words {words}.",
                note_ids=list(c.note_ids),
                figures=[
                    Figure(path=f"/emerging/{i}/concerns", value=c.concerns),
                    Figure(path=f"/emerging/{i}/notes", value=c.notes),
                ],
            )
        )
    if ins.pending:
        out.append(waiting)
    return out
