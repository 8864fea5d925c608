"""Dialog scenarios driven with text through every state, with the real understander and the real
catalogue and centre configuration. The ports are small in-test worlds that record what happened."""

from __future__ import annotations

import logging

import pytest

from dialogs.catalogue import Catalogue
from dialogs.manager import END_REASONS, DialogManager, State
from dialogs.nlu import Understander
from robot.config import CentreConfig
from tests.dialog_world import Clock, World, make

DOSSIER_QR = "https://dichvucong.gov.vn/portaldvc/tra-cuu?SGT=001085012345&MHS=000.A0.01.H26-210212-9090"


def test_greets_once_per_person(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    assert manager.state is State.LISTEN
    assert world.said == [("Dạ, em chào ông bà. Em là rô bốt lễ tân. Ông bà cần làm thủ tục gì ạ?", "greet.ong_ba")]
    manager.person_arrived()
    manager.person_arrived()
    assert len(world.said) == 1
    assert world.events == [("started", "s1")]
    assert list(manager.trace) == [State.ATTRACT, State.LISTEN, State.GREET, State.LISTEN]


def test_procedure_to_ticket_to_farewell_through_every_state(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    manager.heard("con tôi mới đẻ được hai tuần, tôi muốn làm giấy khai sinh cho cháu")
    assert manager.state is State.CONFIRM and manager.offer is not None and manager.offer.kind == "ticket"
    assert "khai sinh làm ở quầy số" in world.texts[-2]
    assert world.texts[-1] == "Ông bà có muốn lấy số thứ tự không ạ?"
    manager.heard("có")
    [(service_id, priority)] = world.issued
    assert priority is False
    prefix = world.centre.service(service_id).prefix
    ticket = next(t for t in world.texts if "được số" in t)
    assert f"Dạ, ông bà được số {prefix} không một hai." in ticket
    assert "Mời ông bà đến quầy số" in ticket
    assert "Phía trước còn ba người, chờ khoảng mười lăm phút." in world.texts
    assert manager.state is State.ANYTHING_ELSE
    manager.heard("không")
    assert world.texts[-1].startswith("Dạ, em chào ông bà. Chúc")
    assert manager.state is State.ATTRACT
    assert world.ended() == ("ended", "s1", "done", "take_number", "khai_sinh")
    assert {State.ATTRACT, State.GREET, State.LISTEN, State.UNDERSTAND, State.CONFIRM, State.ACT,
            State.ANYTHING_ELSE, State.FAREWELL} <= set(manager.trace)
    # The same person still standing there is not greeted again.
    manager.person_arrived()
    assert world.events.count(("started", "s2")) == 0


def test_answers_questions_from_the_catalogue(manager: DialogManager, world: World, catalogue: Catalogue) -> None:
    manager.heard("làm khai sinh hết bao nhiêu tiền")
    fee = catalogue.get("khai_sinh").citizen.fee
    assert f"Dạ, về lệ phí khai sinh: {fee}" in world.texts  # the citizen text, never the source notes
    assert all("(" not in t and not any(ch.isdigit() for ch in t) for t in world.texts)
    manager.heard("không")  # no ticket
    assert manager.state is State.ANYTHING_ELSE
    manager.touched("procedure:chung_thuc_ban_sao:documents")
    docs = next(t for t in world.texts if t.startswith("Dạ, để làm chứng thực bản sao"))
    first = catalogue.get("chung_thuc_ban_sao").citizen.documents[0]
    assert first.short in docs or first.text.lower() in docs.lower()


def test_silence_reprompts_change_then_time_out(manager: DialogManager, world: World, clock: Clock) -> None:
    manager.person_arrived()
    clock.now += 7.9
    manager.tick()
    assert len(world.said) == 1  # not yet
    clock.now += 0.2
    manager.tick()
    clock.now += 8.1
    manager.tick()
    first, second = world.texts[1:3]
    assert first != second and "ví dụ" in second
    assert manager.misses == 2 and manager.state is State.LISTEN
    clock.now += 8.1
    manager.tick()
    assert manager.state is State.ATTRACT
    assert world.ended()[2] == "timeout"
    assert not any(e[0] == "help" for e in world.events)


def test_repeated_failures_hand_over_to_staff(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    manager.heard("")
    manager.heard("xyz qwe")
    assert world.texts[1] == "Dạ, em chưa nghe rõ. Ông bà nói lại giúp em ạ."
    assert world.texts[2] != world.texts[1]
    manager.heard("")
    assert world.texts[-1].startswith("Dạ, em đã báo cán bộ")
    assert ("help", "s1", "not_understood") in world.events
    assert world.ended()[2] == "handed_over"


def test_unsure_offers_the_top_two(catalogue: Catalogue, understander: Understander, world: World,
                                   clock: Clock) -> None:
    manager = make(catalogue, understander, world, clock, min_confidence=1.01)  # every guess is unsure
    manager.heard("bố tôi mất tuần trước")
    assert manager.state is State.CONFIRM and manager.offer is not None
    choices = manager.offer.choices
    assert choices[0] == "khai_tu"
    question = world.texts[-1]
    assert "khai tử" in question and (question.endswith("hay " + catalogue.get(choices[1]).short_name + " ạ?")
                                       if len(choices) == 2 else question.endswith("phải không ạ?"))
    manager.heard("khai tử")
    assert manager.session is not None and manager.session.procedure == "khai_tu"
    assert any("khai tử làm ở quầy số" in t for t in world.texts)


def test_referral_and_out_of_scope(manager: DialogManager, world: World, centre: CentreConfig) -> None:
    manager.heard("tôi cần làm lý lịch tư pháp")
    assert world.texts[0].startswith("Dạ, thủ tục lý lịch tư pháp không làm ở đây ạ.")
    assert manager.state is State.ANYTHING_ELSE
    manager.heard("tôi muốn làm hộ chiếu")  # a referral topic: where to go, then "anything else?"
    assert world.texts[-2].startswith("Dạ, hộ chiếu làm ở phòng Quản lý xuất nhập cảnh")  # mid-sentence: lower case
    assert manager.state is State.ANYTHING_ELSE and world.issued == []
    manager.heard("robot có biết hát không")  # nobody here does that
    assert world.texts[-1] == "Dạ, việc này em chưa hỗ trợ ạ. Ông bà có muốn gặp cán bộ không ạ?"
    assert manager.offer is not None and manager.offer.kind == "staff"
    manager.heard("có")
    assert ("help", "s1", "out_of_scope") in world.events
    assert world.ended()[2] == "handed_over"


def test_directions_refreshment_and_repeat(manager: DialogManager, world: World) -> None:
    world.guide_arrives = False
    manager.heard("nhà vệ sinh ở đâu vậy")
    assert world.guided == [("toilet", None)]
    assert world.texts[-2].startswith("Xin lỗi ông bà, em không dẫn đường được")
    assert manager.state is State.ANYTHING_ELSE  # stopped on the way: still by the citizen's side
    manager.heard("cho tôi xin cốc nước")
    assert world.texts[-2] == "Dạ, mời ông bà dùng nước ạ."
    manager.touched("refreshment")
    assert world.dispensed == ["water", "water"]
    assert world.texts[-2] == "Xin lỗi ông bà, hiện em hết nước rồi ạ."
    before = list(world.texts)
    manager.heard("nói lại đi")
    assert world.texts[len(before):] == before[-2:]
    assert manager.state is State.ANYTHING_ELSE


def test_scan_looks_up_and_never_leaks_the_payload(manager: DialogManager, world: World,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    manager.scanned(DOSSIER_QR)
    assert world.lookups == 1
    assert world.texts[0].startswith("Hồ sơ của ông bà đang được xử lý")
    manager.silence()
    assert world.ended()[2:] == ("done", "lookup_dossier", None)
    everything = repr(world.events) + caplog.text
    assert "001085012345" not in everything and "H26" not in everything


def test_take_number_asks_which_procedure(manager: DialogManager, world: World) -> None:
    manager.heard("cho tôi lấy số")
    assert manager.state is State.LISTEN and world.texts[-1].startswith("Dạ, ông bà cần làm thủ tục gì")
    manager.heard("khai sinh")
    assert len(world.issued) == 1
    assert manager.state is State.ANYTHING_ELSE


def test_a_failing_port_ends_with_error_and_help(manager: DialogManager, world: World) -> None:
    world.queue_broken = True
    manager.touched("procedure:khai_sinh")
    manager.touched("yes")
    assert world.texts[-1].startswith("Xin lỗi ông bà, em đang gặp trục trặc")
    assert ("help", "s1", "error") in world.events
    assert world.ended()[2] == "error"
    assert manager.state is State.ATTRACT


def test_walking_away_aborts_and_every_reason_is_known(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    manager.person_left()
    assert world.ended()[2] == "aborted"
    manager.person_arrived()  # a new person: greeted again
    assert world.events[-1] == ("started", "s2")
    manager.abort()
    assert {e[2] for e in world.events if e[0] == "ended"} <= set(END_REASONS)


def test_configured_address_and_session_events_carry_no_words(catalogue: Catalogue, understander: Understander,
                                                              world: World, clock: Clock) -> None:
    manager = make(catalogue, understander, world, clock, address="bác")
    manager.person_arrived()
    # The robot's own word goes with the citizen's: "cháu" to "bác", never "em" to "bác".
    assert world.said[0] == ("Dạ, cháu chào bác. Cháu là rô bốt lễ tân. Bác cần làm thủ tục gì ạ?", "greet.bac")
    manager.heard("cảm ơn em nhé")
    assert world.texts[-1] == "Dạ, không có gì ạ. Cháu chào bác."
    for event in world.events:
        assert all(not isinstance(part, str) or len(part) < 40 for part in event)


def test_priority_said_anywhere_in_the_session_gives_a_priority_ticket(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    manager.heard("vâng, bác là người cao tuổi")  # an answer that goes on: understood, remembered
    assert manager.priority and manager.address == "bác"
    manager.touched("procedure:chung_thuc_ban_sao")  # the touch screen knows nothing of age
    manager.touched("yes")
    assert world.issued == [("chung_thuc", True)]
    assert "Dạ, cháu lấy số ưu tiên cho bác ạ." in world.texts
    assert world.texts.index("Dạ, cháu lấy số ưu tiên cho bác ạ.") < next(
        i for i, t in enumerate(world.texts) if "được số" in t)


def test_priority_before_the_procedure_is_known(manager: DialogManager, world: World) -> None:
    manager.heard("tôi đang mang thai, cho tôi lấy số")
    assert world.texts[-1].startswith("Dạ, ông bà cần làm thủ tục gì")
    manager.heard("khai sinh")
    assert world.issued == [("ho_tich", True)]
    manager.heard("không, cảm ơn cháu")  # no + thanks: declines more help
    assert world.ended()[2] == "done" and manager.state is State.ATTRACT
    # The next citizen starts without priority.
    manager.person_left()
    manager.person_arrived()
    manager.touched("procedure:khai_sinh")
    manager.touched("yes")
    assert world.issued[-1] == ("ho_tich", False)
    assert sum("ưu tiên" in t for t in world.texts) == 1


def test_answer_with_more_words_accepts_an_offer(manager: DialogManager, world: World) -> None:
    manager.heard("cho cháu hỏi chứng thực bản sao làm ở đâu")
    assert manager.offer is not None and manager.offer.kind == "ticket"
    manager.heard("có, tôi có mang theo cháu nhỏ")
    assert world.issued == [("chung_thuc", True)]
    manager.heard("không, cảm ơn cháu")
    assert world.ended()[2] == "done"


def test_guide_to_a_counter_of_the_session_s_procedure(manager: DialogManager, world: World,
                                                    centre: CentreConfig) -> None:
    manager.heard("tôi muốn đăng ký tạm trú")
    manager.heard("không")  # no ticket
    manager.heard("dẫn tôi ra quầy")
    cu_tru = {c.number for c in centre.counters_for_service("cu_tru")}
    [(place, counter)] = world.guided
    assert place == "counter" and counter in cu_tru and counter != 1


def test_guide_to_a_counter_of_the_ticket(manager: DialogManager, world: World, centre: CentreConfig) -> None:
    manager.touched("procedure:khai_sinh")
    manager.touched("yes")
    [(service_id, _)] = world.issued
    manager.touched("directions:counter")
    [(place, counter)] = world.guided
    assert place == "counter"
    assert counter in {c.number for c in centre.counters_for_service(service_id)} and counter != 1


def test_guide_to_a_counter_without_a_procedure_asks_first(manager: DialogManager, world: World,
                                                         centre: CentreConfig) -> None:
    manager.person_arrived()
    manager.heard("dẫn tôi đến quầy")
    assert world.guided == []  # no guess
    assert world.texts[-1] == "Dạ, ông bà làm thủ tục gì để em dẫn đến đúng quầy ạ?"
    assert manager.state is State.LISTEN
    manager.heard("khai sinh")
    assert world.guided == [] and manager.offer is not None and manager.offer.kind == "ticket"  # a ticket first
    assert "chưa có số thứ tự" in world.texts[-1]
    manager.heard("vâng")
    assert world.issued == [("ho_tich", False)]
    [(place, counter)] = world.guided
    assert place == "counter" and counter in {c.number for c in centre.counters_for_service("ho_tich")}
    assert world.with_ticket == [True]
    # Somebody else who does not know their procedure is led to the help desk.
    manager.person_arrived()
    manager.heard("dẫn tôi đến quầy")
    manager.heard("không")
    assert world.guided[-1] == ("help_desk", None)


def test_arrived_says_goodbye_there_ends_then_returns_to_base(manager: DialogManager, world: World) -> None:
    manager.person_arrived()
    manager.heard("cho bác hỏi nhà vệ sinh ở đâu")
    assert world.guided == [("toilet", None)] and world.addresses == ["bác"]
    assert world.texts[-1] == "Cháu xin phép quay về chỗ đón khách. Cháu chào bác ạ."
    assert not any("giúp gì thêm" in t for t in world.texts)
    ended = world.events.index(world.ended())
    assert world.ended()[2:4] == ("done", "directions")
    assert world.events[ended + 1:] == [("returned",)]  # back to base only after the session ended
    assert manager.state is State.ATTRACT and not manager.listening
    manager.person_arrived()  # the next person at the base is greeted
    assert world.events[-1] == ("started", "s2")


def test_pointing_keeps_the_conversation_going(manager: DialogManager, world: World) -> None:
    world.guide_points = True
    manager.heard("chỗ phô tô ở đâu")
    assert world.guided == [("photocopy", None)]
    assert world.texts[-1] == "Ông bà cần em giúp gì thêm không ạ?"
    assert not any("không dẫn đường được" in t for t in world.texts)  # the guide already showed the way
    assert ("returned",) not in world.events and manager.state is State.ANYTHING_ELSE


def test_texts_from_other_parts_use_the_session_s_address(catalogue: Catalogue, understander: Understander,
                                                          world: World, clock: Clock) -> None:
    world.dossier_text = "Dạ, hồ sơ của người nộp Lê V** T đang xử lý. Ông/bà chưa cần làm gì thêm."
    manager = make(catalogue, understander, world, clock, address="bác")
    manager.scanned(DOSSIER_QR)
    assert world.texts[0] == "Dạ, hồ sơ của người nộp Lê V** T đang xử lý. Bác chưa cần làm gì thêm."


def test_a_question_answered_before_the_ticket_asked_for(manager: DialogManager, world: World,
                                                          catalogue: Catalogue) -> None:
    """"cho tôi lấy số", then "khai sinh cần giấy gì vậy em": the papers are said, then the ticket is given (before,
    the ticket alone, the question unanswered)."""
    manager.person_arrived()
    manager.heard("cho tôi lấy số")
    assert world.issued == [] and "để em lấy số" in world.texts[-1]
    manager.heard("khai sinh cần giấy gì vậy em")
    papers = next(i for i, t in enumerate(world.texts) if t.startswith("Dạ, để làm khai sinh"))
    ticket = next(i for i, t in enumerate(world.texts) if "được số" in t)
    assert papers < ticket and len(world.issued) == 1
    assert catalogue.get("khai_sinh").citizen.documents[0].short in world.texts[papers]


def test_a_ticket_in_hand_is_told_how_its_turn_comes(manager: DialogManager, world: World) -> None:
    """"tôi lấy số rồi mà chưa thấy gọi" after a ticket: its number said back, no second ticket, no goodbye."""
    manager.person_arrived()
    manager.heard("lấy số khai sinh cho tôi")
    assert len(world.issued) == 1
    manager.heard("tôi lấy số rồi mà chưa thấy gọi")
    assert len(world.issued) == 1
    said = world.texts[-2]
    assert said == "Dạ, số B012 của ông bà đang chờ; phía trước còn hai người."  # where it stands now, from the queue
    assert manager.state is State.ANYTHING_ELSE and manager.session is not None and manager.session.active


@pytest.mark.parametrize("queue", ["forgot", "broken"])
def test_a_ticket_whose_standing_is_unknown_is_told_its_number(manager: DialogManager, world: World,
                                                                queue: str) -> None:
    """When the queue cannot say where this conversation's ticket stands (it does not know the number, or it fails),
    its number is said back and how its turn comes; the conversation goes on."""
    manager.person_arrived()
    manager.heard("lấy số khai sinh cho tôi")
    if queue == "forgot":
        world.numbers.clear()
    else:
        world.queue_broken = True
    manager.heard("tôi lấy số rồi mà chưa thấy gọi")
    said = world.texts[-2]
    assert said.startswith("Dạ, số của ông bà là B không một hai") and "mã QR trên phiếu" in said
    assert manager.state is State.ANYTHING_ELSE


@pytest.mark.parametrize("asked", ["còn mấy người nữa thì tới lượt tôi hả em", "bao giờ đến lượt tôi",
                                   "em ơi trước tôi còn mấy người"])
def test_when_is_my_turn_after_a_ticket_is_where_it_stands(manager: DialogManager, world: World, asked: str) -> None:
    """"bao giờ đến lượt tôi" (the robot's understander reads a ticket request; these phrases alone, nothing) after a
    ticket of this conversation asks where that ticket stands: no second ticket, no question which procedure."""
    manager.person_arrived()
    manager.heard("lấy số khai sinh cho tôi")
    world.ahead_now = "một"
    manager.heard(asked)
    assert len(world.issued) == 1
    assert "Dạ, số B012 của ông bà đang chờ; phía trước còn một người." in world.texts
    assert manager.state is State.ANYTHING_ELSE


def test_when_is_my_turn_beside_another_request(manager: DialogManager, world: World) -> None:
    """The turn asked beside another request is answered too, after it, and "anything else?" is asked once."""
    manager.person_arrived()
    manager.heard("lấy số khai sinh cho tôi")
    world.ahead_now = "một"
    start = len(world.texts)
    manager.heard("cho tôi xin cốc nước, còn mấy người nữa thì tới lượt tôi")
    assert world.dispensed == ["water"] and len(world.issued) == 1
    assert world.texts[start:] == ["Dạ, mời ông bà dùng nước ạ.", "Dạ, số B012 của ông bà đang chờ; phía trước còn một "
                                   "người.", "Ông bà cần em giúp gì thêm không ạ?"]
    assert manager.state is State.ANYTHING_ELSE


@pytest.mark.parametrize("said", ["tôi có vé thứ tự rồi", "tôi đã xin vé rồi mà"])
def test_a_ticket_in_hand_in_other_words_prints_no_second(manager: DialogManager, world: World, said: str) -> None:
    manager.person_arrived()
    manager.heard("lấy số khai sinh cho tôi")
    manager.heard(said)
    assert len(world.issued) == 1 and manager.state is State.ANYTHING_ELSE


def test_when_is_my_turn_without_a_ticket_here(manager: DialogManager, world: World) -> None:
    """Without a ticket of this conversation, "trước tôi còn mấy người" is told how to see its turn (the ticket's QR),
    and nothing is printed. A no stays a no, and "tôi chưa có phiếu" asks for none."""
    manager.person_arrived()
    manager.heard("em ơi trước tôi còn mấy người")
    assert world.issued == [] and "mã QR trên phiếu" in world.texts[-2]
    assert manager.state is State.ANYTHING_ELSE
    manager.heard("bao giờ thì tới lượt tôi, tôi chưa có phiếu")
    assert "mã QR trên phiếu" not in world.texts[-1]
