# language: vi
Tính năng: Theo dõi thời hạn trên lịch làm việc
  Hạn xử lý tính theo lịch làm việc của Việt Nam (nghỉ Tết, lễ, ngày làm bù); cơ quan chủ trì
  được nhắc trước hạn, quá hạn thì cơ quan và chuyên viên theo dõi được báo, quá hạn thêm vài
  ngày làm việc thì lãnh đạo đôn đốc. Cơ quan có thể xin gia hạn và báo cáo vấn đề vượt thẩm quyền.

  Kịch bản: Thông báo kết luận 001: hạn 21/3/2025 và hạn trong tháng 4/2025 qua kỳ nghỉ lễ
    Cho ngày hôm nay là "18/03/2025"
    Và văn bản mẫu "001_406948b0e7715172" giữ nguyên ngày đã được phát hành
    Thì nhiệm vụ "2" của "BQLKKT" có hạn "21/03/2025" và được nhắc lúc "08:00 18/03/2025"
    Và nhiệm vụ "3" của "BQLKKT" có hạn "05/05/2025" và được nhắc lúc "08:00 26/04/2025"
    Khi đến "00:00 22/03/2025" bộ xử lý việc hẹn giờ chạy
    Thì "bqlkkt.cv" nhận thông báo "Quá hạn: nhiệm vụ 2"
    Và "cv.lan" nhận thông báo "Quá hạn: nhiệm vụ 2"
    Khi đến "08:00 26/04/2025" bộ xử lý việc hẹn giờ chạy
    Thì "bqlkkt.cv" nhận thông báo "Sắp đến hạn: nhiệm vụ 3"
    Khi đến "23:59 05/05/2025" bộ xử lý việc hẹn giờ chạy
    Thì "bqlkkt.cv" không nhận thông báo "Quá hạn: nhiệm vụ 3"
    Khi đến "00:00 06/05/2025" bộ xử lý việc hẹn giờ chạy
    Thì "bqlkkt.cv" nhận thông báo "Quá hạn: nhiệm vụ 3"

  Kịch bản: Báo cáo hằng tuần của văn bản 004 qua kỳ nghỉ Quốc khánh 2/9/2025
    Cho ngày hôm nay là "22/07/2025"
    Và văn bản mẫu "004_3aa08d13fa6d828c" giữ nguyên ngày đã được phát hành
    Khi "bqlkkt.cv" tiếp nhận nhiệm vụ "1.9"
    Thì nhiệm vụ "1.9" có các kỳ báo cáo:
      | kỳ | hạn              |
      | 1  | 15:00 22/07/2025 |
    Khi đến "15:00 26/08/2025" bộ xử lý việc hẹn giờ chạy
    Thì nhiệm vụ "1.9" có các kỳ báo cáo:
      | kỳ | hạn              |
      | 1  | 15:00 22/07/2025 |
      | 2  | 15:00 29/07/2025 |
      | 3  | 15:00 05/08/2025 |
      | 4  | 15:00 12/08/2025 |
      | 5  | 15:00 19/08/2025 |
      | 6  | 15:00 26/08/2025 |
      | 7  | 15:00 03/09/2025 |
    Khi đến "15:00 03/09/2025" bộ xử lý việc hẹn giờ chạy
    Thì kỳ báo cáo 8 của nhiệm vụ "1.9" có hạn "15:00 09/09/2025"

  Kịch bản: Hạn xử lý rơi vào Tết Bính Ngọ 2026
    Cho ngày hôm nay là "05/01/2026"
    Và văn bản mẫu "000_4d45b63e93395a07" được phát hành với hạn nhiệm vụ "1" là "hạn chót ngày 18/02/2026"
    Thì nhiệm vụ "1" của "SCT" có hạn "23/02/2026" và được nhắc lúc "08:00 11/02/2026"
    Và việc "Tiếp nhận nhiệm vụ" của "sct.cv" ghi hạn "23/02/2026"

  Kịch bản: Một lần gia hạn được đồng ý, một lần bị từ chối
    Cho ngày hôm nay là "05/05/2025"
    Và văn bản mẫu "000_4d45b63e93395a07" giữ nguyên ngày đã được phát hành
    Khi "sct.cv" xin gia hạn nhiệm vụ "1" đến "31/07/2025" vì "Chờ ý kiến thẩm định của Bộ Công Thương."
    Và "cvp" không đồng ý gia hạn vì "Nhiệm vụ cần hoàn thành trong quý II."
    Thì nhiệm vụ "1" của "SCT" có hạn "30/06/2025" và được nhắc lúc "08:00 25/06/2025"
    Và "sct.cv" nhận thông báo "Không đồng ý gia hạn: nhiệm vụ 1"
    Khi "sct.cv" xin gia hạn nhiệm vụ "1" đến "15/07/2025" vì "Bổ sung số liệu của các khu công nghiệp."
    Và "cvp" đồng ý gia hạn vì "Đồng ý, không gia hạn thêm."
    Thì nhiệm vụ "1" của "SCT" có hạn "15/07/2025" và được nhắc lúc "08:00 10/07/2025"
    Và trang văn bản ghi nhiệm vụ "1" của "SCT" có hạn đầu "30/06/2025"
    Khi đến "08:00 25/06/2025" bộ xử lý việc hẹn giờ chạy
    Thì "sct.cv" không nhận thông báo "Sắp đến hạn: nhiệm vụ 1"
    Khi đến "08:00 10/07/2025" bộ xử lý việc hẹn giờ chạy
    Thì "sct.cv" nhận thông báo "Sắp đến hạn: nhiệm vụ 1"

  Kịch bản: Quá hạn được chuyển Phó Chủ tịch, Phó Chủ tịch đôn đốc
    Cho ngày hôm nay là "05/05/2025"
    Và văn bản mẫu "000_4d45b63e93395a07" giữ nguyên ngày đã được phát hành
    Khi đến "08:00 02/07/2025" bộ xử lý việc hẹn giờ chạy
    Thì "pct.hoang" có việc "Đôn đốc nhiệm vụ quá hạn" về nhiệm vụ "1"
    Khi "pct.hoang" đôn đốc nhiệm vụ "1" với nội dung "Đề nghị Sở Công Thương trình dự thảo chính sách trước 10/7/2025."
    Thì "sct.cv" có việc "Tiếp nhận văn bản đôn đốc" về nhiệm vụ "1"
    Và "sct.cv" nhận thông báo "Đôn đốc: nhiệm vụ 1"
    Và lịch sử nhiệm vụ "1" của "SCT" ghi "Đôn đốc nhiệm vụ quá hạn" do "pct.hoang"

  Kịch bản: Vấn đề vượt thẩm quyền được lãnh đạo trả lời
    Cho ngày hôm nay là "05/05/2025"
    Và văn bản mẫu "000_4d45b63e93395a07" giữ nguyên ngày đã được phát hành
    Khi "sct.cv" báo cáo vấn đề vượt thẩm quyền của nhiệm vụ "7": "Chính sách ưu đãi cần Nghị quyết của HĐND tỉnh."
    Thì "pct.hoang" có việc "Cho ý kiến vấn đề vượt thẩm quyền" về nhiệm vụ "7"
    Khi "pct.hoang" cho ý kiến "Giao Sở Công Thương dự thảo Tờ trình HĐND tỉnh tại kỳ họp gần nhất."
    Thì "sct.cv" có việc "Tiếp nhận ý kiến chỉ đạo" về nhiệm vụ "7"
    Và trang việc của "sct.cv" về nhiệm vụ "7" ghi "Giao Sở Công Thương dự thảo Tờ trình HĐND tỉnh tại kỳ họp gần nhất."
