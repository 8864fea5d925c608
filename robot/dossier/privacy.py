"""Personal data shown to citizens is masked."""

from __future__ import annotations

import re


def mask_name(full_name: str) -> str:
    """"Nguyễn Văn An" -> "Nguyễn V** A": family name kept, middle names as initial + **, given name as initial."""
    words = full_name.split()
    if not words:
        return ""
    if len(words) == 1:
        return f"{words[0][0]}**"
    family, *middle, given = words
    return " ".join([family, *(f"{w[0]}**" for w in middle), given[0]])


_SGT = re.compile(r"(?i)(SGT=)[^&#\s]*")
_ID_DIGITS = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def redact(text: str) -> str:
    """Scanned text made safe to print or log: the SGT= value and any 9-12 digit run (ID numbers) hidden."""
    return _ID_DIGITS.sub("***", _SGT.sub(r"\1***", text))
