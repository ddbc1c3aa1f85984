"""The NER model behind name redaction: pinned, checked before loading, loaded once, offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from porchlight.intake.privacy import ner, redact
from porchlight.kit.integrity import FileIntegrityError, sha256_file


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(ner.model_dir(), target)
    return target


def test_the_installed_model_matches_its_pins_and_loads_ner_only() -> None:
    nlp = ner.load_pipeline()
    assert nlp.pipe_names == ["ner"]  # no tagger, parser, lemmatizer: only what names need
    assert ner.load_pipeline() is nlp  # once per process
    assert set(ner.PINNED_SHA256) >= {"config.cfg", "ner/model", "vocab/strings.json", "tokenizer"}


@pytest.mark.parametrize("rel", ["ner/model", "config.cfg", "vocab/strings.json"])
def test_a_tampered_copy_is_refused(tmp_path: Path, rel: str) -> None:
    model = _copy(tmp_path)
    target = model / rel
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(FileIntegrityError) as err:
        ner.load_pipeline(model)
    assert str(target) in str(err.value) and ner.PINNED_SHA256[rel] in str(err.value)
    assert err.value.actual == sha256_file(target)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    model = _copy(tmp_path)
    (model / "ner" / "moves").unlink()
    with pytest.raises(FileIntegrityError, match="missing"):
        ner.load_pipeline(model)


def test_names_without_an_introduction_go_and_the_rules_exceptions_stay() -> None:
    assert redact("Maria Alvarez's kitchen table").text == "[NAME]'s kitchen table"
    kept = "Mayor Frey walked from Jane Addams Park down Martin Luther King Blvd."
    assert redact(kept).text == kept
    # The rules alone (the log filter's mode) do not read names that were not introduced.
    assert redact("Maria Alvarez's kitchen table", ner=False).text == "Maria Alvarez's kitchen table"


def test_intake_loads_the_model_at_startup() -> None:
    from porchlight.intake.spec import spec

    assert ner.warm_up in spec.on_startup
