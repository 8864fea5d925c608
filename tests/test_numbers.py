"""Numbers as spoken Vietnamese words."""

from __future__ import annotations

import pytest

from dialogs.numbers import counter_words, minutes_words, money_words, number_words, speakable, ticket_words


@pytest.mark.parametrize(("n", "words"), [
    (0, "không"), (5, "năm"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (21, "hai mươi mốt"),
    (24, "hai mươi tư"), (25, "hai mươi lăm"), (40, "bốn mươi"), (101, "một trăm lẻ một"),
    (115, "một trăm mười lăm"), (2000, "hai nghìn"), (1012, "một nghìn không trăm mười hai"),
    (50000, "năm mươi nghìn"), (1_200_500, "một triệu hai trăm nghìn năm trăm"),
])
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


def test_ticket_digit_by_digit() -> None:
    assert ticket_words("A012") == "A không một hai"
    assert ticket_words("b105") == "B một không năm"
    assert ticket_words("C007", spell_letters=True) == "xê không không bảy"
    assert ticket_words("1012") == "một không một hai"
    with pytest.raises(ValueError, match="ticket number"):
        ticket_words("A-12")


def test_counters_minutes_money() -> None:
    assert counter_words(5) == "quầy số năm"
    assert counter_words(12) == "quầy số mười hai"
    assert minutes_words(15) == "mười lăm phút"
    assert minutes_words(75) == "một giờ mười lăm phút"
    assert minutes_words(120) == "hai giờ"
    assert money_words(2000) == "hai nghìn đồng"


def test_amounts_in_catalogue_text_become_words() -> None:
    text = "Lệ phí 2.000 đồng/bản; từ trang thứ ba 1.000đ/trang, tối đa 200.000 VNĐ."
    assert speakable(text) == (
        "Lệ phí hai nghìn đồng một bản; từ trang thứ ba một nghìn đồng một trang, tối đa hai trăm nghìn đồng."
    )
    assert speakable("Miễn lệ phí, 3 ngày làm việc") == "Miễn lệ phí, 3 ngày làm việc"


def test_spoken_text_has_no_slash_and_no_asterisk() -> None:
    assert speakable("Ông/bà vui lòng mang đến quầy; anh/chị chờ ạ.") == "Ông bà vui lòng mang đến quầy; anh chị chờ ạ."
    assert speakable("làm sổ đỏ/sổ hồng") == "làm sổ đỏ hoặc sổ hồng"
    assert speakable("hẹn trả ngày 12/03/2026.") == (
        "hẹn trả ngày mười hai tháng ba năm hai nghìn không trăm hai mươi sáu."
    )
    # A masked name is shown on the screen but never read letter by letter with its asterisks.
    shown = "Dạ, hồ sơ chứng thực của người nộp Lê V** T có trạng thái: Đang xử lý. Ông/bà chưa cần làm gì thêm."
    assert speakable(shown) == (
        "Dạ, hồ sơ chứng thực của người nộp hồ sơ có trạng thái: Đang xử lý. Ông bà chưa cần làm gì thêm."
    )
    assert speakable("Hồ sơ của người nộp Nguyễn V** V** A, hẹn trả") == "Hồ sơ của người nộp hồ sơ, hẹn trả"
    assert speakable("Hồ sơ của người nộp N** hiện quá hạn.") == "Hồ sơ của người nộp hồ sơ hiện quá hạn."
    for text in (shown, "a/b/c", "x * y", "số 5/7", "V**"):
        assert "/" not in speakable(text) and "*" not in speakable(text), text
