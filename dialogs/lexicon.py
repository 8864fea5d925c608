"""The words the understander knows besides the catalogue's procedure keywords.

Pure data. Phrases are written with their accents; unaccented input matches them by folding.
A phrase may use a placeholder `{family}` or `{child}` that expands to every word of that list.
Weights: a plain phrase counts 2 (3 when it has three syllables or more); the explicit weights
below say otherwise where a cue is weak (1) or must win (4).

Labels name what a phrase is evidence of:
  intent:<name>       greeting, goodbye, thanks, repeat, yes, no, take_number, lookup_dossier,
                      refreshment, human_help
  place:<name>        a place of the centre (implies the directions intent)
  question:<name>     documents, fee, duration, counter
  out_of_scope        something the ward does not handle (passports, driving licences...)
  marker:<name>       a fact that combines with procedures (see COMBINATIONS)
  priority            the citizen is elderly, disabled, pregnant, with a small child, of merit
  neutral             consumes words so they do not count elsewhere ("nước ngoài" is not water)
"""

from __future__ import annotations

# Abbreviation or chat spelling, lower case as typed -> accented expansion (applied word by word).
ABBREVIATIONS: dict[str, str] = {
    "dk": "đăng ký", "đk": "đăng ký", "dky": "đăng ký", "đky": "đăng ký", "dki": "đăng ký", "gks": "giấy khai sinh",
    "cccd": "căn cước công dân", "cmnd": "chứng minh nhân dân", "cmt": "chứng minh thư", "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội", "bhtn": "bảo hiểm thất nghiệp", "hkd": "hộ kinh doanh", "gcn": "giấy chứng nhận",
    "qsdd": "quyền sử dụng đất", "qsdđ": "quyền sử dụng đất", "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "gcnqsdđ": "giấy chứng nhận quyền sử dụng đất", "ub": "ủy ban", "ubnd": "ủy ban nhân dân", "kt3": "tạm trú",
    "gpxd": "giấy phép xây dựng", "gpkd": "giấy phép kinh doanh", "lltp": "lý lịch tư pháp",
    "tthc": "thủ tục hành chính", "hs": "hồ sơ", "ko": "không", "k": "không", "kh": "không", "hok": "không",
    "kg": "không", "khg": "không", "dc": "được", "đc": "được", "dk.": "đăng ký", "j": "gì",
    "ntn": "như thế nào", "bn": "bao nhiêu", "bnhieu": "bao nhiêu", "vs": "với", "ng": "người", "mk": "mình",
    "t": "tôi", "tui": "tôi", "tớ": "tôi", "r": "rồi", "z": "vậy", "ok": "được", "oke": "được", "okay": "được",
    "wc": "nhà vệ sinh",
    "tks": "cảm ơn", "thanks": "cảm ơn", "thank": "cảm ơn", "nc": "nước", "dvc": "dịch vụ công",
    "sđ": "sổ đỏ", "sdd": "sổ đỏ",
}

# Filler words a phrase may step over ("bố tôi mới mất" matches "bố tôi mất"), hassil's skip words.
SKIP_WORDS: frozenset[str] = frozenset({
    "ạ", "à", "ơi", "nhé", "nha", "nhá", "ấy", "đấy", "thì", "mà", "cái", "vừa", "mới", "đã", "đang", "sẽ",
    "xin", "dạ", "ý", "nhỉ", "hả", "hở", "luôn", "rồi", "này", "kia", "vậy", "thế", "lắm", "quá", "mấy",
})

# Relatives, as a citizen names them when telling what happened (bare pronouns are left out: "em mất giấy").
FAMILY: tuple[str, ...] = (
    "bố", "ba", "cha", "tía", "mẹ", "má", "u", "ông", "bà", "ông nội", "bà nội", "ông ngoại", "bà ngoại",
    "chồng", "vợ", "anh trai", "chị gái", "em trai", "em gái", "con tôi", "cụ", "bác tôi", "chú tôi", "cô tôi",
    "dì", "cậu", "mợ", "thím", "người nhà",
    "bố chồng", "mẹ chồng", "bố vợ", "mẹ vợ", "ông cụ", "bà cụ", "ông xã", "bà xã", "người thân",
    "bố tôi", "mẹ tôi", "ông tôi", "bà tôi", "chồng tôi", "vợ tôi", "anh tôi", "chị tôi", "em tôi",
    "bố em", "mẹ em", "ông em", "bà em", "chồng em", "vợ em", "bố mình", "mẹ mình", "ông nhà tôi",
    "bà nhà tôi", "nhà tôi", "nhà em", "bố cháu", "mẹ cháu", "ông cháu", "bà cháu", "bố anh", "mẹ anh",
)
CHILD: tuple[str, ...] = (
    "con", "cháu", "bé", "em bé", "con gái", "con trai", "đứa nhỏ", "thằng bé", "con bé", "con tôi", "con em",
    "cháu tôi", "cháu bé", "bé nhà", "con nhỏ", "trẻ", "trẻ em", "cu", "đứa bé", "cháu nội", "cháu ngoại",
)

Phrase = tuple[str, str, float]  # (phrase, label, weight); weight 0 means "the default for its length"

PHRASES: tuple[Phrase, ...] = (
    # greeting / goodbye / thanks / repeat
    *((p, "intent:greeting", 2) for p in (
        "xin chào", "chào", "chào em", "chào bạn", "chào robot", "hello", "hi", "alo", "chào buổi sáng",
        "chào cháu", "chào con", "em chào", "chào anh", "chào chị", "chào ông", "chào bà", "chào bác")),
    *((p, "intent:goodbye", 3) for p in (
        "tạm biệt", "chào nhé", "về đây", "đi đây", "bye", "bai", "về nhé", "hẹn gặp lại", "thôi chào",
        "chào tạm biệt", "đi nhé", "đi về", "tôi về", "về đây nhé", "bye bye", "không còn gì nữa",
        "thế thôi", "vậy thôi", "hết rồi")),
    *((p, "intent:thanks", 2.5) for p in (
        "cảm ơn", "cám ơn", "cảm ơn nhiều", "cảm ơn em", "cám ơn em", "cảm ơn robot", "đa tạ", "tốt quá",
        "hay quá", "giỏi quá", "cảm ơn cháu", "cám ơn cháu", "cảm ơn con")),
    *((p, "intent:repeat", 3) for p in (
        "nói lại", "nhắc lại", "lặp lại", "gì cơ", "nói chậm", "nghe không rõ", "chưa nghe rõ", "không nghe rõ",
        "sao cơ", "cái gì cơ", "nói to", "nghe không kịp", "đọc lại", "nói lại đi", "chưa nghe", "không nghe thấy",
        "nghe không được", "lúc nãy nói gì", "vừa nói gì", "không nghe kịp", "bảo gì", "nói gì cơ", "chưa rõ")),
    # yes / no: only counted in short replies (see nlu.SHORT_REPLY)
    *((p, "intent:yes", 3) for p in (
        "có", "vâng", "dạ", "đúng", "đúng rồi", "ừ", "ừm", "phải", "phải rồi", "chính xác", "được",
        "đồng ý", "chuẩn", "yes", "uh", "um", "vâng ạ", "dạ vâng", "dạ phải", "đúng vậy", "đúng thế", "có chứ",
        "chuẩn rồi", "ừ đúng", "vâng đúng", "đúng đấy", "dạ đúng", "có ạ", "rồi", "đúng là vậy", "ừ phải")),
    *((p, "intent:no", 3) for p in (
        "không", "không phải", "sai", "sai rồi", "chưa", "không cần", "thôi", "không đúng", "no", "hổng",
        "không ạ", "dạ không", "không phải đâu", "nhầm rồi", "không phải vậy", "chưa phải", "không có", "hông",
        "hổng có",
        "thôi khỏi", "khỏi", "không cần đâu", "thôi không", "không muốn", "không phải thế", "không đâu")),
    # take a number
    *((p, "intent:take_number", 4) for p in (
        "lấy số", "bốc số", "số thứ tự", "lấy phiếu", "xếp hàng", "in số", "phiếu thứ tự", "bấm số", "lấy vé",
        "cho số", "in phiếu", "lấy số thứ tự", "xin số", "lấy lượt", "vé xếp hàng", "đăng ký lượt", "đợi đến lượt",
        "xếp số", "lấy số chờ", "phát số", "số chờ", "lấy một số")),
    # look up a dossier
    *((p, "intent:lookup_dossier", 4) for p in (
        "tra cứu", "hồ sơ của tôi", "hồ sơ đến đâu", "xong chưa", "có kết quả chưa", "lấy kết quả", "nhận kết quả",
        "trả kết quả", "giấy hẹn", "phiếu hẹn", "mã hồ sơ", "quét mã", "kiểm tra hồ sơ", "tình trạng hồ sơ",
        "đã nộp hồ sơ", "nộp hồ sơ rồi", "biên nhận", "giấy biên nhận", "phiếu biên nhận", "hẹn trả",
        "hồ sơ của em", "hồ sơ của bác", "hồ sơ của mình", "hồ sơ nộp hôm", "hồ sơ tuần trước", "tra hồ sơ",
        "hồ sơ xử lý", "được chưa", "có chưa", "lấy giấy", "đến hẹn", "ngày hẹn", "giải quyết đến đâu",
        "hồ sơ nộp", "xem hồ sơ", "hồ sơ của chú", "hồ sơ của cô", "hồ sơ của anh", "hồ sơ của chị", "mã qr",
        "quét qr", "hồ sơ nộp tuần trước", "hẹn lấy", "nộp rồi", "kết quả chưa", "sao chưa có")),
    # refreshments
    *((p, "intent:refreshment", 3) for p in (
        "khát", "uống nước", "cốc nước", "ly nước", "nước uống", "nước lọc", "kẹo", "chai nước", "cho xin nước",
        "nước suối", "khát nước", "đồ uống", "trà", "cái kẹo", "ăn kẹo", "viên kẹo")),
    ("nước", "intent:refreshment", 1.5),
    # a human, please
    *((p, "intent:human_help", 4) for p in (
        "gặp cán bộ", "cán bộ", "nhân viên", "người thật", "gặp người", "nói chuyện với người", "hỏi trực tiếp",
        "gọi người", "lãnh đạo", "khiếu nại", "phản ánh", "gặp trực tiếp", "cần người giúp", "người hướng dẫn",
        "gặp chủ tịch", "gọi ai", "người phụ trách", "gọi giúp", "công chức", "người làm", "chị cán bộ",
        "anh cán bộ", "bảo vệ", "gặp ai", "hỏi người", "không hiểu", "robot không hiểu", "máy không hiểu",
        "tố cáo", "góp ý", "người trực", "ai đó giúp", "phụ trách", "ai phụ trách")),
    # places of the centre (each implies the directions intent)
    *((p, "place:toilet", 4) for p in (
        "nhà vệ sinh", "vệ sinh", "toilet", "nhà cầu", "đi tiểu", "đi giải", "tè", "restroom", "phòng vệ sinh",
        "đi vệ sinh", "chỗ vệ sinh", "rửa tay", "đi tè", "buồn tiểu", "nhà wc", "khu vệ sinh")),
    *((p, "place:waiting_area", 4) for p in (
        "chỗ ngồi", "ghế ngồi", "ngồi chờ", "ngồi đợi", "phòng chờ", "khu chờ", "ghế chờ", "chỗ chờ", "ngồi ở đâu",
        "chỗ đợi", "khu vực chờ", "ngồi nghỉ", "ghế đợi", "hàng ghế")),
    *((p, "place:photocopy", 4) for p in (
        "photo", "phô tô", "máy photo", "in tài liệu", "in giấy", "chỗ in", "sao chụp", "photocopy", "máy in",
        "phô tô copy", "chỗ photo", "in ấn", "fotocopy", "foto", "photo giấy tờ", "chụp tài liệu")),
    *((p, "place:parking", 4) for p in (
        "gửi xe", "để xe", "bãi xe", "đỗ xe", "đậu xe", "nhà xe", "chỗ để xe", "giữ xe", "dựng xe", "bãi đỗ",
        "xe máy để", "ô tô đỗ", "gửi xe máy", "cất xe")),
    *((p, "place:exit", 4) for p in (
        "lối ra", "cửa ra", "đường ra", "ra ngoài", "lối thoát", "cổng ra", "cửa chính", "đi ra", "ra cổng",
        "ra đường", "lối đi ra", "thoát hiểm", "cửa thoát")),
    *((p, "place:online_help", 4) for p in (
        "nộp online", "nộp trực tuyến", "dịch vụ công trực tuyến", "dịch vụ công", "vneid", "nộp qua mạng",
        "trên mạng", "làm online", "cài vneid", "tài khoản định danh", "định danh điện tử", "online",
        "trực tuyến", "qua mạng", "cổng dịch vụ công", "điện thoại nộp", "nộp trên điện thoại", "ứng dụng",
        "app", "mức 2", "kích hoạt", "tài khoản")),
    *((p, "place:counter", 4) for p in ("quầy", "quầy số", "bàn số", "cửa số", "ô số")),
    ("quầy", "question:counter", 3),
    # questions about a procedure
    *((p, "question:documents", 3) for p in (
        "hồ sơ gồm", "cần mang", "mang theo", "mang gì", "cần gì", "chuẩn bị",
        "những gì", "cần những", "mang những", "hồ sơ cần", "giấy gì", "thủ tục cần", "cầm theo",
        "đem theo", "đem gì", "cầm gì", "phải có gì", "yêu cầu gì", "điều kiện", "cần có gì", "mẫu đơn",
        "tờ khai", "mang những giấy tờ", "cần chuẩn bị", "hồ sơ gì", "giấy tờ gì")),
    *((p, "question:fee", 3) for p in (
        "bao nhiêu tiền", "lệ phí", "phí", "mất tiền", "tốn tiền", "tốn bao nhiêu", "hết bao nhiêu", "giá bao nhiêu",
        "miễn phí", "mất phí", "trả tiền", "đóng tiền", "mất bao nhiêu", "nộp tiền", "chi phí", "nhiêu tiền",
        "có mất tiền", "thu tiền", "tốn kém", "bao nhiêu một")),
    *((p, "question:duration", 3) for p in (
        "bao lâu", "mấy ngày", "bao nhiêu ngày", "khi nào xong", "khi nào có", "bao giờ có", "bao giờ lấy",
        "khi nào lấy", "mất mấy ngày", "lâu không", "có ngay không", "trong ngày", "nhanh không", "thời gian",
        "mấy hôm", "bao lâu thì", "bao nhiêu lâu", "mất bao lâu", "lấy ngay", "chờ lâu", "mấy tuần", "bao giờ xong",
        "lâu không", "mất mấy", "có luôn không", "khi nào được", "bao giờ được", "lâu", "ngày nào lấy")),
    *((p, "question:counter", 3) for p in (
        "quầy nào", "ở đâu", "chỗ nào", "nộp ở đâu", "làm ở đâu", "phòng nào", "đi đâu", "nơi nào", "cửa nào",
        "bàn nào", "chỗ nào làm", "đâu", "ra đâu", "đến đâu", "tới đâu", "ở chỗ nào", "nộp chỗ nào", "hướng nào",
        "lối nào", "đường nào", "phía nào", "đi lối nào", "chỉ đường", "dẫn tôi", "ở quầy nào")),
    # things the ward does not do: a named document or service of another office counts 4 ...
    *((p, "out_of_scope", 4) for p in (
        "hộ chiếu", "passport", "visa", "bằng lái", "giấy phép lái xe", "đổi bằng", "thi bằng", "đăng kiểm",
        "đăng ký xe", "biển số", "vay vốn", "rút bảo hiểm", "bảo hiểm xã hội một lần", "ly hôn", "xuất cảnh",
        "nhập cảnh", "quốc tịch", "tiền điện", "hóa đơn điện", "vé máy bay", "lương hưu", "bảo hiểm thất nghiệp",
        "đổi căn cước", "làm lại căn cước", "cấp đổi căn cước", "mất căn cước", "căn cước bị mất",
        "căn cước hết hạn", "đổi chứng minh", "khởi kiện", "thành lập công ty", "mở công ty", "con nuôi",
        "nhận con nuôi", "thẻ ngân hàng", "mở tài khoản ngân hàng", "đăng ký xe máy", "giá vàng", "xổ số",
        "chứng khoán")),
    # ... a mere mention counts less, so it loses to a procedure named in the same sentence
    *((p, "out_of_scope", 2.5) for p in (
        "thuế", "ngân hàng", "bảo hiểm xã hội", "thất nghiệp", "tòa án", "kiện", "tranh chấp", "tiền nước",
        "học bạ", "mua vé", "thời tiết", "trời đẹp", "bóng đá", "doanh nghiệp", "công ty", "tuyển dụng", "xin việc",
        "việc làm", "học phí", "nhập học", "bệnh viện", "khám bệnh", "ăn cơm", "ăn trưa", "ăn sáng", "thủ tướng",
        "tên gì", "tên là gì", "biết hát", "biết nhảy", "hát", "kể chuyện", "đi chơi", "du lịch", "du học",
        "quê ở đâu", "ai làm ra", "tiếng anh", "người hay máy", "cầm đồ", "mấy giờ", "đẹp trai", "xinh gái",
        "ai thắng", "chứng minh nhân dân", "chứng minh thư")),
    # facts that combine with procedures (COMBINATIONS)
    *((p, "marker:under6", 1) for p in (
        "dưới 6 tuổi", "dưới sáu tuổi", "mới sinh", "mới đẻ", "sơ sinh", "dưới 6", "chưa đủ 6 tuổi")),
    *((p, "marker:bundle", 1) for p in (
        "một lần", "cùng lúc", "luôn một thể", "một thể", "làm luôn", "cùng một lúc", "tất cả", "gộp", "làm chung",
        "đồng thời", "cả", "một lượt")),
    *((p, "marker:lost", 1) for p in ("mất", "làm mất", "bị mất", "đánh mất", "thất lạc", "không còn", "rách")),
    # priority
    *((p, "priority", 0.5) for p in (
        "mang thai", "có bầu", "đang bầu", "bế con", "bế cháu", "con mọn", "xe lăn", "chống nạng", "chống gậy",
        "già rồi", "cao tuổi", "lớn tuổi", "người già", "tuổi cao", "người có công", "thương binh",
        "đi lại khó", "khiếm thị", "khiếm thính", "tàn tật", "người khuyết tật", "bầu bì", "ốm yếu", "mắt kém",
        "đau chân", "bệnh binh", "yếu chân", "ngoài 80", "ngoài 70", "ngoài tám mươi", "ngoài bảy mươi",
        "có thai", "bụng bầu", "ẵm con", "bế em bé", "bị liệt", "người cao tuổi", "đứng lâu không được")),
    # ... and a small child brought along ("tôi có mang theo cháu nhỏ", "đang bế con")
    *((f"{bring} {child}", "priority", 0.5)
      for bring in ("mang theo", "dắt theo", "dẫn theo", "bế theo", "đi cùng", "đi với", "có", "đang bế", "ẵm")
      for child in ("con nhỏ", "cháu nhỏ", "trẻ nhỏ", "con mọn", "cháu bé", "bé nhỏ", "con dại")),
    # words that only look like cues
    *((p, "neutral", 0) for p in (
        "nước ngoài", "nhà nước", "người nước ngoài", "mất thời gian", "hộ gia đình", "không biết", "không rõ",
        "có được không", "được không", "có phải", "phải không", "không ạ", "có không", "hay không", "giá trị",
        "làm sao", "thế nào", "như thế nào", "ra sao", "chưa có", "không có lương", "có lương", "có cần",
        "không cần", "khi nào", "bao giờ", "ở nhà", "chưa có sổ", "tiền án", "cán bộ xã")),
)

# Yes/no phrases that do not answer anything when more words follow: a polite "dạ" or an "ok" before
# the real words ("dạ, cảm ơn cháu", "được rồi, cảm ơn em").
WEAK_ANSWERS: frozenset[str] = frozenset({"dạ", "được", "rồi", "chuẩn", "chuẩn rồi", "uh", "um", "ừm"})
# Intents that belong to an answer opening with "no" instead of replacing it ("không, cảm ơn cháu" declines).
# After a yes they stay themselves: "ừ được rồi, cảm ơn" closes the conversation.
DECLINE_COURTESIES: frozenset[str] = frozenset({"thanks"})
# "có ... không/chưa" is a question ("có chỗ ngồi không"), not a yes.
QUESTION_ENDINGS: frozenset[str] = frozenset({"không", "chưa", "hông", "hổng"})

# When every label of a set is present, the target procedure gets the sum of their scores plus a bonus.
# "@name" is a marker label, anything else a procedure id.
COMBINATIONS: tuple[tuple[frozenset[str], str, float], ...] = (
    (frozenset({"khai_sinh", "dang_ky_thuong_tru"}), "lien_thong_tre_duoi_6_tuoi", 1),
    (frozenset({"khai_sinh", "the_bhyt"}), "lien_thong_tre_duoi_6_tuoi", 1),
    (frozenset({"khai_sinh", "can_cuoc_tre_duoi_6_tuoi"}), "lien_thong_tre_duoi_6_tuoi", 1),
    (frozenset({"the_bhyt", "dang_ky_thuong_tru"}), "lien_thong_tre_duoi_6_tuoi", 1),
    (frozenset({"khai_sinh", "@bundle"}), "lien_thong_tre_duoi_6_tuoi", 0.5),
    (frozenset({"the_bhyt", "@under6"}), "lien_thong_tre_duoi_6_tuoi", 1),
    (frozenset({"khai_sinh", "@lost"}), "ban_sao_trich_luc_ho_tich", 1.5),
    (frozenset({"ket_hon", "@lost"}), "ban_sao_trich_luc_ho_tich", 1.5),
    (frozenset({"thanh_lap_ho_kinh_doanh", "@lost"}), "thay_doi_ho_kinh_doanh", 1.5),
    # A document named as the object of another procedure: the procedure wins.
    *((frozenset({named, acting}), acting, 1) for named, acting in (
        ("khai_sinh", "dang_ky_lai_khai_sinh"), ("khai_sinh", "thay_doi_cai_chinh_ho_tich"),
        ("khai_sinh", "nhan_cha_me_con"), ("khai_sinh", "ban_sao_trich_luc_ho_tich"),
        ("khai_sinh", "chung_thuc_ban_sao"), ("ket_hon", "ban_sao_trich_luc_ho_tich"),
        ("ket_hon", "xac_nhan_tinh_trang_hon_nhan"), ("ket_hon", "chung_thuc_ban_sao"),
        ("khai_tu", "ban_sao_trich_luc_ho_tich"), ("khai_tu", "ho_tro_mai_tang"),
        ("tro_cap_xa_hoi_hang_thang", "ho_tro_mai_tang"), ("tro_cap_xa_hoi_hang_thang", "tro_cap_huu_tri_xa_hoi"),
        ("thanh_lap_ho_kinh_doanh", "thay_doi_ho_kinh_doanh"), ("cap_gcn_dat_lan_dau", "dang_ky_bien_dong_dat"),
        ("cap_gcn_dat_lan_dau", "chung_thuc_ban_sao"), ("cap_gcn_dat_lan_dau", "chung_thuc_hop_dong_giao_dich"),
        ("dang_ky_tam_tru", "gia_han_tam_tru"), ("dang_ky_thuong_tru", "tach_ho"),
        ("can_cuoc_tre_duoi_6_tuoi", "chung_thuc_ban_sao"), ("dang_ky_thuong_tru", "chung_thuc_ban_sao"),
        ("the_bhyt", "chung_thuc_ban_sao"), ("xac_dinh_muc_do_khuyet_tat", "tro_cap_xa_hoi_hang_thang"),
        ("chung_thuc_ban_sao", "chung_thuc_chu_ky"), ("chung_thuc_ban_sao", "chung_thuc_hop_dong_giao_dich"),
        ("chung_thuc_ban_sao", "chung_thuc_di_chuc"), ("dang_ky_bien_dong_dat", "chung_thuc_hop_dong_giao_dich"),
    )),
)
# Any document can be copied or signed in front of the ward: these procedures make an
# out-of-scope document ("sao y bằng lái", "dịch hộ chiếu") their object instead of a refusal.
TAKES_ANY_DOCUMENT: frozenset[str] = frozenset({"chung_thuc_ban_sao", "chung_thuc_chu_ky"})

# Forms of address a citizen uses for themselves ("cho bác hỏi", "chú muốn làm...").
ADDRESS_WORDS: frozenset[str] = frozenset({"bác", "ông", "bà", "anh", "chị", "cô", "chú", "em", "cháu", "con"})
# A pronoun followed by one of these (or after "cho"/"giúp") is the citizen speaking of themselves.
SELF_VERBS: frozenset[str] = frozenset({
    "muốn", "cần", "hỏi", "đến", "tới", "đi", "làm", "xin", "ở", "có", "bị", "định", "phải", "đang", "vừa",
    "mới", "cũng", "chưa", "không", "nộp", "lấy", "được", "sắp", "tìm", "đợi", "chờ", "là",
})
SELF_PREFIX: frozenset[str] = frozenset({"cho", "giúp", "giùm", "bảo", "chỉ", "dẫn", "hướng dẫn"})

NUMBER_WORDS: dict[str, int] = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8,
    "chín": 9, "mười": 10, "mươi": 10,
}
