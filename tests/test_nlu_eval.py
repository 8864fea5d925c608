"""Accuracy of the understander on the hand-written evaluation set, by style, against floors.

An utterance counts only when intent, procedure, question and place all match. The floors sit a
little under today's figures (see `letan bench --only dialog`), so a regression fails this test.
"""

from __future__ import annotations

import pytest

from dialogs.nlu import Understander
from dialogs.normalize import normalize
from dialogs.understanding import INTENTS, Understanding
from letan.bench.dialog import ACCURACY_TARGET, EvalItem, EvalResult, evaluate, load_eval_set
from robot.config import load_catalogue_checked

STYLE_FLOOR = 0.9
HOLDOUT_FLOOR = 0.9
QUESTIONS = {None, "documents", "fee", "duration", "counter"}
PLACES = {None, "toilet", "waiting_area", "photocopy", "parking", "counter", "exit", "online_help"}


@pytest.fixture(scope="module")
def result() -> EvalResult:
    return evaluate(Understander(load_catalogue_checked()), load_eval_set())


def test_set_is_large_labelled_and_fresh() -> None:
    items = load_eval_set()
    catalogue = load_catalogue_checked()
    assert len(items) >= 400
    styles = {item.style for item in items}
    assert {"accented", "unaccented", "telex_residue", "abbreviation", "slang_regional", "indirect", "asr_error",
            "out_of_scope", "smalltalk", "question", "answer_plus"} <= styles
    phrasings = {normalize(p) for proc in catalogue.procedures for p in proc.phrasings}
    for item in items:
        assert item.intent in INTENTS, item
        assert item.procedure is None or item.procedure in catalogue, item
        assert item.question in QUESTIONS and item.place in PLACES, item
        assert (item.place is not None) == (item.intent == "directions"), item
        assert item.split in ("dev", "holdout"), item
        assert normalize(item.text) not in phrasings, f"copied from the catalogue: {item.text}"
    texts = [item.text.strip().lower() for item in items]
    assert len(texts) == len(set(texts)), "duplicate utterances"


@pytest.mark.slow
def test_overall_accuracy(result: EvalResult) -> None:
    misses = "\n".join(f"{m.item.text!r}: expected {m.item.expected()}, got {m.got}" for m in result.misses)
    assert result.accuracy >= ACCURACY_TARGET, f"{result.correct}/{result.total}\n{misses}"


@pytest.mark.slow
def test_accuracy_by_style(result: EvalResult) -> None:
    low = {style: result.style_accuracy(style) for style in result.by_style
           if result.style_accuracy(style) < STYLE_FLOOR}
    assert not low, low


def test_holdout_accuracy() -> None:
    holdout = [item for item in load_eval_set() if item.split == "holdout"]
    assert len(holdout) >= 50
    held = evaluate(Understander(load_catalogue_checked()), holdout)
    assert held.accuracy >= HOLDOUT_FLOOR, [m.item.text for m in held.misses]


# The citizens' set (issue 12): written fresh by a session that never saw the lexicon, split once at random.
# The tuning part ships with the robot (config/understanding/); the held-out part stays in tests/ and is only
# measured. Floors sit under today's figures (docs/understanding.md), so a regression fails.
CITIZENS_TUNE_FLOOR = 0.93  # the lexicon and the classifier, which is trained on this part
CITIZENS_HELDOUT_FLOOR = 0.82
CITIZENS_STYLES = {"formal", "casual", "no_diacritics", "telex_typos", "asr_errors", "abbreviations", "long",
                   "indirect"}


def test_citizens_set_is_balanced_apart_and_labelled() -> None:
    from letan.bench.dialog import HELDOUT_SET, TUNE_SET

    tune, held = load_eval_set(TUNE_SET), load_eval_set(HELDOUT_SET)
    assert len(tune) + len(held) >= 600 and "tests" in HELDOUT_SET.parts and "config" in TUNE_SET.parts
    assert not {i.text.strip().lower() for i in tune} & {i.text.strip().lower() for i in held}
    catalogue = load_catalogue_checked()
    for items in (tune, held):
        assert {item.style for item in items} == CITIZENS_STYLES
        assert all(sum(i.style == style for i in items) >= 40 for style in CITIZENS_STYLES)
        for item in items:
            assert item.intent in INTENTS, item
            assert item.procedure is None or item.procedure in catalogue, item
            assert item.topic is None or item.topic in catalogue.referrals.ids(), item
    every = tune + held
    assert all(sum(i.procedure == p for i in every) >= 12 for p in catalogue.ids())


@pytest.mark.slow
def test_citizens_set_accuracy_floors() -> None:
    from letan.bench.dialog import HELDOUT_SET, TUNE_SET
    from robot.understander import make_understander

    nlu = make_understander(load_catalogue_checked())  # as the robot runs: the lexicon and the classifier
    tune, held = evaluate(nlu, load_eval_set(TUNE_SET)), evaluate(nlu, load_eval_set(HELDOUT_SET))
    assert tune.accuracy >= CITIZENS_TUNE_FLOOR, [m.item.text for m in tune.misses]
    assert held.accuracy >= CITIZENS_HELDOUT_FLOOR, f"{held.correct}/{held.total}"  # texts not printed: held out


def test_a_yes_with_the_ticket_counts_where_a_set_labels_either() -> None:
    """"vâng, cho tôi lấy số luôn": labelled a yes by some sets and a ticket request by others; the understander's
    yes with the ticket is what the dialog acts on as the ticket request, so it counts for either label; a plain
    yes is no ticket request."""
    said = Understanding(intent="yes", confidence=0.9, ticket=True)
    assert EvalItem("vâng, cho tôi lấy số luôn", "answer_plus", "take_number").got(said) == ("take_number", None,
                                                                                         None, None)
    assert EvalItem("vâng, cho tôi lấy số luôn", "answer_plus", "yes").got(said) == ("yes", None, None, None)
    plain = Understanding(intent="yes", confidence=0.9)
    assert EvalItem("vâng", "answer_plus", "take_number").got(plain)[0] == "yes"
