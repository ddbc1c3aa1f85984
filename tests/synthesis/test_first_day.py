"""A city's first day: the taxonomy's own phrases teach the model's head, and the topics' shares
are fitted to the concerns received without reading a label (issue 17, model/topics.py).

Pure logic on the real embedding model (no database, no broker)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from porchlight.synthesis.model.embedder import get_embedder
from porchlight.synthesis.model.taxonomy import demo_taxonomy
from porchlight.synthesis.model.topics import LabeledExample, TopicModel, TopicParams, _em_priors


def test_em_recovers_the_shares_of_unlabeled_rows() -> None:
    # Rows drawn 70/20/10 from three classes, each scored by a classifier that assumed equal
    # shares and is right 60 % of the time: EM finds the shares back from the scores alone.
    rng = np.random.default_rng(0)
    truth = rng.choice(3, size=6000, p=[0.7, 0.2, 0.1])
    likelihood = np.array([[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]])
    seen = np.array([rng.choice(3, p=likelihood[t]) for t in truth])
    posteriors = likelihood[:, seen].T / likelihood[:, seen].T.sum(axis=1, keepdims=True)
    raw = np.bincount(posteriors.argmax(axis=1), minlength=3) / len(seen)
    shares = _em_priors(posteriors, 500)
    assert np.abs(shares - [0.7, 0.2, 0.1]).max() < 0.05, shares
    assert np.abs(raw - [0.7, 0.2, 0.1]).max() > 0.1  # the raw counts were far off: EM did the work


@pytest.fixture(scope="module")
def embedder() -> object:
    return get_embedder("torch")


def test_the_taxonomy_teaches_the_head_from_the_first_note(embedder: object) -> None:
    model = TopicModel(demo_taxonomy(), embedder)  # type: ignore[arg-type]
    assert model.first_day and model._head is not None  # no label learned, a head all the same
    off = TopicModel(demo_taxonomy(), embedder, params=TopicParams(taxonomy_head_weight=0))  # type: ignore[arg-type]
    assert off._head is None
    assert model.classify("the light on the pole outside my house has been out for a week").best == "street_lighting"


def test_adapt_fits_the_shares_and_survives_a_save(embedder: object, tmp_path: Path) -> None:
    model = TopicModel(demo_taxonomy(), embedder)  # type: ignore[arg-type]
    lights = [f"the streetlight on {n}th street is out again" for n in range(1, 91)]
    holes = [f"a pothole on {n}th avenue damaged my tire" for n in range(1, 31)]
    texts = lights + holes
    assert not model.adapt(texts[:50])  # too few concerns say little about shares
    version = model.version
    assert model.adapt(texts) and model.version == version + 1 and model.adapted_on == 120
    shares = model.priors
    assert shares is not None and abs(sum(shares.values()) - 1) < 1e-4  # rounded to 6 places
    top = sorted(shares, key=lambda t: -shares[t])[:2]
    assert top == ["street_lighting", "roads_sidewalks"], shares
    assert min(shares.values()) > 0.09 / len(shares)  # every topic keeps about a tenth of an equal share
    model.save(tmp_path)
    again = TopicModel.load(tmp_path, demo_taxonomy(), embedder)  # type: ignore[arg-type]
    assert again.priors == pytest.approx(shares, abs=1e-5)


def test_shares_apply_only_before_the_city_taught_a_head_of_its_own(embedder: object) -> None:
    model = TopicModel(demo_taxonomy(), embedder)  # type: ignore[arg-type]
    model.set_priors({"street_lighting": 0.9, "roads_sidewalks": 0.1})
    ambiguous = "it is dark and the road is broken"
    with_shares = model.predict_proba([ambiguous])[0]
    model.learn(
        [LabeledExample(f"pothole number {i} on main street", "roads_sidewalks") for i in range(15)]
        + [LabeledExample(f"streetlight number {i} is out", "street_lighting") for i in range(15)]
    )
    assert not model.first_day
    assert not model.adapt([ambiguous] * 200)  # declines: measured only in the first-day regime
    plain = TopicModel(demo_taxonomy(), embedder)  # type: ignore[arg-type]
    plain.learn(model.examples)
    assert np.allclose(model.predict_proba([ambiguous])[0], plain.predict_proba([ambiguous])[0])
    assert not np.allclose(with_shares, plain.predict_proba([ambiguous])[0])
