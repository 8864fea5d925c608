"""Finding a font that has every Vietnamese letter (tickets, screens)."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

# The 67 lower-case Vietnamese letters and their capitals (134), plus the 12 capitals/small
# letters with stacked marks are within these; tone marks on every vowel and its variants.
_BASE_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")


def vietnamese_letters() -> str:
    letters = {"đ", "Đ"}
    for vowel in _BASE_VOWELS:
        for tone in _TONES:
            ch = unicodedata.normalize("NFC", vowel + tone)
            letters.add(ch)
            letters.add(ch.upper())
    consonants = "bcdghklmnpqrstvx"
    letters.update(consonants + consonants.upper())
    return "".join(sorted(letters))


_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def missing_glyphs(font_path: Path, text: str | None = None) -> str:
    """Characters of `text` (default: all Vietnamese letters) that the font has no glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    wanted = text if text is not None else vietnamese_letters()
    return "".join(sorted({ch for ch in wanted if not ch.isspace() and ord(ch) not in cmap}))


@cache
def find_vietnamese_font(bold: bool = False) -> Path | None:
    """A TrueType font with every Vietnamese letter, or None."""
    names = [p for p in _CANDIDATES if ("Bold" in p) == bold] + list(_CANDIDATES)
    fc_match = shutil.which("fc-match")
    if fc_match:
        style = "DejaVu Sans:bold" if bold else "DejaVu Sans"
        try:
            found = subprocess.run([fc_match, "-f", "%{file}", style], capture_output=True, text=True, timeout=5)
            if found.returncode == 0 and found.stdout:
                names.insert(0, found.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for name in names:
        path = Path(name)
        if path.is_file() and path.suffix.lower() in (".ttf", ".otf") and not missing_glyphs(path):
            return path
    return None
