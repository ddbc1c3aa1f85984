"""Backward-compatibility check between two JSON Schemas of an event (docs/architecture.md, "Event flow").

"A new version only adds optional fields." Events are replayed for months, by consumers deployed
at different times, so a schema change must not break whoever reads the other side:

* default rules (``N+1`` against ``N``: a consumer moved to v2 still reads replayed v1 events):
  no property removed, no new required property, no narrowing of a type (string -> integer,
  string|null -> string), no enum/Literal value removed, no tighter bound, pattern or format;
* ``strict=True`` (a committed type against its own later self: old readers of that very type
  keep running) also forbids widening a type, adding an enum value, loosening a bound and making a
  required property optional — i.e. only new optional properties are allowed.

Schemas are pydantic's JSON Schema output: ``$ref`` into ``$defs`` (or any local pointer),
nullable fields as ``anyOf [X, {"type": "null"}]``, Literals as ``enum``/``const``.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

_VERSION = re.compile(r"^(?P<family>.+)\.v(?P<n>\d+)$")
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_PY_TO_JSON = {bool: "boolean", int: "integer", float: "number", str: "string", type(None): "null"}


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    """Follow local ``$ref`` pointers (``#/$defs/X``, ``#/components/schemas/X``)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#") or ref in seen:
            raise ValueError(f"cannot resolve $ref {ref!r}")
        seen.add(ref)
        target: Any = root
        for part in [p for p in ref[1:].split("/") if p]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _branches(node: Any, root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a schema: anyOf/oneOf flattened, refs resolved."""
    node = _resolve(node, root)
    if not isinstance(node, dict):
        return [{}] if node is True else []
    alternatives = node.get("anyOf") or node.get("oneOf")
    if alternatives:
        return [b for alt in alternatives for b in _branches(alt, root)]
    if "allOf" in node and "type" not in node:  # pydantic's wrapper of a single $ref
        merged: dict[str, Any] = {}
        for part in node["allOf"]:
            for b in _branches(part, root):
                merged.update(b)
        return [merged]
    return [node]


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return _PY_TO_JSON.get(type(value), "string")


def _types(branch: dict[str, Any]) -> set[str]:
    declared = branch.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return set(declared)
    if "const" in branch:
        return {_json_type(branch["const"])}
    if "enum" in branch:
        return {_json_type(v) for v in branch["enum"]}
    if "properties" in branch:
        return {"object"}
    if "items" in branch:
        return {"array"}
    return {"any"}


def _covers(types: set[str], t: str) -> bool:
    return t in types or "any" in types or (t == "integer" and "number" in types)


def _values(branches: list[dict[str, Any]]) -> dict[str, set[str] | None]:
    """Allowed values per JSON type: a set (enum/const) or None (unconstrained)."""
    allowed: dict[str, set[str] | None] = {}
    for b in branches:
        listed = [b["const"]] if "const" in b else b.get("enum")
        for t in _types(b) - {"null"}:
            if listed is None:
                allowed[t] = None
            elif t not in allowed or allowed[t] is not None:
                vals = {json.dumps(v, sort_keys=True) for v in listed if _json_type(v) == t or t == "number"}
                allowed[t] = (allowed.get(t) or set()) | vals
    return allowed


def _fmt(types: set[str]) -> str:
    return "|".join(sorted(types)) or "nothing"


class _Checker:
    def __init__(self, old_root: dict[str, Any], new_root: dict[str, Any], strict: bool) -> None:
        self.old_root, self.new_root, self.strict = old_root, new_root, strict
        self.problems: list[str] = []
        self._active: set[tuple[int, int]] = set()

    def report(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '<root>'}: {message}")

    def node(self, old: Any, new: Any, path: str) -> None:
        olds, news = _branches(old, self.old_root), _branches(new, self.new_root)
        old_types = set().union(*(_types(b) for b in olds)) if olds else set()
        new_types = set().union(*(_types(b) for b in news)) if news else set()
        lost = {t for t in old_types if not _covers(new_types, t)}
        gained = {t for t in new_types if not _covers(old_types, t)}
        if lost:
            self.report(path, f"type narrowed or changed from {_fmt(old_types)} to {_fmt(new_types)}")
        elif gained and self.strict:
            self.report(path, f"type widened from {_fmt(old_types)} to {_fmt(new_types)}")

        old_vals, new_vals = _values(olds), _values(news)
        for t in sorted(set(old_vals) & set(new_vals)):
            ov, nv = old_vals[t], new_vals[t]
            if ov is None and nv is not None:
                self.report(path, f"now restricted to the values {', '.join(sorted(nv))}")
            elif ov is not None and nv is None and self.strict:
                self.report(path, "no longer restricted to a list of values")
            elif ov is not None and nv is not None:
                if ov - nv:
                    self.report(path, f"enum value(s) removed: {', '.join(sorted(ov - nv))}")
                if nv - ov and self.strict:
                    self.report(path, f"enum value(s) added: {', '.join(sorted(nv - ov))}")

        for ob in olds:  # pair each structured alternative with the new one of the same kind
            kind = next(iter(sorted(_types(ob) - {"null"})), None)
            match = next((nb for nb in news if kind and _covers(_types(nb), kind)), None)
            if kind and match is not None:
                self.branch(ob, match, path)

    def branch(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        key = (id(old), id(new))
        if key in self._active:  # a recursive model: this pair is being compared further up
            return
        self._active.add(key)
        try:
            self.bounds(old, new, path)
            if "properties" in old or "properties" in new or _types(old) == {"object"}:
                self.object(old, new, path)
            if "items" in old and "items" in new:
                self.node(old["items"], new["items"], f"{path}[]")
        finally:
            self._active.discard(key)

    def bounds(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        for name in _LOWER_BOUNDS + _UPPER_BOUNDS:
            o, n = old.get(name), new.get(name)
            if o == n or (n is None and not self.strict):
                continue
            tighter = n is not None and (o is None or (n > o if name in _LOWER_BOUNDS else n < o))
            if tighter or self.strict:
                self.report(path, f"{name} changed from {o} to {n}")
        for name in ("pattern", "format"):
            o, n = old.get(name), new.get(name)
            if o != n and (n is not None or self.strict):
                self.report(path, f"{name} changed from {o!r} to {n!r}")

    def object(self, old: dict[str, Any], new: dict[str, Any], path: str) -> None:
        prefix = f"{path}." if path else ""
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
        for name in sorted(old_props):
            if name not in new_props:
                self.report(prefix + name, "property removed")
            else:
                self.node(old_props[name], new_props[name], prefix + name)
        for name in sorted(new_req - old_req):
            self.report(prefix + name, "new required property" if name not in old_props else "became required")
        if self.strict:
            for name in sorted((old_req - new_req) & set(new_props)):
                self.report(prefix + name, "no longer required (older readers require it)")
        if old.get("additionalProperties", True) is not False and new.get("additionalProperties") is False:
            self.report(path, "additional properties are no longer allowed")
        o_add, n_add = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(o_add, dict) and isinstance(n_add, dict):
            self.node(o_add, n_add, f"{path}{{*}}")


def check_compatible(old_schema: dict[str, Any], new_schema: dict[str, Any], *, strict: bool = False) -> list[str]:
    """Human-readable reasons why ``new_schema`` is not a compatible evolution of ``old_schema``.

    An empty list means compatible. See the module docstring for the rules and ``strict``.
    """
    checker = _Checker(old_schema, new_schema, strict)
    checker.node(old_schema, new_schema, "")
    return checker.problems


def split_version(event_type: str) -> tuple[str, int]:
    """``org.porchlight.note.submitted.v2`` -> (``org.porchlight.note.submitted``, 2)."""
    m = _VERSION.match(event_type)
    if not m:
        raise ValueError(f"event type {event_type!r} does not end in .v<N>")
    return m["family"], int(m["n"])


def check_family(schemas_by_type: dict[str, dict[str, Any]]) -> list[str]:
    """Check each version of every event family against the previous version present."""
    families: dict[str, dict[int, str]] = {}
    problems = []
    for event_type in schemas_by_type:
        try:
            family, n = split_version(event_type)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        families.setdefault(family, {})[n] = event_type
    for family in sorted(families):
        versions = sorted(families[family])
        for prev, cur in itertools.pairwise(versions):
            old_t, new_t = families[family][prev], families[family][cur]
            for p in check_compatible(schemas_by_type[old_t], schemas_by_type[new_t]):
                problems.append(f"{new_t} is not a compatible evolution of {old_t}: {p}")
    return problems


def check_committed(committed: dict[str, dict[str, Any]], current: dict[str, dict[str, Any]]) -> list[str]:
    """Every committed event type must still exist and may only have gained optional fields."""
    problems = []
    for event_type in sorted(committed):
        if event_type not in current:
            problems.append(f"{event_type} was removed from the catalog (its consumers still read it)")
            continue
        for p in check_compatible(committed[event_type], current[event_type], strict=True):
            problems.append(f"{event_type} changed incompatibly since it was committed: {p}")
    return problems


def load_schemas(schemas_dir: Path) -> dict[str, dict[str, Any]]:
    """The committed schemas under docs/schemas/, by event type (the file name)."""
    return {
        p.name.removesuffix(".json"): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(schemas_dir.glob("*.json"))
    }


def check_catalog(schemas_dir: Path) -> list[str]:
    """The whole check: the catalog's version chains and the catalog against committed schemas."""
    from porchlight.events.asyncapi import all_event_schemas  # imports the catalog

    current = all_event_schemas()
    return check_family(current) + check_committed(load_schemas(schemas_dir), current)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    schemas_dir = Path(args[0]) if args else Path("docs/schemas")
    problems = check_catalog(schemas_dir)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
