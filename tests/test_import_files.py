"""An uploaded directive becomes plain text: a .txt in any usual encoding, a .docx with its header and
signature tables and Word's list numbers, a .pdf with a text layer; anything else is refused with one
Vietnamese sentence naming the file."""
from __future__ import annotations

import base64
import io
import random
import re
import struct
import unicodedata
import zipfile
import zlib
from datetime import date

import pytest
import weasyprint
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from pypdf import PdfReader, PdfWriter

from engine.calendar import BusinessCalendar
from workflows.agencies import Directory
from workflows.deadlines import DeadlineReader
from workflows.importing import as_json, parse_directive
from workflows.importing.extract import MAX_CHARACTERS, MAX_UNPACKED, MAX_XML_UNPACKED, ImportRefused, extract_text

DIRECTIVE = ("ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\n\n"
             "Kính gửi: Sở Kế hoạch và Đầu tư.\n\n"
             "1. Giao Sở Kế hoạch và Đầu tư chủ trì, tham mưu UBND tỉnh trước ngày 30/6/2025.\n"
             "2. Sở Tài chính bố trí kinh phí thực hiện./.\n")


def word_document(build) -> bytes:
    """The bytes of a .docx made with python-docx's default template and shaped by ``build``."""
    document = Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf(html: str) -> bytes:
    """A PDF printed by WeasyPrint from ``html``."""
    return weasyprint.HTML(string=html).write_pdf()


def png(width: int = 64, height: int = 64) -> bytes:
    """A grey PNG image, written by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = b"".join(b"\x00" + bytes([0x80]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))


def refusal(content: bytes, filename: str, **options) -> str:
    """The message ``extract_text`` refuses ``content`` with."""
    with pytest.raises(ImportRefused) as refused:
        extract_text(content, filename, **options)
    assert str(refused.value) == refused.value.message
    return refused.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-with-bom"])
def test_a_text_file_comes_back_as_the_same_text_in_utf8_with_bom_and_utf16(encoding):
    if encoding == "utf-16-be-with-bom":
        content = ("\ufeff" + DIRECTIVE).encode("utf-16-be")
    else:
        content = DIRECTIVE.encode(encoding)
    assert extract_text(content, "chi-dao.txt") == DIRECTIVE


def test_a_text_file_gets_unix_newlines_and_composed_accents():
    decomposed = "Sở Kế hoạch\r\nvà Đầu tư\rtỉnh Bình Định\n"
    content = unicodedata.normalize("NFD", decomposed).encode()
    assert extract_text(content, "chi-dao.txt") == "Sở Kế hoạch\nvà Đầu tư\ntỉnh Bình Định\n"


def test_a_word_document_gives_its_header_numbered_list_and_signature_in_order():
    def build(document):
        left, right = document.add_table(rows=1, cols=2).rows[0].cells
        left.text = "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 123/UBND-KT"
        right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
        right.add_paragraph("Bình Định, ngày 05 tháng 5 năm 2025")
        document.add_paragraph("Kính gửi: Sở Kế hoạch và Đầu tư; Sở Tài chính.")
        document.add_paragraph("Chủ tịch UBND tỉnh có ý kiến như sau:")
        document.add_paragraph("Giao Sở Kế hoạch và Đầu tư chủ trì, báo cáo trước ngày 30/6/2025.", style="List Number")
        document.add_paragraph("Giao Sở Tài chính bố trí kinh phí thực hiện.", style="List Number")
        document.add_paragraph("Yêu cầu các cơ quan, đơn vị triển khai thực hiện./.")
        left, right = document.add_table(rows=1, cols=2).rows[0].cells
        left.text = "Nơi nhận:\n- Như trên;\n- Lưu: VT, KT."
        right.text = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"
        right.add_paragraph("Nguyễn Văn A")

    assert extract_text(word_document(build), "cong-van.docx").split("\n") == [
        "ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "Số: 123/UBND-KT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Bình Định, ngày 05 tháng 5 năm 2025",
        "Kính gửi: Sở Kế hoạch và Đầu tư; Sở Tài chính.",
        "Chủ tịch UBND tỉnh có ý kiến như sau:",
        "1. Giao Sở Kế hoạch và Đầu tư chủ trì, báo cáo trước ngày 30/6/2025.",
        "2. Giao Sở Tài chính bố trí kinh phí thực hiện.",
        "Yêu cầu các cơ quan, đơn vị triển khai thực hiện./.",
        "Nơi nhận:", "- Như trên;", "- Lưu: VT, KT.",
        "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A",
    ]


def test_word_list_levels_count_in_their_own_format_and_restart_under_a_new_parent():
    def build(document):
        numbering = document.part.numbering_part.element
        levels = "".join(f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                         f'<w:lvlText w:val="{text}"/></w:lvl>'
                         for ilvl, fmt, text in [(0, "upperRoman", "%1."), (1, "decimal", "%1.%2."),
                                                 (2, "lowerLetter", "%3)"), (3, "bullet", "\uf0b7")])
        numbering.num_lst[0].addprevious(
            parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels}</w:abstractNum>'))
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
        numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
                                   f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'))
        for num_id, ilvl, text in [(90, 0, "Mục tiêu"), (90, 1, "Tăng trưởng"), (90, 1, "Đầu tư"),
                                   (90, 2, "vốn ngân sách"), (90, 2, "vốn xã hội hóa"), (90, 3, "ghi chú"),
                                   (90, 1, "Thu ngân sách"), (90, 2, "thuế"), (90, 0, "Giải pháp"),
                                   (90, 1, "Cải cách hành chính"), (91, 0, "Tổ chức thực hiện")]:
            num_pr = document.add_paragraph(text)._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = ilvl
            num_pr.get_or_add_numId().val = num_id

    assert extract_text(word_document(build), "ke-hoach.docx").split("\n") == [
        "I. Mục tiêu", "I.1. Tăng trưởng", "I.2. Đầu tư", "a) vốn ngân sách", "b) vốn xã hội hóa", "- ghi chú",
        "I.3. Thu ngân sách", "a) thuế", "II. Giải pháp", "II.1. Cải cách hành chính", "V. Tổ chức thực hiện",
    ]


def test_a_pdf_with_a_text_layer_gives_back_its_vietnamese_words_and_keeps_columns_apart():
    content = pdf("""<body style="font-family: DejaVu Serif; font-size: 12pt">
        <table style="width: 100%"><tr>
          <td>ỦY BAN NHÂN DÂN<br>TỈNH BÌNH ĐỊNH</td>
          <td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Bình Định, ngày 05 tháng 5 năm 2025</td>
        </tr></table>
        <p>Kính gửi: Sở Kế hoạch và Đầu tư.</p>
        <p>1. Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp với các sở, ngành liên quan.</p>
        <p style="break-before: page">2. Sở Tài chính bố trí kinh phí thực hiện./.</p></body>""")

    text = extract_text(content, "cong-van.pdf")

    for words in ["Kính gửi: Sở Kế hoạch và Đầu tư.", "phối hợp với các sở, ngành liên quan",
                  "TỈNH BÌNH ĐỊNH", "Sở Tài chính bố trí kinh phí thực hiện./."]:
        assert words in text
    assert re.search(r"ỦY BAN NHÂN DÂN {2,}CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text)
    assert all(line == line.rstrip() for line in text.split("\n"))


def test_a_pdf_holding_only_an_image_is_refused_for_lacking_a_text_layer():
    image = base64.b64encode(png()).decode()
    content = pdf(f'<body><img src="data:image/png;base64,{image}" style="width: 15cm"></body>')
    assert PdfReader(io.BytesIO(content)).pages[0].images, "the PDF should hold the image"
    assert "không có lớp văn bản" in refusal(content, "ban-quet.pdf")


def test_a_pdf_locked_with_a_password_is_refused_but_one_with_only_an_owner_password_is_read():
    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(f"<p>{DIRECTIVE}</p>"))))
        writer.encrypt(user_password=user_password, owner_password="chu-so-huu", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    assert "bảo vệ bằng mật khẩu" in refusal(encrypted("bi-mat"), "mat.pdf")
    assert "Sở Kế hoạch và Đầu tư" in extract_text(encrypted(""), "han-che-in.pdf")


def test_the_content_decides_the_format_when_the_name_does_not_say():
    docx = word_document(lambda document: document.add_paragraph("Sở Kế hoạch và Đầu tư"))
    assert extract_text(docx, "tai-ve") == "Sở Kế hoạch và Đầu tư"
    assert "Sở Tài chính" in extract_text(pdf(f"<p>{DIRECTIVE}</p>"), "tai-ve.bin")
    assert extract_text(DIRECTIVE.encode(), "chi-dao.md") == DIRECTIVE


BINARY = bytes(range(256)) * 8
NOISE = random.Random(2025).randbytes(4096)


@pytest.mark.parametrize(("content", "filename", "options", "sentence"), [
    (b"", "trong.docx", {}, "Tệp «trong.docx» không có nội dung."),
    (" \r\n\t \n".encode(), "trang.txt", {}, "Tệp «trang.txt» không có nội dung."),
    (" \n ".encode("utf-16"), "trang-utf16.txt", {}, "Tệp «trang-utf16.txt» không có nội dung."),
    (BINARY, "anh.txt", {}, "hãy lưu lại với bảng mã UTF-8"),
    (unicodedata.normalize("NFD", "Bình Định").encode("cp1258"), "cu.txt", {}, "không mã hóa UTF-8/UTF-16"),
    (NOISE, "hong.pdf", {}, "Tệp «hong.pdf» bị hỏng hoặc không phải tệp PDF hợp lệ."),
    (b"%PDF-1.7\n" + NOISE, "cut.pdf", {}, "không phải tệp PDF hợp lệ"),
    (NOISE, "hong.docx", {}, "không phải tài liệu Word (.docx) hợp lệ"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + BINARY, "cong-van.doc", {}, "lưu lại dưới dạng .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + BINARY, "doi-ten.docx", {}, "định dạng cũ (.doc)"),
    (b"a" * (2 * 2 ** 20 + 1), "lon.txt", {"max_bytes": 2 ** 20}, "(2 MB) vượt quá dung lượng tối đa cho phép là 1 MB"),
    (BINARY, "bang-tinh.xls", {}, "chỉ nhận văn bản dạng .txt, .docx hoặc .pdf"),
], ids=["empty", "whitespace-txt", "whitespace-utf16", "binary-txt", "windows-1258-txt", "random-pdf",
        "truncated-pdf", "random-docx", "doc", "doc-named-docx", "too-large", "unknown-binary"])
def test_an_unreadable_file_is_refused_with_a_sentence_naming_it(content, filename, options, sentence):
    message = refusal(content, filename, **options)
    assert sentence in message
    assert f"«{filename}»" in message


def test_the_refusal_is_a_value_error_carrying_its_sentence():
    error = ImportRefused("Tệp «x» không có nội dung.")
    assert isinstance(error, ValueError) and error.message == str(error) == "Tệp «x» không có nội dung."


def _package(parts: dict[str, bytes]) -> bytes:
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return content.getvalue()


WORD_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
              b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
              b'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
              b'main+xml"/></Types>')
WORD_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def test_a_word_file_made_without_lists_or_styles_is_read():
    body = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>1. Sở Tài chính rà soát trước ngày 30/4/2025.</w:t>'
            '</w:r></w:p></w:body></w:document>').encode()
    content = _package({"[Content_Types].xml": WORD_TYPES, "_rels/.rels": WORD_RELS, "word/document.xml": body})
    assert extract_text(content, "toi-gian.docx") == "1. Sở Tài chính rà soát trước ngày 30/4/2025."


def test_a_word_file_that_unpacks_into_too_much_is_refused_before_it_is_parsed():
    content = _package({"[Content_Types].xml": WORD_TYPES, "_rels/.rels": WORD_RELS,
                        "word/document.xml": b"<w:document/>", "word/media/image1.png": bytes(MAX_UNPACKED + 1)})
    assert len(content) < 1024 * 1024
    with pytest.raises(ImportRefused, match="giải nén ra hơn 50 MB"):
        extract_text(content, "bom.docx")


def test_control_characters_of_an_imported_file_are_left_out_and_page_breaks_become_line_breaks():
    text = extract_text("V/v kiểm tra\x0cTrang hai\x1b[0m có\x0bdòng".encode(), "trang.txt")
    assert text == "V/v kiểm tra\nTrang hai[0m có\ndòng"


def _lying_about_sizes(content: bytes, name: str, declared: int) -> bytes:
    """``content`` with the sizes of part ``name`` in its zip headers replaced by ``declared``."""
    patched = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        info = package.getinfo(name)
    struct.pack_into("<I", patched, info.header_offset + 22, declared)  # the local header's uncompressed size
    central = patched.find(b"PK\x01\x02")
    while central >= 0:
        length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46:central + 46 + length] == name.encode():
            struct.pack_into("<I", patched, central + 24, declared)  # the central directory's
            break
        central = patched.find(b"PK\x01\x02", central + 1)
    return bytes(patched)


def test_a_word_file_whose_zip_lies_about_its_size_is_refused_before_it_is_parsed():
    body = b"<w:document/>" + b" " * (MAX_XML_UNPACKED + 1)
    honest = _package({"[Content_Types].xml": WORD_TYPES, "_rels/.rels": WORD_RELS, "word/document.xml": body})
    lying = _lying_about_sizes(honest, "word/document.xml", 100)
    with zipfile.ZipFile(io.BytesIO(lying)) as package:
        assert package.getinfo("word/document.xml").file_size == 100  # what a size check would have believed
    with pytest.raises(ImportRefused, match="bị hỏng"):
        extract_text(lying, "noi-doi.docx")
    with pytest.raises(ImportRefused, match=r"phần văn bản \(XML\) giải nén ra hơn 15 MB"):
        extract_text(honest, "qua-lon.docx")


def test_a_text_longer_than_a_directive_can_be_is_refused():
    with pytest.raises(ImportRefused, match=r"ký tự, quá giới hạn 1\.000\.000 ký tự"):
        extract_text(("Sở Tài chính thực hiện. " * (MAX_CHARACTERS // 20)).encode(), "dai.txt")


def test_a_word_task_table_is_laid_out_in_columns_with_merged_cells_carried_down():
    def build(document):
        table = document.add_table(rows=5, cols=5)
        header, under = table.rows[0].cells, table.rows[1].cells
        header[0].merge(under[0]).text = "TT"
        header[1].merge(under[1]).text = "Nhiệm vụ"
        header[2].merge(header[3]).text = "Cơ quan thực hiện"
        under[2].text, under[3].text = "Chủ trì", "Phối hợp"
        header[4].merge(under[4]).text = "Thời gian"
        first, second, third = (table.rows[i].cells for i in (2, 3, 4))
        first[0].text, first[1].text = "1", "Rà soát quy hoạch"
        first[3].text, first[4].text = "Sở Tài chính", "Quý I/2025"
        first[2].merge(second[2]).text = "Sở Xây dựng"
        second[0].text, second[1].text, second[4].text = "2", "Cấp phép xây dựng", "Thường xuyên"
        third[0].merge(third[1]).text = "II. Công tác kiểm tra"

    lines = extract_text(word_document(build), "ke-hoach.docx").split("\n")
    assert [re.split(r"\s{2,}", line) for line in lines] == [
        ["TT", "Nhiệm vụ", "Cơ quan thực hiện", "Thời gian"],
        ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian"],
        ["1", "Rà soát quy hoạch", "Sở Xây dựng", "Sở Tài chính", "Quý I/2025"],
        ["2", "Cấp phép xây dựng", "Sở Xây dựng", "Thường xuyên"],
        ["II. Công tác kiểm tra"],
    ]
    header, row = lines[1], lines[2]
    assert [header.index(w) for w in ("Chủ trì", "Phối hợp", "Thời gian")] == \
        [row.index(w) for w in ("Sở Xây dựng", "Sở Tài chính", "Quý I/2025")]


def test_a_task_table_printed_to_pdf_keeps_its_columns_for_the_reader():
    cells = [("1", "Xây dựng kế hoạch chuyển đổi số của ngành", "Sở Thông tin và Truyền thông", "Các sở, ban, ngành",
              "Trước 30/3/2025"),
             ("2", "Triển khai nền tảng số dùng chung; kết nối, chia sẻ dữ liệu", "Văn phòng UBND tỉnh",
              "Sở Thông tin và Truyền thông, Công an tỉnh", "Quý III/2025")]
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in cells)
    content = pdf("<style>body{font-family:'DejaVu Serif'} td,th{border:1px solid;padding:3px;vertical-align:top}"
                  "table{border-collapse:collapse;width:100%}</style><p>III. TỔ CHỨC THỰC HIỆN</p>"
                  "<table><tr><th>STT</th><th>Nhiệm vụ</th><th>Cơ quan chủ trì</th><th>Cơ quan phối hợp</th>"
                  f"<th>Thời gian hoàn thành</th></tr>{rows}</table><p>Trên đây là Kế hoạch của UBND tỉnh./.</p>")
    text = extract_text(content, "ke-hoach.pdf")
    result = as_json(parse_directive(text, Directory.from_data(), DeadlineReader(BusinessCalendar()),
                                     date(2025, 1, 15)))
    assert [(t["ref"], t["lead"], t["coordinate"], t["deadline"]) for t in result["tasks"]] == [
        ("1", ["Sở Thông tin và Truyền thông"], ["Các sở, ban, ngành"], "2025-03-30"),
        ("2", ["Văn phòng UBND tỉnh"], ["Sở Thông tin và Truyền thông", "Công an tỉnh"], "2025-09-30"),
    ]
