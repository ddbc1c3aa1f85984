"""The city's topic taxonomy: topics with a name, a plain description and example phrases.

The format is YAML (see ``gainesville.yaml``, the demo city's)::

    version: 1
    city: Gainesville, FL (demo city)
    topics:
      - name: street_lighting          # stable key, lower_snake_case
        label: Street lighting         # optional display name
        description: Streetlights that are out or flickering ...
        examples:                      # at least one short phrase
          - the streetlight in front of my house is out

:func:`load_taxonomy` validates a file (or a parsed mapping) and returns a :class:`Taxonomy`;
:class:`TaxonomyError` says exactly what is wrong and where.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: The name used for concerns that no topic fits well enough.
UNASSIGNED = "unassigned"

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
DEMO_TAXONOMY = Path(__file__).parent / "gainesville.yaml"


class TaxonomyError(ValueError):
    """The taxonomy document is invalid."""


@dataclass(frozen=True)
class Topic:
    name: str
    description: str
    examples: tuple[str, ...]
    label: str = ""

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def prototype_texts(self) -> list[str]:
        """The texts the model embeds for this topic: its description and each example."""
        return [self.description, *self.examples]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name}
        if self.label:
            d["label"] = self.label
        d["description"] = self.description
        d["examples"] = list(self.examples)
        return d


@dataclass(frozen=True)
class Taxonomy:
    topics: tuple[Topic, ...]
    version: int = 1
    city: str = ""
    _index: dict[str, Topic] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({t.name: t for t in self.topics})

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.topics]

    def __iter__(self) -> Iterator[Topic]:
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def get(self, name: str) -> Topic:
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"unknown topic {name!r}") from None

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "city": self.city, "topics": [t.to_dict() for t in self.topics]}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (first 12 hex) of the canonical content: changes whenever a topic's text does."""
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_topic(self, topic: Topic) -> Taxonomy:
        """A copy with ``topic`` added (or replacing the topic of the same name); version + 1."""
        topics = [t for t in self.topics if t.name != topic.name]
        topics.append(topic)
        return Taxonomy(tuple(topics), version=self.version + 1, city=self.city)


def _fail(where: str, msg: str) -> TaxonomyError:
    return TaxonomyError(f"{where}: {msg}")


def _text(value: Any, where: str, *, max_len: int = 2000) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "must be a non-empty string")
    value = " ".join(value.split())
    if len(value) > max_len:
        raise _fail(where, f"is longer than {max_len} characters")
    return value


def parse_taxonomy(doc: Any, *, source: str = "taxonomy") -> Taxonomy:
    """Validate a parsed YAML/JSON document and build the :class:`Taxonomy`."""
    if not isinstance(doc, Mapping):
        raise _fail(source, "must be a mapping with a 'topics' list")
    unknown = set(doc) - {"version", "city", "topics"}
    if unknown:
        raise _fail(source, f"unknown keys {sorted(unknown)}")
    version = doc.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(f"{source}.version", "must be a positive integer")
    city = doc.get("city", "") or ""
    if not isinstance(city, str):
        raise _fail(f"{source}.city", "must be a string")
    raw_topics = doc.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise _fail(f"{source}.topics", "must be a non-empty list")
    topics: list[Topic] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_topics):
        where = f"{source}.topics[{i}]"
        if not isinstance(raw, Mapping):
            raise _fail(where, "must be a mapping")
        extra = set(raw) - {"name", "label", "description", "examples"}
        if extra:
            raise _fail(where, f"unknown keys {sorted(extra)}")
        name = raw.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise _fail(f"{where}.name", f"{name!r} must match {NAME_RE.pattern}")
        if name == UNASSIGNED:
            raise _fail(f"{where}.name", f"{UNASSIGNED!r} is reserved")
        if name in seen:
            raise _fail(f"{where}.name", f"duplicate topic {name!r}")
        seen.add(name)
        label = raw.get("label", "") or ""
        if not isinstance(label, str):
            raise _fail(f"{where}.label", "must be a string")
        description = _text(raw.get("description"), f"{where}.description")
        examples = raw.get("examples")
        if not isinstance(examples, list) or not examples:
            raise _fail(f"{where}.examples", "must be a non-empty list of phrases")
        phrases = tuple(_text(e, f"{where}.examples[{j}]", max_len=500) for j, e in enumerate(examples))
        topics.append(Topic(name=name, description=description, examples=phrases, label=label.strip()))
    return Taxonomy(tuple(topics), version=version, city=city)


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Load and validate a taxonomy YAML file (default: the demo city's)."""
    p = Path(path) if path is not None else DEMO_TAXONOMY
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p}: not valid YAML: {exc}") from exc
    return parse_taxonomy(doc, source=str(p))


def demo_taxonomy() -> Taxonomy:
    return load_taxonomy(DEMO_TAXONOMY)
