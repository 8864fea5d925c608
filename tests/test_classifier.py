"""The trained classifier beside the lexicon (dialogs/classifier.py) and its combination with the lexicon.

Training is deterministic, what is held aside is learnt, the confidence means something, a confident
lexicon answer is never overridden, and understanding stays fast with the classifier.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import sparse

from dialogs.catalogue import Catalogue
from dialogs.classifier import (
    COMBINATION,
    NO_QUESTION,
    Example,
    Settings,
    TextClassifier,
    _FeatureTable,
    _RowBlocks,
    _vocabulary,
    asked_question,
    build_classifier,
    build_question_classifier,
    combine,
    features,
    label_of,
    question_text,
    read_labelled,
    tokens_of,
    training_examples,
)
from dialogs.nlu import Understander
from dialogs.normalize import fold, normalize, tokenize
from dialogs.understanding import Understanding
from letan.bench import percentile
from letan.bench.dialog import EVAL_SET, LATENCY_TARGET_MS, TUNE_SET, load_eval_set
from robot.config import load_catalogue_checked

TRAINING_DIR = TUNE_SET.parent
FOLDS = 3
# Training runs once per change of what it learns from; later starts load the model from the state directory's
# cache (robot/understander.py, well under a second). Its budget leaves room for a loaded test machine: 45 s since
# the seventh stop (about 17,500 labelled sentences, 20,000 features; 31.6 s in a clean-clone CI run). The features
# are counted with numpy since the eighth stop (dialogs/classifier.py _FeatureTable): 35.9 -> 28.3 s on this
# 2-core machine for the same 19,600 sentences, the same vocabulary, the same rows to 1e-7. 60 s since the eleventh
# stop: a fifth more L-BFGS evaluations (+0.8 points on rounds the models had not seen, dialogs/classifier.py
# Settings) and rounds 38-40 took it to 42.5 s, fresh process, machine otherwise idle (37.5 s before), and this
# test's second training, in a clean-clone CI run, to 51.8 s (a first budget of 50 s failed there). 80 s since the
# twelfth stop: rounds 41-43 (2,890 more sentences, 55,800 in all) took a fresh process's first training from
# 45.8 to 53.5 s and its second to 62.5 s on this machine (otherwise idle); this test's second training took 60.9 s
# in the dialog tests. 120 s since the fourteenth stop: rounds 46-48 (2,588 more sentences) on a machine whose speed
# varied within the hour (the thirteenth stop's understanding read p95 5-6 ms on it where the bench had read 2.1
# ms): 71.5 s for the set-up's training and 73.1 s for this test's at 00:15, 79.8 s and about 88 s alone at 01:29,
# and over 80 s in a clean-clone CI run, with the same code and data. The budget still catches a training that
# slows by half. Later starts load the model from the cache.
TRAINING_SECONDS = 120

Predictions = list[tuple[Example, list[tuple[str, float]]]]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_checked()


@pytest.fixture(scope="module")
def classifier(catalogue: Catalogue) -> TextClassifier:
    return build_classifier(catalogue, TRAINING_DIR)


@pytest.fixture(scope="module")
def cross_validated(catalogue: Catalogue) -> Predictions:
    """Each utterance of tune.yaml scored by a classifier trained without its fold."""
    tune = read_labelled(TUNE_SET)
    extra = read_labelled(TRAINING_DIR / "extra.yaml")
    out: Predictions = []
    for fold_number in range(FOLDS):
        part = [example for index, example in enumerate(tune) if index % FOLDS != fold_number]
        model = TextClassifier(training_examples(catalogue, [*part, *extra]))
        out += [(example, model.predict(example.text))
                for index, example in enumerate(tune) if index % FOLDS == fold_number]
    return out


@pytest.mark.slow
def test_training_is_deterministic_and_fast(catalogue: Catalogue, classifier: TextClassifier) -> None:
    start = time.perf_counter()
    again = build_classifier(catalogue, TRAINING_DIR)
    seconds = time.perf_counter() - start
    assert again.labels == classifier.labels
    assert again.temperature == classifier.temperature
    for item in load_eval_set(TUNE_SET)[:40]:
        assert np.array_equal(again.probabilities(item.text), classifier.probabilities(item.text)), item.text
        assert again.predict(item.text) == classifier.predict(item.text)
    assert seconds < TRAINING_SECONDS


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_the_products_on_threads_are_the_same_bits_whatever_the_cores(threads: int) -> None:
    """Training multiplies the feature rows by the weights, and their transpose by the errors (the gradient), in
    blocks of rows on threads (_RowBlocks): the product row by row, the transposed product as the blocks' sum in
    their order, so the model is the same whatever the number of cores; both are the plain products."""
    matrix = sparse.random(301, 50, density=0.1, format="csr", dtype=np.float32, random_state=3)
    dense = np.random.default_rng(5).standard_normal((50, 6)).astype(np.float32)
    out = np.full((301, 6), np.nan, dtype=np.float32)
    _RowBlocks(matrix, threads).product(dense, out)
    assert np.array_equal(out, np.asarray(matrix @ dense))
    errors = np.random.default_rng(7).standard_normal((301, 6)).astype(np.float32)
    gradient = np.full((50, 6), np.nan, dtype=np.float32)
    _RowBlocks(matrix, threads).transposed_product(errors, gradient)
    one_core = np.full((50, 6), np.nan, dtype=np.float32)
    _RowBlocks(matrix, 1).transposed_product(errors, one_core)
    assert np.array_equal(gradient, one_core)
    assert np.allclose(gradient, np.asarray(matrix.T @ errors), atol=1e-5)
    empty = np.empty((0, 6), dtype=np.float32)  # no rows: nothing to do, no error
    _RowBlocks(sparse.csr_matrix((0, 50), dtype=np.float32), threads).product(dense, empty)
    nothing = np.full((50, 6), np.nan, dtype=np.float32)
    _RowBlocks(sparse.csr_matrix((0, 50), dtype=np.float32), threads).transposed_product(empty, nothing)
    assert not nothing.any()


@pytest.mark.parametrize("selection", ["chi2", "df"])
def test_the_vocabulary_is_the_one_counted_text_by_text(selection: str) -> None:
    """_vocabulary counts with numpy (_FeatureTable); the same choice made the plain way, one text at a time:
    the features in min_df texts or more, the max_features most tied to a label (chi-square) or most frequent,
    and their idf."""
    texts = ["bà nhà tôi mất hôm qua", "cho toi hoi lam giay khai sinh o dau", "lấy số", "kẹo kẹo kẹo kẹo",
             "ddang kys kets hoon", "hồ sơ khai sinh nộp tuần trước có kết quả chưa", "khai sinh", "mất giấy khai sinh",
             "lấy số khai sinh", "bà mất rồi"]
    labels = [i % 3 for i in range(len(texts))]
    counted = [features(text) for text in texts]
    settings = Settings(min_df=2, max_features=25, selection=selection)
    vocabulary, idf = _vocabulary(_FeatureTable(counted), labels, 3, settings)
    df = Counter(name for counts in counted for name in counts)
    candidates = sorted(name for name, count in df.items() if count >= 2)
    assert len(candidates) > 25  # a choice among more than are kept
    if selection == "chi2":
        share = [labels.count(label) / len(labels) for label in range(3)]

        def chi2(name: str) -> float:
            observed = [sum(1 for counts, label in zip(counted, labels, strict=True) if name in counts and label == k)
                        for k in range(3)]
            present = sum(observed)
            return sum((o - present * p) ** 2 / (present * p) for o, p in zip(observed, share, strict=True) if p)

        ranked = sorted(range(len(candidates)), key=lambda i: -chi2(candidates[i]))  # stable: ties by name
        expected = sorted(candidates[i] for i in ranked[:25])
    else:
        expected = sorted(sorted(candidates, key=lambda name: (-df[name], name))[:25])
    assert list(vocabulary) == expected
    assert np.allclose(idf, [math.log((1 + len(texts)) / (1 + df[name])) + 1.0 for name in expected])


def test_the_rows_learnt_from_are_the_rows_read_at_use() -> None:
    """Training builds all its rows at once from integer arrays (_FeatureTable); a turn at use is read by `_row`
    from its feature counts. Both must give the same numbers, or the model learns one thing and reads another."""
    texts = ["bà nhà tôi mất hôm qua", "cho toi hoi lam giay khai sinh o dau", "lấy số", "kẹo kẹo kẹo kẹo",
             "ddang kys kets hoon", "hồ sơ khai sinh nộp tuần trước có kết quả chưa", "?", "khai sinh"] * 2
    examples = [Example(text, ((f"l{i % 3}", 1.0),), sentence=True) for i, text in enumerate(texts)]
    model = TextClassifier(examples, Settings(min_df=1, max_features=60, evaluations=2, refit_evaluations=1,
                                              word_weight=0.6))
    matrix = model._matrix(_FeatureTable([features(text) for text in texts])).toarray()
    assert matrix.shape == (len(texts), len(model._vocabulary)) and (matrix != 0).any()
    for text, row in zip(texts, matrix, strict=True):
        index, values = model._row(features(text))
        expected = np.zeros(len(model._vocabulary), dtype=np.float32)
        expected[index] = values
        assert np.allclose(row, expected, atol=1e-6), text


@pytest.mark.slow
def test_every_procedure_and_intent_is_a_label(catalogue: Catalogue, classifier: TextClassifier) -> None:
    for proc in catalogue.procedures:
        assert f"procedure:{proc.id}" in classifier.labels
    for topic in catalogue.referrals.topics:
        assert f"referral:{topic.id}" in classifier.labels
    assert {"take_number", "question:fee", "directions:toilet", "greeting", "yes", "no", "unknown"} <= set(
        classifier.labels)
    probs = classifier.probabilities("bà nhà tôi mất hôm qua")
    assert probs.shape == (len(classifier.labels),)
    assert abs(float(probs.sum()) - 1.0) < 1e-4


@pytest.mark.slow
def test_held_aside_utterances_are_learnt(cross_validated: Predictions, classifier: TextClassifier) -> None:
    right = [predicted[0][0] == example.targets[0][0] for example, predicted in cross_validated]
    accuracy = sum(right) / len(right)
    labels = [example.targets[0][0] for example, _ in cross_validated]
    majority = max(labels.count(label) for label in set(labels)) / len(labels)
    assert accuracy >= 0.7, accuracy
    assert accuracy > 5 * majority and accuracy > 20 / len(classifier.labels)


@pytest.mark.slow
def test_wrong_answers_are_less_confident(cross_validated: Predictions) -> None:
    right = [predicted[0][1] for example, predicted in cross_validated if predicted[0][0] == example.targets[0][0]]
    wrong = [predicted[0][1] for example, predicted in cross_validated if predicted[0][0] != example.targets[0][0]]
    assert wrong and right
    assert np.mean(wrong) < np.mean(right) - 0.15, (np.mean(wrong), np.mean(right))
    # calibrated: the mean confidence is close to the accuracy
    confidence = np.mean([predicted[0][1] for _, predicted in cross_validated])
    accuracy = len(right) / (len(right) + len(wrong))
    assert abs(confidence - accuracy) < 0.1, (confidence, accuracy)


@pytest.mark.slow
def test_a_confident_lexicon_answer_is_never_overridden(catalogue: Catalogue, classifier: TextClassifier) -> None:
    lexicon = Understander(catalogue)
    confident = 0
    for item in load_eval_set(TUNE_SET):
        alone = lexicon.understand(item.text)
        if alone.intent != "unknown" and alone.confidence >= COMBINATION.lexicon_sure:
            confident += 1
            assert combine(alone, classifier.predict(item.text)) == alone, item.text
    assert confident >= 15  # exact strong phrases (0.98 and up since the thresholds were chosen again)
    sure = Understanding(intent="procedure", confidence=COMBINATION.lexicon_sure, procedure="khai_sinh",
                         question="fee", questions=("fee",), address="bác")
    for label in ("procedure:khai_tu", "directions:toilet", "no", "referral:passport", "unknown"):
        assert combine(sure, [(label, 0.999), ("procedure:khai_sinh", 0.001)]) == sure
    for answer in ("yes", "no"):  # the lexicon reads negation and short replies
        said = Understanding(intent=answer, confidence=0.5)
        assert combine(said, [("take_number", 0.99)]) == said


def test_a_ticket_keeps_the_procedure_the_phrases_name_surely_in_a_story() -> None:
    """In a story the classifier, hearing only a ticket, drops a ticket's procedure it gives nothing, unless the
    phrases name it at `ticket_named` or more ("con bốc giùm tui một số đi, tui làm cái giấy tạm trú ...")."""
    heard = [("take_number", 0.97), ("no", 0.02), ("procedure:dang_ky_tam_tru", 0.001)]
    for named, kept in ((COMBINATION.ticket_named, "dang_ky_tam_tru"), (COMBINATION.ticket_named - 0.1, None)):
        ticket = Understanding(intent="take_number", confidence=1.0, procedure="dang_ky_tam_tru",
                               alternatives=(("dang_ky_tam_tru", named),))
        assert combine(ticket, heard, syllables=30).procedure == kept, named


def test_a_confident_classifier_fills_what_the_lexicon_missed() -> None:
    nothing = Understanding(intent="unknown", confidence=0.0, address="bác", priority=True, robot_address="cháu")
    taken = combine(nothing, [("procedure:khai_tu", 0.9), ("procedure:ho_tro_mai_tang", 0.05)])
    assert (taken.intent, taken.procedure, taken.confidence) == ("procedure", "khai_tu", 0.9)
    assert (taken.address, taken.priority, taken.robot_address) == ("bác", True, "cháu")
    # the lexicon's question stays with the classifier's procedure
    asked = Understanding(intent="question", confidence=0.6, question="documents", questions=("documents",))
    filled = combine(asked, [("procedure:ket_hon", 0.95)])
    assert (filled.intent, filled.procedure, filled.question, filled.questions) == (
        "procedure", "ket_hon", "documents", ("documents",))
    place = combine(nothing, [("directions:toilet", 0.8)])
    assert (place.intent, place.place, place.procedure) == ("directions", "toilet", None)
    # a yes or a no is not taken from an unsure classifier: the dialog would act on it
    assert combine(nothing, [("yes", 0.6)]).intent == "unknown"
    # nor a procedure the citizen rejected
    rejected = Understanding(intent="unknown", confidence=0.0, rejected=("khai_tu",))
    assert combine(rejected, [("procedure:khai_tu", 0.99)]).procedure is None


def test_both_unsure_gives_alternatives_to_ask_about() -> None:
    unsure = Understanding(intent="procedure", confidence=0.45, procedure="ban_sao_trich_luc_ho_tich",
                           alternatives=(("ban_sao_trich_luc_ho_tich", 0.45),))
    probs = [("procedure:dang_ky_lai_khai_sinh", COMBINATION.classifier_sure - 0.05), ("procedure:khai_sinh", 0.3),
             ("greeting", 0.1)]
    result = combine(unsure, probs)
    assert result.intent == "procedure" and result.procedure == "ban_sao_trich_luc_ho_tich"
    assert result.confidence < 0.6  # the dialog asks which one
    assert [name for name, _ in result.alternatives] == [
        "ban_sao_trich_luc_ho_tich", "dang_ky_lai_khai_sinh", "khai_sinh"]


def test_two_procedures_read_in_a_story_give_way_to_a_sure_classifier() -> None:
    # "Chồng tôi mất ..., cần giấy tờ cho con, ... muốn đứng riêng một nhà trên giấy tờ": the phrases read two
    # weak cues (khai tử, khai sinh); the classifier, reading the whole story, is sure of tách hộ
    story = Understanding(intent="procedure", confidence=0.43, procedure="khai_sinh",
                          alternatives=(("khai_sinh", 0.43), ("khai_tu", 0.43)))
    sure = combine(story, [("procedure:tach_ho", COMBINATION.beyond_named + 0.05), ("procedure:khai_sinh", 0.02)])
    assert (sure.intent, sure.procedure) == ("procedure", "tach_ho")
    # "khai sinh với kết hôn làm ở quầy nào": both named; a classifier unsure of a third only adds to the question
    both = Understanding(intent="procedure", confidence=0.37, procedure="khai_sinh", question="counter",
                         alternatives=(("khai_sinh", 0.37), ("ket_hon", 0.37)))
    unsure = combine(both, [("procedure:nhan_cha_me_con", COMBINATION.beyond_named - 0.05),
                            ("procedure:ket_hon", 0.1)])
    assert unsure.procedure == "khai_sinh" and unsure.alternatives[:2] == both.alternatives
    # ... one of the two, when the classifier is fairly sure of it in a story, is the answer with the other as its
    # alternative; in a question of one breath ("khai sinh với kết hôn làm ở quầy nào") only when very sure
    fairly = [("procedure:ket_hon", COMBINATION.between_named + 0.05), ("procedure:khai_sinh", 0.2)]
    chosen = combine(both, fairly, syllables=COMBINATION.short_story)
    assert chosen.procedure == "ket_hon" and "khai_sinh" in [name for name, _ in chosen.alternatives]
    assert combine(both, fairly, syllables=11).procedure == "khai_sinh"
    very = [("procedure:ket_hon", COMBINATION.beyond_named), ("procedure:khai_sinh", 0.02)]
    assert combine(both, very, syllables=11).procedure == "ket_hon"
    # ... and when it leans only a little, both stay (the dialog answers both)
    leaning = combine(both, [("procedure:ket_hon", COMBINATION.between_named - 0.05), ("procedure:khai_sinh", 0.3)],
                      syllables=COMBINATION.short_story)
    assert leaning.procedure == "khai_sinh" and leaning.alternatives[:2] == both.alternatives


def test_a_follow_up_question_keeps_its_procedure_under_discussion() -> None:
    # "cần giấy tờ gì, có mất tiền không" after khai tử was named: the classifier reads "mất" as a death (0.57)
    follow_up = Understanding(intent="question", confidence=0.9, question="documents", questions=("documents", "fee"))
    kept = combine(follow_up, [("procedure:khai_tu", COMBINATION.named_sure - 0.13), ("question:documents", 0.36)])
    assert (kept.intent, kept.procedure, kept.questions, kept.confidence) == ("question", None, ("documents", "fee"),
                                                                             0.9)
    named = combine(follow_up, [("procedure:khai_tu", COMBINATION.named_sure + 0.1)])
    assert (named.intent, named.procedure, named.questions) == ("procedure", "khai_tu", ("documents", "fee"))


def test_agreement_keeps_the_lexicon_answer_and_its_confidence() -> None:
    # "khai báo tạm văng": heard only by sound, the lexicon lowers its confidence so that the dialog confirms
    inexact = Understanding(intent="procedure", confidence=0.55, procedure="khai_bao_tam_vang")
    assert combine(inexact, [("procedure:khai_bao_tam_vang", 0.97)]) == inexact
    # the classifier says less than the lexicon: a ticket for a procedure, a question about a named procedure
    ticket = Understanding(intent="take_number", confidence=0.7, procedure="ket_hon")
    assert combine(ticket, [("procedure:ket_hon", 0.99)]) == ticket
    assert combine(ticket, [("take_number", 0.99)]) == ticket
    asked = Understanding(intent="procedure", confidence=0.7, procedure="dang_ky_thuong_tru", question="fee",
                          questions=("fee", "duration"))
    assert combine(asked, [("question:fee", 0.95)]) == asked
    # nonsense stays unknown with no confidence, whatever the classifier's "unknown" says
    nonsense = Understanding(intent="unknown", confidence=0.0)
    assert combine(nonsense, [("unknown", 0.9)]) == nonsense


@pytest.mark.slow
def test_understanding_with_the_classifier_stays_fast(catalogue: Catalogue, classifier: TextClassifier) -> None:
    understander = Understander(catalogue, classifier)
    texts = [item.text for item in load_eval_set(TUNE_SET)]
    for text in texts:
        understander.understand(text)  # warm-up
    timings = []
    for _ in range(3):
        for text in texts:
            start = time.perf_counter()
            understander.understand(text)
            timings.append((time.perf_counter() - start) * 1000)
    assert percentile(timings, 95) <= LATENCY_TARGET_MS


@pytest.mark.slow
def test_the_classifier_is_used_by_the_understander(catalogue: Catalogue, classifier: TextClassifier) -> None:
    with_model = Understander(catalogue, classifier)
    alone = Understander(catalogue)
    texts = [item.text for item in load_eval_set(TUNE_SET)]
    assert any(with_model.understand(text) != alone.understand(text) for text in texts)


def test_cached_tokens_are_the_tokenizer_s() -> None:
    from dialogs import lexicon

    for item in load_eval_set(TUNE_SET):
        assert tokens_of(item.text) == tokenize(item.text, lexicon.ABBREVIATIONS), item.text


def test_training_files_hold_no_holdout_utterance() -> None:
    """config/understanding/extra.yaml is a copy of the older set's dev items only."""
    with EVAL_SET.open(encoding="utf-8") as handle:
        older = yaml.safe_load(handle)["items"]
    holdout = {fold(normalize(item["text"])) for item in older if item.get("split") == "holdout"}
    assert holdout
    for path in sorted(Path(TRAINING_DIR).glob("*.yaml")):
        for example in read_labelled(path):
            assert fold(normalize(example.text)) not in holdout, (path.name, example.text)


def test_training_files_hold_nothing_copied_from_the_held_out_sets() -> None:
    """tests/data/eval/heldout*.yaml are measured, never tuned on. Sets written apart share some short turns by
    nature ("xin chào", "khong", "cho toi lay so thu tu": 49 of 1,472 distinct turns on 2026-12-05), so what is
    checked is that nothing was copied: under 5 % shared, and no shared turn longer than twelve words."""
    held_out = {fold(normalize(item["text"]))
                for path in sorted((Path(__file__).parent / "data" / "eval").glob("heldout*.yaml"))
                for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]}
    assert len(held_out) > 1400
    shared = {text for path in sorted(Path(TRAINING_DIR).glob("*.yaml")) for example in read_labelled(path)
              if (text := fold(normalize(example.text))) in held_out}
    assert len(shared) < 0.05 * len(held_out), len(shared)
    assert not [text for text in shared if len(text.split()) > 12]


def test_labels_of_labelled_items() -> None:
    assert label_of("procedure", "khai_tu", "fee") == "procedure:khai_tu"
    assert label_of("take_number") == "take_number"
    assert label_of("take_number", "ket_hon") == "take_number:ket_hon"
    assert label_of("question", question="fee") == "question:fee"
    assert label_of("directions", place="toilet") == "directions:toilet"
    assert label_of("referral", topic="passport") == "referral:passport"
    assert label_of("thanks") == "thanks"


@pytest.mark.slow
def test_a_saved_model_predicts_as_the_trained_one(classifier: TextClassifier, tmp_path: Path) -> None:
    classifier.save(tmp_path / "model.npz")
    loaded = TextClassifier.load(tmp_path / "model.npz")
    assert loaded.labels == classifier.labels and loaded.temperature == classifier.temperature
    for item in load_eval_set(TUNE_SET)[:60]:
        assert loaded.predict(item.text) == classifier.predict(item.text), item.text
    (tmp_path / "bad.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError):
        TextClassifier.load(tmp_path / "bad.npz")


@pytest.mark.slow
def test_the_trained_model_is_cached(catalogue: Catalogue, classifier: TextClassifier,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Training takes seconds: the application trains once, then loads the model from the cache directory; a
    damaged cache file is trained again, a changed training file gets a model of its own."""
    from robot import understander

    monkeypatch.setenv("LETAN_CACHE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(understander, "_trained", {})
    first = understander.classifier_for(catalogue, TRAINING_DIR)
    key = understander.model_key(catalogue, TRAINING_DIR)
    cached = understander.cache_path(key)
    assert cached.is_file() and cached.is_relative_to(tmp_path / "state")
    assert first is not None and first.predict("khai sinh") == classifier.predict("khai sinh")

    monkeypatch.setattr(understander, "_trained", {})
    monkeypatch.setattr(understander, "build_classifier", lambda *args: pytest.fail("trained although cached"))
    start = time.perf_counter()
    again = understander.classifier_for(catalogue, TRAINING_DIR)
    assert time.perf_counter() - start < 1.0
    assert again is not None and again.predict("bà nhà tôi mất hôm qua") == classifier.predict("bà nhà tôi mất hôm qua")

    cached.write_bytes(b"damaged")
    monkeypatch.setattr(understander, "_trained", {})
    monkeypatch.setattr(understander, "build_classifier", build_classifier)
    assert understander.classifier_for(catalogue, TRAINING_DIR) is not None
    assert TextClassifier.load(cached).labels == classifier.labels  # trained again and cached again

    other = tmp_path / "training"
    other.mkdir()
    for path in TRAINING_DIR.glob("*.yaml"):
        (other / path.name).write_bytes(path.read_bytes())
    (other / "tune.yaml").write_text((TRAINING_DIR / "tune.yaml").read_text(encoding="utf-8") + "\n# changed\n",
                                     encoding="utf-8")
    assert understander.model_key(catalogue, other) != key

    monkeypatch.setattr(understander, "_trained", {})
    questions = understander.question_classifier_for(catalogue, TRAINING_DIR)
    assert questions is not None and set(questions.labels) == {NO_QUESTION, "documents", "fee", "duration", "counter"}
    assert next((tmp_path / "state").glob("questions-*.npz"))  # cached beside the other
    monkeypatch.setattr(understander, "_trained", {})
    monkeypatch.setattr(understander, "build_question_classifier",
                        lambda *args: pytest.fail("question classifier trained although cached"))
    again_questions = understander.question_classifier_for(catalogue, TRAINING_DIR)
    assert again_questions is not None and again_questions.predict("khai sinh cần giấy tờ gì") == \
        questions.predict("khai sinh cần giấy tờ gì")


def test_the_phrases_keep_what_they_read_better() -> None:
    """Structure a bag of n-grams does not see: a follow-up or short request stays the phrases' (unless the
    classifier names a procedure the phrases did not), a yes or a no only fills a turn the phrases did not read,
    two procedures named stay both, and the way to a named procedure's counter is the same request."""
    hours = Understanding(intent="centre_hours", confidence=0.81, day="sunday")
    assert combine(hours, [("question:documents", 0.9)]) == hours
    lead = Understanding(intent="directions", confidence=0.81, place="counter")
    assert combine(lead, [("goodbye", 0.95)]) == lead
    ticket = Understanding(intent="take_number", confidence=0.93, procedure="khai_sinh")
    kept = combine(ticket, [("procedure:dang_ky_lai_khai_sinh", 0.9)])  # offered as an alternative at most
    assert (kept.intent, kept.procedure, kept.confidence) == ("take_number", "khai_sinh", 0.93)
    vague = Understanding(intent="take_number", confidence=0.7)
    assert combine(vague, [("procedure:khai_tu", 0.9)]).procedure == "khai_tu"
    asked = Understanding(intent="procedure", confidence=0.74, procedure="khai_tu", question="documents",
                          questions=("documents",))
    assert combine(asked, [("no", 0.99)]) == asked
    assert combine(Understanding(intent="unknown", confidence=0.2), [("no", 0.9)]).intent == "no"
    both = Understanding(intent="procedure", confidence=0.37, procedure="khai_sinh", question="counter",
                         alternatives=(("khai_sinh", 0.37), ("ket_hon", 0.37)))
    assert combine(both, [("procedure:ban_sao_trich_luc_ho_tich", 0.9)]).procedure == "khai_sinh"
    # it may choose between them, only when very sure in a short turn (a model trained with rounds 28-34 read
    # kết hôn at 0.82 in "cho hỏi khai sinh với kết hôn làm ở quầy nào")
    assert combine(both, [("procedure:ket_hon", 0.9)]).procedure == "khai_sinh"
    assert combine(both, [("procedure:ket_hon", COMBINATION.beyond_named)]).procedure == "ket_hon"
    way = Understanding(intent="procedure", confidence=0.74, procedure="chung_thuc_ban_sao", question="counter",
                        questions=("counter",))
    assert combine(way, [("directions:counter", 0.9)]) == way


@pytest.mark.slow
def test_who_the_citizen_is_is_not_what_they_came_for(catalogue: Catalogue, classifier: TextClassifier) -> None:
    """The classifier reads the turn without the words the citizen used about themselves (a simulated day found
    "tôi bị khuyết tật, làm giấy khai sinh" sent to the disability counter); words about someone else stay."""
    understander = Understander(catalogue, classifier)
    for opener in ("tôi bị khuyết tật, ", "tôi là người cao tuổi, ", "bác già rồi, "):
        for text, procedure in (("làm giấy khai sinh cho cháu", "khai_sinh"), ("đăng ký kết hôn", "ket_hon"),
                                ("tách khẩu", "tach_ho"), ("chứng thực bản sao", "chung_thuc_ban_sao")):
            said = understander.understand(opener + text)
            assert (said.procedure, said.priority) == (procedure, True), opener + text
    assert understander.understand("con tôi bị khuyết tật, xin giấy xác nhận mức độ khuyết tật").procedure == \
        "xac_dinh_muc_do_khuyet_tat"


@pytest.mark.slow
def test_a_story_that_opens_with_an_answer_is_that_answer_unless_it_goes_on_to_ask(
        catalogue: Catalogue, classifier: TextClassifier) -> None:
    """The trained classifier on whole turns: an opening no is the answer ("... gửi xe ngoài bãi" is not the way to
    the parking) unless a later clause asks something, which is then answered."""
    understander = Understander(catalogue, classifier)
    parked = understander.understand("Không cháu ạ, thằng con trai bà nó đang gửi xe ngoài bãi, để lát nó vào rồi nó "
                                     "lấy, bà không rành mấy cái máy này đâu.")
    assert parked.intent == "no"
    asked = understander.understand("Không em ạ, chị chưa lấy số vội, hôm nay chị chỉ ghé hỏi thôi, chị muốn hỏi làm "
                                    "khai sinh cho con cần mang theo những giấy gì đã")
    assert (asked.intent, asked.procedure) == ("procedure", "khai_sinh")


class Says:
    """A plain classifier that reads every turn as one label, sure of it."""

    def __init__(self, label: str) -> None:
        self.label = label

    def predict(self, text: str) -> list[tuple[str, float]]:
        return [(self.label, 0.99)]


def test_an_opening_no_gives_way_to_a_later_clause_with_a_question_mark(catalogue: Catalogue) -> None:
    understander = Understander(catalogue, Says("no"))  # type: ignore[arg-type]
    parked = "Không cháu ạ, thằng con trai bà nó đang gửi xe ngoài bãi, để lát nó vào rồi nó lấy, bà không rành đâu."
    assert understander.understand(parked).intent == "no"
    toilet = understander.understand("Không cháu ạ, bà chưa lấy số vội, thằng con trai bà nó đang gửi xe ngoài bãi, "
                                     "mà nhà vệ sinh ở đâu hả cháu?")
    assert (toilet.intent, toilet.place) == ("directions", "toilet")


@pytest.mark.slow
def test_a_text_with_no_known_word_is_not_guessed(catalogue: Catalogue, classifier: TextClassifier) -> None:
    understander = Understander(catalogue, classifier)
    for noise in ("qqqq", "<script>alert(1)</script>", "zzz xxx 123", "😀😀"):
        assert classifier.predict(noise) == [("unknown", 1.0)], noise
        said = understander.understand(noise)
        assert (said.intent, said.procedure, said.alternatives) == ("unknown", None, ()), noise


def test_in_a_story_a_sure_classifier_reads_the_request() -> None:
    """A request the phrases read in a long turn gives way to a fairly sure classifier (the words of a story
    mislead the phrases: "... bà ngồi đợi tới lượt" is not the way to the waiting area when the turn asks for a
    ticket), even a confident reading or a procedure they named; a short turn stays the phrases'."""
    seat = Understanding(intent="directions", confidence=0.47, place="waiting_area")
    assert combine(seat, [("take_number", 0.99)], syllables=COMBINATION.story_syllables).intent == "take_number"
    assert combine(seat, [("take_number", 0.99)], syllables=COMBINATION.story_syllables - 1) == seat
    assert combine(seat, [("take_number", COMBINATION.story_leads - 0.01)], syllables=40) == seat
    assert combine(seat, [("take_number", COMBINATION.story_leads)], syllables=40).intent == "take_number"
    # "... giờ ghi lại cho đúng có tốn phí không?": a follow-up to the phrases, sure; a procedure to the classifier
    fee = Understanding(intent="question", confidence=0.98, question="fee", questions=("fee",))
    fixed = combine(fee, [("procedure:thay_doi_cai_chinh_ho_tich", 0.94)], syllables=25)
    assert (fixed.intent, fixed.procedure) == ("procedure", "thay_doi_cai_chinh_ho_tich")
    assert combine(fee, [("procedure:thay_doi_cai_chinh_ho_tich", 0.94)], syllables=6) == fee
    will = Understanding(intent="procedure", confidence=0.86, procedure="chung_thuc_di_chuc")
    land = [("procedure:dang_ky_bien_dong_dat", 0.65)]
    assert combine(will, land, syllables=25).procedure == "dang_ky_bien_dong_dat"
    assert combine(will, land, syllables=6).procedure == "chung_thuc_di_chuc"  # short: only from named_sure
    # two procedures named equally are both answered unless the classifier is sure
    pair = Understanding(intent="procedure", confidence=0.37, procedure="khai_sinh", question="counter",
                         questions=("counter",), alternatives=(("khai_sinh", 0.37), ("ket_hon", 0.37)))
    copy = [("procedure:ban_sao_trich_luc_ho_tich", 0.7)]
    assert combine(pair, copy, syllables=11).alternatives[:2] == pair.alternatives
    assert combine(pair, [("procedure:ban_sao_trich_luc_ho_tich", COMBINATION.between_named)],
                   syllables=11).procedure == "khai_sinh"  # a question of one breath: a third only from beyond_named
    assert combine(pair, [("procedure:ban_sao_trich_luc_ho_tich", COMBINATION.beyond_named)],
                   syllables=11).procedure == "ban_sao_trich_luc_ho_tich"
    assert combine(pair, [("procedure:ban_sao_trich_luc_ho_tich", COMBINATION.between_named)],
                   syllables=COMBINATION.short_story).procedure == "ban_sao_trich_luc_ho_tich"
    # a procedure named in a question of one breath ("vậy ở đây chứng thực bản sao giấy khai sinh được không") gives
    # way to a neighbour only from named_sure; in a story from story_leads
    named = Understanding(intent="procedure", confidence=0.756, procedure="chung_thuc_ban_sao")
    neighbour = [("procedure:ban_sao_trich_luc_ho_tich", COMBINATION.named_sure - 0.09)]
    assert combine(named, neighbour, syllables=12).procedure == "chung_thuc_ban_sao"
    assert combine(named, neighbour, syllables=COMBINATION.short_story).procedure == "ban_sao_trich_luc_ho_tich"
    # ... or of the first of them, which the phrases put first ("Thằng bé nhà em mới đẻ ..., chồng em đi làm xa chưa
    # về, em muốn làm giấy khai sinh cho cháu thì nộp ở quầy nào?": khai sinh and tạm vắng read equally)
    assert combine(pair, [("procedure:khai_sinh", 0.99)], syllables=25).confidence == 0.99
    assert combine(pair, [("procedure:khai_sinh", COMBINATION.between_named - 0.01)], syllables=25) == pair
    assert combine(pair, [("procedure:khai_sinh", 0.99)], syllables=6) == pair
    # a yes or a no replaces what the phrases read only in a story that opens with it: the dialog acts on it
    ticket_asked = Understanding(intent="take_number", confidence=0.6)
    assert combine(ticket_asked, [("yes", 0.95)], syllables=40) == ticket_asked
    # ... except that in a story a sure no cancels a ticket the phrases read ("lấy số hả, thôi khỏi đi em, ...")
    assert combine(ticket_asked, [("no", 0.95)], syllables=40).intent == "no"
    assert combine(ticket_asked, [("no", COMBINATION.answer_sure - 0.01)], syllables=40) == ticket_asked
    assert combine(ticket_asked, [("no", 0.95)], syllables=6) == ticket_asked
    directions = Understanding(intent="directions", confidence=0.6, place="exit")
    assert combine(directions, [("no", 0.95)], syllables=40) == directions
    # ... and a story that opens with a no is that no when the classifier's best label is that no ("Thôi khỏi con,
    # bà đi cùng con gái, nó đang gửi xe ngoài kia, ...": not the way to the parking)
    assert combine(directions, [("no", 0.95)], syllables=40, opens_with="no").intent == "no"
    assert combine(directions, [("no", 0.6), ("directions:parking", 0.4)], syllables=40, opens_with="no").intent == "no"
    assert combine(directions, [("no", COMBINATION.opening_second - 0.01)], syllables=40, opens_with="no") == directions
    assert combine(directions, [("no", 0.48), ("directions:parking", 0.44)], syllables=40,
                   opens_with="no").intent == "no"
    # ... or its second label after one that is no answer ("Không cháu ạ, thằng con trai bà nó đang gửi xe ngoài
    # bãi, ...": the parking at 0.50, the no at 0.43)
    parking_first = [("directions:parking", 0.5), ("no", COMBINATION.opening_second + 0.03)]
    assert combine(directions, parking_first, syllables=40, opens_with="no").intent == "no"
    assert combine(directions, [("directions:parking", 0.6), ("no", COMBINATION.opening_second - 0.01)],
                   syllables=40, opens_with="no").intent == "directions"
    # ... but a person asked for in such a story needs a sure no ("Không, máy này tôi không biết dùng, cho tôi gặp
    # cán bộ")
    staff = Understanding(intent="human_help", confidence=0.93)
    assert combine(staff, [("no", 0.6)], syllables=40, opens_with="no") == staff
    assert combine(staff, [("no", 0.95)], syllables=40, opens_with="no").intent == "no"
    assert combine(directions, [("no", 0.95)], syllables=6, opens_with="no") == directions
    # ... a yes too, which keeps the ticket it asked for ("Có chứ em, chị muốn lấy số, ...")
    said_yes = combine(ticket_asked, [("yes", 0.95)], syllables=40, opens_with="yes")
    assert (said_yes.intent, said_yes.ticket) == ("yes", True)
    assert combine(ticket_asked, [("yes", 0.95)], syllables=6, opens_with="yes") == ticket_asked
    assert not combine(directions, [("yes", 0.95)], syllables=40, opens_with="yes").ticket
    assert not combine(ticket_asked, [("no", 0.95)], syllables=40, opens_with="no").ticket  # a no asks for nothing
    # "Ừ, lấy cho tôi một số kết hôn luôn đi em, ...": the yes keeps the procedure the phrases read
    marriage = replace(ticket_asked, procedure="ket_hon", confidence=0.93)
    said_yes = combine(marriage, [("yes", 1.0)], syllables=25, opens_with="yes")
    assert (said_yes.intent, said_yes.ticket, said_yes.procedure) == ("yes", True, "ket_hon")
    # a turn that goes on to ask ("Không em ạ, ..., chị muốn hỏi làm khai sinh cho con cần mang theo những giấy gì")
    documents = Understanding(intent="procedure", confidence=COMBINATION.named, procedure="khai_sinh",
                              question="documents", questions=("documents",))
    assert combine(documents, [("no", 0.95)], syllables=30, opens_with="no") == documents
    # ... but a procedure the phrases read in the story without a question, which the classifier does not hear
    # ("Thôi khoan đã em, chưa lấy số đâu. Chị phải gọi điện cho chồng hỏi xem có mang theo giấy tờ gốc không
    # đã, ...": "giấy tờ gốc" read as đăng ký lại khai sinh), asks nothing
    stray = Understanding(intent="procedure", confidence=0.86, procedure="dang_ky_lai_khai_sinh")
    assert combine(stray, [("no", 0.99), ("procedure:dang_ky_lai_khai_sinh", 0.001)], syllables=40,
                   opens_with="no").intent == "no"
    heard_too = [("no", 0.9), ("procedure:dang_ky_lai_khai_sinh", COMBINATION.unheard)]
    assert combine(stray, heard_too, syllables=40, opens_with="no") == stray
    # a yes or a no the phrases read in a story that does not open with it gives way like any other reading
    no_child = Understanding(intent="no", confidence=0.86)
    assert combine(no_child, [("procedure:chung_thuc_di_chuc", 0.9)], syllables=20).procedure == "chung_thuc_di_chuc"
    assert combine(no_child, [("procedure:chung_thuc_di_chuc", 0.9)], syllables=20, opens_with="no") == no_child
    assert combine(no_child, [("procedure:chung_thuc_di_chuc", 0.9)], syllables=6) == no_child
    # a procedure the phrases read weakly in a story gives way to a sure classifier that hears none
    ticket = Understanding(intent="take_number", confidence=0.55, procedure="khai_tu")
    assert combine(ticket, [("take_number", 0.99)], syllables=30).procedure is None
    assert combine(ticket, [("take_number", 0.99)], syllables=5) == ticket
    # ... and a confident ticket its procedure, when the classifier gives that procedure almost nothing
    sure_ticket = replace(ticket, confidence=0.93)
    assert combine(sure_ticket, [("take_number", 0.97), ("procedure:khai_tu", 0.01)], syllables=30).procedure is None
    heard = [("take_number", 0.8), ("procedure:khai_tu", COMBINATION.unheard)]
    assert combine(sure_ticket, heard, syllables=30).procedure == "khai_tu"  # "cho tôi lấy số khai tử, ..."
    weak = Understanding(intent="procedure", confidence=0.46, procedure="chung_thuc_ban_sao", question="documents",
                         questions=("documents",))
    follow = combine(weak, [("question:documents", 0.99)], syllables=30)
    assert (follow.intent, follow.procedure, follow.question) == ("question", None, "documents")
    named = replace(weak, confidence=COMBINATION.named)
    assert combine(named, [("question:documents", 0.99)], syllables=30) == named


def test_the_question_classifier_decides_only_when_sure() -> None:
    """What a turn about a procedure asks: the question classifier's when it is sure (no question, or another),
    the phrases' otherwise; several questions keep the citizen's order; other intents are left alone."""
    both = Understanding(intent="procedure", confidence=0.9, procedure="ket_hon", question="documents",
                         questions=("documents", "fee"))
    assert asked_question(both, [(NO_QUESTION, 0.55)]) == both  # unsure
    assert asked_question(both, [("unknown", 1.0)]) == both  # no word it knows
    none = asked_question(both, [(NO_QUESTION, 0.9)])
    assert (none.question, none.questions) == (None, ())
    fee = asked_question(both, [("fee", 0.9)])
    assert (fee.question, fee.questions) == ("fee", ("documents", "fee"))
    counter = asked_question(both, [("counter", 0.9)])
    assert (counter.question, counter.questions) == ("counter", ("counter",))
    story = Understanding(intent="procedure", confidence=0.6, procedure="khai_tu")
    assert asked_question(story, [("documents", 0.95)]).questions == ("documents",)
    hours = Understanding(intent="centre_hours", confidence=0.8)
    assert asked_question(hours, [(NO_QUESTION, 0.99)]) is hours
    # a question the phrases read in the last clause, ended by a question mark, is dropped only when very sure
    wish = Understanding(intent="procedure", confidence=0.9, procedure="xac_nhan_tinh_trang_hon_nhan")
    for unsure in (0.7, 0.95):
        kept = asked_question(wish, [(NO_QUESTION, unsure)], asked_at_end="counter")
        assert (kept.question, kept.questions) == ("counter", ("counter",))
    assert asked_question(wish, [(NO_QUESTION, 0.99)], asked_at_end="counter") == wish
    assert asked_question(wish, [("documents", 0.95)], asked_at_end="counter").question == "documents"
    # ... and one the phrases read in a short turn ("chứng thực bản sao có nhanh ko") only when the classifier is
    # sure past short_question_dropped; a long turn's goes from question_sure
    short = COMBINATION.short_turn - 1
    assert asked_question(both, [(NO_QUESTION, 0.9)], syllables=short) == both
    assert asked_question(both, [(NO_QUESTION, 0.97)], syllables=short).question is None
    assert asked_question(both, [(NO_QUESTION, 0.9)], syllables=COMBINATION.short_turn).question is None


def test_the_question_classifier_reads_the_last_clause_again() -> None:
    assert question_text("Nhà tôi khó khăn, muốn con được miễn học phí, cô giúp tôi làm đơn với.") == \
        "Nhà tôi khó khăn, muốn con được miễn học phí, cô giúp tôi làm đơn với. .  cô giúp tôi làm đơn với"
    assert question_text("khai sinh cần giấy gì") == "khai sinh cần giấy gì . khai sinh cần giấy gì"
    assert question_text("?!") == "?! . ?!"  # nothing but punctuation: read as it is
    assert question_text("lệ phí 1.000 đồng, mở cửa 8:30 hả") == "lệ phí 1.000 đồng, mở cửa 8:30 hả .  mở cửa 8:30 hả"


@pytest.mark.slow
def test_a_story_that_mentions_papers_or_time_asks_nothing(catalogue: Catalogue, classifier: TextClassifier) -> None:
    """The phrases read "giấy tờ gì" and "lâu" as questions wherever they stand; the question classifier learnt
    from whole labelled turns that in these stories nothing is asked (sentences written for this test, in no
    training file), while a question asked stays asked."""
    understander = Understander(catalogue, classifier, build_question_classifier(TRAINING_DIR))
    for text in (
        "Tôi mua lại cái xe máy của ông hàng xóm, giấy tờ gì ông ấy cũng đưa đủ rồi, giờ hai bên muốn ký giấy mua "
        "bán.",
        "Tôi muốn bán mảnh đất, khách hỏi giấy tờ gì tôi cũng có đủ, giờ ra phường ký hợp đồng.",
        "Mảnh đất ông bà để lại cho bố tôi, nhà tôi ở từ lâu lắm rồi mà chưa bao giờ có tờ giấy nào của nhà nước.",
        "Chồng tôi mất sớm, một mình tôi nuôi ba đứa nhỏ, muốn xin vào diện hộ cận nghèo để các cháu được giảm học "
        "phí.",
    ):
        said = understander.understand(text)
        assert (said.intent, said.question, said.questions) == ("procedure", None, ()), text
    for text, question in (("khai sinh cần giấy tờ gì", "documents"), ("lệ phí đăng ký kết hôn bao nhiêu", "fee"),
                           ("làm giấy phép xây dựng mất bao lâu", "duration"),
                           ("chứng thực bản sao nộp ở quầy nào", "counter"),
                           ("Mẹ tôi mất rồi, làm giấy báo tử cho bà thì phải đem chi theo?", "documents"),
                           ("Con trai tôi đi làm bên Hàn về, sắp cưới vợ ở tỉnh khác, nhà gái muốn có tờ giấy nói nó "
                            "chưa vợ, giờ nó phải xin ở đâu?", "counter")):
        assert understander.understand(text).question == question, text


def test_a_story_is_split_only_at_the_clauses_that_ask(catalogue: Catalogue, classifier: TextClassifier) -> None:
    """In a long turn a clause is a request of its own only when it asks: "ngồi chờ từ nãy giờ" is not the way to
    the waiting area and "thằng cu nhà em ba tuổi" no căn cước; the item asked stays the phrases' to read when the
    classifier reads the request; a courtesy ("mà" read as thanks) is no request beside others. Sentences written
    for this test, in no training file."""
    understander = Understander(catalogue, classifier)
    story = ("Thằng cu nhà em ba tuổi, ngồi chờ từ nãy giờ chán quá bắt đầu khóc ầm lên. Robot ơi, ở đây có kẹo "
             "không, cho cháu một cái để nó ngồi yên cho mẹ làm giấy tờ với.")
    assert [(p.intent, p.item) for p in understander.understand_turn(story)] == [("refreshment", "candy")]
    aside = ("Hôm qua tôi đi khám bệnh về mệt quá, sáng nay mới ra được đây, tôi muốn làm đăng ký tạm trú cho con "
             "gái, à mà nhà vệ sinh ở chỗ nào vậy cháu?")
    assert [(p.intent, p.procedure, p.place) for p in understander.understand_turn(aside)] == [
        ("procedure", "dang_ky_tam_tru", None), ("directions", None, "toilet")]
    both = "Tôi muốn đăng ký khai tử cho bà nhà tôi, mà tiện thể cho tôi hỏi nhà vệ sinh ở đâu?"
    assert [(p.intent, p.place) for p in understander.understand_turn(both)] == [
        ("procedure", None), ("directions", "toilet")]
    # a short turn of two requests is still two requests, neither of which asks
    short = "cho tôi cốc nước rồi lấy số khai sinh luôn"
    assert [(p.intent, p.item, p.procedure) for p in understander.understand_turn(short)] == [
        ("refreshment", "water", None), ("take_number", None, "khai_sinh")]


def test_a_clause_that_wants_a_procedure_by_name_is_a_request(catalogue: Catalogue, classifier: TextClassifier) -> None:
    """In a story, a clause that says the citizen wants a procedure named outright is a request beside the one the
    story asks; one given up or only mentioned is not."""
    nlu = Understander(catalogue, classifier)
    both = "Tôi muốn đăng ký khai tử cho bà nhà tôi, mà tiện thể cho tôi hỏi nhà vệ sinh ở đâu?"  # the story: the way
    assert [(p.intent, p.procedure, p.place) for p in nlu.understand_turn(both)] == [
        ("procedure", "khai_tu", None), ("directions", None, "toilet")]
    # the clause test itself: a procedure given up or only mentioned is no clause that wants it
    marriage = Understanding(intent="procedure", confidence=0.9, procedure="ket_hon")
    assert nlu._wants("tôi muốn đăng ký kết hôn", marriage)
    assert not nlu._wants("Tôi muốn đăng ký kết hôn nhưng chưa đủ tuổi nên thôi", marriage)
    assert not nlu._wants("Tôi đã đăng ký kết hôn rồi", marriage)


def test_a_hesitation_alone_is_not_read_by_the_classifier(catalogue: Catalogue) -> None:
    """"ờ thì" (a hesitation, the older set's smalltalk) is unknown: fillers alone give a bag of n-grams nothing to
    read; a yes the phrases read ("ừ thì") stays a yes."""
    understander = Understander(catalogue, Says("yes"))  # type: ignore[arg-type]
    assert understander.understand("ờ thì").intent == "unknown"
    assert understander.understand("ừ thì").intent == "yes"
    assert understander.understand("ờ thì cho tôi hỏi khai sinh").intent == "procedure"
    # ... nor do words that only lead to a request still to come (round 19 taught the model a will in "tôi muốn")
    will = Understander(catalogue, Says("procedure:chung_thuc_di_chuc"))  # type: ignore[arg-type]
    for text in ("tôi muốn", "cho em hỏi", "bác muốn hỏi"):
        assert will.understand(text).intent == "unknown", text
    assert will.understand("tôi muốn lập di chúc").procedure == "chung_thuc_di_chuc"


def test_another_office_named_in_a_short_turn_gives_way_only_to_a_sure_classifier() -> None:
    """"nhận con nuôi", "đăng kiểm ô tô": a referral or an out-of-scope request the phrases read by name stays
    unless the classifier is sure of another reading (outside_sure); "tôi muốn khiếu nại" (a person, please) the
    same."""
    adoption = Understanding(intent="unknown", confidence=0.93)
    assert combine(adoption, [("procedure:nhan_cha_me_con", 0.93)], syllables=3).intent == "unknown"
    assert combine(adoption, [("procedure:nhan_cha_me_con", 0.97)], syllables=3).procedure == "nhan_cha_me_con"
    inspection = Understanding(intent="referral", confidence=0.93, topic="vehicle_registration")
    assert combine(inspection, [("directions:parking", 0.63)], syllables=4).topic == "vehicle_registration"
    complaint = Understanding(intent="human_help", confidence=0.93)
    assert combine(complaint, [("procedure:chung_thuc_di_chuc", 0.55)], syllables=4).intent == "human_help"
    assert combine(complaint, [("procedure:chung_thuc_di_chuc", 0.8)], syllables=4).intent == "human_help"
    assert combine(complaint, [("procedure:chung_thuc_di_chuc", 0.97)], syllables=4).intent == "procedure"
