"""A scanned letan ticket answered from the queue engine: position in line and estimated wait."""

from __future__ import annotations

from datetime import date

from dialogs.numbers import counter_words, date_words, minutes_words, number_words, ticket_words
from dialogs.ports import DossierAnswer
from robot.dossier.desk import TicketPosition
from robot.queue.engine import QueueEngine
from robot.queue.models import QueueError, TicketStatus
from robot.ticket_ref import TicketRef


def ticket_answer_text(number: str, status: TicketStatus, ahead: int, wait: int | None, counter: int | None) -> str:
    """What the robot says and shows about a scanned ticket, numbers in words ("phía trước còn hai người")."""
    number = ticket_words(number)
    match status:
        case TicketStatus.WAITING | TicketStatus.PARKED:
            if ahead == 0:
                line = f"Dạ, số {number} của ông/bà là số tiếp theo, ông/bà chú ý nghe gọi ạ."
            else:
                line = f"Dạ, số {number} của ông/bà đang chờ; phía trước còn {number_words(ahead)} người."
            if wait is not None and ahead > 0:
                line += f" Thời gian chờ dự kiến khoảng {minutes_words(wait)} ạ."
            return line
        case TicketStatus.CALLED | TicketStatus.SERVING:
            where = counter_words(counter) if counter is not None else "quầy"
            return f"Dạ, số {number} đã được mời đến {where}. Ông/bà vui lòng đến {where} ngay ạ."
        case TicketStatus.DONE:
            return f"Dạ, số {number} đã được phục vụ xong ạ."
        case TicketStatus.NO_SHOW:
            return (f"Dạ, số {number} đã được gọi nhưng không có mặt. Ông/bà vui lòng hỏi quầy hướng dẫn"
                    " hoặc lấy số mới ạ.")
        case TicketStatus.CANCELLED:
            return f"Dạ, số {number} đã bị hủy. Ông/bà vui lòng lấy số mới ạ."
    return f"Dạ, em chưa rõ tình trạng của số {number}, ông/bà vui lòng hỏi quầy hướng dẫn ạ."


def ticket_standing(engine: QueueEngine, number: str, point: str | None = None, day: date | None = None) -> str | None:
    """Where ticket `number` of `point` (default the first) and `day` (default today) stands, as `ticket_answer_text`
    says it; None when the queue does not know it. A scanned ticket and "bao giờ tới lượt tôi" are answered alike."""
    try:
        place = engine.position(number, point, day)
    except QueueError:
        return None
    ticket = place.ticket
    return ticket_answer_text(ticket.number, ticket.status, place.people_ahead, place.wait_minutes, ticket.counter)


def queue_ticket_position(engine: QueueEngine) -> TicketPosition:
    """The `ticket_position` for DossierDesk: answers tickets of this site from the queue engine."""

    def position(ref: TicketRef) -> DossierAnswer | None:
        if ref.site != engine.centre.site.id:
            return None
        today = engine.now().date()
        if ref.day != today:
            return DossierAnswer(False, f"Dạ, vé số {ticket_words(ref.number)} là của "
                                        f"{date_words(ref.day.day, ref.day.month)}, không dùng được"
                                        " hôm nay. Ông/bà vui lòng lấy số mới ạ.", "ticket")
        text = ticket_standing(engine, ref.number, ref.point, ref.day)
        return DossierAnswer(True, text, "ticket") if text is not None else None

    return position
