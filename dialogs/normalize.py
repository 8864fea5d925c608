"""Normalise what citizens type or what speech recognition returns, before understanding it.

Steps, all pure: Unicode NFC, lower case, one apostrophe, one tone-mark placement (thuỷ/thủy,
hoà/hòa end up identical), telex and VNI residue repaired ("chuwngs" -> "chứng", "nguye6n4" ->
"nguyễn"), abbreviations expanded ("đk" -> "đăng ký", "cccd" -> "căn cước công dân").

A token keeps whether the citizen typed accents on it. Understanding compares accented tokens
with accents and folds accents only for tokens typed without them (the hộ/hỗ trap: "làm hộ
chiếu" must never match "hỗ trợ").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

# Combining tone marks: sắc, huyền, hỏi, ngã, nặng.
_TONES = ("\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_TONE_SET = frozenset(_TONES)
# Vowels that carry a quality mark; a tone goes on them first (ơ before ư in "ươ").
_MARKED_VOWELS = "âăêôơư"
_VOWELS = frozenset("aăâeêioôơuưy")
_ONSETS = (
    "ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
_FINALS = ("ch", "ng", "nh", "c", "m", "n", "p", "t", "")
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_VNI_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_TELEX_MARKS = (("uwow", "ươ"), ("uow", "ươ"), ("uw", "ư"), ("ow", "ơ"), ("aw", "ă"),
                ("aa", "â"), ("ee", "ê"), ("oo", "ô"), ("dd", "đ"), ("w", "ư"))
_VNI_MARKS = (("a6", "â"), ("e6", "ê"), ("o6", "ô"), ("a8", "ă"), ("o7", "ơ"), ("u7", "ư"), ("d9", "đ"))
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"[0-9a-zđ\u00c0-\u1ef9]+(?:'[a-z]+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Token:
    """One word: its canonical form, the same without accents, and whether the accents are trustworthy."""

    text: str
    folded: str
    accented: bool
    expanded: bool = False  # written out from an abbreviation ("dk" -> "đăng ký"): accents not typed


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Remove every diacritic (đ -> d): 'Đăng ký' -> 'Dang ky'."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


def has_accents(text: str) -> bool:
    return fold(text) != text


def _split_tone(word: str) -> tuple[str, str | None]:
    """'thuỷ' -> ('thuy'-with-marks, hỏi). Keeps vowel quality marks (â, ơ, ư...), removes the tone."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = next((ch for ch in decomposed if ch in _TONE_SET), None)
    bare = "".join(ch for ch in decomposed if ch not in _TONE_SET)
    return unicodedata.normalize("NFC", bare), tone


def _split_syllable(bare: str) -> tuple[str, str, str] | None:
    """Onset, vowel nucleus and final of a toneless lower-case syllable, or None if it is not Vietnamese."""
    for onset in _ONSETS:
        if not bare.startswith(onset):
            continue
        rest = bare[len(onset):]
        if onset in ("gi", "qu") and (not rest or rest[0] not in _VOWELS):
            if onset == "qu":
                continue
            onset, rest = "g", "i" + rest  # "gì", "gìn": the i is the nucleus
        end = 0
        while end < len(rest) and rest[end] in _VOWELS:
            end += 1
        nucleus, final = rest[:end], rest[end:]
        if nucleus and final in _FINALS and len(nucleus) <= 3 and _plausible_nucleus(onset, nucleus, final):
            return onset, nucleus, final
    return None


def _plausible_nucleus(onset: str, nucleus: str, final: str) -> bool:
    # "uu" is "ưu" typed without accents ("tra cuu", "luong huu", "buu dien"), not a key held too long
    if any(double in nucleus for double in ("aa", "ee", "ii", "yy", "ăă", "ââ", "êê", "ôô", "ơơ", "ưư")):
        return False
    if any(fold(a) == fold(b) and a != b and a + b != "ưu" for a, b in pairwise(nucleus)):
        return False  # "aâ", "oô": a key held too long, not a vowel pair
    # "oo" only in a few loan words (xoong, boong); "khoong" is telex for "không".
    return "oo" not in nucleus or (final == "ng" and onset in ("x", "b"))


@lru_cache(maxsize=8192)  # the same words again and again (the catalogue check at every start)
def is_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable (with or without accents), e.g. 'nghiêng', 'khuya'."""
    bare, _ = _split_tone(word.lower())
    return _split_syllable(bare) is not None


def place_tone(bare: str, tone: str | None) -> str:
    """Put the tone on one canonical vowel, so both placements (hoà/hòa, thuỷ/thủy) give the same string.

    A lone 'y' after a consonant is written 'i' (ký -> kí, lý -> lí) so both spellings match too.
    """
    parts = _split_syllable(bare)
    if parts is None:
        return bare if tone is None else unicodedata.normalize("NFC", bare + tone)
    onset, nucleus, final = parts
    if onset and nucleus == "y" and not final:
        nucleus = "i"  # kí/ký, lí/lý, mĩ/mỹ: one spelling
    if tone is None:
        return onset + nucleus + final
    marked = [i for i, ch in enumerate(nucleus) if ch in _MARKED_VOWELS]
    if marked:
        index = marked[-1]
    elif len(nucleus) == 1:
        index = 0
    elif final:
        index = len(nucleus) - 1
    elif len(nucleus) == 3:
        index = 1
    else:
        index = 0
    toned = nucleus[:index] + unicodedata.normalize("NFC", nucleus[index] + tone) + nucleus[index + 1:]
    return onset + toned + final


@lru_cache(maxsize=1 << 16)
def canonical_word(word: str) -> str:
    """NFC, lower case, tone on the canonical vowel (remembered: the same words come back in every turn)."""
    bare, tone = _split_tone(word.lower())
    return place_tone(bare, tone)


def repair_typing(word: str) -> str | None:
    """Undo telex or VNI residue in one lower-case word ('chuwngs' -> 'chứng'); None when it is not residue."""
    if is_syllable(word) or not word.isascii():
        return None
    for marks, tones in ((_TELEX_MARKS, _TELEX_TONES), (_VNI_MARKS, _VNI_TONES)):
        repaired = _apply_keys(word, marks, tones)
        if repaired is not None:
            return repaired
    return None


def repair_slip(word: str) -> str | None:
    """Undo a key held too long or a telex tone key left after an accented word: 'chàoo' -> 'chào',
    'vaâng' -> 'vâng', 'ngươif' -> 'người'. None when the word is fine or no single fix makes it a syllable."""
    if is_syllable(word) or not word.isalpha():
        return None
    _, tone = _split_tone(word)
    if tone is None and len(word) > 2 and word[-1] in _TELEX_TONES and is_syllable(word[:-1]):
        head, _ = _split_tone(word[:-1])
        return place_tone(head, _TELEX_TONES[word[-1]])
    for index in range(1, len(word)):
        if fold(word[index]) == fold(word[index - 1]):
            candidate = word[:index - 1] + word[index:] if has_accents(word[index]) else word[:index] + word[index + 1:]
            if is_syllable(candidate):
                return canonical_word(candidate)
    return None


def _apply_keys(word: str, marks: tuple[tuple[str, str], ...], tones: Mapping[str, str]) -> str | None:
    tone = None
    body = word
    # The tone key is usually typed last, sometimes right after the vowels ("chuwsng").
    for position in range(len(body) - 1, 0, -1):
        if body[position] in tones:
            candidate = body[:position] + body[position + 1:]
            if any(ch in "aeiouyw" for ch in candidate):
                tone, body = tones[body[position]], candidate
                break
    for keys, letter in marks:
        body = body.replace(keys, letter)
    if body == word:
        return None
    bare = unicodedata.normalize("NFC", body)
    if _split_syllable(bare) is None:
        return None
    return place_tone(bare, tone)


def tokenize(text: str, abbreviations: Mapping[str, str] | None = None) -> tuple[Token, ...]:
    """Split into normalised tokens, repairing typing residue and expanding abbreviations.

    `abbreviations` maps a lower-case word as typed ("dk", "đk", "cccd") to its accented expansion.
    """
    clean = nfc(text).translate(_APOSTROPHES).lower()
    out: list[Token] = []
    for match in _WORD.finditer(clean):
        word = match.group(0).replace("'", "")
        if abbreviations is not None and word in abbreviations:
            # An expansion is written with its right accents, whatever was typed ("dk" or "đk").
            expansion = [canonical_word(part) for part in abbreviations[word].split()]
            out.extend(Token(part, fold(part), True, expanded=True) for part in expansion)
            continue
        repaired = repair_typing(word) or (repair_slip(word) if "'" not in match.group(0) else None)
        if repaired is not None:
            out.append(Token(repaired, fold(repaired), False))
            continue
        canonical = canonical_word(word)
        out.append(Token(canonical, fold(canonical), has_accents(canonical)))
    return tuple(out)


@lru_cache(maxsize=8)
def _openings_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(rf"((?:^|[,.;:!?\n])\s*)({words})(?![0-9a-zđ\u00c0-\u1ef9])", re.IGNORECASE)


def expand_openings(text: str, openings: Mapping[str, str]) -> str:
    """`text` with each of `openings`' keys (words as typed, lower case) that opens it or a clause (after , . ; : !
    ? or a new line) written as its expansion: chat spellings that mean one thing only there ("nhà vs chỗ nào":
    the toilet; "thuê nhà vs cccd": "với")."""
    if not openings:
        return text
    pattern = _openings_pattern(tuple(openings))
    return pattern.sub(lambda match: match.group(1) + openings[match.group(2).lower()], nfc(text))


@lru_cache(maxsize=8)
def _pairs_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    words = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<![0-9a-zđ\u00c0-\u1ef9])({words})(?![0-9a-zđ\u00c0-\u1ef9])", re.IGNORECASE)


def expand_pairs(text: str, pairs: Mapping[str, str]) -> str:
    """`text` with each of `pairs`' keys (two words as typed, lower case) written as its expansion wherever it
    stands: a chat spelling that the word before or after reads ("thẻ bh": bảo hiểm, where "bh" alone is "bao giờ";
    "bàn hd": hướng dẫn, where "hd" alone is "hợp đồng")."""
    if not pairs:
        return text
    pattern = _pairs_pattern(tuple(pairs))
    return pattern.sub(lambda match: pairs[match.group(1).lower()], nfc(text))


def normalize(text: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """The canonical accented text: 'Chuwngs thuwcj  bản sao' -> 'chứng thực bản sao'."""
    return " ".join(token.text for token in tokenize(text, abbreviations))
