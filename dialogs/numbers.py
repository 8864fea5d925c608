"""Numbers as Vietnamese words, for speech.

Ticket numbers are read digit by digit ("số A không một hai"), counters and amounts as numbers
("quầy số năm", "hai nghìn đồng"). Pure functions, no I/O.
"""

from __future__ import annotations

import re

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# How the letters of ticket prefixes are spelt aloud, for the synthetic voice.
LETTER_NAMES = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "gi", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê", "Q": "quy",
    "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích xì", "Y": "i dài",
    "Z": "dét",
}

_TICKET = re.compile(r"^([A-ZĐ]*)(\d+)$")


def digits_words(digits: str) -> str:
    """'012' -> 'không một hai'."""
    if not digits.isdigit():
        raise ValueError(f"expected digits, found {digits!r}")
    return " ".join(DIGITS[int(d)] for d in digits)


def ticket_parts(number: str) -> tuple[str, str]:
    """'A012' -> ('A', '012'). Raises ValueError for anything else."""
    match = _TICKET.match(number.strip().upper())
    if not match:
        raise ValueError(f"expected a ticket number such as A012, found {number!r}")
    return match.group(1), match.group(2)


def ticket_words(number: str, spell_letters: bool = False) -> str:
    """'A012' -> 'A không một hai' (or 'a không một hai' with spelt letters, for the synthetic voice)."""
    prefix, digits = ticket_parts(number)
    letters = [LETTER_NAMES.get(ch, ch.lower()) if spell_letters else ch for ch in prefix]
    return " ".join([*letters, digits_words(digits)])


def _below_thousand(n: int, full: bool) -> str:
    """Words for 0 < n < 1000; `full` adds 'không trăm'/'lẻ' as needed inside bigger numbers."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(DIGITS[units])
    return " ".join(words)


_SCALES = ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn"))


def number_words(n: int) -> str:
    """A whole number as words: 5 -> 'năm', 15 -> 'mười lăm', 2000 -> 'hai nghìn', 105 -> 'một trăm lẻ năm'."""
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return "không"
    words: list[str] = []
    started = False
    for scale, name in _SCALES:
        part, n = divmod(n, scale)
        if part:
            words += [number_words(part) if part >= 1000 else _below_thousand(part, started), name]
            started = True
    if n:
        words.append(_below_thousand(n, started))
    return " ".join(words)


def counter_words(counter: int) -> str:
    """'quầy số năm'."""
    return f"quầy số {number_words(counter)}"


def minutes_words(minutes: int) -> str:
    """'mười lăm phút', or hours and minutes above an hour."""
    if minutes < 60:
        return f"{number_words(minutes)} phút"
    hours, rest = divmod(minutes, 60)
    text = f"{number_words(hours)} giờ"
    return f"{text} {number_words(rest)} phút" if rest else text


def clock_words(hhmm: str) -> str:
    """'08:00' -> 'tám giờ sáng', '13:30' -> 'một giờ rưỡi chiều', '17:00' -> 'năm giờ chiều'."""
    hours, minutes = (int(part) for part in hhmm.split(":")[:2])  # seconds are not said
    part = "sáng" if hours < 11 else "trưa" if hours < 13 else "chiều" if hours < 18 else "tối"
    spoken_hour = hours - 12 if hours > 12 else hours
    words = f"{number_words(spoken_hour)} giờ"
    if minutes == 30:
        words += " rưỡi"
    elif minutes:
        words += f" {number_words(minutes)} phút"
    return f"{words} {part}"


def date_words(day: int, month: int, year: int | None = None) -> str:
    """(30, 11) -> 'ngày ba mươi tháng mười một'."""
    words = f"ngày {number_words(day)} tháng {number_words(month)}"
    return f"{words} năm {number_words(year)}" if year else words


_MONEY = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ|VNĐ|VND)(?![\wđ])", re.IGNORECASE)


def money_words(amount: int) -> str:
    """2000 -> 'hai nghìn đồng'."""
    return f"{number_words(amount)} đồng"


_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}))?(?![\d/])")
_PAIRS = re.compile(r"\b(ông|Ông|anh|Anh|cô|Cô|chú|Chú|bác|Bác)/(bà|chị|chú|cô|bác|dì|anh|em)\b")
_PER_UNIT = re.compile(r"(đồng|nghìn|triệu)/(?=[^\W\d_])")
_WORD_SLASH_WORD = re.compile(r"(?<=[^\W\d_])\s*/\s*(?=[^\W\d_])")
# A masked name as dialogs are shown it ("Lê V** T", "N**"): words with asterisks, the capitalised family
# name before them and the given name's initial after them.
_MASKED_NAME = re.compile(
    r"(?P<family>\b[^\W\d_]+\s+)?(?P<masked>(?:\b[^\W\d_]\*+(?:\s+|(?=\W)|$))+)(?P<given>[^\W\d_](?![\w*]))?"
)
_SUBMITTED_BY = re.compile(r"\bngười nộp\s*$")


def speakable(text: str) -> str:
    """Text as the voice should say it: amounts as words ('2.000 đồng' -> 'hai nghìn đồng'), dates as words,
    no slash ('ông/bà' -> 'ông bà', 'đồng/bản' -> 'đồng một bản', 'sổ đỏ/sổ hồng' -> 'sổ đỏ hoặc sổ hồng')
    and no asterisk: a masked name ('Lê V** T') is not spelt out ('của người nộp hồ sơ'). The screen keeps
    showing the text as written."""

    def money(match: re.Match[str]) -> str:
        return money_words(int(re.sub(r"[.,]", "", match.group(1))))

    def date(match: re.Match[str]) -> str:
        day, month, year = match.group(1), match.group(2), match.group(3)
        said_day = match.string[:match.start()].rstrip().lower().endswith("ngày")
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12) or not (year or said_day):
            return match.group(0)  # "5/7" without "ngày" or a year is not surely a date
        words = f"{number_words(int(day))} tháng {number_words(int(month))}"
        return f"{words} năm {number_words(int(year))}" if year else words

    text = _MONEY.sub(money, text)
    text = _DATE.sub(date, text)
    text = _MASKED_NAME.sub(_unmask, text)
    text = _PAIRS.sub(r"\1 \2", text)
    text = _PER_UNIT.sub(r"\1 một ", text)
    text = _WORD_SLASH_WORD.sub(" hoặc ", text)
    text = text.replace("/", " ").replace("*", "")
    return re.sub(r"[ \t]{2,}", " ", text)


def _unmask(match: re.Match[str]) -> str:
    family = match.group("family") or ""
    kept = "" if family[:1].isupper() else family  # a lower-case word before is not part of the name
    before = match.string[:match.start()] + kept
    trailing = " " if match.group("masked").endswith(" ") and not match.group("given") else ""
    if _SUBMITTED_BY.search(before):
        return f"{kept}hồ sơ{trailing}" if before.endswith(" ") else f"{kept} hồ sơ{trailing}"
    return kept
