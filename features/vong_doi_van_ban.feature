# language: vi
Tính năng: Vòng đời văn bản chỉ đạo
  Văn bản chỉ đạo được chuyên viên Văn phòng soạn thảo, Lãnh đạo Văn phòng thẩm định,
  người có thẩm quyền ký, văn thư vào sổ và cấp số, phát hành đến các cơ quan; mỗi nhiệm vụ
  được giao cho từng cơ quan chủ trì và văn bản hoàn thành khi mọi nhiệm vụ được chấp nhận.

  Kịch bản: Công văn của tỉnh Bình Định (văn bản mẫu 000) đi hết vòng đời
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo
    Và "cvp" đồng ý dự thảo
    Và "pct.hoang" ký ban hành
    Và "vanthu" vào sổ văn bản đi
    Thì văn bản có số "01/UBND-KT" và ngày ban hành "23/11/2026"
    Và sổ văn bản đi năm 2026 có 1 dòng
    Và văn bản được phát hành đến 9 cơ quan
    Và có 22 nhiệm vụ được giao cho các cơ quan chủ trì
    Khi mọi cơ quan nhận xác nhận đã nhận văn bản
    Thì mỗi cơ quan nhận có số đến 1 trong sổ văn bản đến của mình
    Khi mọi cơ quan chủ trì tiếp nhận nhiệm vụ
    Và mọi cơ quan phối hợp gửi ý kiến phối hợp
    Và mọi cơ quan chủ trì báo cáo kết quả
    Thì văn bản vẫn đang xử lý
    Khi "cv.lan" chấp nhận mọi báo cáo
    Thì văn bản đã hoàn thành và trang văn bản ghi "Đã hoàn thành – mọi nhiệm vụ đã được chấp nhận"

  Kịch bản: Thông báo kết luận (văn bản mẫu 004) do Phó Chánh Văn phòng ký thừa lệnh
    Cho chuyên viên "cv.binh" soạn dự thảo từ văn bản mẫu "004_3aa08d13fa6d828c"
    Khi "cv.binh" trình dự thảo
    Và "pcvp.hai" đồng ý dự thảo
    Và "pcvp.thuan" ký ban hành
    Và "vanthu" vào sổ văn bản đi
    Thì văn bản có số "01/TB-UBND" và ngày ban hành "23/11/2026"
    Và có 13 nhiệm vụ được giao cho các cơ quan chủ trì
    Khi mọi cơ quan nhận xác nhận đã nhận văn bản
    Và mọi cơ quan chủ trì tiếp nhận nhiệm vụ
    Và mọi cơ quan phối hợp gửi ý kiến phối hợp
    Và mọi cơ quan chủ trì báo cáo kết quả
    Và "cv.binh" chấp nhận mọi báo cáo
    Thì văn bản vẫn đang xử lý
    Khi "cv.binh" kết thúc theo dõi báo cáo định kỳ của nhiệm vụ "1.9"
    Thì văn bản đã hoàn thành và trang văn bản ghi "Đã hoàn thành – mọi nhiệm vụ đã được chấp nhận"

  Kịch bản: Lãnh đạo Văn phòng trả lại dự thảo để chỉnh sửa
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo
    Và "cvp" trả lại dự thảo với lý do "Bổ sung căn cứ Báo cáo số 47/BC-BQL."
    Thì việc "Soạn dự thảo" trở lại danh sách việc của "cv.lan" kèm lý do "Bổ sung căn cứ Báo cáo số 47/BC-BQL."
    Khi "cv.lan" trình dự thảo
    Và "cvp" đồng ý dự thảo
    Thì văn bản chờ "Ký ban hành" của "pct.hoang"

  Kịch bản: Người ký trả lại dự thảo, dự thảo phải thẩm định lại
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo
    Và "cvp" đồng ý dự thảo
    Và "pct.hoang" trả lại dự thảo với lý do "Đề nghị rút ngắn thời hạn nhiệm vụ 1."
    Thì việc "Soạn dự thảo" trở lại danh sách việc của "cv.lan" kèm lý do "Đề nghị rút ngắn thời hạn nhiệm vụ 1."
    Khi "cv.lan" trình dự thảo
    Thì văn bản chờ "Thẩm định dự thảo" của "cvp"

  Kịch bản: Báo cáo chưa đạt được trả lại cho cơ quan chủ trì
    Cho văn bản mẫu "000_4d45b63e93395a07" đã được phát hành
    Khi "sct.cv" tiếp nhận nhiệm vụ "1"
    Và "bqlkkt.cv" gửi ý kiến phối hợp cho nhiệm vụ "1"
    Và "sct.cv" báo cáo kết quả nhiệm vụ "1"
    Và "cv.lan" trả lại báo cáo nhiệm vụ "1" của "SCT" với lý do "Chưa có dự thảo chính sách kèm theo."
    Thì việc "Báo cáo kết quả thực hiện" trở lại danh sách việc của "sct.cv" kèm lý do "Chưa có dự thảo chính sách kèm theo."
