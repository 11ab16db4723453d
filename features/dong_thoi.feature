# language: vi
Tính năng: Hai người cùng xử lý một việc

  Kịch bản: Chuyên viên và Giám đốc Sở cùng tiếp nhận một nhiệm vụ
    Cho văn bản mẫu "000_4d45b63e93395a07" đã được phát hành
    Khi "sct.cv" và "sct.td" cùng lúc tiếp nhận nhiệm vụ "1"
    Thì đúng một người tiếp nhận thành công
    Và người còn lại được báo ai đã hoàn thành việc "Tiếp nhận nhiệm vụ"
    Và nhiệm vụ "1" chỉ được tiếp nhận một lần trong lịch sử
