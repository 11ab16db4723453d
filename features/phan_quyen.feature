# language: vi
Tính năng: Mỗi cơ quan chỉ thấy và xử lý việc của mình

  Bối cảnh:
    Cho văn bản mẫu "000_4d45b63e93395a07" đã được phát hành

  Kịch bản: Cơ quan không thấy việc của cơ quan khác trong danh sách
    Thì danh sách việc của "sxd.cv" chỉ có việc của "SXD"
    Và danh sách việc của "svhttdl.cv" chỉ có việc của "SVHTTDL"

  Kịch bản: Mở việc của cơ quan khác bằng đường dẫn bị từ chối
    Khi "sxd.cv" mở việc "Tiếp nhận nhiệm vụ" của "SCT" bằng đường dẫn
    Thì "sxd.cv" nhận lỗi 403
    Khi "sxd.cv" gửi biểu mẫu việc "Tiếp nhận nhiệm vụ" của "SCT" bằng đường dẫn
    Thì "sxd.cv" nhận lỗi 403
    Và việc "Tiếp nhận nhiệm vụ" của "SCT" vẫn chờ xử lý

  Kịch bản: Thanh tra chỉ được xem, không được xử lý
    Khi "thanhtra" gửi biểu mẫu việc "Tiếp nhận nhiệm vụ" của "SCT" bằng đường dẫn
    Thì "thanhtra" nhận lỗi 403
    Và việc "Tiếp nhận nhiệm vụ" của "SCT" vẫn chờ xử lý
