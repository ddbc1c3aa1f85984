"""The given-name dictionary behind name redaction: pinned, checked before reading, used only in context."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from porchlight.intake.privacy import given_names, ner, redact
from porchlight.kit.integrity import FileIntegrityError, sha256_file


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "gender_guesser"
    shutil.copytree(given_names.data_path(), target)
    return target


def test_the_installed_dictionary_matches_its_pin_and_knows_names_of_many_origins() -> None:
    names = given_names.load()
    assert given_names.load() is names  # once per process
    assert len(names) > 40_000
    for name in ("rogelio", "anand", "bridget", "marisol", "sahra", "tanisha", "phuong", "josé"):
        assert given_names.is_given_name(name), name
    # Ordinary words that are also given names somewhere are left out: they start sentences.
    for word in ("the", "will", "hope", "young", "park", "lincoln", "king", "grace"):
        assert not given_names.is_given_name(word), word


def test_compound_names_are_read_in_one_word_forms() -> None:
    text = "# comment\nM  Abd+al+Rahman                     1\nF  Ann                      1\n"
    assert given_names.parse(text) == frozenset({"abdalrahman", "abd-al-rahman", "ann"})


def test_a_tampered_copy_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    target = root / given_names.DATA_FILE
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(FileIntegrityError) as err:
        given_names.load(root)
    assert str(target) in str(err.value) and err.value.actual == sha256_file(target)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / given_names.DATA_FILE).unlink()
    with pytest.raises(FileIntegrityError, match="missing"):
        given_names.load(root)


def test_intake_start_up_reads_the_dictionary() -> None:
    from porchlight.intake.spec import spec

    assert ner.warm_up in spec.on_startup
    ner.warm_up()
    assert given_names._names is not None


def test_the_dictionary_is_what_finds_a_name_the_model_misreads(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Anand Krishnan said the streetlight on Malcolm X Blvd has been out for two weeks."
    assert redact(text).text == "[NAME] said the streetlight on Malcolm X Blvd has been out for two weeks."
    monkeypatch.setattr(ner, "is_given_name", lambda word: False)
    assert redact(text).text == text  # the small model alone reads two GPEs here


@pytest.mark.parametrize(
    "text",
    [
        # a shop named after someone: a given name's possessive with no noun after it
        "Streetlight not working, in front of Emiliano\u2019s, at the north side of SE 1st ave.",
        "We walked down Martin Luther King Blvd to Jane Addams Park and Harriet Tubman Square.",
        "A PARKER BACING INTO THE TINY SPACE ON THE EAST SIDE",  # all caps: a capital says nothing
        "Whole Foods, Fresh Thyme and Target would be nice.",  # a list of shops is not of people
        "It is on Gale Lemerand Drive, near the bus stop.",
    ],
)
def test_given_names_never_take_places_shops_or_capitals(text: str) -> None:
    assert redact(text).text == text


def test_a_name_found_once_is_not_taken_from_the_street_named_after_it() -> None:
    text = "Gale Lemerand and Rogelio came by; the light on Gale Lemerand Drive is out."
    redacted = redact(text).text
    assert redacted.endswith("the light on Gale Lemerand Drive is out.")
    assert redact(redacted).text == redacted
