"""Citizen text of the procedure catalogue: present for every procedure, plain Vietnamese, and the
facts the 2026 catalogue audit (catalogue-audit.md) found wrong are corrected in it."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dialogs.catalogue import (
    CITIZEN_ALLOWED_WORDS,
    Catalogue,
    citizen_string_problems,
    citizen_text_problems,
    parse_catalogue,
)
from robot.config import ConfigError, load_catalogue_checked
from robot.paths import DEFAULT_CATALOGUE
from tests.conftest import CUA_NAM


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue_checked()


def with_citizen(data: dict[str, Any], procedure_id: str, **changes: Any) -> Catalogue:
    """The shipped catalogue with some citizen fields of one procedure replaced."""
    changed = copy.deepcopy(data)
    proc = next(p for p in changed["procedures"] if p["id"] == procedure_id)
    proc["citizen"].update(changes)
    return parse_catalogue(changed)


def citizen_documents(data: dict[str, Any], procedure_id: str) -> list[dict[str, Any]]:
    """A copy of the shipped citizen documents of one procedure, to change in a test."""
    proc = next(p for p in data["procedures"] if p["id"] == procedure_id)
    return copy.deepcopy(proc["citizen"]["documents"])


def spoken(catalogue: Catalogue, procedure_id: str) -> str:
    """Everything the robot may say or show about one procedure, in one string."""
    citizen = catalogue.get(procedure_id).citizen
    parts = [citizen.fee, citizen.duration, citizen.referral or ""]
    for doc in citizen.documents:
        parts += [doc.text, doc.short, doc.when or ""]
    return " | ".join(parts)


# --- the shipped catalogue ---------------------------------------------------------------------


def test_every_procedure_has_citizen_text(catalogue: Catalogue) -> None:
    assert len(catalogue.procedures) >= 31
    for proc in catalogue.procedures:
        citizen = proc.citizen
        assert citizen.documents and citizen.fee.strip() and citizen.duration.strip(), proc.id
        for doc in citizen.documents:
            assert doc.text.strip() and doc.short.strip(), proc.id
            assert len(doc.short.split()) <= 6, (proc.id, doc.short)
        if not proc.handled_at_commune:
            assert citizen.referral, proc.id


def test_shipped_citizen_text_has_no_problems(catalogue: Catalogue) -> None:
    assert citizen_text_problems(catalogue) == []


def test_citizen_yaml_must_have_citizen_text(data: dict[str, Any]) -> None:
    changed = copy.deepcopy(data)
    del changed["procedures"][0]["citizen"]
    with pytest.raises(ValueError, match="citizen"):
        parse_catalogue(changed)


def test_referral_for_criminal_record_says_where_and_how(catalogue: Catalogue) -> None:
    referral = catalogue.get("ly_lich_tu_phap").citizen.referral
    assert referral is not None
    assert "Công an tỉnh, thành phố" in referral
    assert "VNeID" in referral and "Cổng dịch vụ công" in referral


# --- the check catches each kind of problem ---------------------------------------------------


def test_digits_are_caught(data: dict[str, Any]) -> None:
    bad = with_citizen(data, "khai_sinh", fee="Miễn phí nếu đăng ký trong vòng 60 ngày kể từ ngày sinh.")
    assert citizen_text_problems(bad) == ["khai_sinh: citizen.fee: contains digits '60'"]


def test_amount_with_thousands_separator_is_one_finding(data: dict[str, Any]) -> None:
    bad = with_citizen(data, "dang_ky_tam_tru", fee="Nộp trực tiếp 15.000 đồng.")
    assert citizen_text_problems(bad) == ["dang_ky_tam_tru: citizen.fee: contains digits '15.000'"]


def test_guess_tag_is_caught(data: dict[str, Any]) -> None:
    bad = with_citizen(data, "ho_tro_mai_tang", duration="Khoảng mười ngày làm việc, GUESS.")
    assert citizen_text_problems(bad) == ["ho_tro_mai_tang: citizen.duration: contains a source tag 'GUESS'"]


def test_source_tags_are_caught_in_the_referral(data: dict[str, Any]) -> None:
    referral = "Thủ tục này do Công an tỉnh giải quyết theo MEM."
    bad = with_citizen(data, "ly_lich_tu_phap", referral=referral)
    assert citizen_text_problems(bad) == ["ly_lich_tu_phap: citizen.referral: contains a source tag 'MEM'"]


def test_legal_citation_is_caught(data: dict[str, Any]) -> None:
    fee = "Hai mươi nghìn đồng; miễn cho đối tượng theo Điều 4 TT 75/2022"
    problems = citizen_text_problems(with_citizen(data, "dang_ky_thuong_tru", fee=fee))
    assert "dang_ky_thuong_tru: citizen.fee: contains a legal citation 'Điều 4', 'TT 75/2022'" in problems
    assert "dang_ky_thuong_tru: citizen.fee: contains digits '4', '75/2022'" in problems
    assert "dang_ky_thuong_tru: citizen.fee: contains an abbreviation 'TT'" in problems
    assert len(problems) == 3


@pytest.mark.parametrize("text", ["Miễn phí theo Luật Hộ tịch.", "Miễn phí theo Nghị định mới.",
                                  "Miễn phí theo Thông tư của Bộ Tài chính."])
def test_citation_without_a_number_is_caught(text: str) -> None:
    assert next(found for found, _ in citizen_string_problems(text)).startswith("a legal citation")


def test_plain_words_that_look_like_citation_words_pass() -> None:
    assert citizen_string_problems("Điều kiện là các khoản tiền đã nộp; luật sư không cần.") == []


def test_english_word_is_caught(data: dict[str, Any]) -> None:
    documents = citizen_documents(data, "khai_bao_tam_vang")
    documents[0]["text"] = "Portal lists no fee"
    problems = citizen_text_problems(with_citizen(data, "khai_bao_tam_vang", documents=documents))
    assert problems == ["khai_bao_tam_vang: citizen.documents[0].text: contains a word that is not Vietnamese "
                        "'Portal', 'lists', 'fee'"]


def test_capital_abbreviation_is_caught(data: dict[str, Any]) -> None:
    documents = citizen_documents(data, "chung_thuc_chu_ky")
    documents[1] = {"text": "Thẻ căn cước, bản chính", "short": "CCCD", "when": "nếu không có BHYT"}
    problems = citizen_text_problems(with_citizen(data, "chung_thuc_chu_ky", documents=documents))
    assert problems == [
        "chung_thuc_chu_ky: citizen.documents[1].short: contains an abbreviation 'CCCD'",
        "chung_thuc_chu_ky: citizen.documents[1].when: contains an abbreviation 'BHYT'",
    ]


def test_lower_case_abbreviation_is_not_vietnamese() -> None:
    assert citizen_string_problems("mang cccd") == [
        ("a word that is not Vietnamese 'cccd'",
         "Vietnamese words only (or a name on the allow-list: QR, VNeID, VssID)")
    ]


def test_allow_list_is_minimal_and_exact() -> None:
    assert sorted(CITIZEN_ALLOWED_WORDS) == ["QR", "VNeID", "VssID"]
    assert citizen_string_problems("Mở ứng dụng VNeID trên điện thoại.") == []
    assert citizen_string_problems("Mở ứng dụng VNEID.")[0][0] == "an abbreviation 'VNEID'"
    assert citizen_string_problems("Hoặc nhắn qua Zalo.")[0][0] == "a word that is not Vietnamese 'Zalo'"


def test_missing_referral_for_a_referred_procedure(data: dict[str, Any]) -> None:
    bad = with_citizen(data, "ly_lich_tu_phap", referral=None)
    assert citizen_text_problems(bad) == [
        "ly_lich_tu_phap: citizen.referral: has nothing although the procedure is not handled at the ward"
    ]


# --- letan config check refuses such a catalogue ------------------------------------------------


def write_bad_catalogue(data: dict[str, Any], tmp_path: Path) -> Path:
    changed = copy.deepcopy(data)
    changed["procedures"][0]["citizen"]["fee"] = "Miễn phí trong 60 ngày (GUESS)."
    path = tmp_path / "procedures.yaml"
    path.write_text(yaml.safe_dump(changed, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_loading_a_catalogue_with_bad_citizen_text_is_a_config_error(data: dict[str, Any], tmp_path: Path) -> None:
    path = write_bad_catalogue(data, tmp_path)
    with pytest.raises(ConfigError) as info:
        load_catalogue_checked(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: procedures[0].citizen.fee: found digits '60' (procedure 'khai_sinh'); "
        "expected every number in words ('sáu mươi', not '60')",
        f"{path}: procedures[0].citizen.fee: found a source tag 'GUESS' (procedure 'khai_sinh'); "
        "expected no source tags (they belong in sources and notes)",
    ]


def test_config_check_cli_exits_2_on_bad_citizen_text(data: dict[str, Any], tmp_path: Path) -> None:
    path = write_bad_catalogue(data, tmp_path)
    result = subprocess.run([sys.executable, "-m", "letan", "config", "check", str(CUA_NAM), "--catalogue", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{path}: procedures[0].citizen.fee: found digits '60' (procedure 'khai_sinh')")


# --- the audit's "differs" rows, corrected --------------------------------------------------------


def test_khai_sinh_late_registration_free_for_listed_families(catalogue: Catalogue) -> None:
    fee = catalogue.get("khai_sinh").citizen.fee
    assert "sáu mươi ngày" in fee
    for group in ("có công với cách mạng", "hộ nghèo", "khuyết tật"):
        assert group in fee
    assert "muộn" in fee


def test_khai_sinh_proxy_relatives_include_child_and_spouse(catalogue: Catalogue) -> None:
    proc = catalogue.get("khai_sinh")
    proxy = next(d for d in proc.citizen.documents if d.short == "giấy ủy quyền")
    assert "ông, bà, cha, mẹ, con, vợ, chồng, anh, chị, em ruột" in proxy.text
    assert proxy.when == "nếu nhờ người khác đi thay"
    assert any("con, vợ, chồng" in d for d in proc.documents)


def test_ket_hon_no_longer_asks_for_divorce_papers(catalogue: Catalogue) -> None:
    proc = catalogue.get("ket_hon")
    for doc in proc.citizen.documents:
        for text in (doc.text, doc.short, doc.when or ""):
            assert "ly hôn" not in text and "trích lục" not in text and "độc thân" not in text
    divorce = [d for d in proc.documents if "ly hôn" in d]
    assert len(divorce) == 1 and "không phải nộp" in divorce[0]


def test_xac_nhan_tinh_trang_hon_nhan_fee_is_payable_with_exemptions(catalogue: Catalogue) -> None:
    proc = catalogue.get("xac_nhan_tinh_trang_hon_nhan")
    assert "vài nghìn" not in proc.fee and "GUESS" not in proc.sources["fee"]
    fee = proc.citizen.fee
    assert fee.startswith("Có thu lệ phí theo mức của thành phố")
    assert "Miễn phí cho người thuộc gia đình có công với cách mạng, hộ nghèo và người khuyết tật" in fee


def test_nhan_cha_me_con_all_parties_present(catalogue: Catalogue) -> None:
    texts = [d.text for d in catalogue.get("nhan_cha_me_con").citizen.documents]
    assert any("đều phải có mặt" in t and "không nhờ người khác đi thay" in t for t in texts)


def test_land_and_house_contracts_only_where_the_property_is(catalogue: Catalogue) -> None:
    docs = catalogue.get("chung_thuc_hop_dong_giao_dich").citizen.documents
    where = [d for d in docs if d.when == "nếu là hợp đồng về đất hoặc nhà"]
    assert len(where) == 1 and "chỉ chứng thực tại phường, xã nơi có đất, nhà" in where[0].text


@pytest.mark.parametrize("procedure_id", ["dang_ky_tam_tru", "gia_han_tam_tru"])
def test_temporary_residence_fee_states_exemptions(catalogue: Catalogue, procedure_id: str) -> None:
    fee = catalogue.get(procedure_id).citizen.fee
    assert "mười lăm nghìn đồng" in fee and "bảy nghìn đồng" in fee
    for group in ("trẻ em dưới mười sáu tuổi", "người từ sáu mươi tuổi trở lên", "người khuyết tật", "hộ nghèo"):
        assert group in fee
    assert "TT 71/2025" in catalogue.get(procedure_id).fee


def test_social_allowance_takes_ten_working_days(catalogue: Catalogue) -> None:
    proc = catalogue.get("tro_cap_xa_hoi_hang_thang")
    assert proc.citizen.duration.startswith("Mười ngày làm việc")
    assert proc.processing_time.startswith("10 ngày làm việc") and proc.sources["processing_time"] == ("LAW",)


def test_social_pension_ten_days_and_who_qualifies(catalogue: Catalogue) -> None:
    proc = catalogue.get("tro_cap_huu_tri_xa_hoi")
    assert proc.citizen.duration.startswith("Mười ngày làm việc")
    assert proc.processing_time.startswith("10 ngày làm việc") and proc.sources["processing_time"] == ("LAW",)
    said = spoken(catalogue, "tro_cap_huu_tri_xa_hoi")
    assert "bảy mươi lăm tuổi" in said and "bảy mươi tuổi" in said and "cận nghèo" in said
    assert "năm trăm nghìn đồng mỗi tháng" in said


def test_identity_card_procedure_has_the_published_name(catalogue: Catalogue) -> None:
    assert catalogue.get("can_cuoc_tre_duoi_6_tuoi").name == "Cấp thẻ căn cước cho người dưới 14 tuổi"


@pytest.mark.parametrize(
    ("procedure_id", "fact", "citation"),
    [
        ("khai_sinh", "fee", "Luật Hộ tịch 2014 Điều 11(1)(a)"),
        ("khai_sinh", "documents", "TT 04/2020/TT-BTP Điều 2"),
        ("ket_hon", "documents", "CV 481/BTP-HTQTCT"),
        ("xac_nhan_tinh_trang_hon_nhan", "fee", "Luật Hộ tịch 2014 Điều 11(1)(a)"),
        ("nhan_cha_me_con", "documents", "Luật Hộ tịch 2014 Điều 25(1)"),
        ("chung_thuc_hop_dong_giao_dich", "level", "NĐ 280/2025/NĐ-CP"),
        ("dang_ky_tam_tru", "fee", "TT 71/2025/TT-BTC"),
        ("dang_ky_tam_tru", "processing_time", "Luật Cư trú 2020 Điều 28"),
        ("dang_ky_tam_tru", "documents", "Luật Cư trú 2020 Điều 28"),
        ("gia_han_tam_tru", "fee", "TT 71/2025/TT-BTC"),
        ("tro_cap_xa_hoi_hang_thang", "processing_time", "NĐ 147/2025/NĐ-CP"),
        ("tro_cap_huu_tri_xa_hoi", "processing_time", "NĐ 176/2025/NĐ-CP Điều 4"),
        ("can_cuoc_tre_duoi_6_tuoi", "name", "QĐ 5710/QĐ-BCA-C06"),
    ],
)
def test_corrected_facts_are_tagged_law_and_cited(catalogue: Catalogue, procedure_id: str, fact: str,
                                                  citation: str) -> None:
    proc = catalogue.get(procedure_id)
    assert "LAW" in proc.sources[fact]
    assert citation in proc.notes and "audit 2026" in proc.notes


def test_temporary_residence_time_and_papers_are_not_tagged_with_the_fee_circular(catalogue: Catalogue) -> None:
    sources = catalogue.get("dang_ky_tam_tru").sources
    assert "S5" not in sources["processing_time"] and "S5" not in sources["documents"]
