"""Requests the ward does not handle (passports, driving licences, divorce...) and where to go instead.

Pure data and validation, read from one YAML file (config/referrals.yaml). The understander turns each
topic's keywords into evidence for the `referral` intent; the dialog speaks `where`. A centre file may
replace `where` with its own city's office (robot/ does that when it builds the dialog).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator


class Referral(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=2, description="Vietnamese name of the matter")
    keywords: tuple[str, ...] = Field(min_length=1, description="What citizens say for it")
    where: str = Field(min_length=10, description="Where to go and how, for a citizen (spoken and shown)")
    sources: tuple[str, ...] = Field(min_length=1, description="Keys of meta.sources")


class ReferralMeta(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reviewed: str
    sources: dict[str, str]


class Referrals(BaseModel):
    """Every referral topic, looked up by id."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    meta: ReferralMeta
    topics: tuple[Referral, ...]

    @field_validator("topics")
    @classmethod
    def _unique(cls, value: tuple[Referral, ...]) -> tuple[Referral, ...]:
        ids = [topic.id for topic in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate referral id(s) {duplicates}")
        return value

    def model_post_init(self, __context: object) -> None:
        for topic in self.topics:
            unknown = set(topic.sources) - set(self.meta.sources)
            if unknown:
                raise ValueError(f"referral {topic.id}: unknown source(s) {sorted(unknown)}")

    def get(self, topic_id: str) -> Referral | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics]


NO_REFERRALS = Referrals(meta=ReferralMeta(reviewed="", sources={}), topics=())


def parse_referrals(data: object) -> Referrals:
    """Validate already-parsed YAML data (raises pydantic.ValidationError)."""
    return Referrals.model_validate(data)


def load_referrals(path: Path) -> Referrals:
    """Read and validate a referrals file (raises OSError, yaml.YAMLError or ValidationError)."""
    with path.open(encoding="utf-8") as handle:
        return parse_referrals(yaml.safe_load(handle))
