"""Everything the robot says is written for a citizen: every prompt, every referral, opening hours and
ticket refusals pass the same check as the catalogue's citizen text (no digits, English, tags, citations)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from dialogs.catalogue import citizen_string_problems
from dialogs.manager import hours_sentences
from dialogs.prompts import PROMPTS, render
from robot.centre_info import ConfigCentreInfo
from robot.config import ConfigError, load_catalogue_checked, load_centre
from robot.paths import CONFIG_DIR
from tests.conftest import CUA_NAM

FIELDS = {
    "procedure": "khai sinh", "counters": "quầy số ba", "documents": "tờ khai và giấy chứng sinh", "count": "hai",
    "extra": "giấy ủy quyền", "fee": "Miễn phí.", "duration": "Trong ngày.", "ticket": "B không không một",
    "ahead": "ba", "minutes": "mười lăm phút", "reason": "Đã hết giờ phát số.", "place": "nhà vệ sinh",
    "direction": "bên trái", "metres": "năm", "item": "kẹo", "referral": "Mời ông bà đến Công an thành phố.",
    "where": "Hộ chiếu làm ở Công an thành phố.", "first": "khai sinh", "second": "khai tử", "counter": "quầy số ba",
}


@pytest.mark.parametrize("key", sorted(PROMPTS))
@pytest.mark.parametrize("address", ["ông/bà", "bác", "anh/chị", "chị"])
def test_every_prompt_is_plain_vietnamese(key: str, address: str) -> None:
    needed = set(re.findall(r"{(\w+)}", PROMPTS[key])) - {"addr", "Addr", "self", "Self", "Place"}
    if "{Place}" in PROMPTS[key]:
        needed.add("place")
    text = render(key, address, **{name: FIELDS[name] for name in needed}).text
    # The letter of a ticket number ("B") is read by its name: the one capital letter allowed.
    assert citizen_string_problems(text.replace(" B ", " ")) == [], text
    words = text.lower().split()
    assert not ("em" in words and address == "bác"), text  # never "em" to an elder the robot calls "bác"


def test_every_referral_is_plain_vietnamese() -> None:
    catalogue = load_catalogue_checked()
    assert len(catalogue.referrals.topics) >= 10
    for topic in catalogue.referrals.topics:
        assert citizen_string_problems(topic.where) == [], topic.id


def test_a_referral_with_digits_is_refused_with_its_place(tmp_path: Path) -> None:
    shutil.copy(CONFIG_DIR / "procedures.yaml", tmp_path / "procedures.yaml")
    text = (CONFIG_DIR / "referrals.yaml").read_text(encoding="utf-8")
    (tmp_path / "referrals.yaml").write_text(text.replace("trong ba tháng", "trong 3 tháng"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalogue_checked(tmp_path / "procedures.yaml")
    [problem] = caught.value.problems
    assert problem.path.endswith(".where") and "digits '3'" in problem.found


@pytest.mark.parametrize("at", ["2026-11-25T07:00", "2026-11-25T12:20", "2026-11-25T16:45", "2026-11-28T10:30",
                                "2026-11-29T09:00", "2026-12-31T17:30"])
@pytest.mark.parametrize("day", [None, "tomorrow", "saturday", "sunday", "monday"])
def test_opening_hours_are_said_in_words(at: str, day: str | None) -> None:
    centre = load_centre(CUA_NAM, load_catalogue_checked())
    moment = datetime.fromisoformat(at).replace(tzinfo=centre.site.tz)
    sentences = hours_sentences(ConfigCentreInfo(centre, lambda: moment).hours(day))
    assert sentences
    for sentence in sentences:
        assert citizen_string_problems(sentence) == [], sentence
