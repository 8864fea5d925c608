"""The procedure catalogue: what the robot knows about each administrative procedure.

Pure data and validation, no I/O beyond reading one YAML file. The centre configuration
(`robot.config`) says which service of a centre handles which procedure; this module only
describes the procedures themselves.

Each procedure carries two kinds of text: the raw facts (`processing_time`, `fee`, `documents`,
`notes`, with `sources`) that technicians check against the law, and `citizen`, the same facts
written for an elderly citizen to hear and read. `citizen_text_problems()` checks the second kind:
no digits, no source tags, no legal citations, no English, no abbreviations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dialogs.normalize import is_syllable, nfc
from dialogs.referrals import NO_REFERRALS, Referrals

ServiceGroup = Literal["tu_phap_ho_tich", "van_hoa_xa_hoi", "kinh_te_do_thi", "cong_an_cu_tru", "huong_dan"]
SOURCE_TAGS = frozenset({"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "MEM", "GUESS", "LAW"})


class CitizenDocument(BaseModel):
    """One paper to bring, said and shown to a citizen."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1, description="What to bring, plain Vietnamese: 'Giấy chứng sinh, bản chính'")
    short: str = Field(min_length=1, description="Two to four words for a spoken summary: 'giấy chứng sinh'")
    when: str | None = Field(
        default=None, min_length=1, description="When it is needed: 'nếu nhờ người khác đi thay'"
    )


class CitizenText(BaseModel):
    """What the robot says and shows a citizen about one procedure: plain Vietnamese, numbers in words."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    documents: tuple[CitizenDocument, ...] = Field(min_length=1)
    fee: str = Field(min_length=1, description="One or two short spoken sentences: who pays what, free cases")
    duration: str = Field(min_length=1, description="Short spoken: 'Trả kết quả trong ngày.'")
    referral: str | None = Field(
        default=None, min_length=1,
        description="For procedures not handled at the ward: where to go and how, spoken",
    )


class Procedure(BaseModel):
    """One administrative procedure (thủ tục hành chính)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    code: str = Field(pattern=r"^\d\.\d{6}$")
    code_aliases: tuple[str, ...] = ()
    name: str = Field(min_length=3, description="Official Vietnamese name")
    short_name: str = Field(min_length=3, description="Short spoken name, e.g. 'khai sinh'")
    field: str
    service_group: ServiceGroup
    handled_at_commune: bool = True
    referral: str | None = Field(
        default=None, description="Where to go instead (Vietnamese), required when not handled at commune"
    )
    processing_time: str
    fee: str
    documents: tuple[str, ...] = Field(min_length=1)
    notes: str = ""
    sources: dict[str, tuple[str, ...]] = Field(description="Per fact: the sources it was checked against")
    keywords: tuple[str, ...] = Field(default=(), description="Words and phrases people use for it")
    phrasings: tuple[str, ...] = Field(default=(), description="Sample sentences citizens say")
    citizen: CitizenText = Field(description="The facts above written for citizens (checked by citizen_text_problems)")

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for fact in ("code", "processing_time", "fee", "documents"):
            if fact not in value or not value[fact]:
                raise ValueError(f"missing source note for '{fact}'")
        for fact, tags in value.items():
            unknown = set(tags) - SOURCE_TAGS
            if unknown:
                raise ValueError(f"unknown source tag(s) {sorted(unknown)} for '{fact}'")
        return value

    def model_post_init(self, __context: object) -> None:
        if not self.handled_at_commune and not self.referral:
            raise ValueError(f"procedure {self.id}: not handled at commune but no referral given")


class CatalogueMeta(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    reviewed: str
    sources: dict[str, str]
    note: str = ""


class Catalogue(BaseModel):
    """The whole procedure catalogue, looked up by id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: CatalogueMeta
    procedures: tuple[Procedure, ...]
    # What the ward does not handle and where to go (config/referrals.yaml, attached when loaded).
    referrals: Referrals = NO_REFERRALS

    @field_validator("procedures")
    @classmethod
    def _unique_ids(cls, value: tuple[Procedure, ...]) -> tuple[Procedure, ...]:
        seen: set[str] = set()
        for proc in value:
            if proc.id in seen:
                raise ValueError(f"duplicate procedure id '{proc.id}'")
            seen.add(proc.id)
        return value

    def get(self, procedure_id: str) -> Procedure:
        for proc in self.procedures:
            if proc.id == procedure_id:
                return proc
        raise KeyError(procedure_id)

    def ids(self) -> list[str]:
        return [p.id for p in self.procedures]

    def __contains__(self, procedure_id: object) -> bool:
        return any(p.id == procedure_id for p in self.procedures)


def parse_catalogue(data: object) -> Catalogue:
    """Validate already-parsed YAML data (raises pydantic.ValidationError)."""
    return Catalogue.model_validate(data)


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate a catalogue file (raises OSError, yaml.YAMLError or ValidationError)."""
    with path.open(encoding="utf-8") as handle:
        return parse_catalogue(yaml.safe_load(handle))


# ---------------------------------------------------------------------------------------------
# Citizen text check

# Words a citizen may hear or read that are not Vietnamese syllables nor plain Vietnamese words:
# only proper names that citizens themselves use and see written this way. Keep it short.
#   VNeID: the national identity app, named so on phones, in the centres and by the police.
#   VssID: the social insurance app (config/referrals.yaml sends pension and insurance questions there).
#   QR: "mã QR", printed on every receipt and ticket, and what citizens call it.
CITIZEN_ALLOWED_WORDS = frozenset({"VNeID", "VssID", "QR"})

# Words are split here rather than with normalize.tokenize(): tokenize lower-cases (the capitals of "CCCD"
# are the evidence of an abbreviation) and repairs telex residue, which turns English words into
# Vietnamese syllables ("as" -> "á"). Each word is then judged with normalize.is_syllable().
_WORD_RE = re.compile(r"\w+")
_DIGITS_RE = re.compile(r"\d+(?:[.,/]\d+)*")  # "60", "20.000", "75/2022" as one finding
_SOURCE_TAG_RE = re.compile(r"(?<!\w)(?:S[1-8]|MEM|LAW|(?i:guess))(?!\w)")
# A legal text named with its number ("Điều 4", "TT 75", "NĐ 123", "Khoản 2"), a document number
# ("75/2022", "123/2015/NĐ-CP"), a kind of legal text named at all ("theo Nghị định mới"), or a law by
# its title ("Luật Hộ tịch").
_CITATION_RE = re.compile(
    r"(?<!\w)(?:điều|khoản|điểm|luật|nghị định|nghị quyết|thông tư|quyết định|công văn|nđ|nq|tt|qđ|cv)"
    r"\s*(?:số\s*)?\d+(?:\s*/\s*[\w-]+)*"
    r"|\d+\s*/\s*\d+(?:\s*/\s*[\w-]+)*"
    r"|(?<!\w)(?:nghị định|nghị quyết|thông tư)(?!\w)",
    re.IGNORECASE,
)
_LAW_TITLE_RE = re.compile(r"(?<!\w)Luật\s+(\w+)")


@dataclass(frozen=True)
class CitizenTextProblem:
    """One problem in the citizen text of one procedure."""

    procedure: str  # procedure id
    index: int  # position in catalogue.procedures (for the YAML field path)
    field: str  # "citizen.fee", "citizen.documents[1].when"
    found: str  # "digits '60'"
    expected: str  # what to write instead
    verb: str = "contains"

    def __str__(self) -> str:
        return f"{self.procedure}: {self.field}: {self.verb} {self.found}"


def _citizen_strings(citizen: CitizenText) -> Iterator[tuple[str, str]]:
    for i, doc in enumerate(citizen.documents):
        yield f"citizen.documents[{i}].text", doc.text
        yield f"citizen.documents[{i}].short", doc.short
        if doc.when is not None:
            yield f"citizen.documents[{i}].when", doc.when
    yield "citizen.fee", citizen.fee
    yield "citizen.duration", citizen.duration
    if citizen.referral is not None:
        yield "citizen.referral", citizen.referral


def _quoted(items: list[str]) -> str:
    unique = list(dict.fromkeys(items))
    return ", ".join(repr(item) for item in unique)


def citizen_string_problems(text: str) -> list[tuple[str, str]]:
    """The problems of one citizen string, as (found, expected) pairs; [] when it is fine."""
    text = nfc(text)
    out: list[tuple[str, str]] = []
    if not text.strip():
        out.append(("only blank space", "a text"))
    digits = _DIGITS_RE.findall(text)
    if digits:
        out.append((f"digits {_quoted(digits)}", "every number in words ('sáu mươi', not '60')"))
    tags = _SOURCE_TAG_RE.findall(text)
    if tags:
        out.append((f"a source tag {_quoted(tags)}", "no source tags (they belong in sources and notes)"))
    citations = [m.group(0) for m in _CITATION_RE.finditer(text)]
    citations += [m.group(0) for m in _LAW_TITLE_RE.finditer(text) if m.group(1)[:1].isupper()]
    if citations:
        out.append((f"a legal citation {_quoted(citations)}",
                    "plain words without legal citations (cite the law in notes)"))
    abbreviations: list[str] = []
    foreign: list[str] = []
    tag_words = {tag.upper() for tag in tags}
    for word in _WORD_RE.findall(text):
        if any(ch.isdigit() for ch in word) or word in CITIZEN_ALLOWED_WORDS or word.upper() in tag_words:
            continue  # digits and tags are reported above
        if sum(ch.isupper() for ch in word) >= 2:
            abbreviations.append(word)
        elif not is_syllable(word):
            foreign.append(word)
    if abbreviations:
        out.append((f"an abbreviation {_quoted(abbreviations)}",
                    "the words spelled out ('căn cước', 'bảo hiểm y tế', 'ủy ban nhân dân')"))
    if foreign:
        allowed = ", ".join(sorted(CITIZEN_ALLOWED_WORDS))
        out.append((f"a word that is not Vietnamese {_quoted(foreign)}",
                    f"Vietnamese words only (or a name on the allow-list: {allowed})"))
    return out


def find_citizen_text_problems(catalogue: Catalogue) -> list[CitizenTextProblem]:
    """Every problem in the citizen text of every procedure, with where it is."""
    problems: list[CitizenTextProblem] = []
    for index, proc in enumerate(catalogue.procedures):
        for field, text in _citizen_strings(proc.citizen):
            for found, expected in citizen_string_problems(text):
                problems.append(CitizenTextProblem(proc.id, index, field, found, expected))
        if not proc.handled_at_commune and proc.citizen.referral is None:
            problems.append(CitizenTextProblem(
                proc.id, index, "citizen.referral", "nothing although the procedure is not handled at the ward",
                "where to go and how, in words for citizens", verb="has"))
    return problems


def citizen_text_problems(catalogue: Catalogue) -> list[str]:
    """One English line per problem in the citizen text ("khai_sinh: citizen.fee: contains digits '60'")."""
    return [str(problem) for problem in find_citizen_text_problems(catalogue)]
