"""Issue 12 in the dialog manager: context, follow-ups, negation, corrections, several requests a turn,
clarifying questions, centre hours, referrals, forms of address, refreshments, guiding, typed dossier codes
and bad input. Real understander, catalogue and centre file; the ports are the recording World."""

from __future__ import annotations

from datetime import datetime

from dialogs.catalogue import Catalogue
from dialogs.manager import DialogManager, ManagerSettings, State, dossier_code_in
from dialogs.nlu import Understander
from dialogs.understanding import Understanding
from robot.centre_info import ConfigCentreInfo
from robot.config import CentreConfig
from tests.dialog_world import Clock, World, make


def test_follow_up_questions_are_about_the_procedure_under_discussion(manager: DialogManager, world: World,
                                                                      catalogue: Catalogue) -> None:
    manager.heard("đăng ký kết hôn ở quầy nào vậy em")
    assert "kết hôn làm ở quầy số ba" in world.texts[-2] and manager.offer is not None
    manager.heard("thế lệ phí hết bao nhiêu hả em?")
    assert f"Dạ, về lệ phí kết hôn: {catalogue.get('ket_hon').citizen.fee}" in world.texts
    assert world.issued == [] and manager.offer is not None and manager.offer.kind == "ticket"  # asked again
    manager.heard("mấy hôm thì có kết quả?")  # a question at a yes/no prompt is answered, never a yes
    assert world.texts[-2].startswith("Dạ, thời gian giải quyết kết hôn") and world.issued == []
    manager.heard("vâng, lấy số cho tôi")
    assert world.issued == [("ho_tich", False)]


def test_a_question_before_any_procedure_asks_which_one(manager: DialogManager, world: World) -> None:
    manager.heard("cần chuẩn bị những gì?")
    assert world.texts[-1] == "Dạ, ông bà hỏi về thủ tục nào ạ?"
    manager.heard("khai tử")
    assert any(t.startswith("Dạ, để làm khai tử, ông bà cần") for t in world.texts)


def test_negation_and_deferral_cancel_the_request(manager: DialogManager, world: World) -> None:
    manager.heard("tôi muốn chứng thực chữ ký")
    manager.heard("thôi khỏi lấy số em ạ")
    assert world.issued == [] and world.texts[-2] == "Dạ vâng." and manager.state is State.ANYTHING_ELSE
    manager.heard("mai tôi quay lại sau")  # "quay" is not "quầy": nobody is led anywhere
    assert world.guided == [] and world.ended()[2] == "done"


def test_a_correction_replaces_the_procedure(manager: DialogManager, world: World) -> None:
    manager.heard("không phải khai tử, tôi cần khai sinh")
    said = " ".join(world.texts)
    assert "khai sinh làm ở quầy" in said and "khai tử" not in said
    manager.heard("giấy tờ gì và hết bao nhiêu tiền")  # two questions, answered in order
    documents = next(i for i, t in enumerate(world.texts) if t.startswith("Dạ, để làm khai sinh"))
    fee = next(i for i, t in enumerate(world.texts) if t.startswith("Dạ, về lệ phí khai sinh"))
    assert documents < fee and "khai tử" not in " ".join(world.texts)


def test_two_requests_in_one_turn_are_both_handled_in_order(manager: DialogManager, world: World) -> None:
    manager.heard("khai tử cần giấy gì, với lại chỗ vệ sinh ở đâu")
    assert any(t.startswith("Dạ, để làm khai tử") for t in world.texts)
    assert world.guided == [("toilet", None)]
    assert not any("lấy số thứ tự" in t for t in world.texts)  # no offer left hanging before walking off


def test_a_ticket_then_the_way_in_one_turn(manager: DialogManager, world: World) -> None:
    world.guide_points = True
    manager.heard("lấy số chứng thực rồi chỉ tôi chỗ phô tô")
    assert world.issued == [("chung_thuc", False)] and world.guided == [("photocopy", None)]
    assert world.texts[-1] == "Ông bà cần em giúp gì thêm không ạ?"


def test_unsure_ticket_request_asks_a_question_that_names_the_procedure(
        catalogue: Catalogue, understander: Understander, world: World, clock: Clock) -> None:
    manager = make(catalogue, understander, world, clock, min_confidence=0.97)  # everything is unsure
    manager.heard("cho tôi lấy số chứng thực bản sao")
    assert world.texts[-1] == "Dạ, ông bà muốn lấy số chứng thực bản sao phải không ạ?"
    manager.heard("vâng")
    assert world.issued == [("chung_thuc", False)]
    assert not any("chưa nghe rõ" in t for t in world.texts)


def test_opening_hours_lunch_and_the_next_opening_come_from_the_centre(
        catalogue: Catalogue, understander: Understander, world: World, clock: Clock,
        centre: CentreConfig) -> None:
    at = {"now": datetime(2026, 11, 25, 16, 45, tzinfo=centre.site.tz)}  # a Wednesday, after the last ticket
    info = ConfigCentreInfo(centre, lambda: at["now"])
    manager = DialogManager(catalogue, understander, speaker=world, queue=world, dossiers=world, guide=world,
                            refreshments=world, events=world, settings=ManagerSettings(), clock_fn=clock,
                            centre=info)
    manager.heard("mấy giờ thì nghỉ trưa")
    assert "Nghỉ trưa từ mười hai giờ trưa đến một giờ rưỡi chiều." in world.texts
    assert "Máy lấy số phát số cuối lúc bốn giờ rưỡi chiều." in world.texts
    manager.heard("thứ bảy có làm việc không em")
    assert "Dạ, thứ bảy trung tâm làm việc buổi sáng từ tám giờ sáng đến mười hai giờ trưa ạ." in world.texts
    manager.heard("thế chủ nhật thì sao")
    assert "Dạ, chủ nhật trung tâm không làm việc ạ." in world.texts
    assert "Trung tâm mở cửa lại vào thứ hai, từ tám giờ sáng." in world.texts
    assert not any(ch.isdigit() for t in world.texts for ch in t)


def test_referrals_say_where_to_go(manager: DialogManager, world: World, catalogue: Catalogue) -> None:
    for text, topic in (("tôi muốn làm hộ chiếu", "passport"), ("đổi bằng lái xe ở đâu", "driving_licence"),
                        ("tôi muốn ly hôn", "divorce")):
        manager.heard(text)
        where = catalogue.referrals.get(topic)
        assert where is not None and world.texts[-2] == f"Dạ, {where.where[0].lower()}{where.where[1:]}"
    assert world.issued == [] and not any("gặp cán bộ" in t for t in world.texts)


def test_the_robot_s_pronoun_goes_with_the_citizen_s(manager: DialogManager, world: World) -> None:
    manager.heard("cho bác hỏi làm khai sinh ở đâu")
    assert "Bác có muốn lấy số thứ tự không ạ?" in world.texts
    manager.heard("không, cảm ơn cháu")  # declines the ticket
    assert world.texts[-1] == "Bác cần cháu giúp gì thêm không ạ?"
    manager.heard("thôi cảm ơn cháu nhé")
    assert world.texts[-1] == "Dạ, cháu chào bác. Chúc bác một ngày tốt lành ạ."
    manager.person_arrived()
    manager.heard("em muốn hỏi đăng ký tạm trú")  # calls themself "em": "anh chị", the robot stays "em"
    assert world.texts[-1] == "Anh chị có muốn lấy số thứ tự không ạ?"
    manager.heard("cảm ơn")
    assert world.texts[-1] == "Dạ, không có gì ạ. Em chào anh chị."
    manager.person_arrived()
    manager.heard("vợ em mới sinh, em muốn làm khai sinh cho cháu")  # a husband: "anh"
    assert world.texts[-1] == "Anh có muốn lấy số thứ tự không ạ?"
    manager.person_arrived()
    manager.heard("cháu ơi, nhà vệ sinh ở đâu")  # calls the robot "cháu": the robot is "cháu" to "bác"
    assert world.texts[-1] == "Cháu xin phép quay về chỗ đón khách. Cháu chào bác ạ."


class Readings:
    """A plain understander that reads each text as given: what the classifier reads in a long answer."""

    def __init__(self, readings: dict[str, Understanding]) -> None:
        self.readings = readings

    def understand(self, text: str) -> Understanding:
        return self.readings[text]


def test_a_yes_that_asks_for_a_ticket_prints_one_even_when_nothing_was_offered(
        catalogue: Catalogue, world: World, clock: Clock) -> None:
    """"Có chứ em, chị muốn lấy số, ..." read as a yes that asks for the ticket (Understanding.ticket): the answer
    at the ticket offer, a ticket request at the first prompt; a plain yes at the first prompt asks again."""
    readings = Readings({"kết hôn": Understanding("procedure", 0.95, procedure="ket_hon"),
                         "có chứ, lấy số": Understanding("yes", 0.95, ticket=True),
                         "có chứ": Understanding("yes", 0.95)})
    manager = make(catalogue, readings, world, clock)  # type: ignore[arg-type]
    manager.heard("có chứ")
    assert world.issued == [] and manager.state is State.LISTEN
    assert world.texts[-1] == "Dạ, em chưa nghe rõ. Ông bà nói lại giúp em ạ."
    manager.heard("có chứ, lấy số")  # a ticket request: for which procedure (as "cho tôi lấy số" is)
    assert world.texts[-1] == "Dạ, ông bà cần làm thủ tục gì để em lấy số ạ?"
    manager.heard("kết hôn")
    assert world.issued == [("ho_tich", False)] and world.procedures == ["ket_hon"]
    offered = make(catalogue, readings, world, clock)  # type: ignore[arg-type]
    offered.heard("kết hôn")
    assert offered.offer is not None and offered.offer.kind == "ticket"
    offered.heard("có chứ, lấy số")  # the answer to the offer: one ticket
    assert world.issued == [("ho_tich", False)] * 2 and world.procedures == ["ket_hon"] * 2
    readings.readings |= {"chứng thực chữ ký": Understanding("procedure", 0.95, procedure="chung_thuc_chu_ky"),
                          "ừ, lấy số kết hôn": Understanding("yes", 0.95, ticket=True, procedure="ket_hon")}
    other = make(catalogue, readings, world, clock)  # type: ignore[arg-type]
    other.heard("chứng thực chữ ký")
    assert other.offer is not None and other.offer.kind == "ticket"
    other.heard("ừ, lấy số kết hôn")  # offered chứng thực, asked for kết hôn in the same words: kết hôn
    assert world.procedures == ["ket_hon"] * 3


def test_candy_or_water_as_asked_each_from_its_stock(manager: DialogManager, world: World) -> None:
    manager.heard("cho chị xin cái kẹo")
    assert world.dispensed == ["candy"] and world.texts[-2] == "Dạ, mời chị dùng kẹo ạ."
    manager.heard("cho chị xin cái kẹo nữa")
    assert world.texts[-2] == "Xin lỗi chị, hiện em hết kẹo rồi ạ."
    manager.heard("vậy cho chị cốc nước")
    assert world.dispensed[-1] == "water"


def test_leading_to_a_counter_without_a_ticket_offers_one_first(manager: DialogManager, world: World) -> None:
    manager.heard("đăng ký kết hôn ở quầy nào vậy")
    manager.heard("dẫn tôi tới quầy đó đi")
    assert world.guided == [] and "chưa có số thứ tự" in world.texts[-1]
    manager.heard("không cần")
    assert world.guided == [("counter", 3)] and world.with_ticket == [False] and world.issued == []


def test_a_dossier_code_typed_or_read_out_is_looked_up(manager: DialogManager, world: World) -> None:
    manager.heard("tôi muốn tra cứu hồ sơ")
    assert "đọc mã hồ sơ" in world.texts[-1]
    manager.heard("mã hồ sơ của tôi là 000.A0.01.H26-260105-0009")
    assert world.lookups == 1 and world.dossier_text in world.texts
    assert dossier_code_in("hai sáu không một không năm gạch không không không chín") == "260105-0009"
    assert dossier_code_in("tôi muốn làm khai sinh") is None
    manager.heard("không cần nữa")
    assert world.ended()[2] == "done"


def test_bad_input_gets_a_clear_answer_and_is_never_repeated(manager: DialogManager, world: World) -> None:
    for text in ("", "   ", "🙂🙂🙂", "x" * 5000, "你好 привет hello", "không không không không không",
                 "đồ ngu đồ khốn nạn"):
        manager.person_arrived()
        manager.heard(text)
        assert world.texts, text
        assert manager.session is not None
    assert world.issued == []
    assert not any("khốn" in t or "ngu" in t.split() for t in world.texts)
