"""Normalisation of what citizens type: cases written as inline YAML (input -> expected canonical text)."""

from __future__ import annotations

import unicodedata

import pytest
import yaml

from dialogs.lexicon import ABBREVIATIONS, OPENING_ABBREVIATIONS, PAIR_ABBREVIATIONS
from dialogs.normalize import (
    expand_openings,
    expand_pairs,
    fold,
    has_accents,
    is_syllable,
    normalize,
    repair_typing,
    tokenize,
)

CASES = yaml.safe_load("""
nfc_and_case:
  - ["ĐĂNG KÝ KHAI SINH", "đăng kí khai sinh"]
  - ["  Chứng   thực,  bản sao! ", "chứng thực bản sao"]
tone_placement:            # old and new placements end up identical
  - ["thuỷ", "thủy"]
  - ["hoà", "hòa"]
  - ["khoẻ", "khỏe"]
  - ["uỷ quyền", "ủy quyền"]
  - ["quý", "quí"]          # one spelling for a lone i/y after a consonant
  - ["lý lịch", "lí lịch"]
  - ["người", "người"]
  - ["hoàng", "hoàng"]
apostrophes:
  - ["tôi’s", "tôis"]
  - ["tôi's", "tôis"]
telex:
  - ["chuwngs thuwcj", "chứng thực"]
  - ["Nguyeenx", "nguyễn"]
  - ["khoong", "không"]
  - ["ddawng kys", "đăng kí"]
  - ["truwowngf", "trường"]
  - ["giaays", "giấy"]
  - ["chuwsng", "chứng"]    # tone key typed before the final consonant
vni:
  - ["nguye6n4", "nguyễn"]
  - ["d9a8ng ky1", "đăng kí"]
not_residue:               # real words and loan words stay as they are
  - ["photo", "photo"]
  - ["toilet", "toilet"]
  - ["xoong", "xoong"]
  - ["a012", "a012"]
  - ["quầy số 5", "quầy số 5"]
  - ["tra cuu ho so", "tra cuu ho so"]   # "cuu" is "cứu" typed without accents, not a key held too long
  - ["luong huu", "luong huu"]
abbreviations:
  - ["đk gks", "đăng kí giấy khai sinh"]
  - ["dk hkd", "đăng kí hộ kinh doanh"]
  - ["cccd", "căn cước công dân"]
  - ["bhyt", "bảo hiểm y tế"]
  - ["cấp gcn qsdđ", "cấp giấy chứng nhận quyền sử dụng đất"]
  - ["lam kt3", "lam tạm trú"]
  - ["ubnd", "ủy ban nhân dân"]
  - ["ko", "không"]
  - ["nghe ns cx dc", "nghe nói cũng được"]   # chat spellings with one meaning each
  - ["doi wa dzậy", "doi quá vậy"]
  - ["tt", "tt"]   # thủ tục, tạm trú or thường trú: left as typed
  - ["cho mik 1 số", "cho mình 1 số"]   # Southern and teen chat spellings
  - ["hông bít lm j", "không biết làm gì"]
  - ["thui xong rùi", "thôi xong rồi"]
  - ["lp bn", "lệ phí bao nhiêu"]
  - ["hem cần", "hem cần"]   # also "hẻm" (an alley) typed without accents: left as typed
""")

ALL = [(group, given, expected) for group, pairs in CASES.items() for given, expected in pairs]


@pytest.mark.parametrize(("group", "given", "expected"), ALL, ids=[f"{g}:{x}" for g, x, _ in ALL])
def test_normalize(group: str, given: str, expected: str) -> None:
    assert normalize(given, ABBREVIATIONS) == expected


def test_output_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Đăng ký thường trú")
    assert decomposed != "Đăng ký thường trú"
    out = normalize(decomposed)
    assert out == unicodedata.normalize("NFC", out) == "đăng kí thường trú"


def test_tokens_remember_whether_accents_were_typed() -> None:
    typed = tokenize("làm ho chiếu")
    assert [(t.text, t.accented) for t in typed] == [("làm", True), ("ho", False), ("chiếu", True)]
    # Telex residue is repaired but its accents are not trusted: compared folded.
    assert [t.accented for t in tokenize("chuwngs")] == [False]
    # An expansion is written with its accents whatever was typed.
    assert all(t.accented for t in tokenize("dk", ABBREVIATIONS))


def test_abbreviations_do_not_touch_accented_words() -> None:
    # "hồng" must not become "không" because "hong" is chat spelling of it.
    assert normalize("sổ hồng", ABBREVIATIONS) == "sổ hồng"


def test_fold_and_has_accents() -> None:
    assert fold("Đường Hộ Chiếu hỗ trợ") == "Duong Ho Chieu ho tro"
    assert has_accents("hộ") and not has_accents("ho")


@pytest.mark.parametrize("word", ["nghiêng", "khuya", "gì", "quốc", "được", "xoong", "hoà", "thuỷ"])
def test_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["chuwngs", "photo", "khoong", "aa", "cccd"])
def test_not_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_repair_typing_leaves_real_words() -> None:
    assert repair_typing("chung") is None
    assert repair_typing("bằng") is None
    assert repair_typing("thucj") == "thục"


def test_openings_are_expanded_only_where_a_clause_opens() -> None:
    """"nhà vs" is the toilet opening the text or a clause, as typed in any case; "với" elsewhere."""
    assert expand_openings("Nhà vs chỗ nào z", OPENING_ABBREVIATIONS) == "nhà vệ sinh chỗ nào z"
    assert expand_openings("dạ,nhà vs ở đâu", OPENING_ABBREVIATIONS) == "dạ,nhà vệ sinh ở đâu"
    assert expand_openings("thuê nhà vs cccd", OPENING_ABBREVIATIONS) == "thuê nhà vs cccd"
    assert expand_openings("nhà vsinh", OPENING_ABBREVIATIONS) == "nhà vsinh"
    assert expand_openings("nhà vs", {}) == "nhà vs"
    assert normalize(expand_openings("nha vs o dau", OPENING_ABBREVIATIONS), ABBREVIATIONS) == "nhà vệ sinh o dau"


def test_pairs_are_written_out_wherever_they_stand() -> None:
    assert expand_pairs("ks lm r, h còn cái Thẻ BH cho bé", PAIR_ABBREVIATIONS) == \
        "ks lm r, h còn cái thẻ bảo hiểm cho bé"
    assert expand_pairs("bàn hd ở đâu", PAIR_ABBREVIATIONS) == "bàn hướng dẫn ở đâu"
    assert expand_pairs("bh xong, hd mua xe", PAIR_ABBREVIATIONS) == "bh xong, hd mua xe"  # alone: as they were
    assert expand_pairs("cái thẻbh", PAIR_ABBREVIATIONS) == "cái thẻbh"  # inside a word: not a pair
