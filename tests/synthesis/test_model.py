"""The local model: pinned weights, embeddings, taxonomy, topics that learn, sentiment (issue 4).

The embedder loads once per test process (``get_embedder`` keeps it); every test here shares it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from porchlight.synthesis.model import SynthesisModel, split_concerns, split_sentences
from porchlight.synthesis.model.embedder import (
    PINNED_SHA256,
    Embedder,
    ModelIntegrityError,
    default_model_dir,
    get_embedder,
    sha256_file,
    verify_model_dir,
)
from porchlight.synthesis.model.sentiment import SentimentModel
from porchlight.synthesis.model.taxonomy import (
    DEMO_TAXONOMY,
    UNASSIGNED,
    TaxonomyError,
    demo_taxonomy,
    load_taxonomy,
    parse_taxonomy,
)
from porchlight.synthesis.model.topics import LabeledExample, TopicModel

GAINESVILLE_TOPICS = [
    "street_lighting",
    "abandoned_vehicles",
    "noise",
    "speeding_traffic",
    "graffiti",
    "parks",
    "police_enforcement_safety",
    "trash_dumping",
    "roads_sidewalks",
    "trees_vegetation",
    "property_code",
    "traffic_signals_signs",
    "parking",
    "water_drainage",
    "animals_pests",
    "transit_scooters",
    "other",
]


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return get_embedder("torch")


@pytest.fixture(scope="session")
def sentiment_model(embedder: Embedder) -> SentimentModel:
    return SentimentModel(embedder)


def _copy_model(tmp_path: Path) -> Path:
    src = default_model_dir()
    dst = tmp_path / "model"
    for rel in PINNED_SHA256:
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, dst / rel)
    return dst


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# -- integrity ---------------------------------------------------------------------------------


def test_installed_model_matches_the_pinned_hashes() -> None:
    verify_model_dir(default_model_dir())


@pytest.mark.parametrize("rel", ["model.safetensors", "tokenizer.json", "config.json", "vocab.txt"])
def test_a_tampered_copy_fails_loudly(tmp_path: Path, rel: str) -> None:
    model_dir = _copy_model(tmp_path)
    verify_model_dir(model_dir)  # the untouched copy is fine
    target = model_dir / rel
    _flip_byte(target, target.stat().st_size // 2)
    with pytest.raises(ModelIntegrityError) as err:
        Embedder(model_dir=model_dir)
    msg = str(err.value)
    assert str(target) in msg
    assert PINNED_SHA256[rel] in msg
    assert sha256_file(target) in msg
    assert err.value.expected == PINNED_SHA256[rel] and err.value.actual == sha256_file(target)


def test_a_missing_file_fails_loudly(tmp_path: Path) -> None:
    model_dir = _copy_model(tmp_path)
    (model_dir / "tokenizer_config.json").unlink()
    with pytest.raises(ModelIntegrityError, match="missing"):
        verify_model_dir(model_dir)


# -- embeddings --------------------------------------------------------------------------------


def test_embeddings_are_normalized_and_deterministic(embedder: Embedder) -> None:
    texts = [
        "The streetlight on my corner is out.",
        "Loud music every night from the house next door, we cannot sleep at all.",
        "pothole",
        "",
    ]
    a = embedder.embed(texts)
    assert a.shape == (4, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # Same vectors whatever the batch: alone, reversed, in another company.
    b = embedder.embed(list(reversed(texts)))[::-1]
    c = np.stack([embedder.embed([t])[0] for t in texts])
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(a, c, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)
    # Meaning: paraphrases are closer than unrelated sentences.
    s = embedder.embed(["The street light is broken", "Lamp post not working at night", "My cat is adorable"])
    assert s[0] @ s[1] > s[0] @ s[2] + 0.2


# -- taxonomy ----------------------------------------------------------------------------------


def test_demo_taxonomy_validates_and_names_the_17_topics() -> None:
    tax = demo_taxonomy()
    assert tax.names == GAINESVILLE_TOPICS
    for topic in tax:
        assert len(topic.description) > 30
        assert len(topic.examples) >= 5
        assert topic.display
    again = parse_taxonomy(yaml.safe_load(tax.to_yaml()))
    assert again.names == tax.names and again.fingerprint == tax.fingerprint
    assert load_taxonomy(DEMO_TAXONOMY).fingerprint == tax.fingerprint


@pytest.mark.parametrize(
    ("doc", "needle"),
    [
        ({"topics": []}, "non-empty list"),
        ({"topics": [{"name": "Bad Name", "description": "x", "examples": ["y"]}]}, "must match"),
        ({"topics": [{"name": "a", "description": "", "examples": ["y"]}]}, "description"),
        ({"topics": [{"name": "a", "description": "d", "examples": []}]}, "examples"),
        ({"topics": [{"name": "a", "description": "d", "examples": ["y"], "colour": "red"}]}, "unknown keys"),
        ({"topics": [{"name": UNASSIGNED, "description": "d", "examples": ["y"]}]}, "reserved"),
        (
            {
                "topics": [
                    {"name": "a", "description": "d", "examples": ["y"]},
                    {"name": "a", "description": "e", "examples": ["z"]},
                ]
            },
            "duplicate",
        ),
        ({"version": 0, "topics": [{"name": "a", "description": "d", "examples": ["y"]}]}, "version"),
        (["not", "a", "mapping"], "mapping"),
    ],
)
def test_invalid_taxonomies_are_rejected_with_the_reason(doc: object, needle: str) -> None:
    with pytest.raises(TaxonomyError, match=needle):
        parse_taxonomy(doc)


def test_invalid_yaml_file_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text("topics: [unclosed\n")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(p)


# -- topics ------------------------------------------------------------------------------------


def test_taxonomy_alone_labels_obvious_concerns(embedder: Embedder) -> None:
    model = TopicModel(demo_taxonomy(), embedder)
    preds = model.predict(
        [
            "The street light at the corner of Elm and 3rd has been out for a week",
            "Someone spray painted graffiti all over the bridge",
            "Huge pothole in the road on 13th street",
            "The neighbors play loud music until 3am",
        ]
    )
    assert [p.best for p in preds] == ["street_lighting", "graffiti", "roads_sidewalks", "noise"]
    assert all(0 < p.confidence <= 1 for p in preds)


def test_a_correction_changes_a_later_label_and_bumps_the_version(embedder: Embedder) -> None:
    model = TopicModel(demo_taxonomy(), embedder)
    text = "The old shopping cart corral by the clinic keeps rolling into the lane"
    before = model.classify(text)
    target = "other" if before.best != "other" else "parking"
    v0 = model.version
    v1 = model.learn([LabeledExample(text, target, "correction")])
    assert v1 == v0 + 1 == model.version
    after = model.classify(text)
    assert after.best == target and after.topic == target
    # A near-paraphrase follows the correction too: it is a new prototype, not a memorized string.
    assert model.classify("The old shopping cart corral near the clinic keeps rolling into the lane").best == target
    with pytest.raises(ValueError, match="unknown topic"):
        model.learn([("x y z", "not_a_topic")])
    assert model.version == v1


def test_learned_head_and_unassigned_threshold(embedder: Embedder, tmp_path: Path) -> None:
    tax = demo_taxonomy()
    examples = [LabeledExample(e, t.name, "train") for t in tax for e in t.examples]  # ~190 rows
    model = TopicModel(tax, embedder)
    model.learn(examples)
    assert model._head is not None  # enough examples for the linear head
    assert model.calibrated_on == len(examples)
    assert 0.0 <= model.threshold < 0.5
    gibberish = model.classify("qwxz plorf zzkv")
    assert gibberish.confidence < model.classify("Dead raccoon on the side of the road").confidence
    model.threshold = 0.99
    assert model.classify("zzz").topic == UNASSIGNED
    model.threshold = 0.0
    # The learned state survives a save/load.
    model.save(tmp_path / "state")
    loaded = TopicModel.load(tmp_path / "state", tax, embedder)
    assert loaded.version >= model.version
    assert len(loaded.examples) == len(examples)
    texts = ["Streetlight flickering all night", "Branches blocking the sidewalk"]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)


def test_a_new_taxonomy_bumps_the_version(embedder: Embedder) -> None:
    model = TopicModel(demo_taxonomy(), embedder)
    v = model.version
    tag = model.version_tag
    from porchlight.synthesis.model.taxonomy import Topic

    bigger = demo_taxonomy().with_topic(
        Topic("ice_cream_trucks", "Ice cream trucks and their music.", ("ice cream truck music all day",))
    )
    assert model.set_taxonomy(bigger) == v + 1
    assert model.version_tag != tag
    assert model.classify("The ice cream truck plays its song all afternoon").best == "ice_cream_trucks"


# -- sentiment ---------------------------------------------------------------------------------


def test_sentiment_of_clear_cases(sentiment_model: SentimentModel) -> None:
    preds = sentiment_model.predict(
        [
            "Thank you so much, the crew did a wonderful job fixing our street!",
            "This is disgusting and dangerous, nobody cares and it keeps getting worse.",
            "The meeting is on Tuesday at 6 pm in the community center.",
        ]
    )
    assert [p.label for p in preds] == ["positive", "negative", "neutral"]
    assert preds[0].score > 0.3 > -0.3 > preds[1].score
    assert all(-1 <= p.score <= 1 for p in preds)


def test_sentiment_of_factual_sentences_with_loaded_words_is_neutral(sentiment_model: SentimentModel) -> None:
    """VADER alone scores these (crime, accidents, complaints, free, damaged) as sentiment; the
    prototypes' P(neutral) shrinks them into the neutral band while clear cases keep their score."""
    factual = [
        "The report lists the accidents at the intersection by month.",
        "The hearing on the noise complaints is scheduled for Monday at 7 pm.",
        "The free concert in the park starts at noon on Saturday.",
        "A committee will review the damaged playground equipment next week.",
        "The police department released its annual report on violent crime.",
    ]
    preds = sentiment_model.predict(factual)
    assert [p.label for p in preds] == ["neutral"] * len(factual)
    assert all(abs(p.lexicon) > 0.3 for p in preds)  # the lexicon alone would not call them neutral
    clear = sentiment_model.predict(["Thank you so much, the crew did a wonderful job fixing our street!"])[0]
    assert clear.label == "positive" and clear.score > 0.8


def test_sentiment_recalibration_keeps_weight_and_neutral_shrink(embedder: Embedder) -> None:
    model = SentimentModel(embedder)
    shipped = model.calibration
    texts = ["Great work, thank you!", "The meeting is on Tuesday.", "This is awful and dangerous."] * 4
    labels = ["positive", "neutral", "negative"] * 4
    cal = model.calibrate(texts, labels)
    assert cal.neutral_shrink == shipped.neutral_shrink and cal.proto_weight == shipped.proto_weight
    assert cal.low < cal.high


def test_sentiment_learns_from_labeled_concerns(embedder: Embedder) -> None:
    """``learn`` fits the head on embedding + lexicon scores; its argmax then decides the label."""
    data = {
        "positive": [
            "Thanks to the crew, the new sidewalk looks great.",
            "We love the new playground, the kids are thrilled.",
            "Great job on the bike lanes, riding to work is a pleasure now.",
            "The cleanup day was wonderful, thank you all.",
            "So happy the streetlight was fixed that fast.",
            "The park looks beautiful since the renovation.",
        ],
        "negative": [
            "The potholes are awful and nobody fixes them.",
            "Trash everywhere, it is disgusting and it smells.",
            "I am furious, the noise goes on all night.",
            "The crosswalk is dangerous, someone will get hurt.",
            "Terrible response, we waited months for nothing.",
            "Drivers speed like maniacs, it is scary to walk.",
        ],
        "neutral": [
            "The meeting is on Tuesday at the library.",
            "There is a bus stop at the corner of 5th and Main.",
            "The city collects yard waste on Mondays.",
            "The pole number is written on a tag at eye level.",
            "Parking on this block is on the east side.",
            "The park opens at seven in the morning.",
        ],
    }
    texts = [t for k in data for t in data[k]]
    labels = [k for k in data for _ in data[k]]
    model = SentimentModel(embedder)
    assert not model.learned
    model.learn(texts, labels, c=3.0)
    assert model.learned
    preds = model.predict(texts)
    assert sum(p.label == y for p, y in zip(preds, labels, strict=True)) >= 15  # fits its training data
    positive = [p.score for p, y in zip(preds, labels, strict=True) if y == "positive"]
    negative = [p.score for p, y in zip(preds, labels, strict=True) if y == "negative"]
    assert min(positive) > max(negative) and all(-1 <= p.score <= 1 for p in preds)
    with pytest.raises(ValueError, match="each of"):
        SentimentModel(embedder).learn(texts[:12], labels[:12])  # no neutral examples


def test_repeated_texts_are_embedded_once_with_the_same_vector(embedder: Embedder) -> None:
    texts = ["Pothole on 13th street", "Dark corner by the school", "Pothole on 13th street"]
    out = embedder.embed(texts)
    np.testing.assert_array_equal(out[0], out[2])
    np.testing.assert_allclose(out[1], embedder.embed([texts[1]])[0], atol=1e-5)


# -- concerns and the bundle -------------------------------------------------------------------


def test_split_concerns_keeps_exact_substrings() -> None:
    text = "The light on NW 5th Ave. near the school is out. It has been weeks!\n\nAlso the sidewalk is cracked"
    sentences = split_sentences(text)
    assert sentences == [
        "The light on NW 5th Ave. near the school is out.",
        "It has been weeks!",
        "Also the sidewalk is cracked",
    ]
    assert all(s in text for s in sentences)
    assert split_concerns(text, ["Street lighting", " "])[0] == "Street lighting"
    assert split_sentences("   ") == []


def test_synthesis_model_analyzes_notes(embedder: Embedder) -> None:
    model = SynthesisModel(embedder)
    notes = model.analyze_notes(
        [
            ("The streetlight is out again. Thanks for fixing the pothole so fast!", ["Lighting"]),
            ("", []),
        ]
    )
    first, empty = notes
    assert len(first.concerns) == 3 and empty.concerns == ()
    assert first.concerns[1].topic.best == "street_lighting"
    assert first.concerns[2].sentiment.label == "positive"
    assert first.model_version == model.version


def test_onnx_int8_path_is_built_locally_and_close_to_fp32(embedder: Embedder, tmp_path: Path) -> None:
    int8 = Embedder(backend="onnx-int8", cache_dir=tmp_path)  # the service's default backend
    built = int8.onnx_path()
    assert built.is_file() and built.with_suffix(".json").is_file()
    texts = ["The streetlight on my corner is out.", "Loud music every night next door.", "pothole on 13th"]
    a, b = embedder.embed(texts), int8.embed(texts)
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.97
    # A corrupted cache is detected and rebuilt, not used.
    _flip_byte(built, built.stat().st_size // 2)
    again = Embedder(backend="onnx-int8", cache_dir=tmp_path)
    np.testing.assert_allclose(again.embed(texts), b, atol=1e-4)
