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
  decline             puts off what was offered ("để tôi về bàn với nhà đã"): a "no" even in a long reply
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
    # chat spellings seen in the citizens' tuning set (config/understanding/tune.yaml)
    "ad": "ạ", "a": "ạ", "q": "quầy", "cty": "công ty", "tnhh": "trách nhiệm hữu hạn", "nv": "nhân viên",
    "hk": "hộ khẩu", "e": "em", "pto": "photo", "gxn": "giấy xác nhận", "ktat": "khuyết tật", "kt": "khuyết tật",
    "dkkh": "đăng ký kết hôn", "đkkh": "đăng ký kết hôn", "dkks": "đăng ký khai sinh", "đkks": "đăng ký khai sinh",
    "ks": "khai sinh", "cc": "căn cước", "gh": "gia hạn", "ct": "chứng thực", "sy": "sao y", "bs": "bản sao",
    "hc": "hộ chiếu", "gplx": "giấy phép lái xe", "blx": "bằng lái xe", "tncn": "thu nhập cá nhân",
    "ttr": "tạm trú", "tv": "tạm vắng", "tth": "thường trú", "ctbs": "chứng thực bản sao", "ubnd.": "ủy ban nhân dân",
    # ... and in the training sentences written later (config/understanding/train-more.yaml)
    "lm": "làm", "v": "vậy", "gt": "giấy tờ", "xh": "xã hội", "kq": "kết quả", "hnay": "hôm nay", "xn": "xác nhận",
    "kd": "kinh doanh", "tthn": "tình trạng hôn nhân", "stt": "số thứ tự", "xđ": "xác định", "xd": "xây dựng",
    "xkld": "xuất khẩu lao động", "xkld.": "xuất khẩu lao động", "uk": "ừ",
    "hn": "hôm nay", "bnh": "bao nhiêu", "baoh": "bao nhiêu", "mn": "mọi người", "sn": "sinh nhật", "vk": "vợ",
    "ck": "chồng", "bme": "bố mẹ", "bm": "bố mẹ", "trc": "trước", "ng.": "người", "đt": "điện thoại",
    "dt": "điện thoại", "gđ": "gia đình", "gd": "gia đình", "nt": "nhắn tin", "bh": "bao giờ", "cn": "chủ nhật",
    "t7": "thứ bảy", "ck.": "chuyển khoản", "hđ": "hợp đồng", "hd": "hợp đồng", "uq": "ủy quyền",
    "gks.": "giấy khai sinh", "xnhn": "xác nhận hôn nhân", "xntthn": "xác nhận tình trạng hôn nhân",
    "hgd": "hộ gia đình", "hcn": "hộ cận nghèo", "hn.": "hộ nghèo", "tc": "trợ cấp", "lk": "liên thông",
    # ... and common chat spellings of everyday words (issue 12, abbreviations: "bao h xong", "cần nhg j")
    "h": "giờ", "nhg": "những", "nhữg": "những", "ms": "mới", "bt": "biết", "bik": "biết", "bv": "bệnh viện",
    "mún": "muốn", "mun": "muốn", "kb": "khai báo", "gkh": "giấy kết hôn",
    "llpt": "lý lịch tư pháp", "ctck": "chứng thực chữ ký",
    "free": "miễn phí", "đkí": "đăng ký", "dkí": "đăng ký", "ntnao": "như thế nào", "lquan": "liên quan",
    "đkkd": "đăng ký kinh doanh", "dkkd": "đăng ký kinh doanh", "ktx": "ký túc xá", "bb": "bye bye", "pp": "bye bye",
    "nvs": "nhà vệ sinh",
    # ... and more of the chat spellings everyone uses, one meaning each (eleventh stop; "tt", "vc", "tn", "cs" are
    # left out: thủ tục or tạm trú or thường trú, việc or vợ chồng, tốt nghiệp or tin nhắn, cảnh sát or chính sách)
    "ns": "nói", "cx": "cũng", "cg": "cũng", "bc": "báo", "cb": "cán bộ", "tg": "thời gian", "ht": "hỗ trợ",
    "ds": "danh sách", "lv": "làm việc", "sd": "sử dụng", "lđ": "lao động", "thg": "tháng", "cj": "chị",
    "đg": "đường", "gp": "giấy phép", "đh": "đại học", "tcxh": "trợ cấp xã hội", "hqua": "hôm qua",
    "nhìu": "nhiều", "nhiu": "nhiều", "wa": "quá", "ak": "à", "khum": "không", "ngta": "người ta",
    "dzậy": "vậy", "zậy": "vậy", "dzị": "vậy", "zị": "vậy", "dzô": "vô", "zô": "vô", "bnhiu": "bao nhiêu",
    "mng": "mọi người", "thik": "thích", "hum": "hôm", "đkbđ": "đăng ký biến động", "dkbd": "đăng ký biến động",
    # ... and Southern and teen chat spellings (round 50: "cho mik 1 số", "hông bít lm j", "thui khỏi", "lp bn"; "hem"
    # is left out: typed without accents it is also "hẻm", an alley)
    "mik": "mình", "mìk": "mình", "hông": "không", "k0": "không", "bít": "biết", "wá": "quá", "thui": "thôi",
    "rùi": "rồi", "nèo": "nào", "bg": "bây giờ", "lp": "lệ phí", "sđt": "số điện thoại", "sdt": "số điện thoại",
    "cq": "cơ quan", "ox": "ông xã", "bx": "bà xã", "tctn": "trợ cấp thất nghiệp",
    # ... the initials of procedures, papers and people that chat makes up, where they stand for one thing only
    # ("đktt" is tạm trú or thường trú: left out)
    "kbtv": "khai báo tạm vắng", "htmt": "hỗ trợ mai táng", "xnkt": "xác nhận khuyết tật",
    "xđkt": "xác định khuyết tật", "xdkt": "xác định khuyết tật", "gxnkt": "giấy xác nhận khuyết tật",
    "dkhkd": "đăng ký hộ kinh doanh", "đkhkd": "đăng ký hộ kinh doanh", "dklks": "đăng ký lại khai sinh",
    "đklks": "đăng ký lại khai sinh", "dkkt": "đăng ký khai tử", "đkkt": "đăng ký khai tử", "gbt": "giấy báo tử",
    "ltp": "lý lịch tư pháp", "btxh": "bảo trợ xã hội", "nct": "người cao tuổi", "nkt": "người khuyết tật",
    "ny": "người yêu", "cthđ": "chứng thực hợp đồng", "cthd": "chứng thực hợp đồng", "ctdc": "chứng thực di chúc",
    "ncmc": "nhận cha mẹ con", "tcht": "trợ cấp hưu trí", "tchtxh": "trợ cấp hưu trí xã hội",
    "xnđt": "xác nhận độc thân", "xndt": "xác nhận độc thân", "gxnđt": "giấy xác nhận độc thân",
    "gxndt": "giấy xác nhận độc thân",
}

# Places whose phrases need their first word typed as it is written, accents and all ("bạn hướng dẫn tận tình",
# "cam on ban huong dan" thank, they do not ask for "bàn hướng dẫn"; nlu._match_at)
PLACES_NAMED_AS_TYPED: frozenset[str] = frozenset({"place:help_desk", "place:water_station"})
# The words after "một số" that make it "some" ("cho tôi một số thông tin"), not a ticket ("cho tôi một số"); compared
# accents folded, so not "thủ" (tục): "thứ" (tự) folds alike
SOME_OF = ("thông", "giấy", "câu", "việc", "điều", "vấn", "chuyện", "loại", "người", "nơi",
           "trường", "quy", "điểm", "văn", "mẫu", "bản", "tiền", "lần", "ngày", "hôm")
# Putting off what was offered, with when and who comes back ("để chiều anh quay lại nha"): a decline
LATER = ("chiều", "mai", "sáng mai", "chiều mai", "lát nữa", "lát", "tối", "tuần sau", "hôm khác", "bữa khác",
         "dịp khác", "đầu tháng")
COMERS = ("tôi", "tui", "em", "bác", "cháu", "con", "mình", "anh", "chị", "cô", "chú", "ông", "bà", "mẹ", "mệ")
COMING_BACK = ("quay lại", "ra lại", "ghé lại", "lên lại", "quay lại sau", "tới lại", "đến lại")
# A ticket already in hand ("tôi đã có số", "mình lấy số thứ tự rồi"); the second list is also a no to the offer
TICKET_IN_HAND = ("đã có số", "đã có số thứ tự", "đã lấy số", "đã bốc số", "đã có phiếu", "đã có vé", "đã xin vé",
                  "đã xin số", "đã xếp lượt")
# Asking when one's turn comes ("bao giờ tới lượt tôi", "còn mấy người nữa"): with a ticket from this conversation
# the dialog says where it stands in line (Understanding.asks_turn); what the turn is read as stays as it was
# (not "chờ bao lâu nữa": "làm xong thì phải chờ bao lâu nữa mới có kết quả" asks the procedure's time; nor "mấy người
# nữa": "lấy thêm số cho mấy người nữa trong nhà")
MY_TURN = (
    *(f"{verb} lượt {who}" for verb in ("đến", "tới") for who in COMERS),
    "bao giờ đến lượt", "bao giờ tới lượt", "khi nào đến lượt", "khi nào tới lượt", "chừng nào tới lượt",
    "còn mấy người", "còn bao nhiêu người", "phía trước còn", "chưa thấy gọi", "sao chưa gọi", "chưa gọi tới",
    "chưa gọi đến", "tới số tôi chưa", "đến số tôi chưa",
)
TICKET_IN_HAND_NO = ("có số rồi", "có số thứ tự rồi", "lấy số rồi", "bốc số rồi", "có phiếu rồi", "đã lấy số rồi",
                     "đã có số rồi", "lấy số thứ tự rồi", "bốc số thứ tự rồi", "lấy phiếu rồi",
                     # ... in the words the twentieth stop's ticket phrases read ("tôi có vé thứ tự rồi")
                     "có vé rồi", "có vé thứ tự rồi", "xin vé rồi", "có phiếu chờ rồi", "xếp lượt rồi", "đã có vé rồi",
                     "đã xin vé rồi", "đã xếp lượt rồi", "đã có vé thứ tự rồi")

# Chat spellings that mean one thing only where they open a turn or a clause ("nhà vs chỗ nào z": the toilet), and
# are read word by word elsewhere ("thuê nhà vs cccd", "ở chung nhà vs ông bà": "với"; normalize.expand_openings).
OPENING_ABBREVIATIONS: dict[str, str] = {
    "nhà vs": "nhà vệ sinh", "nha vs": "nhà vệ sinh", "phòng vs": "phòng vệ sinh", "phong vs": "phòng vệ sinh",
    "khu vs": "khu vệ sinh", "chỗ vs": "chỗ vệ sinh",
}

# How one gets a place in the queue, asked ("giờ chờ lượt kiểu gì đây", "chờ tới lượt bằng cách nào"; round 57): a
# ticket asked for, unless the speaker says they hold one ("tôi có số rồi, chờ lượt thế nào em": how the calling
# works). Not "làm sao" ("chờ lượt làm sao mà lâu thế"), nor "có lượt" ("không có lượt thì làm sao").
QUEUE_HOW = tuple(f"{wait} {how}" for wait in ("chờ lượt", "chờ tới lượt", "chờ đến lượt", "đợi lượt", "đợi tới lượt",
                                               "xếp lượt", "vào lượt")
                  for how in ("kiểu gì", "thế nào", "bằng cách nào", "ra sao", "như thế nào"))

# Chat spellings that the word beside them reads ("thẻ bh cho bé": bảo hiểm, where "bh" alone is "bao giờ"; "bàn hd ở
# đâu", "hd nộp online": hướng dẫn, where "hd" alone is "hợp đồng"; normalize.expand_pairs; round 58).
# Not "tiền bh", "đóng bh" ("tiền bh mới có": bao giờ), nor "hd giùm", "hd nộp" ("chứng thực hd giùm em": hợp đồng).
PAIR_ABBREVIATIONS: dict[str, str] = {
    **{f"{before} bh": f"{before} bảo hiểm" for before in ("thẻ", "the", "rút", "rut")},
    **{f"{before} hd": f"{before} hướng dẫn"
       for before in ("bàn", "ban", "quầy", "quay", "người", "nguoi", "ng", "cb")},
    **{f"hd {after}": f"hướng dẫn {after}" for after in ("trực", "truc", "cài", "cai")},
}

# Abbreviations that are "không" as a clause of their own, or at the start of a clause or after a person
# (BEFORE_NEGATING_SUBJECT, below ADDRESS_WORDS) before these words ("hk, chưa lấy", "ông em hk có lương hưu"), and
# their ABBREVIATIONS expansion elsewhere ("nhập hk có cần giấy gì", "sổ hk còn dùng được không": hộ khẩu).
NEGATING_ABBREVIATIONS: frozenset[str] = frozenset({"hk"})
BEFORE_NEGATED: frozenset[str] = frozenset({
    "có", "co", "cần", "can", "biết", "bít", "bik", "bt", "phải", "được", "đc", "dc", "lấy", "sao", "ạ", "a",
    "đâu", "nha", "nhé", "muốn", "mún", "thấy", "còn", "nhớ", "j", "gì", "hiểu", "rõ", "ai", "chịu",
})

# Sounds of hesitation: a turn of these and filler words alone ("ờ thì") is the phrases' to read, not the classifier's.
HESITATIONS: frozenset[str] = frozenset({"ờ", "ơ", "ờm", "hừm", "ừm"})

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
        "xin chào", "chào", "chào em", "chào bạn", "chào robot", "hello", "hi", "alo", "alô", "chào buổi sáng",
        "chào cháu", "chào con", "em chào", "chào anh", "chào chị", "chào ông", "chào bà", "chào bác")),
    # putting off what was offered: a "no" ("để tôi về bàn với nhà đã", "để bữa khác")
    *((p, "decline", 3.5) for p in (
        "để sau", "để mai", "để hôm khác", "để bữa khác", "để lần sau", "tính sau", "về bàn với nhà", "về bàn lại",
        "về hỏi lại", "về suy nghĩ", "hỏi ý kiến", "bàn với nhà", "hỏi lại nhà", "suy nghĩ đã", "chưa quyết",
        "chưa cần", "chưa cần đâu", "để đã", "từ từ đã", "khoan đã", "không lấy nữa", "không lấy", "thôi không lấy",
        "thôi không cần", "không cần nữa", "thôi khỏi", "à mà thôi", "mà thôi",
        # "để chiều anh quay lại nha", "để mai bác ra lại": put off with who will come back
        *(f"để {when} {who} {back}" for when in LATER for who in COMERS for back in COMING_BACK))),
    *((p, "intent:goodbye", 3) for p in (
        "tạm biệt", "chào nhé", "về đây", "đi đây", "bye", "bai", "về nhé", "hẹn gặp lại", "thôi chào",
        "chào tạm biệt", "đi nhé", "đi về", "tôi về", "về đây nhé", "bye bye", "không còn gì nữa",
        "thế thôi", "vậy thôi", "hết rồi", "lúc khác", "hôm khác", "bữa khác", "khi khác", "quay lại sau",
        "mai quay lại", "mai tôi quay lại", "mai lại", "hôm sau quay lại", "về đã", "về nhà đã", "về chuẩn bị",
        "về lấy giấy", "về mang", "quay lại sau nhé", "đi về đây", "thôi về", "hôm khác tôi lên", "bữa khác ra",
        "chào em nhé", "chào cháu nhé", "tui dìa", "tôi dìa", "dìa nghen", "dìa đây", "chạy về đón",
        "chào nhé em", "thôi chào em", "thôi chào cháu", "em nhé chào", "xin phép về", "tôi đi đây", "bác về đây",
        "về trước", "lần sau", "để lần sau", "mai đến", "mai tới", "sáng mai quay lại", "chiều quay lại",
        "mai gặp nhé", "mai gặp nha", "mai gặp lại", "gặp lại sau", "xin phép ra về", "ra về nha", "về nhé em",
        "về nhé cháu", *(f"thôi {who} về nha" for who in ("tôi", "tui", "bác", "em", "cháu", "con", "mình")),
        # "mai bác quay lại nghen", "mai con ghé lại nha" (round 53): with the word that ends the turn, so that "mai
        # chị ghé lại nộp hồ sơ tạm trú" stays the request it goes on with
        *(f"mai {who} {back} {end}" for who in COMERS for back in COMING_BACK if not back.endswith("sau")
          for end in ("nha", "nghen", "nhé", "nhá", "sau", "ạ")))),
    *((p, "intent:thanks", 2.5) for p in (
        "cảm ơn", "cám ơn", "cảm ơn nhiều", "cảm ơn em", "cám ơn em", "cảm ơn robot", "đa tạ", "tốt quá",
        "hay quá", "giỏi quá", "cảm ơn cháu", "cám ơn cháu", "cảm ơn con", "nhờ cháu mà", "nhờ em mà",
        "nhờ con mà", "may mà có", "xong nhanh quá", "chu đáo quá")),
    *((p, "intent:repeat", 3) for p in (
        "nói lại", "nhắc lại", "lặp lại", "gì cơ", "nói chậm", "nghe không rõ", "chưa nghe rõ", "không nghe rõ",
        "sao cơ", "cái gì cơ", "nói to", "nghe không kịp", "đọc lại", "nói lại đi", "chưa nghe", "không nghe thấy",
        "nghe không được", "lúc nãy nói gì", "vừa nói gì", "không nghe kịp", "bảo gì", "nói gì cơ", "chưa rõ",
        "chậm thôi", "chậm lại", "chậm chậm")),
    # yes / no: only counted in short replies (see nlu.SHORT_REPLY)
    *((p, "intent:yes", 3) for p in (
        "có", "vâng", "dạ", "đúng", "đúng rồi", "ừ", "ừm", "phải", "phải rồi", "chính xác", "được",
        "đồng ý", "chuẩn", "yes", "uh", "um", "vâng ạ", "dạ vâng", "dạ phải", "đúng vậy", "đúng thế", "có chứ",
        "chuẩn rồi", "ừ đúng", "vâng đúng", "đúng đấy", "dạ đúng", "có ạ", "rồi", "đúng là vậy", "ừ phải")),
    *((p, "intent:no", 3) for p in (
        "không", "không phải", "sai", "sai rồi", "chưa", "không cần", "thôi", "không đúng", "no", "hổng",
        "không ạ", "dạ không", "không phải đâu", "nhầm rồi", "không phải vậy", "chưa phải", "không có", "hông",
        "hổng có",
        "thôi khỏi", "khỏi", "không cần đâu", "thôi không", "không muốn", "không phải thế", "không đâu",
        "chưa có nhu cầu", "không có nhu cầu", "chưa cần đến", "để lần khác",
        # "đâu" that stresses a no is no "where" ("cái đó con không cần tới đâu ạ"; round 53)
        "không cần tới đâu", "không cần đến đâu")),
    # ... and "đâu có" that says "did not" ("tui đâu có hỏi cái đó"; round 53)
    *((p, "neutral", 0) for p in ("đâu có",)),
    # take a number
    *((p, "intent:take_number", 4) for p in (
        "lấy số", "bốc số", "số thứ tự", "lấy phiếu", "xếp hàng", "in số", "phiếu thứ tự", "bấm số", "lấy vé",
        "cho số", "in phiếu", "lấy số thứ tự", "xin số", "lấy lượt", "vé xếp hàng", "đăng ký lượt", "đợi đến lượt",
        "xếp số", "lấy số chờ", "phát số", "số chờ", "lấy một số", "cái số", "lấy cái số", "lấy giùm cái số",
        "lấy giúp cái số", "lấy hộ cái số", "bấm cho cái số", "lấy cho cái số", "xin cái số", "xin số thứ tự",
        "bốc một số", "bốc cái số", "bốc một cái số", "xin một số", "in một số", "in một cái số", "bấm một số",
        "bấm một cái số", "phiếu số", "cái phiếu số",
        *(f"{verb} {who} {what}" for verb in ("lấy cho", "lấy giúp", "lấy giùm", "lấy hộ", "cho", "xin cho", "in cho",
                                             "bốc cho", "bấm cho", "in giúp", "bốc giúp", "bấm giúp", "bấm giùm",
                                             "bốc giùm", "in giùm", "lấy dùm", "bốc dùm", "bấm dùm", "in dùm",
                                             "ấn cho", "ấn giúp", "ấn giùm", "ấn dùm", "ấn hộ", "lấy")
          for who in ("tôi", "em", "bác", "cháu", "mình", "tui", "chị", "anh", "cô", "chú", "ông", "bà", "con", "c",
                      "tụi tui", "tụi em", "tụi con", "tụi cháu", "chúng tôi", "chúng em", "chúng cháu", "bọn em",
                      "tụi nó", "tụi mình", "bọn mình", "hai đứa", "a", "e", "cậu", "thím")
          for what in ("số", "một số", "cái số", "số thứ tự", "phiếu", "cái phiếu", "1 số", "1 cái số", "hai số",
                       "2 số", "tờ số", "tờ số thứ tự", "cái số thứ tự", "một số thứ tự", "tờ phiếu", "cái vé thứ tự",
                       "vé thứ tự", "một phiếu", "1 phiếu", "cái vé", "một vé", "1 vé", "vé chờ", "phiếu chờ")
          # "lấy cho tôi hai số nhé", "bấm giúp a 1 số", "cho bác tờ số thứ tự", "lấy em một số"; the bare verb
          # only with a count or "thứ tự" ("lấy chú số" is one edit from "lấy chứ sao", a yes)
          if verb != "lấy" or what in ("một số", "1 số", "hai số", "2 số", "số thứ tự", "một số thứ tự")),
        "cho xin số", "cho xin cái số", "cho xin phiếu", "tờ giấy có số", "giấy có số", "tờ có số", "vé thứ tự",
        # a ticket by another name, asked for ("cho con xin một phiếu chờ", "cho e xin 1 vé nha"; round 55; not
        # "xếp lượt cho", which sounds like "xếp lượt chờ lâu không")
        *(f"xin {what}" for what in ("một phiếu", "1 phiếu", "cái phiếu", "một vé", "1 vé", "cái vé",
                                     "vé chờ", "phiếu chờ", "một phiếu chờ", "một vé chờ")),
        # a ticket needed for something ("Mình cần số để nộp mấy bản photo", "giờ chỉ cần cái số thôi"; round 54;
        # not "cần một số giấy tờ")
        *(f"cần {what}{why}" for what in ("số", "một số", "1 số", "cái số", "một cái số")
          for why in (" để", " thôi", " đi", " nha", " nhé", " trước")),
        # the ticket named by what it is for ("cho tôi cái vé đợi tới lượt", "cho anh một phiếu chờ gọi"; round 53)
        # ("vé chờ" alone would be "miễn vé cho người tàn tật" read by sound)
        "vé đợi", "phiếu đợi", "vé số thứ tự", "phiếu chờ gọi", "phiếu đợi gọi", "vé chờ gọi",
        *(f"{ticket} {wait} {until} lượt" for ticket in ("vé", "phiếu") for wait in ("chờ", "đợi", "cho")
          for until in ("tới", "đến")),
        # "dạ lấy số" sounds like "đã lấy số" (a ticket in hand): said exactly, it asks for one
        "dạ lấy số", "dạ cho lấy số", "dạ lấy số giúp", "vâng lấy số",
        # typed with a digit ("cho xin 1 so di", "cho a 1 số lun")
        "xin 1 số", "cho 1 số", "lấy 1 số", "in 1 số", "bấm 1 số", "1 số thứ tự",
        # a place in the queue asked for ("cho tôi vào lượt chờ nhé"; not "tôi đã vào lượt chờ rồi")
        *(f"{ask}{who} vào {queue}" for ask in ("cho", "xin cho")
          for queue in ("lượt chờ", "hàng đợi", "hàng chờ", "lượt")
          for who in ("", " tôi", " em", " bác", " cháu", " mình", " tui", " chị", " anh", " cô", " chú", " ông",
                      " bà", " con")),
        # ... or how one gets a place in it (QUEUE_HOW; not "xếp lượt chờ lâu không", nor "một lượt chờ": read by
        # sound, "làm hết một lượt cho nhanh" is one)
        *QUEUE_HOW)),
    *((p, "marker:queue_how", 1) for p in QUEUE_HOW),
    # look up a dossier
    *((p, "intent:lookup_dossier", 4) for p in (
        "tra cứu", "hồ sơ của tôi", "hồ sơ đến đâu", "xong chưa", "có kết quả chưa", "lấy kết quả", "nhận kết quả",
        "trả kết quả", "giấy hẹn", "phiếu hẹn", "mã hồ sơ", "quét mã", "kiểm tra hồ sơ", "tình trạng hồ sơ",
        "đã nộp hồ sơ", "nộp hồ sơ rồi", "biên nhận", "giấy biên nhận", "phiếu biên nhận", "hẹn trả",
        "hồ sơ của em", "hồ sơ của bác", "hồ sơ của mình", "hồ sơ nộp hôm", "hồ sơ tuần trước", "tra hồ sơ",
        "hồ sơ xử lý", "được chưa", "có chưa", "lấy giấy", "đến hẹn", "ngày hẹn", "giải quyết đến đâu",
        "hồ sơ nộp", "xem hồ sơ", "hồ sơ của chú", "hồ sơ của cô", "hồ sơ của anh", "hồ sơ của chị", "mã qr",
        "quét qr", "hồ sơ nộp tuần trước", "hẹn lấy", "nộp rồi", "kết quả chưa", "sao chưa có",
        # how far it has got ("coi giùm hồ sơ tới đâu rồi em": not the way somewhere)
        "hồ sơ tới đâu", "tới đâu rồi", "đến đâu rồi",
        # still in hand ("trên điện thoại cứ báo đang xử lý hoài"; round 54)
        "vẫn đang xử lý", "báo đang xử lý", "xử lý hoài", "xử lý mãi", "chưa xử lý xong", "đang chờ xử lý")),
    # refreshments
    *((p, "intent:refreshment", 3) for p in (
        "khát", "uống nước", "cốc nước", "ly nước", "nước uống", "nước lọc", "kẹo", "chai nước", "cho xin nước",
        "nước suối", "khát nước", "đồ uống", "trà", "cái kẹo", "ăn kẹo", "viên kẹo", "khô cổ", "khô họng",
        "cổ họng khô", "họng khô", "rát cổ", "miệng khô", "cổ khô", "khô khốc", "khan họng", "khan cả họng",
        "khan cổ", "ngọt ngọt", "gì ngọt", "hạ đường huyết", "khô cả cổ", "khô hết cả cổ", "khô hết cổ",
        "khô cả họng")),
    ("nước", "intent:refreshment", 1.5),
    *((p, "item:candy", 1) for p in ("kẹo", "cái kẹo", "ăn kẹo", "viên kẹo", "bánh kẹo", "kẹo ngọt", "đồ ngọt",
                                     "cho xin kẹo", "xin cái kẹo", "kẹo mút", "ăn ngọt",
                                     "ngọt ngọt", "gì ngọt", "hạ đường huyết",
                                     # which item, once the turn asks for one: "có gì ngòn ngọt cho nó ngậm không",
                                     # "thấy mấy viên màu đỏ trong hộp kia là đòi"
                                     "ngọt", "ngòn ngọt", "viên", "ngậm")),
    *((p, "item:water", 1) for p in ("khát", "uống nước", "cốc nước", "ly nước", "nước uống", "nước lọc",
                                     "chai nước", "cho xin nước", "nước suối", "khát nước", "đồ uống", "trà",
                                     "nước", "chai nước suối", "cốc trà", "uống", "khô cổ", "khô họng",
                                     "cổ họng khô", "họng khô", "rát cổ", "miệng khô", "cổ khô",
                                     "khô khốc", "khan họng", "khan cả họng", "khan cổ",
                                     "nhấp giọng", "cổ họng", "giải khát", "cháy cổ", "khô cả cổ",
                                     "khô hết cả cổ", "khô hết cổ", "khô cả họng")),
    *((p, "intent:refreshment", 2.5) for p in ("thêm một cái", "thêm cái nữa", "cái nữa", "thêm một cái nữa",
                                                "một cái nữa", "thêm một chai", "thêm một cốc", "thêm chai nữa")),
    *((p, "intent:refreshment", 3) for p in ("bánh kẹo", "kẹo ngọt", "đồ ngọt", "kẹo mút", "ăn ngọt",
                                              "xin cái kẹo", "cho xin kẹo", "chai nước suối", "cốc trà")),
    # a human, please
    *((p, "intent:human_help", 4) for p in (
        "gặp cán bộ", "nhân viên", "người thật", "gặp người", "nói chuyện với người", "hỏi trực tiếp",
        "gọi người", "lãnh đạo", "khiếu nại", "phản ánh", "gặp trực tiếp", "cần người giúp", "người hướng dẫn",
        "gặp chủ tịch", "gọi ai", "người phụ trách", "gọi giúp", "chị cán bộ",
        "anh cán bộ", "bảo vệ", "gặp ai", "hỏi người", "không hiểu", "robot không hiểu", "máy không hiểu",
        "tố cáo", "góp ý", "người trực", "ai đó giúp", "phụ trách", "ai phụ trách", "kêu giùm", "gọi giùm",
        "có ai ở đây", "có ai không", "giúp tôi một tay", "giúp một tay", "kêu người", "gọi ai đó", "khó dùng",
        "không biết dùng", "không biết bấm", "gọi cán bộ", "cần cán bộ", "gặp cán bộ nào", "cán bộ ơi", "cán bộ đâu",
        "có cán bộ nào", "cán bộ nào giúp", "nhờ cán bộ giúp", "điền giùm", "điền giúp", "điền hộ", "viết giùm",
        "viết giúp", "viết hộ", "ai hướng dẫn", "không biết làm gì")),
    # ... a mere mention of an officer ("cán bộ thôn nói nên báo...", "dự tuyển công chức", "cần có người làm
    # chứng không") loses to a procedure named in the same turn ("nhờ cán bộ hướng dẫn thủ tục gia hạn tạm trú, lệ
    # phí bao nhiêu"); "gặp/gọi cán bộ" above stay 4
    *((p, "intent:human_help", 1.5) for p in ("cán bộ", "công chức", "người làm")),
    # places of the centre (each implies the directions intent)
    *((p, "place:toilet", 4) for p in (
        "nhà vệ sinh", "vệ sinh", "toilet", "nhà cầu", "đi tiểu", "đi giải", "tè", "restroom", "phòng vệ sinh",
        "đi vệ sinh", "chỗ vệ sinh", "rửa tay", "đi tè", "buồn tiểu", "nhà wc", "khu vệ sinh", "mắc tiểu",
        "buồn đi tiểu", "mắc đi vệ sinh", "toa lét")),
    *((p, "place:waiting_area", 4) for p in (
        "chỗ ngồi", "ghế ngồi", "ngồi chờ", "ngồi đợi", "phòng chờ", "khu chờ", "ghế chờ", "chỗ chờ", "ngồi ở đâu",
        "chỗ đợi", "khu vực chờ", "ngồi nghỉ", "ghế đợi", "hàng ghế", "có ghế", "ghế cho", "chỗ nào ngồi",
        "chỗ nào để ngồi")),
    *((p, "place:photocopy", 4) for p in (
        "photo", "phô tô", "máy photo", "in tài liệu", "in giấy", "chỗ in", "sao chụp", "photocopy", "máy in",
        "phô tô copy", "chỗ photo", "in ấn", "fotocopy", "foto", "photo giấy tờ", "chụp tài liệu")),
    *((p, "place:parking", 4) for p in (
        "gửi xe", "gởi xe", "để xe", "bãi xe", "đỗ xe", "đậu xe", "nhà xe", "chỗ để xe", "giữ xe", "dựng xe", "bãi đỗ",
        "xe máy để", "ô tô đỗ", "gửi xe máy", "cất xe", "đậu đâu", "chỗ đậu", "bãi đậu", "đậu ở đâu",
        "dựng xe chỗ nào", "dựng xe ở chỗ nào", "đỗ ở đâu", "đỗ chỗ nào", "đỗ ô tô")),
    *((p, "place:exit", 4) for p in (
        "lối ra", "cửa ra", "đường ra", "ra ngoài", "lối thoát", "cổng ra", "cửa chính", "đi ra", "ra cổng",
        "ra đường", "lối đi ra", "thoát hiểm", "cửa thoát", "ngoài đường", "ra lại ngoài", "lạc đường",
        "đường ra ngoài", "ra khỏi đây", "về lối nào")),
    *((p, "place:online_help", 4) for p in (
        "nộp online", "nộp trực tuyến", "dịch vụ công trực tuyến", "dịch vụ công", "vneid", "nộp qua mạng",
        "trên mạng", "làm online", "cài vneid", "tài khoản định danh", "định danh điện tử", "online",
        "trực tuyến", "qua mạng", "cổng dịch vụ công", "điện thoại nộp", "nộp trên điện thoại", "ứng dụng",
        "app", "mức 2", "kích hoạt", "tài khoản")),
    *((p, "place:counter", 4) for p in ("quầy", "quầy số", "bàn số", "cửa số", "ô số")),
    # the help desk and the drinking-water corner of the centre's map ("bàn hướng dẫn ở đâu", "cây nước uống đặt ở
    # đâu": the place, where the robot's own water is "cho xin cốc nước")
    *((p, "place:help_desk", 4) for p in (
        "bàn hướng dẫn", "quầy hướng dẫn", "bàn lễ tân", "quầy lễ tân", "bàn thông tin", "quầy thông tin",
        "bàn tư vấn", "quầy tư vấn", "bàn có người hướng dẫn", "chỗ ngồi hướng dẫn",
        # ... by other names ("bàn tiếp dân ở chỗ nào", "bàn tiếp đón"; rounds 49, 50 and 58 call it so; not "ngồi
        # hướng dẫn": "chị ngồi hướng dẫn ở ngoài kêu em vô đây lấy số")
        "bàn tiếp dân", "quầy tiếp dân", "bàn tiếp đón", "quầy tiếp đón")),
    *((p, "place:water_station", 4) for p in (
        "cây nước", "cây nước uống", "khu nước uống", "chỗ lấy nước", "chỗ rót nước", "chỗ tự rót", "chỗ đổ nước",
        "máy lọc nước", "bình lọc nước", "chỗ uống nước", "tự lấy nước", "chỗ nước uống", "góc nước uống",
        "tự rót nước", "chỗ nào tự rót", "chỗ để tự rót")),
    # "dẫn tôi qua đó", "đưa tôi tới chỗ nộp hồ sơ": be led, to the counter of the procedure under discussion
    # unless a place is named (a named place counts 4)
    *((f"{verb} {who}{where}", "place:counter", 2.5)
      for verb in ("dẫn", "đưa", "chỉ")
      for who in ("tôi", "em", "bác", "cháu", "mình", "chị", "anh", "cô", "chú", "ông", "bà", "con")
      for where in ("", " đi", " qua đó", " tới đó", " đến đó", " ra đó", " tới chỗ nộp", " đến chỗ nộp",
                    " tới chỗ làm", " đến chỗ làm")),
    *((p, "place:counter", 2.5) for p in ("dẫn đường", "dẫn đường giúp", "chỗ nộp hồ sơ", "nơi nộp hồ sơ",
                                          "chỗ làm thủ tục", "qua đó", "tới đó", "ra đó")),
    ("quầy", "question:counter", 3),
    # questions about a procedure
    *((p, "question:documents", 3) for p in (
        "hồ sơ gồm", "cần mang", "mang theo", "mang gì", "cần gì", "chuẩn bị",
        "những gì", "cần những", "mang những", "hồ sơ cần", "giấy gì", "thủ tục cần", "cầm theo",
        "đem theo", "đem gì", "cầm gì", "phải có gì", "yêu cầu gì", "điều kiện", "cần có gì", "mẫu đơn",
        "tờ khai", "mang những giấy tờ", "cần chuẩn bị", "hồ sơ gì", "giấy tờ gì", "giấy gì", "đem theo giấy",
        "mang giấy gì", "phải mang", "phải đem", "phải cầm", "cần giấy", "cần những giấy", "giấy tờ cần",
        "chuẩn bị gì", "chuẩn bị những gì", "cần những gì", "mang theo gì", "đem những gì", "giấy tờ thế nào",
        "hồ sơ thế nào", "hồ sơ ra sao", "cần gì không", "thủ tục gồm", "thủ tục thế nào", "thủ tục ra sao",
        "thủ tục như thế nào",
        # copies asked for, not the photocopier ("cần photo sẵn không", "bản chính hay bản photo")
        "hay bản photo", "photo cũng được", "cần photo sẵn", "phải photo sẵn", "photo sẵn không", "cần photo trước",
        "phải photo trước", "photo trước không", "photo mấy bản", "photo bao nhiêu bản", "cần photo không",
        "có cần photo", "phải photo không", "bản photo được không")),
    *((p, "question:fee", 3) for p in (
        "bao nhiêu tiền", "lệ phí", "phí", "mất tiền", "tốn tiền", "tốn bao nhiêu", "hết bao nhiêu", "giá bao nhiêu",
        "miễn phí", "mất phí", "trả tiền", "đóng tiền", "mất bao nhiêu", "nộp tiền", "chi phí", "nhiêu tiền",
        "có mất tiền", "thu tiền", "tốn kém", "bao nhiêu một", "hết bao nhiêu tiền", "nhiêu tiền", "tiền bạc",
        "đóng bao nhiêu", "nộp bao nhiêu", "tốn nhiêu", "có tốn", "có mất gì không", "phí bao nhiêu", "bao tiền",
        "mất nhiêu", "hết nhiêu", "lệ phí bao nhiêu", "phải trả", "mất phí không", "mất đồng nào", "tốn đồng nào",
        "khoản phí", "khoản tiền", "đủ trả", "đóng tiền không", "đóng phí", "tốn nhiều không", "có tốn tiền",
        "mấy tiền", "mấy trăm", "mấy chục nghìn", "bao nhiêu đồng", "có đủ trả", "đủ tiền", "đủ trả không",
        "mang đủ tiền", "tốn phí", "mất phí gì", "có phí", "trả bao nhiêu", "thu bao nhiêu",
        "tốn mấy đồng", "tốn mấy trăm", "tốn mấy nghìn", "tốn mấy chục", "mất mấy đồng", "hết mấy đồng",
        "tờ mấy đồng", "bản mấy đồng", "tờ mấy nghìn", "bản mấy nghìn",
        "nộp đồng nào", "đóng đồng nào", "có được miễn")),
    *((p, "question:duration", 3) for p in (
        "bao lâu", "mấy ngày", "bao nhiêu ngày", "khi nào xong", "khi nào có", "bao giờ có", "bao giờ lấy",
        "khi nào lấy", "mất mấy ngày", "lâu không", "có ngay không", "trong ngày", "nhanh không", "thời gian",
        "mấy hôm", "bao lâu thì", "bao nhiêu lâu", "mất bao lâu", "lấy ngay", "chờ lâu", "mấy tuần", "bao giờ xong",
        "lâu không", "mất mấy", "có luôn không", "khi nào được", "bao giờ được", "lâu", "ngày nào lấy",
        "mấy hôm thì có", "bao lâu có", "bao lâu thì có", "có kết quả", "khi nào có kết quả", "mấy bữa",
        "bao nhiêu bữa", "mất mấy hôm", "lấy được ngay", "làm ngay", "có liền", "mấy ngày thì có", "bao lâu xong",
        "lấy liền", "lấy ngay được", "có ngay", "được ngay", "phải chờ", "chờ mấy", "đợi mấy", "đợi bao lâu",
        "chờ bao lâu", "bao nhiêu ngày mới", "nhanh nhất", "bao giờ nhận", "khi nào nhận", "bao giờ mới",
        "khi nào mới", "lấy luôn được", "chờ lấy luôn",
        # in the South ("chừng nào có vậy chị") and as a recogniser hears "bao lâu" ("bao nâu")
        "chừng nào có", "chừng nào mới", "chừng nào xong", "chừng nào lấy", "chừng nào được", "bao nâu")),
    # "mất bao nhiêu ngày" is time, though "mất bao nhiêu" alone is money: the longer phrase wins
    *((p, "question:duration", 3.5) for p in (
        "mất bao nhiêu ngày", "mất bao nhiêu lâu", "mất bao nhiêu hôm", "mất bao nhiêu tuần", "mất bao nhiêu tháng",
        "mất bao nhiêu thời gian", "bao nhiêu hôm", "bao nhiêu tuần", "bao nhiêu tháng", "hết bao nhiêu ngày",
        "hết bao lâu",
        "bao nhiêu ngày làm việc", "mấy ngày làm việc", "bao lâu mới nhận", "bao nhiêu ngày mới nhận",
        "tốn mấy ngày", "tốn mấy tháng", "tốn mấy tuần", "tốn mấy hôm",
        "mấy ngày mới nhận", "bao lâu thì nhận")),
    # "có cần giấy khám sức khỏe không": a question about papers ("có cần" alone is neutral)
    *((p, "question:documents", 3.5) for p in (
        "có cần giấy", "có cần mang", "có cần đem", "có cần bản", "cần phải có", "cần có giấy", "xác nhận gì",
        "cần mang những gì", "phải mang những gì", "cần giấy tờ gì", "cần những giấy tờ gì",
        # "có cần dịch thuật không", "cần thêm hợp đồng thuê nhà không": a paper or a step the file may need
        "có cần thêm", "cần thêm giấy", "cần thêm bản", "cần thêm hợp đồng", "có cần dịch", "cần dịch thuật",
        "cần người làm chứng", "có cần chụp ảnh", "có cần ảnh", "có cần hợp đồng", "có cần quyết định",
        "cần có quyết định", "có cần giấy ủy quyền", "cần giấy ủy quyền", "có cần bản vẽ", "có cần xác nhận",
        "cần thêm gì", "cần nộp gì", "nộp những gì", "cần nộp những gì",
        # the formal ways of asking ("hồ sơ gồm những giấy tờ nào", "phải kèm theo những văn bản nào")
        "giấy tờ nào", "những giấy tờ nào", "loại giấy tờ nào", "những loại giấy tờ", "văn bản nào",
        "những văn bản nào", "văn bản gì", "gồm những gì", "bao gồm những", "gồm những giấy", "kèm theo những",
        "kèm theo giấy", "có bắt buộc nộp", "bắt buộc phải nộp", "phải nộp những", "phải nộp giấy",
        "cần nộp giấy",
        # whether someone must come too, what is still missing ("bà có phải đi cùng không", "còn thiếu gì không")
        "phải đi cùng", "có phải đi cùng", "có phải đi theo không", "phải đi theo cùng", "cần đi cùng",
        "có phải đến tận nơi", "có phải tự đến", "có phải đến trực tiếp", "phải tự đến",
        "còn thiếu gì", "thiếu gì không", "mang chi", "đem chi", "cần giấy chi", "cần giấy tờ chi", "giấy chi rứa",
        "giấy chi không", "giấy chi hông")),
    # papers in the citizen's story, not a question about them ("chưa có giấy tờ gì", "giấy tờ đã có tên bố")
    *((p, "neutral", 0) for p in (
        "chưa có giấy tờ gì", "không có giấy tờ gì", "chẳng có giấy tờ gì", "không còn giấy tờ gì",
        "chưa có giấy tờ", "không có giấy tờ", "giấy tờ đã có", "trong giấy tờ", "giấy tờ ghi", "giấy tờ của tôi",
        "giấy tờ chứng minh", "hết giấy tờ", "mất giấy tờ", "mất hết giấy tờ")),
    *((p, "question:counter", 3) for p in (
        "quầy nào", "ở đâu", "chỗ nào", "nộp ở đâu", "làm ở đâu", "phòng nào", "đi đâu", "nơi nào", "cửa nào",
        "bàn nào", "chỗ nào làm", "làm đâu", "nộp đâu", "quầy đâu",
        "ra đâu", "đến đâu", "tới đâu", "ở chỗ nào", "nộp chỗ nào", "hướng nào",
        "lối nào", "đường nào", "phía nào", "đi lối nào", "chỉ đường", "ở quầy nào", "nộp chỗ nào",
        "đưa cho ai", "nộp cho ai", "đưa ai", "gửi cho ai", "nộp ai",
        "làm chỗ nào", "quầy mấy", "quầy số mấy", "nộp ở quầy nào", "đến quầy nào", "ra quầy nào", "đi quầy nào",
        "bàn mấy", "bàn số mấy", "lên bàn nào", "chờ bàn nào", "chờ quầy nào", "chờ quầy mấy",
        # by the door's number, and who handles it ("ở cửa số mấy", "gia hạn tạm trú là quầy nào phụ trách": not a
        # person asked for; round 57; not "cửa mấy", "ô số mấy", "bàn nào phụ trách": by sound "của mấy đứa cháu",
        # "đang ở số mấy", "bạn nào phụ trách")
        "cửa số mấy",
        *(f"{where} nào phụ trách" for where in ("quầy", "cửa", "phòng", "chỗ", "nơi", "bộ phận")),
        # whether here, and which floor ("nộp đây luôn được không", "nộp ở tầng mấy"), in Central words ("bàn mô",
        # "quầy mô"; not "phòng mô", "cửa mô": read by sound they are "phòng mổ", "cửa mở") and as a recogniser
        # hears them ("chỗ lào"); not "ở mô", "làm mô", "nộp mô": "mô" also denies ("tui không làm mô") and "ở mô"
        # asks where the speaker comes from ("bác ở mô tới"). "gặp ai" stays a request for staff.
        "nộp đây", "nộp ở đây luôn", "nộp đây luôn", "làm ở đây luôn", "ở tầng mấy", "lên tầng mấy",
        "tầng mấy vậy", "ở tầng nào", "lên tầng nào", "bàn mô", "chỗ mô", "quầy mô", "ngồi chỗ nào", "chỗ lào",
        "quầy lào", "bàn lào")),
    # things nobody at a centre acts on (chit-chat), or that the ward does not do and config/referrals.yaml does
    # not name: a named thing counts 4 ...
    *((p, "out_of_scope", 4) for p in (
        "tiền điện", "hóa đơn điện", "hóa đơn nước", "trả tiền điện", "đóng tiền điện", "nộp tiền điện",
        "trả tiền nước", "đóng tiền nước", "nộp tiền nước", "vé máy bay", "khởi kiện", "con nuôi", "nhận con nuôi",
        "giá vàng", "xổ số", "chứng khoán", "quốc tịch", "nhập cảnh", "wifi", "mật khẩu wifi")),
    # ... a mere mention counts less, so it loses to a procedure named in the same sentence
    *((p, "out_of_scope", 2.5) for p in (
        "ngân hàng", "tòa án", "kiện", "tranh chấp", "tiền nước",
        "học bạ", "mua vé", "thời tiết", "trời đẹp", "bóng đá", "doanh nghiệp", "công ty", "tuyển dụng", "xin việc",
        "việc làm", "học phí", "nhập học", "bệnh viện", "khám bệnh", "ăn cơm", "ăn trưa", "ăn sáng", "thủ tướng",
        "tên gì", "tên là gì", "biết hát", "biết nhảy", "hát", "kể chuyện", "đi chơi", "du lịch", "du học",
        "quê ở đâu", "ai làm ra", "tiếng anh", "người hay máy", "cầm đồ", "đẹp trai", "xinh gái",
        "ai thắng", "chứng minh nhân dân", "chứng minh thư", "mấy tuổi", "mấy giờ rồi", "bây giờ là mấy giờ")),
    # the centre's own hours
    *((p, "intent:centre_hours", 4) for p in (
        "mấy giờ mở cửa", "mấy giờ đóng cửa", "giờ làm việc", "nghỉ trưa", "làm việc đến mấy giờ", "mở cửa",
        "đóng cửa", "giờ mở cửa", "giờ đóng cửa", "mấy giờ nghỉ", "mấy giờ làm", "làm đến mấy giờ",
        "giờ hành chính", "mấy giờ thì làm", "mấy giờ thì nghỉ", "có làm việc không", "làm việc không",
        "có làm không", "mấy giờ mới làm", "mấy giờ bắt đầu", "mấy giờ tan", "mấy giờ hết giờ", "hết giờ làm",
        "mấy giờ nhận hồ sơ", "nhận hồ sơ đến mấy giờ", "làm việc buổi", "thứ bảy có làm", "chủ nhật có làm",
        "ngày nghỉ", "nghỉ lễ", "mấy giờ thì mở", "mấy giờ thì đóng", "mấy giờ đóng", "mấy giờ mở", "mở cửa lại",
        "làm buổi chiều", "làm buổi sáng", "lịch làm việc", "thời gian làm việc", "giờ giấc", "mấy giờ về",
        "ngày lễ", "có nghỉ không", "nghỉ tết", "lễ có làm", "tết có làm", "có mở cửa không", "mở cửa không",
        "còn tiếp dân", "có tiếp dân", "tiếp dân không", "có người tiếp", "còn kịp không",
        "làm việc vào những ngày nào", "làm việc những ngày nào", "làm việc ngày nào", "ngày nào làm việc",
        "làm việc vào ngày nào", "những ngày nào trong tuần", "mấy ngày trong tuần", "làm việc các ngày",
        "làm việc vào thứ")),
    ("mấy giờ", "intent:centre_hours", 2.5),
    *((p, "day:saturday", 0) for p in ("thứ bảy", "thứ 7", "thứ bẩy")),
    *((p, "day:sunday", 0) for p in ("chủ nhật",)),
    *((p, "day:tomorrow", 0) for p in ("ngày mai", "mai", "sáng mai", "chiều mai")),
    *((p, "day:monday", 0) for p in ("thứ hai", "thứ 2")),
    # facts that combine with procedures (COMBINATIONS)
    *((p, "marker:under6", 1) for p in (
        "dưới 6 tuổi", "dưới sáu tuổi", "mới sinh", "mới đẻ", "sơ sinh", "dưới 6", "chưa đủ 6 tuổi")),
    *((p, "marker:bundle", 1) for p in (
        "một lần", "cùng lúc", "luôn một thể", "một thể", "làm luôn", "cùng một lúc", "tất cả", "gộp", "làm chung",
        "đồng thời", "cả", "một lượt")),
    *((p, "marker:certify", 1) for p in ("chứng thực", "sao y", "công chứng")),
    *((p, "marker:lost", 1) for p in ("mất", "làm mất", "bị mất", "đánh mất", "thất lạc", "không còn", "rách")),
    # ... a paper lost, in words that never tell of a death ("giấy báo tử của mạ mà nhà làm mất"; round 54)
    *((p, "marker:mislaid", 1) for p in ("làm mất", "đánh mất", "thất lạc", "rách", "mất giấy", "mất tờ")),
    # a household business that exists and changes ("giấy hkd sửa ở đâu", "tiệm đổi địa chỉ", "dẹp tiệm")
    *((p, "marker:change", 1) for p in (
        "đổi tên", "đổi giấy", "đổi chủ", "đổi ngành", "đổi người đứng tên", "sửa giấy", "sửa lại", "sửa thông tin",
        "sửa nội dung", "thay đổi", "đổi địa chỉ", "chuyển địa điểm",
        "tạm ngừng", "tạm nghỉ", "nghỉ bán", "dẹp", "chấm dứt", "đóng cửa", "sang tên", "cấp lại", "bổ sung ngành",
        "thêm ngành")),
    # priority
    *((p, "priority", 0.5) for p in (
        "mang thai", "có bầu", "đang bầu", "bế con", "bế cháu", "con mọn", "xe lăn", "chống nạng", "chống gậy",
        "già rồi", "cao tuổi", "lớn tuổi", "người già", "tuổi cao", "người có công", "thương binh",
        "đi lại khó", "khiếm thị", "khiếm thính", "tàn tật", "người khuyết tật", "bầu bì", "ốm yếu", "mắt kém",
        "đau chân", "bệnh binh", "yếu chân", "ngoài 80", "ngoài 70", "ngoài tám mươi", "ngoài bảy mươi",
        "có thai", "bụng bầu", "ẵm con", "bế em bé", "bị liệt", "người cao tuổi", "đứng lâu không được",
        "bị khuyết tật", "tôi khuyết tật", "bị tàn tật", "là người khuyết tật")),
    # an emergency: someone fainted, fell, cannot breathe (dialogs.nlu._urgent: staff are called at once when the
    # turn asks for nothing else); not "mệt muốn xỉu", said of a long ride
    *((p, "urgent", 0.5) for p in (
        "ngất", "bị ngất", "ngất xỉu", "ngất rồi", "ngất đi", "ngất ngoài", "ngất trong", "ngất ở", "xỉu", "bị xỉu",
        "té xỉu", "lăn ra xỉu", "xỉu ngoài", "xỉu trong", "xỉu ở", "bất tỉnh", "gọi cấp cứu", "cấp cứu",
        "không thở được", "bị ngã", "té ngã", "ngã quỵ", "bị té", "ngã rồi", "té rồi", "ngã ngoài", "té ngoài",
        "ngã trong", "té trong", "cứu với", "cứu tôi", "cứu bà", "cứu ông", "cứu em", "cứu cháu", "cứu con", "cứu mẹ",
        "cứu bố", "có cháy", "cháy rồi")),
    # ("xỉu", "ngất" alone only as typed with accents: without, they are "xíu" in "chờ xíu", "ngạt" in "ngạt mũi";
    # dialogs.nlu._urgent)
    # ... a condition: an emergency only with a word of here and now ("bác đang bị khó thở, có ai tới đây gấp")
    *((p, "urgent_now", 0.5) for p in (
        "khó thở", "ngộp thở", "co giật", "lên cơn", "chảy máu", "đau ngực", "đau tim", "nhồi máu", "đột quỵ",
        "tai biến")),
    # ... and a small child brought along ("tôi có mang theo cháu nhỏ", "đang bế con")
    *((f"{bring} {child}", "priority", 0.5)
      for bring in ("mang theo", "dắt theo", "dẫn theo", "bế theo", "đi cùng", "đi với", "có", "đang bế", "ẵm")
      for child in ("con nhỏ", "cháu nhỏ", "trẻ nhỏ", "con mọn", "cháu bé", "bé nhỏ", "con dại")),
    # "xin cho tôi hỏi" opens a question: without these it read as "xin cho tôi số" (a ticket)
    *((f"{lead} {who} hỏi", "neutral", 0)
      for lead in ("xin cho", "cho", "xin phép cho", "làm ơn cho")
      for who in ("tôi", "em", "bác", "cháu", "mình", "tui", "chị", "anh", "cô", "chú", "ông", "bà", "con")),
    *((p, "neutral", 0) for p in ("xin phép hỏi", "xin hỏi", "xin cho hỏi")),
    # time and papers in the citizen's story, not a question ("chồng mất lâu rồi", "muốn kéo dài thời gian ở",
    # "chưa làm giấy tờ gì cả", "mọi thứ tôi mang theo đây rồi")
    *((p, "neutral", 0) for p in (
        "lâu rồi", "lâu lắm rồi", "lâu dài", "lâu năm", "từ lâu", "để lâu", "đi lâu", "ở lâu", "đã lâu",
        "kéo dài thời gian", "một thời gian", "thời gian qua", "thời gian trước", "trong thời gian",
        "chưa làm giấy tờ gì", "chưa làm giấy gì", "chưa làm thủ tục gì", "không làm giấy tờ gì",
        "tôi mang theo", "đã mang theo", "có mang theo", "em mang theo", "con mang theo", "cháu mang theo",
        "bác mang theo", "tui mang theo", "mang theo đây", "mang theo đủ", "mang theo đầy đủ",
        "lâu nay", "lâu ngày", "bấy lâu", "dài ngày", "không có thời gian", "hông có thời gian", "đủ thời gian",
        "có thời gian", "đi đâu cũng", "không đi đâu", "hông đi đâu",
        # money in the story: an allowance, free health care, funeral costs ("khoản tiền nào của nhà nước",
        # "thẻ đi viện miễn phí", "lo ma chay tốn kém quá")
        "khoản tiền nào", "khoản tiền của nhà nước", "tiền của nhà nước", "cho tiền", "được nhận tiền",
        "nhận tiền", "khám chữa bệnh miễn phí", "đi viện miễn phí", "khám bệnh miễn phí", "khỏi tốn tiền",
        "khám bệnh miễn tiền", "tốn kém quá", "ma chay tốn kém", "tiền dưỡng già", "tiền hằng tháng",
        "tiền hàng tháng", "tiền mỗi tháng",
        # school and hospital costs in a story are not the procedure's fee ("học phí" is out of scope above)
        "tiền học", "viện phí", "tiền viện", "tiền thuốc")),
    # a ticket already in hand is not a request for one ("không ạ, tôi đã có số thứ tự rồi")
    *((p, "neutral", 0) for p in TICKET_IN_HAND),
    # ... and said as a reply to the robot's offer it is a no ("tôi đã lấy số rồi": no second ticket)
    *((p, "intent:no", 3) for p in TICKET_IN_HAND_NO),
    # both tell the dialog the citizen holds a ticket: it says how to follow their turn (Understanding.holds_ticket)
    *((p, "marker:ticket_in_hand", 0) for p in (*TICKET_IN_HAND, *TICKET_IN_HAND_NO)),
    *((p, "marker:my_turn", 0) for p in MY_TURN),
    # words that only look like cues
    *((p, "neutral", 0) for p in (
        "nước ngoài", "nhà nước", "người nước ngoài", "mất thời gian", "hộ gia đình", "không biết", "không rõ",
        "có được không", "được không", "có phải", "phải không", "không ạ", "có không", "hay không", "giá trị",
        "làm sao", "thế nào", "như thế nào", "ra sao", "chưa có", "không có lương", "có lương", "có cần",
        "không cần", "khi nào", "bao giờ", "ở nhà", "chưa có sổ", "tiền án", "cán bộ xã", "quay lại", "quay về",
        "quay đầu", "quay ra", "cái đó", "cái này", "thủ tục này", "thủ tục đó", "việc này", "việc đó", "vụ này",
        "vụ đó", "cho hỏi", "cho tôi hỏi", "chờ một chút", "chờ chút", "nhà văn hóa", "văn hóa",
        # in-laws are not a birth ("con rể" sounds like "con đẻ"), going home for the weekend is not a goodbye,
        # and the formal "tôi xin phép được..." asks no building permit
        "con rể", "cháu rể", "chàng rể", "anh rể", "em rể", "về quê", "tôi về quê", "xin phép được",
        # ... nor is a guest's wedding a marriage to register
        "ăn cưới", "đi ăn cưới", "dự đám cưới", "đi đám cưới", "dự cưới",
        # ... nor is leave from the boss, what the web said, or a long wait on one's feet
        "xin phép sếp", "xin phép nghỉ", "xin phép công ty", "tra trên mạng", "xem trên mạng", "đọc trên mạng",
        "thấy trên mạng", "ngồi lâu", "đứng lâu", "tốn kém lắm")),
    # "thế còn kết hôn thì sao": the question asked before, now about another procedure
    # follow-up questions that name the topic only ("giấy tờ thì sao", "còn lệ phí?")
    *((f"{lead} {topic}" if lead else f"{topic} {tail}", f"question:{question}", 3)
      for question, topics in (("documents", ("giấy tờ", "hồ sơ", "giấy")), ("fee", ("lệ phí", "phí", "tiền")),
                               ("duration", ("thời gian", "thời hạn")), ("counter", ("quầy", "chỗ nộp")))
      for topic in topics
      for lead, tail in (("còn", ""), ("thế", ""), ("vậy", ""), ("", "thì sao"), ("", "sao"), ("", "thế nào"))),
    *((p, "follow", 0) for p in ("thế còn", "vậy còn", "thì sao", "còn thì sao", "thế thì sao", "còn cái",
                                 "thế còn cái", "còn với")),
)

# Words that cancel the request right after them ("thôi khỏi lấy số", "không cần dẫn", "chưa lấy số vội").
# "chưa" alone only with "vội"/"cần" ("con tôi chưa đăng ký khai sinh" asks for it). "thôi" right before a request is
# "well then" there ("thôi lấy số cho tôi"; nlu._cancels), but stays here for a story that gave up ("... nên thôi").
NEGATORS: frozenset[str] = frozenset({"không", "thôi", "khỏi", "đừng", "chẳng", "chả", "hông", "hổng", "khỏi phải"})
# Words allowed between a negator and the request it cancels ("không cần lấy số", "thôi không muốn xin nước").
NEGATION_GAP: frozenset[str] = frozenset({
    "cần", "muốn", "phải", "định", "tôi", "em", "bác", "cháu", "mình", "chị", "anh", "con", "cô", "chú", "tui",
    "đi", "nữa", "khỏi", "không", "thôi", "chưa", "vội", "hỏi",
})
# Words with which a citizen says they want something ("tôi muốn đăng ký khai tử cho bà nhà tôi, mà ..."): a clause of
# a story with one of them and a procedure named is a request of its own (nlu.Understander._wants).
WANTING: frozenset[str] = frozenset({"muốn", "mún"})
# ... and the words of a will a negation may stand before ("tôi đâu có muốn lấy số", "bác đâu cần lấy số")
WANTING_WORDS: frozenset[str] = WANTING | {"cần", "định", "tính"}
# A procedure is rejected only in so many words: "không phải khai tử", "không làm kết hôn nữa".
REJECT_PROCEDURE: tuple[tuple[str, ...], ...] = (
    ("không", "phải"), ("không", "cần"), ("không", "muốn"), ("không", "làm"), ("thôi", "không"), ("chứ", "không"),
    ("không", "hỏi"), ("chẳng", "phải"), ("đâu", "phải"), ("không", "phải", "là"),
)
# Separators of the requests of one turn ("khai tử cần giấy gì, với lại chỗ vệ sinh ở đâu").
TURN_SEPARATORS: tuple[str, ...] = (
    "với lại", "với cả", "còn nữa", "thêm nữa", "sau đó", "nhân tiện", "tiện thể", "rồi thì", "rồi chỉ",
    "rồi dẫn", "rồi cho", "và cho", "và chỉ", "và dẫn", "à mà", "mà này", "xong rồi", "rồi", "và", "còn",
)

# Yes/no phrases that do not answer anything when more words follow: a polite "dạ" or an "ok" before
# the real words ("dạ, cảm ơn cháu", "được rồi, cảm ơn em").
WEAK_ANSWERS: frozenset[str] = frozenset({"dạ", "được", "rồi", "chuẩn", "chuẩn rồi", "uh", "um", "ừm"})
# Yes words that, opening a ticket request, make it the yes to the robot's offer in the same words ("Vâng, lấy số
# cho tôi", "Ờ được, in đi con"), and the words a reply may open with before them ("rứa thì có", "vậy thì được").
TICKET_YES_OPENERS: frozenset[str] = frozenset({"vâng", "ừ", "ừa", "uh", "ừm", "ok", "oke", "được", "có", "đúng"})
ANSWER_LEAD_INS: frozenset[str] = frozenset({"rứa", "vậy", "thế", "thì", "dạ"})
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
    (frozenset({"khai_sinh", "chung_thuc_ban_sao", "@lost"}), "ban_sao_trich_luc_ho_tich", 2.5),
    # "chứng thực bản sao giấy khai sinh": certifying a copy the citizen brings, not a new extract
    (frozenset({"ban_sao_trich_luc_ho_tich", "@certify"}), "chung_thuc_ban_sao", 1),
    (frozenset({"ket_hon", "chung_thuc_ban_sao", "@lost"}), "ban_sao_trich_luc_ho_tich", 2.5),
    (frozenset({"ket_hon", "@lost"}), "ban_sao_trich_luc_ho_tich", 1.5),
    (frozenset({"khai_tu", "@mislaid"}), "ban_sao_trich_luc_ho_tich", 1.5),
    (frozenset({"thanh_lap_ho_kinh_doanh", "@lost"}), "thay_doi_ho_kinh_doanh", 1.5),
    (frozenset({"thanh_lap_ho_kinh_doanh", "@change"}), "thay_doi_ho_kinh_doanh", 1.5),
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
# Words that say nothing by themselves: a turn of only these (and skip words) is not read by the classifier ("ờ
# thì", "tôi muốn", "cho em hỏi": a bag of n-grams trained on stories that go on hears a yes or a will in them).
SAYS_NOTHING: frozenset[str] = HESITATIONS | ADDRESS_WORDS | frozenset({
    "tôi", "tui", "mình", "muốn", "mún", "cần", "hỏi", "cho", "là", "ơi"})
# ... and the people before them, as typed in chat (NEGATING_ABBREVIATIONS)
BEFORE_NEGATING_SUBJECT: frozenset[str] = ADDRESS_WORDS | {
    "tôi", "toi", "tui", "t", "mình", "minh", "mk", "mik", "tao", "e", "a", "chi", "c", "bac", "ong", "ba", "co",
    "chu", "chau", "nó", "no", "ổng", "bả", "họ",
}
# A clause that ends asking with an abbreviation of "không" ("đkkh có thu phí hk z b", "làm thẻ bhyt đợi lâu hk"): the
# particles that may follow it, and the words after which it is still hộ khẩu ("nhập hk", "tách hk", "sổ hk").
AFTER_ASKING_NEGATION: frozenset[str] = frozenset({
    "z", "v", "vậy", "zị", "dzị", "ạ", "a", "ad", "e", "em", "b", "c", "chị", "anh", "bác", "cô", "chú", "ak", "ah",
    "à", "nhỉ", "nha", "hả", "ha", "ta", "mn", "ơi", "vay", "chi", "bac", "co", "chu",
})
HOUSEHOLD_BEFORE: frozenset[str] = frozenset({
    "sổ", "so", "nhập", "nhap", "chuyển", "chuyen", "tách", "tach", "cắt", "cat", "xóa", "xoá", "xoa", "theo", "trong",
    "vào", "vao", "về", "ve", "của", "cua", "có", "co", "làm", "lam", "lm", "đk", "dk", "ký", "kí", "ky", "ki",
    "đăng", "dang", "dky", "đky", "khẩu", "bộ", "cuốn", "quyển", "mới", "moi", "cũ", "cu", "giữ", "mất", "bị",
})
# A pronoun followed by one of these (or after "cho"/"giúp") is the citizen speaking of themselves.
SELF_VERBS: frozenset[str] = frozenset({
    "muốn", "cần", "hỏi", "đến", "tới", "đi", "làm", "xin", "ở", "có", "bị", "định", "phải", "đang", "vừa",
    "mới", "cũng", "chưa", "không", "nộp", "lấy", "được", "sắp", "tìm", "đợi", "chờ", "là",
})
SELF_PREFIX: frozenset[str] = frozenset({"cho", "giúp", "giùm", "bảo", "chỉ", "dẫn", "hướng dẫn"})

NUMBER_WORDS: dict[str, int] = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mươi": 10,
}
