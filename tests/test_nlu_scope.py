"""Long and indirect turns (issue 12, item 10): the question a long story asks is taken from the clause that asks
it, an aside in another clause is not the turn's reading, and situations that never name a procedure
(config/understanding/situations.yaml) lead to it. The phrases alone here: no classifier is trained."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dialogs.classifier import read_labelled
from dialogs.nlu import Understander, _clause_tokens, _dossier_asked_after
from robot.config import load_catalogue_checked
from robot.understander import SITUATIONS, TRAINING_DIR, make_understander, model_key, with_situations


@pytest.fixture(scope="module")
def nlu() -> Understander:
    return Understander(with_situations(load_catalogue_checked()))


@pytest.mark.parametrize(("text", "procedure", "question"), [
    # "ở một mình lâu rồi" tells the story; the question is the last clause's
    ("Tui năm nay năm mươi tám tuổi, ở một mình lâu rồi, giờ tui với bà bạn tính về sống với nhau, tui muốn "
     "đăng ký kết hôn cho đàng hoàng, làm ở quầy nào vậy con?", "ket_hon", "counter"),
    # papers brought along are no question; "mất bao lâu" is
    ("Chào cháu, ông nhà bà mất được mười ngày rồi, bà mang theo giấy báo tử của bệnh viện với căn cước của ông, "
     "làm khai tử thì mất bao lâu hả cháu?", "khai_tu", "duration"),
    # "có cần ... không" about a paper is a documents question
    ("Con trai tôi đi làm xa, tôi muốn làm khai báo tạm vắng cho nó, có cần giấy ủy quyền không?",
     "khai_bao_tam_vang", "documents"),
])
def test_the_question_of_a_long_turn_is_the_clause_that_asks_it(
        nlu: Understander, text: str, procedure: str, question: str) -> None:
    said = nlu.understand(text)
    assert (said.intent, said.procedure, said.question) == ("procedure", procedure, question)


def test_an_aside_in_another_clause_is_a_request_of_its_own(nlu: Understander) -> None:
    text = "Tôi muốn đăng ký khai tử cho bà nhà tôi, mà tiện thể cho tôi hỏi nhà vệ sinh ở đâu?"
    said = nlu.understand(text)
    assert (said.intent, said.procedure, said.question) == ("procedure", "khai_tu", None)
    parts = nlu.understand_turn(text)
    assert [(p.intent, p.procedure, p.place) for p in parts] == [
        ("procedure", "khai_tu", None), ("directions", None, "toilet")]
    # alone, the same words still ask the way
    assert nlu.understand("nhà vệ sinh ở đâu").place == "toilet"


@pytest.mark.parametrize(("text", "procedure"), [
    ("Tía tui mới khuất núi hôm rằm, tui lên đây coi giấy tờ của ổng phải tính sao.", "khai_tu"),
    ("Con bé nhà tui mới chào đời hôm rằm.", "khai_sinh"),
    ("Tôi cần giấy chứng minh còn son rỗi để đi làm dâu bên Hàn.", "xac_nhan_tinh_trang_hon_nhan"),
    ("Ông nhà tôi bị tai biến, tay run không ký được, muốn in dấu vân tay vào giấy tờ.", "chung_thuc_chu_ky"),
    ("Nhà tôi tính đổ móng cất nhà mới trên đất vườn.", "giay_phep_xay_dung_nha_o"),
])
def test_situations_lead_to_the_procedure(nlu: Understander, text: str, procedure: str) -> None:
    said = nlu.understand(text)
    assert (said.intent, said.procedure) == ("procedure", procedure)
    assert Understander(load_catalogue_checked()).understand(text).procedure != procedure  # the cues did it


def test_a_weak_cue_does_not_turn_a_follow_up_into_another_procedure(nlu: Understander) -> None:
    said = nlu.understand("mỗi tháng được bao nhiêu tiền")
    assert (said.intent, said.question) == ("question", "fee")


def test_situations_extend_the_keywords_and_name_only_known_ids(tmp_path: Path) -> None:
    catalogue = load_catalogue_checked()
    extended = with_situations(catalogue)
    assert "khuất núi" in extended.get("khai_tu").keywords and "khuất núi" not in catalogue.get("khai_tu").keywords
    assert with_situations(catalogue, tmp_path) is catalogue  # no file: the catalogue as it is
    (tmp_path / SITUATIONS).write_text(yaml.safe_dump({"procedures": {"khai_ba": ["x"]}}), encoding="utf-8")
    with pytest.raises(ValueError, match="khai_ba"):
        with_situations(catalogue, tmp_path)


def test_the_model_key_follows_the_situations(tmp_path: Path) -> None:
    catalogue = load_catalogue_checked()
    for path in TRAINING_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    before = model_key(with_situations(catalogue, tmp_path), tmp_path)
    assert before == model_key(with_situations(catalogue), TRAINING_DIR)
    situations = tmp_path / SITUATIONS
    situations.write_text(situations.read_text(encoding="utf-8").replace("khuất núi, ", ""), encoding="utf-8")
    assert model_key(with_situations(catalogue, tmp_path), tmp_path) != before


def test_a_bare_yes_or_no_in_a_training_file_is_read_as_the_intent(tmp_path: Path) -> None:
    path = tmp_path / "more.yaml"
    path.write_text("items:\n- {text: 'thôi khỏi', style: casual, intent: no}\n"
                    "- {text: 'ừ', style: casual, intent: yes}\n", encoding="utf-8")
    assert [example.targets for example in read_labelled(path)] == [(("no", 1.0),), (("yes", 1.0),)]


@pytest.mark.parametrize(("text", "asked_after"), [
    ("Hồ sơ làm lại giấy khai sinh cho ông nhà tôi nộp từ đầu tháng, giờ đến bước nào rồi em?", True),
    ("Tuần trước em nộp làm thẻ cho bé ba tuổi, giờ tới nhận được chưa ạ?", True),
    ("bac nop don xin xac nhan khuyet tat cho thang chau tu hoi thang sau ma sao van chua thay gi", True),
    ("Có giấy hẹn hôm nay, cô xem giúp hợp đồng đã chứng thực xong chưa", True),
    # handed in, but what is asked is the procedure's own question
    ("Tuần trước tôi nộp hồ sơ khai sinh thì bị trả vì thiếu giấy, giờ đem đủ rồi, nộp ở quầy nào?", False),
    # money paid is not a dossier handed in; a paper never had is not one waited for
    ("Bác nộp tiền đủ rồi từ năm chín mươi hai, có biên lai, mà vẫn chưa có sổ đỏ, muốn làm sổ", False),
    ("Thằng Út đẻ ở nhà hồi đó, tới giờ bảy tuổi rồi mà chưa có tờ giấy nào, trường đòi hoài", False),
])
def test_a_dossier_handed_in_and_asked_after_is_a_lookup(text: str, asked_after: bool) -> None:
    tokens, starts, _ = _clause_tokens(text)
    assert _dossier_asked_after(tokens, starts) is asked_after


def test_a_lookup_keeps_the_procedure_it_names(nlu: Understander) -> None:
    result = nlu.understand("Cháu ơi, bác nộp đơn xin xác nhận khuyết tật cho thằng cháu từ hồi tháng sáu mà sao vẫn "
                            "chưa thấy gì")
    assert (result.intent, result.procedure, result.question) == (
        "lookup_dossier", "xac_dinh_muc_do_khuyet_tat", None)


def test_an_item_asked_beside_a_procedure_is_still_read() -> None:
    """The classifier hears the water; the phrases read the procedure, and which item from the whole turn."""
    understander = make_understander(load_catalogue_checked())
    result = understander.understand("Tui làm cái tạm trú xong rồi, còn chờ ông xã làm giấy tờ đất. Nóng quá em ơi, "
                                     "có nước mát hông, cho tui xin một chai nước suối đi, tui trả tiền cũng được.")
    assert (result.intent, result.item) == ("refreshment", "water")


@pytest.mark.parametrize(("text", "procedure", "question"), [
    ("Tôi muốn đăng ký hộ kinh doanh cho quán bún, nộp đây luôn được không em?", "thanh_lap_ho_kinh_doanh", "counter"),
    ("Tôi muốn làm giấy phép xây dựng, nộp ở tầng mấy hả chú?", "giay_phep_xay_dung_nha_o", "counter"),
    ("Con nhập học, trường đòi thêm bản sao giấy khai sinh, xin thêm tờ mất mấy đồng?", "ban_sao_trich_luc_ho_tich",
     "fee"),
    ("Tôi muốn đăng ký kết hôn ở đây, bạn gái tôi có phải đi cùng không?", "ket_hon", "documents"),
])
def test_roundabout_questions_about_a_procedure(nlu: Understander, text: str, procedure: str, question: str) -> None:
    result = nlu.understand(text)
    assert (result.intent, result.procedure, result.question) == ("procedure", procedure, question)


def test_money_in_a_complaint_is_no_fee_question(nlu: Understander) -> None:
    assert nlu.understand("Dạo này xăng lên giá quá, chạy Grab cả ngày chẳng còn được mấy đồng.").question is None


def test_a_lookup_the_classifier_hears_keeps_the_procedure_the_phrases_named() -> None:
    understander = make_understander(load_catalogue_checked())
    for text, procedure in (("tra cứu hồ sơ sổ đỏ", "cap_gcn_dat_lan_dau"),
                            ("hồ sơ khai sinh nộp tuần trước có kết quả chưa", "khai_sinh"),
                            ("tôi muốn tra cứu hồ sơ", None)):
        result = understander.understand(text)
        assert (result.intent, result.procedure) == ("lookup_dossier", procedure), text
