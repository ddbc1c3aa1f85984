"""Importing a department's file: each row through the mapping, then the records' one ``accept``
(in chunks), with a per-row report. A dry run does all of it inside a savepoint rolled back at the
end: the same report, nothing written, no event."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.imports.reading import Mapping, parse_mapping, read_rows, record_of
from porchlight.layers.records.service import CHUNK, Places, RecordIn, accept

#: The report names the first this many refused rows (the counts cover them all).
MAX_ERRORS = 50
#: Without a mapping file the columns are named after the record's fields.
DEFAULT_MAPPING = Path(__file__).parent / "mappings" / "fields.yaml"


def mapping_of(text: str | None) -> Mapping:
    """The mapping of a YAML text (None: the default one); ``MappingError`` naming the key."""
    return parse_mapping(text if text is not None else DEFAULT_MAPPING.read_text(encoding="utf-8"))


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    by_layer: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The report as the API and the command give it."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "by_layer": dict(self.by_layer),
            "errors": list(self.errors),
            "dry_run": self.dry_run,
        }

    def refuse(self, line: int, errors: list[dict[str, str]]) -> None:
        self.refused += 1
        for e in errors:
            if len(self.errors) < MAX_ERRORS:
                self.errors.append({"row": line, "field": e["field"], "message": e["message"]})


async def import_file(
    session: AsyncSession,
    places: Places,
    filename: str,
    data: bytes,
    mapping: Mapping,
    *,
    dry_run: bool = False,
    department: str | None = None,
) -> ImportReport:
    """Import ``data``; ``department`` limits it to one department's rows (a partner's key)."""
    report = ImportReport(dry_run=dry_run)
    nested = await session.begin_nested() if dry_run else None
    batch: list[tuple[int, RecordIn]] = []

    async def flush() -> None:
        result = await accept(session, [r for _, r in batch], places, source="file")
        report.created += result.created
        report.updated += result.updated
        report.unchanged += result.unchanged
        refused = {i for i, _ in result.refused}
        for i, errors in result.refused:
            report.refuse(batch[i][0], errors)
        for i, (_, rec) in enumerate(batch):
            if i not in refused:
                report.by_layer[rec.layer] += 1
        batch.clear()

    for row in read_rows(filename, data, mapping.sheet):
        report.rows += 1
        values, errors = record_of(mapping, row)
        layer = places.registry.layers.get(values.get("layer") or "")
        dept = values.pop("department", None) or (layer.department if layer else "")
        if not dept and layer is None and not errors:
            # No department column and an unknown layer: the layer is the one thing wrong.
            errors.append({"field": "layer", "message": f"unknown layer {values.get('layer')!r}"})
        if department and dept and dept != department:
            errors.append({"field": "department", "message": f"this key imports {department!r} records only"})
        if errors:
            report.refuse(row.line, errors)
            continue
        batch.append(
            (
                row.line,
                RecordIn(
                    department=dept,
                    layer=values.get("layer") or "",
                    external_id=values.get("external_id") or "",
                    category=values.get("category") or "",
                    status=values.get("status") or "open",
                    point=values["point"],
                    geometry=values["geometry"],
                    opened_at=values.get("opened_at"),
                    closed_at=values.get("closed_at"),
                    starts_at=values.get("starts_at"),
                    ends_at=values.get("ends_at"),
                    description=values.get("description") or "",
                    attributes=values["attributes"],
                    district=values.get("district"),
                ),
            )
        )
        if len(batch) >= CHUNK:
            await flush()
    if batch:
        await flush()
    if nested is not None:
        await nested.rollback()
    return report
