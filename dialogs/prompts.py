"""Every sentence the robot says, keyed, in polite spoken Vietnamese.

`{addr}` is how the robot addresses the citizen ("ông bà", "anh chị", "bác"...), `{Addr}` the same
at the start of a sentence; `{self}`/`{Self}` is how the robot calls itself, chosen as a pair with
the citizen's form: "cháu" before an elder (bác, ông, bà, cô, chú), "em" otherwise, never the same.
Sentences are short. A prompt without
other fields gets a voice-pack key `<key>.<address slug>` so a recorded clip can replace the
synthetic voice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PROMPTS: dict[str, str] = {
    "greet": "Dạ, {self} chào {addr}. {Self} là rô bốt lễ tân. {Addr} cần làm thủ tục gì ạ?",
    "greet_again": "Dạ, {self} chào {addr}. {Self} giúp gì được {addr} ạ?",
    "listen": "{Addr} cần {self} giúp gì ạ?",
    "reprompt_silence.1": "{Addr} cần làm thủ tục gì ạ? {Addr} cứ nói, {self} nghe đây.",
    "reprompt_silence.2": "{Addr} có thể nói ngắn gọn, ví dụ: lấy số, khai sinh, chứng thực ạ.",
    "reprompt_silence.3": "{Addr} cũng có thể bấm chọn trên màn hình ạ.",
    "reprompt_unclear.1": "Dạ, {self} chưa nghe rõ. {Addr} nói lại giúp {self} ạ.",
    "reprompt_unclear.2": "{Self} vẫn chưa hiểu ạ. {Addr} nói ngắn gọn giúp {self}, ví dụ: đăng ký khai sinh.",
    "reprompt_unclear.3": "Xin lỗi {addr}, {self} chưa hiểu. {Addr} bấm chọn trên màn hình giúp {self} ạ.",
    "confirm_two": "Dạ, {addr} muốn hỏi về {first} hay {second} ạ?",
    "confirm_one": "Dạ, {addr} muốn hỏi về {first} phải không ạ?",
    "confirm_again": "{Addr} chọn {first} hay {second} ạ?",
    "confirm_rejected": "Dạ, {self} xin lỗi. {Addr} nói lại giúp {self} thủ tục cần làm ạ.",
    "out_of_scope": "Dạ, việc này {self} chưa hỗ trợ ạ. {Addr} có muốn gặp cán bộ không ạ?",
    "staff_declined": "Dạ vâng. {Addr} cần {self} giúp việc gì khác ạ?",
    "referral": "Dạ, thủ tục {procedure} không làm ở đây ạ. {referral}",
    "where": "Dạ, {procedure} làm ở {counters} ạ.",
    "documents": "Dạ, để làm {procedure}, {addr} cần {documents}.",
    "documents_summary": "Dạ, để làm {procedure}, {addr} cần {count} loại giấy tờ: {documents}.",
    "documents_one_more": "Dạ, để làm {procedure}, {addr} cần {documents}. Tùy trường hợp, cần thêm {extra}.",
    "documents_summary_more": "Dạ, để làm {procedure}, {addr} cần {count} loại giấy tờ: {documents}. "
                              "Tùy trường hợp, cần thêm {extra}.",
    "fee": "Dạ, về lệ phí {procedure}: {fee}",
    "duration": "Dạ, thời gian giải quyết {procedure}: {duration}",
    "ask_procedure_for_question": "Dạ, {addr} hỏi về thủ tục nào ạ?",
    "confirm_ticket_one": "Dạ, {addr} muốn lấy số {first} phải không ạ?",
    "declined": "Dạ vâng ạ.",
    "referral_topic": "Dạ, {where}",
    "hours_unknown":
        "Dạ, {self} chưa có lịch làm việc của trung tâm. {Addr} hỏi cán bộ ở bàn hướng dẫn giúp {self} ạ.",
    "offer_ticket_before_guide":
        "Dạ, {addr} chưa có số thứ tự. {Self} lấy số {procedure} cho {addr} rồi dẫn đến quầy nhé?",
    "dossier_prompt_again": "Dạ, {addr} đưa mã QR vào máy quét hoặc đọc mã hồ sơ ghi trên giấy hẹn giúp {self} ạ.",
    "offer_ticket": "{Addr} có muốn lấy số thứ tự không ạ?",
    "ask_procedure_for_ticket": "Dạ, {addr} cần làm thủ tục gì để {self} lấy số ạ?",
    "ask_procedure_priority": "Dạ, {addr} được ưu tiên ạ. {Addr} cần làm thủ tục gì để {self} giúp ạ?",
    "ticket": "Dạ, {addr} được số {ticket}. Mời {addr} đến {counters}.",
    "ticket_wait": "Phía trước còn {ahead} người, chờ khoảng {minutes}.",
    "ticket_no_wait": "Hiện chưa có ai chờ ạ.",
    "ticket_not_printed": "Vé chưa in được, {addr} nhớ số giúp {self} ạ.",
    "ticket_refused": "Dạ, {self} chưa lấy số được ạ. {reason}",
    "ticket_declined": "Dạ vâng.",
    # the citizen says they already hold a ticket ("tôi lấy số rồi mà chưa thấy gọi")
    "ticket_in_hand": "Dạ vâng. Khi đến lượt, số của {addr} sẽ hiện trên màn hình và được đọc to ạ. {Addr} đưa mã "
                      "QR trên phiếu vào máy quét, {self} xem giúp còn bao nhiêu người phía trước ạ.",
    "ticket_in_hand_known": "Dạ, số của {addr} là {ticket}. Khi đến lượt, số sẽ hiện trên màn hình và được đọc to "
                            "ạ. {Addr} đưa mã QR trên phiếu vào máy quét, {self} xem giúp còn bao nhiêu người phía "
                            "trước ạ.",
    "scan_prompt": "Dạ, {addr} đưa mã QR trên giấy hẹn vào máy quét, hoặc đọc mã hồ sơ giúp {self} ạ.",
    "ask_procedure_for_guide": "Dạ, {addr} làm thủ tục gì để {self} dẫn đến đúng quầy ạ?",
    "ticket_priority": "Dạ, {self} lấy số ưu tiên cho {addr} ạ.",
    # guiding: said by the guide (robot/navigation/behaviours.py), which knows whether it moves
    "guide_start": "Dạ, mời {addr} đi theo {self} đến {place}.",
    "guide_arrived": "Dạ, đến {place} rồi ạ.",
    "guide_arrived_counter": "Dạ, đến {place} rồi ạ. {Addr} chờ cán bộ gọi số thứ tự giúp {self} ạ.",
    "guide_arrived_counter_no_ticket": "Dạ, đến {place} rồi ạ. {Addr} hỏi cán bộ ở quầy giúp {self} ạ.",
    "guide_stopped": "Xin lỗi {addr}, {self} không dẫn đường được lúc này.",
    "point_to": "{Place} ở {direction}, cách khoảng {metres} mét ạ.",
    "not_on_map": "Xin lỗi {addr}, {self} không tìm thấy chỗ đó trên sơ đồ ạ.",
    "make_way": "Xin phép cho {self} đi nhờ một chút ạ.",
    # ... and by the dialog
    "guide_goodbye": "{Self} xin phép quay về chỗ đón khách. {Self} chào {addr} ạ.",
    "guide_failed":
        "Xin lỗi {addr}, {self} không dẫn đường được lúc này. {Addr} hỏi cán bộ ở bàn hướng dẫn giúp {self} ạ.",
    "refreshment": "Dạ, mời {addr} dùng {item} ạ.",
    "refreshment_out": "Xin lỗi {addr}, hiện {self} hết {item} rồi ạ.",
    "dispenser_fault": "Xin lỗi {addr}, máy phát đồ của {self} đang trục trặc ạ.",
    "greeting_reply": "Dạ, {self} chào {addr}. {Self} giúp gì được {addr} ạ?",
    "anything_else": "{Addr} cần {self} giúp gì thêm không ạ?",
    "farewell": "Dạ, {self} chào {addr}. Chúc {addr} một ngày tốt lành ạ.",
    "thanks_reply": "Dạ, không có gì ạ. {Self} chào {addr}.",
    "hand_over": "Dạ, {self} đã báo cán bộ. {Addr} chờ một chút, sẽ có người ra hỗ trợ ạ.",
    "hand_over_urgent": "Dạ, {self} đã báo gấp cho cán bộ, sẽ có người ra ngay ạ.",
    "error": "Xin lỗi {addr}, {self} đang gặp trục trặc. {Self} đã báo cán bộ ra hỗ trợ ạ.",
    "nothing_to_repeat": "Dạ, {addr} cần {self} giúp gì ạ?",
    "announce": "Xin mời công dân có số thứ tự {ticket} đến {counter}.",
}

PLACES = {
    "toilet": "nhà vệ sinh",
    "waiting_area": "khu vực chờ",
    "photocopy": "chỗ phô tô",
    "parking": "bãi gửi xe",
    "counter": "quầy",
    "exit": "lối ra",
    "online_help": "bàn hướng dẫn nộp hồ sơ trực tuyến",
    "help_desk": "bàn hướng dẫn",
    "water_station": "khu nước uống",
}

ITEMS = {"water": "nước", "candy": "kẹo"}

# Spoken forms of the configured or detected address.
ADDRESSES = {
    "ông/bà": "ông bà", "anh/chị": "anh chị", "bác": "bác", "ông": "ông", "bà": "bà",
    "anh": "anh", "chị": "chị", "cô": "cô", "chú": "chú", "em": "em", "cháu": "cháu",
}


@dataclass(frozen=True)
class Utterance:
    """One sentence to say: its text and, for fixed prompts, the voice-pack key."""

    text: str
    key: str | None = None


# Forms of address for an elder: the robot then calls itself "cháu"; with any other it is "em".
ELDER_ADDRESSES = frozenset({"bác", "ông", "bà", "cô", "chú", "ông/bà"})


def self_word(address: str) -> str:
    """The robot's own pronoun, chosen as a pair with the citizen's: 'bác' -> 'cháu', 'anh/chị' -> 'em'.

    "ông/bà", the configured neutral form for a stranger, keeps the receptionist's "em"."""
    return "cháu" if address in ELDER_ADDRESSES and address != "ông/bà" else "em"


def spoken_address(address: str) -> str:
    """'ông/bà' -> 'ông bà'; unknown forms fall back to 'ông bà'."""
    return ADDRESSES.get(address, "ông bà")


def slug(text: str) -> str:
    """'ông bà' -> 'ong_ba' (ASCII, for file names)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "_".join(ascii_text.lower().split())


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def render(key: str, address: str = "ông/bà", **fields: object) -> Utterance:
    """Fill a prompt. Raises KeyError for an unknown key or a missing field. A field `place` is also
    available capitalised as `{Place}`."""
    addr = spoken_address(address)
    extra = {"Place": capitalised(str(fields["place"]))} if "place" in fields else {}
    me = self_word(address)
    text = PROMPTS[key].format(addr=addr, Addr=capitalised(addr), self=me, Self=capitalised(me), **fields, **extra)
    return Utterance(text, f"{key}.{slug(addr)}" if not fields else None)


# The generic address other parts write in their texts (dossier answers, referrals, refusals): "ông/bà",
# "ông bà", not followed by a relative ("ông bà nội" stays).
_GENERIC_ADDRESS = re.compile(r"\b([Ôô])ng(?:/| )bà\b(?! (?:nội|ngoại))")


def addressed(text: str, address: str) -> str:
    """A text written for "ông/bà" spoken to this citizen: 'Ông/bà vui lòng...' -> 'Bác vui lòng...'."""
    addr = spoken_address(address)
    return _GENERIC_ADDRESS.sub(lambda m: capitalised(addr) if m.group(1) == "Ô" else addr, text)
