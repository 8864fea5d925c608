"""The procedure catalogue: what the robot knows about each administrative procedure.

Pure data and validation, no I/O beyond reading one YAML file. The centre configuration
(`robot.config`) says which service of a centre handles which procedure; this module only
describes the procedures themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

ServiceGroup = Literal["tu_phap_ho_tich", "van_hoa_xa_hoi", "kinh_te_do_thi", "cong_an_cu_tru", "huong_dan"]
SOURCE_TAGS = frozenset({"S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8", "MEM", "GUESS", "LAW"})


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
