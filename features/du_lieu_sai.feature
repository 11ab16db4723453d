# language: vi
Tính năng: Dữ liệu sai bị từ chối, nói rõ trường nào sai, không ghi gì

  Kịch bản: Báo cáo để trống
    Cho văn bản mẫu "000_4d45b63e93395a07" đã được phát hành
    Và "svhttdl.cv" đã tiếp nhận nhiệm vụ "5"
    Khi "svhttdl.cv" gửi báo cáo nhiệm vụ "5" với nội dung ""
    Thì biểu mẫu báo lỗi ở trường "report_text": "Trường «Nội dung báo cáo» là bắt buộc."
    Và không có gì thay đổi

  Kịch bản: Dự thảo giao nhiệm vụ cho cơ quan không có trong danh bạ
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo với cơ quan chủ trì nhiệm vụ "1" là "SO_KHONG_CO"
    Thì biểu mẫu báo lỗi ở trường "tasks.0.lead": "Nhiệm vụ 1: không có cơ quan mã «SO_KHONG_CO» trong danh bạ."
    Và không có gì thay đổi

  Kịch bản: Hạn xử lý trước ngày ký
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo với hạn nhiệm vụ "1" là "15/11/2026"
    Thì biểu mẫu báo lỗi ở trường "tasks.0.deadline": "Nhiệm vụ 1: hạn xử lý 15/11/2026 đã qua (hôm nay là 23/11/2026)."
    Và không có gì thay đổi

  Kịch bản: Hạn xử lý đã qua khi đến lúc ký
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo với hạn nhiệm vụ "1" là "30/11/2026"
    Và "cvp" đồng ý dự thảo
    Và ngày hôm nay là "01/12/2026"
    Và "pct.hoang" ký ban hành
    Thì biểu mẫu báo lỗi: "Nhiệm vụ 1: hạn xử lý 30/11/2026 trước ngày ký 01/12/2026; hãy trả lại dự thảo để sửa hạn."
    Và không có gì thay đổi

  Kịch bản: Trường ẩn bị sửa khi gửi báo cáo
    Cho văn bản mẫu "000_4d45b63e93395a07" đã được phát hành
    Và "svhttdl.cv" đã tiếp nhận nhiệm vụ "5"
    Khi "svhttdl.cv" gửi báo cáo nhiệm vụ "5" nhưng sửa trường ẩn "lead" thành "SCT"
    Thì biểu mẫu báo lỗi ở trường "lead": "Trường «Mã cơ quan chủ trì» chỉ để xem và không được sửa; giá trị gửi lên đã bị thay đổi."
    Và không có gì thay đổi
