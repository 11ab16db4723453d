"""Names of the bodies a provincial directive addresses, as officials write them.

The standard names of a province's departments and bodies (Nghị định
24/2014/NĐ-CP and 45/2025/NĐ-CP, with the names before the 2025 mergers, since
older directives still use them), of the ministries, and the abbreviations in
daily use. A name found here but not in the province's directory is proposed
and flagged; a name found nowhere is still read by its shape ("Sở …", "Ban …").
"""
from __future__ import annotations

#: Departments and bodies of a provincial People's Committee (current and former names).
PROVINCIAL_BODIES = (
    "Văn phòng Ủy ban nhân dân tỉnh", "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
    "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường", "Sở Xây dựng", "Sở Giao thông vận tải", "Sở Khoa học và Công nghệ",
    "Sở Thông tin và Truyền thông", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa và Thể thao", "Sở Du lịch", "Sở Ngoại vụ",
    "Sở Dân tộc và Tôn giáo", "Ban Dân tộc", "Thanh tra tỉnh", "Ban Quản lý Khu kinh tế",
    "Ban Quản lý các Khu công nghiệp", "Ban Quản lý Khu kinh tế và các Khu công nghiệp",
    "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh", "Đài Phát thanh - Truyền hình tỉnh",
    "Báo và Phát thanh, Truyền hình", "Cục Thuế tỉnh", "Thuế tỉnh",
    "Kho bạc Nhà nước tỉnh", "Bảo hiểm xã hội tỉnh", "Cục Thống kê tỉnh", "Cục Hải quan tỉnh",
    "Ngân hàng Nhà nước chi nhánh tỉnh", "Liên đoàn Lao động tỉnh", "Tỉnh đoàn",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Hội Nông dân tỉnh", "Hội Liên hiệp Phụ nữ tỉnh",
    "Hội Cựu chiến binh tỉnh", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh",
    "Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch",
    "Trường Chính trị tỉnh", "Viện Kiểm sát nhân dân tỉnh", "Tòa án nhân dân tỉnh", "Điện lực tỉnh",
    "Công ty Điện lực tỉnh", "Hội đồng nhân dân tỉnh", "Thường trực Tỉnh ủy", "Thường trực HĐND tỉnh",
    "Cục Quản lý thị trường tỉnh", "Liên minh Hợp tác xã tỉnh", "Hội Doanh nghiệp tỉnh", "Ban Dân tộc tỉnh",
    "Ban Thi đua - Khen thưởng tỉnh", "Ban Tôn giáo tỉnh", "Chi cục Quản lý thị trường",
    "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh",
    "Văn phòng thường trực Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh",
    "Ban Chỉ huy Phòng thủ dân sự tỉnh", "Ban An toàn giao thông tỉnh", "Ban Thường vụ Tỉnh ủy",
    "Trung tâm Xúc tiến và Hỗ trợ đầu tư tỉnh", "Ban Quản lý dự án đầu tư xây dựng tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng công trình giao thông tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp tỉnh",
    "Ban Quản lý dự án đầu tư xây dựng công trình nông nghiệp và phát triển nông thôn tỉnh",
    "Các Ban Quản lý dự án đầu tư xây dựng tỉnh", "Ban Quản lý Khu kinh tế mở", "Đài Khí tượng thủy văn tỉnh",
    "Đài Khí tượng Thủy văn tỉnh", "Trung tâm Kiểm soát bệnh tật tỉnh", "Cục Thống kê tỉnh", "Thống kê tỉnh",
    "Ngân hàng Chính sách xã hội tỉnh", "Chi nhánh Ngân hàng Chính sách xã hội tỉnh", "Bưu điện tỉnh",
    "Ban Quản lý các Khu chế xuất và công nghiệp", "Hạt Kiểm lâm",
)
#: A city governed like a province (Hà Nội, Đà Nẵng…) names its bodies «… thành phố» where a province says «… tỉnh».
CITY_BODIES = tuple(f"{name.removesuffix(' tỉnh')} thành phố" for name in PROVINCIAL_BODIES if name.endswith(" tỉnh"))

#: Central bodies a province writes to or cites.
CENTRAL_BODIES = (
    "Chính phủ", "Thủ tướng Chính phủ", "Văn phòng Chính phủ", "Bộ Nội vụ", "Bộ Tư pháp", "Bộ Tài chính",
    "Bộ Kế hoạch và Đầu tư", "Bộ Công Thương", "Bộ Nông nghiệp và Môi trường", "Bộ Tài nguyên và Môi trường",
    "Bộ Xây dựng", "Bộ Giao thông vận tải", "Bộ Khoa học và Công nghệ", "Bộ Thông tin và Truyền thông",
    "Bộ Giáo dục và Đào tạo", "Bộ Y tế", "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Công an", "Bộ Quốc phòng",
    "Bộ Ngoại giao", "Bộ Dân tộc và Tôn giáo", "Thanh tra Chính phủ", "Ngân hàng Nhà nước Việt Nam",
)

#: Abbreviations officials use, with the name they stand for.
ABBREVIATIONS = {
    "Sở KH&ĐT": "Sở Kế hoạch và Đầu tư", "Sở KHĐT": "Sở Kế hoạch và Đầu tư",
    "Sở TN&MT": "Sở Tài nguyên và Môi trường", "Sở TNMT": "Sở Tài nguyên và Môi trường",
    "Sở NN&PTNT": "Sở Nông nghiệp và Phát triển nông thôn", "Sở NN&MT": "Sở Nông nghiệp và Môi trường",
    "Sở NNMT": "Sở Nông nghiệp và Môi trường", "Sở GTVT": "Sở Giao thông vận tải",
    "Sở KH&CN": "Sở Khoa học và Công nghệ", "Sở KHCN": "Sở Khoa học và Công nghệ",
    "Sở TT&TT": "Sở Thông tin và Truyền thông", "Sở TTTT": "Sở Thông tin và Truyền thông",
    "Sở GD&ĐT": "Sở Giáo dục và Đào tạo", "Sở GDĐT": "Sở Giáo dục và Đào tạo",
    "Sở LĐ-TB&XH": "Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH": "Sở Lao động - Thương binh và Xã hội",
    "Sở VH,TT&DL": "Sở Văn hóa, Thể thao và Du lịch", "Sở VHTTDL": "Sở Văn hóa, Thể thao và Du lịch",
    "Sở VH&TT": "Sở Văn hóa và Thể thao", "Sở CT": "Sở Công Thương", "Sở TC": "Sở Tài chính",
    "Sở XD": "Sở Xây dựng", "Sở TP": "Sở Tư pháp", "Sở NV": "Sở Nội vụ",
    "BQL KKT": "Ban Quản lý Khu kinh tế", "BQLKKT": "Ban Quản lý Khu kinh tế",
    "BQL Khu kinh tế": "Ban Quản lý Khu kinh tế", "BQL các KCN": "Ban Quản lý các Khu công nghiệp",
    "CA tỉnh": "Công an tỉnh", "BCH Quân sự tỉnh": "Bộ Chỉ huy Quân sự tỉnh",
    "BCH BĐBP tỉnh": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Đài PT&TH tỉnh": "Đài Phát thanh và Truyền hình tỉnh",
    "Đài PTTH tỉnh": "Đài Phát thanh và Truyền hình tỉnh", "KBNN tỉnh": "Kho bạc Nhà nước tỉnh",
    "BHXH tỉnh": "Bảo hiểm xã hội tỉnh", "VP UBND tỉnh": "Văn phòng Ủy ban nhân dân tỉnh",
    "VPUBND tỉnh": "Văn phòng Ủy ban nhân dân tỉnh", "UBMTTQVN tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "TT Tỉnh ủy": "Thường trực Tỉnh ủy", "TT HĐND tỉnh": "Thường trực HĐND tỉnh",
    "Ủy ban MTTQ Việt Nam tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Ủy ban MTTQVN tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "UBMTTQ Việt Nam tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Ủy ban MTTQ tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "UBMTTQ tỉnh": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Bộ CHQS tỉnh": "Bộ Chỉ huy Quân sự tỉnh", "BCHQS tỉnh": "Bộ Chỉ huy Quân sự tỉnh",
    "BĐBP tỉnh": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Bộ đội Biên phòng tỉnh": "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "Đài PT-TH tỉnh": "Đài Phát thanh và Truyền hình tỉnh", "Cục QLTT tỉnh": "Cục Quản lý thị trường tỉnh",
    "Sở KH-ĐT": "Sở Kế hoạch và Đầu tư", "Sở Kế hoạch - Đầu tư": "Sở Kế hoạch và Đầu tư",
    "Sở Lao động, Thương binh và Xã hội": "Sở Lao động - Thương binh và Xã hội",
    "Đài KTTV tỉnh": "Đài Khí tượng thủy văn tỉnh", "CDC tỉnh": "Trung tâm Kiểm soát bệnh tật tỉnh",
    "Công an TP": "Công an thành phố", "Sở Nông nghiệp và PTNT": "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và MT": "Sở Tài nguyên và Môi trường", "NHCSXH tỉnh": "Ngân hàng Chính sách xã hội tỉnh",
    "Sở LĐ-TBXH": "Sở Lao động - Thương binh và Xã hội",
    "BQL các KCX-KCN": "Ban Quản lý các Khu chế xuất và công nghiệp",
    "Ban Chỉ huy PCTT và TKCN tỉnh": "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh",
    "Ban Chỉ huy PCTT, TKCN và PTDS tỉnh": "Ban Chỉ huy Phòng, chống thiên tai, tìm kiếm cứu nạn và phòng thủ dân sự "
                                           "tỉnh",
    "BQL các KCX và KCN": "Ban Quản lý các Khu chế xuất và công nghiệp",
    "VP UBND TP": "Văn phòng Ủy ban nhân dân thành phố",
}

#: Words that open the name of a body when the name itself is not known ("Sở Ngoại vụ").
BODY_HEADS = ("Sở", "Ban Quản lý", "Ban", "Liên minh", "Hiệp hội", "Viễn thông", "Văn phòng", "Chi nhánh", "Tập đoàn",
              "Tổng cục", "Quỹ", "Vườn quốc gia", "Khu bảo tồn", "Bưu điện", "Hạt Kiểm lâm", "Chi cục", "Bộ Chỉ huy",
              "Bộ", "Cục", "Đài", "Báo", "Trung tâm", "Viện", "Trường", "Bệnh viện", "Hội", "Liên đoàn", "Kho bạc",
              "Ngân hàng", "Tổng công ty", "Công ty")

#: The issuing side: never the lead of a task in its own directive.
ISSUER_TITLES = ("Ủy ban nhân dân tỉnh", "UBND tỉnh", "Chủ tịch UBND tỉnh", "Chủ tịch Ủy ban nhân dân tỉnh",
                 "Phó Chủ tịch UBND tỉnh", "Lãnh đạo UBND tỉnh", "Thường trực UBND tỉnh")
