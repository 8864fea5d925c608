"""The understander on the traps of the brief, slots, confidence, speed, and the `letan understand` CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dialogs.nlu import Understander
from letan.bench import percentile
from robot.config import load_catalogue_checked
from robot.understander import with_situations

LETAN = [sys.executable, "-m", "letan"]


@pytest.fixture(scope="module")
def nlu() -> Understander:
    return Understander(load_catalogue_checked())


@pytest.mark.parametrize(
    "text", ["làm hộ chiếu", "lam ho chieu", "Tôi muốn làm hộ chiếu cho con", "hộ chiếu ở quầy nào"]
)
def test_passport_is_out_of_scope_not_burial_support(nlu: Understander, text: str) -> None:
    result = nlu.understand(text)
    assert result.intent == "referral" and result.topic == "passport"  # where to go: config/referrals.yaml
    assert result.procedure is None


def test_accented_ho_and_ho_stay_apart(nlu: Understander) -> None:
    assert nlu.understand("hỗ trợ mai táng").procedure == "ho_tro_mai_tang"
    assert nlu.understand("hộ kinh doanh").procedure == "thanh_lap_ho_kinh_doanh"
    assert nlu.understand("ho tro mai tang").procedure == "ho_tro_mai_tang"  # typed without accents: folded


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("con tôi mới đẻ được hai tuần", "khai_sinh"),
        ("bố tôi mất tuần trước", "khai_tu"),
        ("tôi muốn mở tiệm tạp hóa", "thanh_lap_ho_kinh_doanh"),
        ("má tui mới mất", "khai_tu"),
        ("ba em qua đời rồi", "khai_tu"),
    ],
)
def test_indirect_requests(nlu: Understander, text: str, procedure: str) -> None:
    result = nlu.understand(text)
    assert (result.intent, result.procedure) == ("procedure", procedure)


@pytest.mark.parametrize(
    ("text", "procedure"),
    [
        ("công chứng giấy tờ", "chung_thuc_ban_sao"),  # "công chứng" means chứng thực at the ward
        ("photo công chứng bằng đại học", "chung_thuc_ban_sao"),
        ("làm sổ đỏ", "cap_gcn_dat_lan_dau"),
        ("làm sổ hồng", "cap_gcn_dat_lan_dau"),
        ("sang tên sổ đỏ", "dang_ky_bien_dong_dat"),
        ("nhập hộ khẩu", "dang_ky_thuong_tru"),
        ("làm KT3", "dang_ky_tam_tru"),
        ("vợ tôi mới sinh", "khai_sinh"),
        ("xin lý lịch tư pháp", "ly_lich_tu_phap"),  # handled elsewhere, still recognised
    ],
)
def test_regional_words_and_slang(nlu: Understander, text: str, procedure: str) -> None:
    assert nlu.understand(text).procedure == procedure


def test_question_slot(nlu: Understander) -> None:
    assert nlu.understand("khai sinh cần giấy tờ gì").question == "documents"
    assert nlu.understand("khai sinh mất bao nhiêu tiền").question == "fee"
    assert nlu.understand("khai sinh mất bao lâu").question == "duration"
    assert nlu.understand("khai sinh làm ở quầy nào").question == "counter"
    assert nlu.understand("khai sinh").question is None


def test_counter_slot(nlu: Understander) -> None:
    five = nlu.understand("quầy số 5 ở đâu")
    assert (five.intent, five.place, five.counter) == ("directions", "counter", 5)
    assert nlu.understand("quầy số mười hai").counter == 12
    assert nlu.understand("quay so nam o dau").counter == 5


def test_address_and_priority(nlu: Understander) -> None:
    assert nlu.understand("cho bác hỏi làm khai sinh").address == "bác"
    assert nlu.understand("chú muốn nhập hộ khẩu").address == "chú"
    assert nlu.understand("làm khai sinh cho con").address is None  # "con" here is the child


@pytest.mark.parametrize(("text", "robot"), [
    ("bao giờ tới lượt tôi hả cháu", "cháu"), ("lấy số giùm nhé em", "em"), ("bao gio toi luot toi ha chau", "cháu"),
    ("được không con", "con"), ("làm khai sinh cho con", None), ("lấy số cho cháu", None),
])
def test_the_robot_called_at_the_end_of_a_turn(nlu: Understander, text: str, robot: str | None) -> None:
    """The word for the robot after the particle that ends a question or a request; "cho con" is for the child."""
    assert nlu.understand(text).robot_address == robot


@pytest.mark.parametrize("text", ["tôi đâu có muốn lấy số", "bác đâu có cần lấy số đâu cháu"])
def test_dau_co_after_the_speaker_says_no(nlu: Understander, text: str) -> None:
    """"đâu (có)" right after a person, before a will, says "not at all": no ticket."""
    assert nlu.understand(text).intent == "no"


@pytest.mark.parametrize("text", ["ở đâu lấy số vậy", "em ơi đâu có lấy số hả em", "chỗ nào lấy số",
                                  "em đâu có in số cho chị, in lại đi", "tôi đâu có lấy số được, cháu lấy giùm tôi",
                                  "chị ơi tôi đâu lấy số vậy"])
def test_dau_asking_where_still_asks(nlu: Understander, text: str) -> None:
    assert nlu.understand(text).intent == "take_number"


def test_the_speaker_is_the_owner_in_a_story_not_the_people_they_tell_of(nlu: Understander) -> None:
    candy = nlu.understand("Thằng cu nhà em ba tuổi, ngồi chờ từ nãy giờ, ở đây có kẹo không, cho cháu một cái")
    assert candy.address == "em"  # "nhà em": the speaker is "em"
    assert nlu.understand("Con bác đi làm ăn xa, nhờ làm giấy tạm vắng cho nó").address == "bác"
    assert nlu.understand("Con bé nhà em năm nay lên sáu, cô giáo dặn nộp bản sao giấy khai sinh").address == "em"
    assert nlu.understand("Mấy cô làm giấy hồi đó ghi sai tên mẹ tôi, giờ muốn sửa lại").address is None
    for other in ("mẹ con tôi muốn đăng ký tạm trú", "nhà ông bà ngoại cháu ở quê, cần nhập hộ khẩu về đó",
                  "con cháu trong nhà đi làm xa hết, tôi muốn khai báo tạm vắng", "nhà chị ấy muốn tách hộ",
                  "Tôi mua lại mảnh đất của nhà ông Tư bên cạnh, giờ muốn sang tên",
                  "Con chú Ba hàng xóm mới sinh, đi làm giấy khai sinh giùm", "chế độ cho con em liệt sĩ",
                  "Tôi ở nhờ nhà bác ruột, muốn đăng ký tạm trú"):
        assert nlu.understand(other).address is None, other  # kin in pairs, someone else's, a speaker who says tôi
    assert nlu.understand("tôi đang mang thai, lấy số ở đâu").priority
    assert nlu.understand("tôi 82 tuổi rồi, xin trợ cấp").priority
    assert not nlu.understand("tôi 30 tuổi, làm tạm trú").priority


def test_ambiguous_request_has_two_alternatives_and_low_confidence(nlu: Understander) -> None:
    result = nlu.understand("tôi hỏi về sổ đỏ và sang tên")  # clear
    assert result.procedure == "dang_ky_bien_dong_dat"
    unsure = nlu.understand("chứng thực")  # copy? signature? contract?
    assert unsure.intent == "procedure"
    clear = nlu.understand("chứng thực bản sao giấy tờ")
    assert clear.confidence > unsure.confidence
    tie = nlu.understand("mua bán đất")  # contract or land transfer
    assert tie.confidence < 0.6
    assert len(tie.alternatives) >= 2
    assert {name for name, _ in tie.alternatives[:2]} == {"chung_thuc_hop_dong_giao_dich", "dang_ky_bien_dong_dat"}


def test_confident_on_plain_requests(nlu: Understander) -> None:
    for text in ("đăng ký khai sinh cho con", "nhà vệ sinh ở đâu", "cho tôi lấy số", "cảm ơn em"):
        assert nlu.understand(text).confidence >= 0.6, text


def test_yes_no_only_in_short_replies(nlu: Understander) -> None:
    assert nlu.understand("vâng").intent == "yes"
    assert nlu.understand("không ạ").intent == "no"
    assert nlu.understand("chứng thực có mất tiền không").intent == "procedure"


def test_yes_or_no_then_a_statement_is_still_the_answer(nlu: Understander) -> None:
    elderly = nlu.understand("vâng, bác là người cao tuổi")
    assert (elderly.intent, elderly.priority, elderly.address) == ("yes", True, "bác")
    assert elderly.confidence >= 0.6
    child = nlu.understand("có, tôi có mang theo cháu nhỏ")
    assert (child.intent, child.priority) == ("yes", True)
    assert nlu.understand("ừ, chú là thương binh").address == "chú"
    for text in ("không, cảm ơn cháu", "không ạ, cảm ơn em", "thôi, cảm ơn nhé", "dạ không, cám ơn con"):
        result = nlu.understand(text)
        assert result.intent == "no" and result.confidence >= 0.6, (text, result)
    assert nlu.understand("không, tôi chỉ hỏi thôi").intent == "no"


def test_yes_or_no_gives_way_to_a_real_request(nlu: Understander) -> None:
    # the yes in the ticket's words: the ticket request the dialog acts on (Understanding.request)
    assert nlu.understand("vâng, lấy số cho tôi").request().intent == "take_number"
    assert nlu.understand("không, tôi muốn làm khai tử").procedure == "khai_tu"
    assert nlu.understand("có, cho tôi gặp cán bộ").intent == "human_help"
    assert nlu.understand("không, nhà vệ sinh ở đâu").place == "toilet"
    assert nlu.understand("có, tôi muốn làm hộ chiếu").intent == "referral"
    # A polite "dạ" or an "ok" alone does not answer anything: the thanks stay thanks.
    assert nlu.understand("dạ, cảm ơn cháu").intent == "thanks"
    assert nlu.understand("được rồi, cảm ơn em").intent == "thanks"
    # "có ... không" is a question, not a yes.
    assert nlu.understand("có chỗ ngồi chờ không").intent == "directions"


def test_speech_recognition_slips(nlu: Understander) -> None:
    assert nlu.understand("tạm chú cho công nhân").procedure == "dang_ky_tam_tru"
    assert nlu.understand("khai xinh cho con").procedure == "khai_sinh"
    assert nlu.understand("hộ kinh danh").procedure == "thanh_lap_ho_kinh_doanh"


@pytest.mark.parametrize(("text", "intent", "procedure", "question"), [
    # a formal opening is not "xin cho tôi số" read by edit distance
    ("Xin cho tôi hỏi trung tâm làm việc vào những ngày nào trong tuần ạ?", "centre_hours", None, None),
    ("xin cho em hỏi", "unknown", None, None),
    # a ticket in hand is not a request for one
    ("Không ạ, tôi đã có số thứ tự rồi.", "no", None, None),
    # an officer mentioned in the story is not a request for one
    ("Kính nhờ cán bộ hướng dẫn giúp tôi thủ tục gia hạn tạm trú, lệ phí là bao nhiêu ạ?", "procedure",
     "gia_han_tam_tru", "fee"),
    ("Ba tôi đi chữa bệnh vài tháng, cán bộ thôn nói nên báo cho phường biết ông đi vắng dài ngày.", "procedure",
     "khai_bao_tam_vang", None),
    ("cán bộ đâu rồi", "human_help", None, None),
    ("Cho tôi hỏi chứng thực di chúc cần có người làm chứng không và mang theo những giấy tờ gì ạ?", "procedure",
     "chung_thuc_di_chuc", "documents"),
    ("con tôi đi thi công chức cần chứng thực bản sao bằng đại học", "procedure", "chung_thuc_ban_sao", None),
    # the time to the result, not a dossier to look up
    ("tạm trú bao nhiêu ngày mới nhận kết quả", "procedure", "dang_ky_tam_tru", "duration"),
    # the formal ways of asking for the papers
    ("Cho tôi hỏi, hồ sơ tách hộ gồm những giấy tờ nào ạ?", "procedure", "tach_ho", "documents"),
    ("Hồ sơ khai báo tạm vắng phải kèm theo những văn bản nào ạ?", "procedure", "khai_bao_tam_vang", "documents"),
    # time and money in the story are not questions
    ("chồng tôi mất lâu rồi, tôi muốn làm giấy chứng tử cho ông ấy", "procedure", "khai_tu", None),
    ("con tôi ở trọ đây lâu rồi, giờ muốn gia hạn tạm trú thêm một thời gian", "procedure", "gia_han_tam_tru", None),
    ("làm khai sinh có lâu không", "procedure", "khai_sinh", "duration"),
    ("làm thẻ bảo hiểm y tế có mất tiền không", "procedure", "the_bhyt", "fee"),
])
def test_openings_and_stories_are_not_requests(nlu: Understander, text: str, intent: str, procedure: str | None,
                                               question: str | None) -> None:
    got = nlu.understand(text)
    assert (got.intent, got.procedure if intent == "procedure" else None, got.question) == \
        (intent, procedure, question), got


def test_empty_and_nonsense(nlu: Understander) -> None:
    for text in ("", "   ", "???", "asdfgh qwerty"):
        result = nlu.understand(text)
        assert result.intent == "unknown" and result.confidence < 0.6


def test_pure_and_fast(nlu: Understander) -> None:
    texts = ["con tôi mới đẻ được hai tuần", "lam ho chieu", "chuwngs thucj ban sao", "quầy số 5 ở đâu",
             "em định mở quán cà phê nhỏ trước nhà, cần giấy tờ gì", "hộ kinh danh", "xin chào"]
    assert [nlu.understand(t) for t in texts] == [nlu.understand(t) for t in texts]
    durations = []
    for _ in range(20):
        for text in texts:
            start = time.perf_counter()
            nlu.understand(text)
            durations.append((time.perf_counter() - start) * 1000)
    # The bench quotes the real figure (target p95 <= 5 ms); this guards against an order-of-magnitude slip
    # on a busy shared machine.
    assert percentile(durations, 95) < 25


# --- CLI ---------------------------------------------------------------------------------------------
def _letan(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # 180 s: with a cold model cache (this test run alone) the command first trains both classifiers (about 65 s)
    return subprocess.run([*LETAN, *args], input=stdin, capture_output=True, text=True, timeout=180,
                          cwd=Path(__file__).resolve().parents[1])


@pytest.mark.slow
def test_cli_understand_prints_one_json_object() -> None:
    done = _letan("understand", "con tôi mới đẻ được hai tuần")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert set(data) == {"intent", "procedure", "question", "place", "confidence"}
    assert (data["intent"], data["procedure"]) == ("procedure", "khai_sinh")


@pytest.mark.slow
def test_cli_jsonl_keeps_ids_and_survives_bad_lines() -> None:
    stdin = "\n".join([
        json.dumps({"id": "a", "text": "nhà vệ sinh ở đâu"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 7}),
        json.dumps(["text"]),
        json.dumps({"id": 8, "text": "lam ho chieu"}),
    ]) + "\n"
    done = _letan("understand", "--jsonl", stdin=stdin)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert len(rows) == 5
    assert rows[0]["id"] == "a" and rows[0]["place"] == "toilet"
    assert "error" in rows[1] and "id" not in rows[1]
    assert rows[2]["id"] == 7 and "error" in rows[2]
    assert "error" in rows[3]
    assert rows[4] == {"id": 8, "intent": "referral", "procedure": None, "question": None, "place": None,
                       "topic": "passport", "confidence": rows[4]["confidence"]}


@pytest.mark.slow
def test_cli_bad_usage_exits_2_without_traceback() -> None:
    for args in (("understand",), ("understand", "xin chào", "--jsonl")):
        done = _letan(*args)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr and "--jsonl" in done.stderr


@pytest.mark.parametrize(("text", "intent", "procedure", "topic"), [
    ("làm căn cước cho con trai 16 tuổi", "referral", None, "adult_id_card"),
    ("làm căn cước cho bé nhà tôi, bé 5 tuổi", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("doi can cuoc cho toi, toi 45 tuoi, the cu bi gay", "referral", None, "adult_id_card"),
    ("cháu gái mười hai tuổi cần làm căn cước", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("làm căn cước cho con trai, nó vừa tròn 14 tuổi", "referral", None, "adult_id_card"),
    ("làm căn cước cho con, tôi 35 tuổi", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("bà nội tôi bảy mươi tuổi chưa có căn cước, muốn làm cho bà", "referral", None, "adult_id_card"),
    ("cháu tôi 5 tuổi cần làm căn cước", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("làm căn cước cho con ở đâu, tôi 35 tuổi", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("làm căn cước cho cháu ngoại, tôi 62 tuổi rồi", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("con trai tôi 18 tuổi cần làm lại căn cước", "referral", None, "adult_id_card"),
    ("làm căn cước cho con dưới 14 tuổi ở đâu", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    # an age typed in chat ("5t")
    ("lm cccd cho bé 5t ở đâu v mn", "procedure", "can_cuoc_tre_duoi_6_tuoi", None),
    ("lm cccd cho con trai 16t", "referral", None, "adult_id_card"),
    # "mười" (not "mươi") begins the age: a class, then an age
    ("con chị lên lớp sáu mười một tuổi chị muốn làm căn cước cho cháu", "procedure", "can_cuoc_tre_duoi_6_tuoi",
     None),
])
def test_the_age_said_decides_whose_id_card(nlu: Understander, text: str, intent: str, procedure: str | None,
                                            topic: str | None) -> None:
    """The ward makes the căn cước of a child under 14; from 14 it is the police's: the age said decides."""
    got = nlu.understand(text)
    assert (got.intent, got.procedure, got.topic) == (intent, procedure, topic), got


def test_words_that_hide_others_hide_only_what_they_say(nlu: Understander) -> None:
    """"đã lấy số" (a ticket in hand) hides the request it contains; "dạ lấy số" sounds the same but asks for one:
    a hiding phrase is never matched by sound."""
    assert nlu.understand("dạ lấy số ạ").intent == "take_number"
    assert nlu.understand("dạ lấy số giúp em").intent == "take_number"
    assert nlu.understand("tôi đã lấy số rồi").intent == "no"  # a reply to the offer: no second ticket


@pytest.mark.parametrize(("text", "holds"), [
    ("mình lấy số thứ tự rồi", True),  # read as a ticket request before
    ("tôi lấy số rồi mà chưa thấy gọi", True),
    ("không em, tôi đã có số rồi", True),
    ("bác bốc số rồi cháu ạ", True),
    # someone else's ticket, or a second one asked for: a ticket request still
    ("Mấy ông ngồi kia đều có số rồi, còn tôi thì chưa, giờ tôi làm sao", False),
    ("tôi lấy số rồi, lấy thêm một số cho mẹ tôi", False),
    ("Người vào sau tôi có phiếu rồi mà tôi thì chưa, vậy là sao?", False),
    ("Người ta đòi giấy tờ chi đó cho vụ bán đất, cho tôi lấy số rồi vào hỏi cán bộ luôn.", False),
])
def test_a_ticket_in_hand_is_a_no_that_says_so(nlu: Understander, text: str, holds: bool) -> None:
    """A citizen who says they hold a ticket asks for none; the dialog is told (holds_ticket) to say how their turn
    comes."""
    said = nlu.understand(text)
    assert said.holds_ticket is holds, said
    if holds:
        assert said.intent == "no", said
    else:
        assert said.intent != "no", said


def test_chat_spellings_of_the_toilet(nlu: Understander) -> None:
    """"nvs" (nhà vệ sinh) as typed on a phone, like "wc"; before, "chỗ nào" alone read as a counter question."""
    for text in ("cho c hỏi nvs nữ chỗ nào", "nvs ở đâu vậy", "wc ở đâu"):
        said = nlu.understand(text)
        assert (said.intent, said.place) == ("directions", "toilet"), text


def test_hk_is_no_as_a_clause_or_before_a_verb_and_ho_khau_elsewhere(nlu: Understander) -> None:
    """"hk" is chat for "không" ("hk, chưa lấy") and for hộ khẩu ("nhập hk"): the words around it decide."""
    assert nlu.understand("hk, chưa lấy").intent == "no"
    pension = nlu.understand("ông e hk có lương hưu j hết, đk trợ cấp hưu trí xh ở đâu")
    assert pension.procedure == "tro_cap_huu_tri_xa_hoi"
    for text in ("cho hỏi nhập hk cho con", "nhập hk", "nhập hk cần mang giấy gì", "bên em có nhập hk được không",
                 "sổ hk còn dùng được không em"):
        assert nlu.understand(text).procedure == "dang_ky_thuong_tru", text


def test_hk_ending_a_clause_asks(nlu: Understander) -> None:
    """"hk" as the last word of a clause, but for particles, is the "không" that asks ("làm ... mất phí hk z"),
    unless hộ khẩu's words come before it ("tách hk", "sổ hk", "có hk")."""
    for text, procedure, question in (("dk kết hôn có mất phí hk z e", "ket_hon", "fee"),
                                      ("đk khai tử có lâu hk", "khai_tu", "duration")):
        said = nlu.understand(text)
        assert (said.intent, said.procedure, said.question) == ("procedure", procedure, question), text
    for text, procedure in (("cho e hỏi tách hk", "tach_ho"), ("nhà e muốn nhập hk", "dang_ky_thuong_tru"),
                            ("e ko có hk", "dang_ky_thuong_tru")):
        assert nlu.understand(text).procedure == procedure, text


def test_initials_that_stand_for_one_procedure(nlu: Understander) -> None:
    """Initials chat makes up for a procedure ("kbtv", "htmt", "ltp"), where they stand for one only."""
    for text, procedure in (("kbtv ở đâu ạ", "khai_bao_tam_vang"), ("xin htmt cho bố e", "ho_tro_mai_tang"),
                            ("lm ltp số 1", "ly_lich_tu_phap"), ("dkhkd cần j", "thanh_lap_ho_kinh_doanh")):
        assert nlu.understand(text).procedure == procedure, text


def test_a_yes_that_asks_for_the_ticket_is_a_yes_with_the_ticket(nlu: Understander) -> None:
    """A reply to the ticket offer in the words of a ticket request ("ừ có, lấy cho bác một số đi con") is a yes
    that asks for the ticket (Understanding.ticket), past a weak opening ("dạ có", "ờ có"); "dạ lấy số" (no yes) is
    a ticket request, and "phải xếp hàng ..." says must, not yes."""
    for text in ("ừ có, lấy cho bác một số đi con", "Dạ có, nhờ cháu lấy giúp bác một số ạ", "ờ có, lấy số giùm chú",
                 "Phải, lấy cho tôi một số", "vâng, cho tôi lấy số khai sinh"):
        said = nlu.understand(text)
        assert (said.intent, said.ticket) == ("yes", True), text
    assert nlu.understand("vâng, cho tôi lấy số khai sinh").procedure == "khai_sinh"  # the ticket for khai sinh
    assert nlu.understand("dạ lấy số ạ").intent == "take_number"
    assert nlu.understand("phải xếp hàng lấy số ở đâu").intent == "take_number"
    assert nlu.understand("dạ không, chưa lấy số đâu").intent == "no"


def test_a_yes_with_the_ticket_is_a_ticket_request_beside_others(nlu: Understander) -> None:
    """Within a turn of several requests the yes that asks for the ticket is that ticket request (what the dialog
    acts on), also without commas as speech recognisers write; a decline after an opening yes is the answer."""
    for text in ("dạ có lấy cho tôi một số với lại nhà vệ sinh ở đâu", "vâng, lấy cho tôi một số, với lại nhà vệ sinh "
                 "ở đâu"):
        assert [(p.intent, p.place) for p in nlu.understand_turn(text)] == [
            ("take_number", None), ("directions", "toilet")], text
    assert [p.intent for p in nlu.understand_turn("ờ có, lấy số giùm chú")] == ["take_number"]
    for text in ("dạ có, nhưng chưa lấy số vội", "ờ có, mà thôi khỏi lấy số", "dạ có, tôi không muốn lấy số"):
        assert nlu.understand(text).intent == "no", text
    assert nlu.understand("phải tôi là người cao tuổi").intent == "yes"



def test_a_clause_that_only_says_who_the_speaker_is_asks_for_nothing(nlu: Understander) -> None:
    """"đi xe lăn" describes the speaker (priority) like "người khuyết tật" before it: neither is a request of its
    own beside the ticket, nor the disability procedure when the turn only says who the speaker is. The disability
    named in the description is not asked for; a procedure named beside it is."""
    parts = nlu.understand_turn("Tôi là người khuyết tật đi xe lăn, cho tôi xin một số")
    assert [(p.intent, p.procedure, p.place, p.priority) for p in parts] == [("take_number", None, None, True)]
    alone = nlu.understand("Tôi là người khuyết tật đi xe lăn")
    assert (alone.intent, alone.procedure, alone.priority) == ("unknown", None, True)
    named = nlu.understand("tôi bị khuyết tật, cho tôi lấy số chứng thực")
    assert (named.intent, named.procedure, named.priority) == ("take_number", "chung_thuc_ban_sao", True)
    asked = nlu.understand("tôi bị khuyết tật, muốn xin giấy xác nhận khuyết tật")
    assert (asked.intent, asked.procedure) == ("procedure", "xac_dinh_muc_do_khuyet_tat")
    # the speaker's age alone is no request beside the ticket (read as a căn cước for that age)
    assert [p.intent for p in nlu.understand_turn("tôi 65 tuổi rồi cho tôi lấy số")] == ["take_number"]


@pytest.mark.parametrize(("text", "procedure", "question"), [
    ("đổi giấy hộ kinh doanh ở đâu vậy", "thay_doi_ho_kinh_doanh", "counter"),
    ("tiệm tạp hóa tôi muốn đổi địa chỉ trên giấy hộ kinh doanh", "thay_doi_ho_kinh_doanh", None),
    ("mở tiệm sửa xe thì đăng ký hộ kinh doanh ở đâu", "thanh_lap_ho_kinh_doanh", "counter"),
    ("đăng ký hộ kinh doanh nộp ở đâu, có phải đổi căn cước không", "thanh_lap_ho_kinh_doanh", "counter"),
    ("chứng thực bản sao mấy tiền một trang", "chung_thuc_ban_sao", "fee"),
    ("làm khai sinh cho con chừng nào có vậy chị", "khai_sinh", "duration"),
])
def test_a_change_to_a_household_business_and_roundabout_questions(nlu: Understander, text: str, procedure: str,
                                                                   question: str | None) -> None:
    """A household business that changes ("đổi giấy", "đổi địa chỉ", "tạm ngừng") is the change procedure, not
    the registration (a shop that repairs, "sửa xe", is a new one; "đổi căn cước" changes no business); "mấy tiền"
    asks the fee, "chừng nào có" the time."""
    got = nlu.understand(text)
    assert (got.intent, got.procedure, got.question) == ("procedure", procedure, question), got


UTILITY_BILLS = ("trả tiền điện ở đây được không", "đóng tiền nước ở đâu", "ở đây có nộp tiền điện được không")


def test_a_utility_bill_is_not_a_fee(nlu: Understander) -> None:
    """"trả tiền" asks a fee beside a procedure; the electricity or water bill is something the centre does not
    take (the longer phrase wins over "trả tiền", "đóng tiền", and "nước" is not a glass of water here)."""
    for text in UTILITY_BILLS:
        got = nlu.understand(text)
        assert (got.intent, got.question, got.item) == ("unknown", None, None), (text, got)
    assert nlu.understand("khai sinh đóng tiền không").question == "fee"


def test_mo_is_no_counter_question(nlu: Understander) -> None:
    """In Central speech "mô" also denies ("tui không làm mô") and "ở mô" asks where the speaker comes from."""
    assert nlu.understand("thôi tui không làm mô").intent == "no"
    assert nlu.understand("bác ở mô tới rứa").question is None


def test_a_clause_telling_of_the_ticket_s_procedure_is_no_second_request() -> None:
    """"lấy số khai tử cho bác với, ông nhà mất hôm qua": one ticket for khai tử, not the ticket and then khai tử
    told again (the robot had said its counter twice and asked "cần giúp gì thêm" twice); a question or another
    request in a clause of its own still is one."""
    nlu = Understander(with_situations(load_catalogue_checked()))
    parts = nlu.understand_turn("lấy số khai tử cho bác với, ông nhà mất hôm qua")
    assert [(p.intent, p.procedure) for p in parts] == [("take_number", "khai_tu")]
    parts = nlu.understand_turn("bà muốn gia hạn tạm trú cho thằng cháu ở trọ, cháu cho bà bốc một số nha")
    assert [(p.intent, p.procedure) for p in parts] == [("take_number", "gia_han_tam_tru")]
    parts = nlu.understand_turn("lấy số khai tử cho bác với, nhà vệ sinh ở đâu")
    assert [(p.intent, p.procedure or p.place) for p in parts] == [("take_number", "khai_tu"), ("directions", "toilet")]


@pytest.mark.parametrize(("text", "intent", "procedure"), [
    ("xin cái sổ đỏ", "procedure", "cap_gcn_dat_lan_dau"),  # a book, not a ticket number
    ("phường xem xét giúp cho cái sổ nghèo", "procedure", "ho_ngheo_can_ngheo"),
    ("lấy sổ thứ tự", "take_number", None),  # a slip for "số thứ tự"
    ("Mình cần số để nộp mấy bản photo bằng cấp cho đóng dấu đỏ", "take_number", "chung_thuc_ban_sao"),
    ("tôi cần một số giấy tờ để làm khai sinh", "procedure", "khai_sinh"),  # "một số" = some
    ("nhờ cháu lấy hộ tôi cái vé thứ tự", "take_number", None),
    # only sounds like one: "cho ở một số tháng", a ticket for the parking, how long in line, one go for all
    ("đăng ký tạm trú cho ở một số tháng thì cần gì", "procedure", "dang_ky_tam_tru"),
    ("cho tôi xin vé gửi xe", "directions", None),
    ("phải xếp lượt lâu không em", "question", None),
    ("cho tôi một lượt làm cả khai sinh với thường trú", "procedure", "lien_thong_tre_duoi_6_tuoi"),
    ("cho bác xin cái sổ", "unknown", None),
    ("dk lai ks cho me, so goc o xa bi chay mat het r", "procedure", "dang_ky_lai_khai_sinh"),  # "cho mẹ", no ticket
    ("Cho con xin một phiếu chờ, con lo sang tên miếng đất ba để lại", "take_number", "dang_ky_bien_dong_dat"),
    ("Cho em xin vé chờ, em lên báo đi làm xa cả năm", "take_number", "khai_bao_tam_vang"),
    ("Ấn giùm em một số, em tới khai cho bé mới sinh có đủ khai sinh, bảo hiểm, hộ khẩu trong một lần", "take_number",
     "lien_thong_tre_duoi_6_tuoi"),
    ("cho tôi cái phiếu lý lịch tư pháp", "procedure", "ly_lich_tu_phap"),  # a paper named "phiếu"
    ("miễn vé cho người tàn tật", "procedure", "xac_dinh_muc_do_khuyet_tat"),
    ("làm khai sinh ở quầy nào", "procedure", "khai_sinh"),
])
def test_a_ticket_in_everyday_words_and_what_only_sounds_like_one(nlu: Understander, text: str, intent: str,
                                                                  procedure: str | None) -> None:
    got = nlu.understand(text)
    assert (got.intent, got.procedure) == (intent, procedure), got


@pytest.mark.parametrize(("text", "procedure"), [
    ("giấy chứng tử của ông tôi bị thất lạc rồi", "ban_sao_trich_luc_ho_tich"),
    ("Mạ tui mất lâu rồi, người ta đòi giấy báo tử của mạ mà nhà làm mất, phải xin lại", "ban_sao_trich_luc_ho_tich"),
    ("bố tôi mất hôm qua, tôi muốn làm giấy khai tử", "khai_tu"),  # "mất" that tells of a death
])
def test_a_death_paper_lost_is_a_copy_of_the_record(nlu: Understander, text: str, procedure: str) -> None:
    assert nlu.understand(text).procedure == procedure


def test_a_courtesy_beside_a_request_does_not_make_it_unsure(nlu: Understander) -> None:
    """A greeting before a request named in full leaves it sure (no "phải không ạ?"); a question after a thanks is
    the request."""
    assert nlu.understand("chào cháu, bác muốn hỏi làm giấy khai sinh cho đứa cháu nội").confidence == \
        nlu.understand("bác muốn hỏi làm giấy khai sinh cho đứa cháu nội").confidence
    asked = nlu.understand("cảm ơn em, cho hỏi lệ phí khai tử")
    assert (asked.intent, asked.procedure, asked.question) == ("procedure", "khai_tu", "fee")
    assert nlu.understand("cảm ơn em").intent == "thanks"


@pytest.mark.parametrize(("text", "intent"), [("alô em ơi", "greeting"), ("pp robot", "goodbye")])
def test_hello_and_bye_as_typed_in_chat(nlu: Understander, text: str, intent: str) -> None:
    assert nlu.understand(text).intent == intent
