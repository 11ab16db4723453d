# language: vi
Tính năng: Thanh tra chứng minh lịch sử văn bản không bị sửa
  Mỗi bước của văn bản được ghi vào lịch sử, sự kiện sau nối với sự kiện trước bằng mã băm.
  Khi kiểm chứng, hệ thống thực thi lại từng phiên chỉ từ phiên bản quy trình và các sự kiện đã ghi,
  rồi so với trạng thái đang lưu; mốc kiểm chứng định kỳ phát hiện cả phiên bị xóa.

  Bối cảnh:
    Cho chuyên viên "cv.lan" soạn dự thảo từ văn bản mẫu "000_4d45b63e93395a07"
    Khi "cv.lan" trình dự thảo
    Và "cvp" trả lại dự thảo với lý do "Bổ sung căn cứ pháp lý."
    Và "cv.lan" trình dự thảo
    Và "cvp" đồng ý dự thảo
    Và "pct.hoang" ký ban hành
    Và "vanthu" vào sổ văn bản đi
    Và mọi cơ quan nhận xác nhận đã nhận văn bản
    Và "sct.cv" xin gia hạn nhiệm vụ "1" đến "31/12/2028" vì "Chờ ý kiến thẩm định của Bộ Công Thương."
    Và "cvp" đồng ý gia hạn vì "Đồng ý."
    Và mọi cơ quan chủ trì tiếp nhận nhiệm vụ
    Và mọi cơ quan phối hợp gửi ý kiến phối hợp
    Và mọi cơ quan chủ trì báo cáo kết quả
    Và "cv.lan" chấp nhận mọi báo cáo
    Và bộ xử lý nền lập mốc kiểm chứng

  Kịch bản: Cả vòng đời văn bản mẫu 000, có trả lại và gia hạn, được kiểm chứng
    Thì văn bản đã hoàn thành và trang văn bản ghi "Đã hoàn thành – mọi nhiệm vụ đã được chấp nhận"
    Và "thanhtra" thấy mọi phiên của văn bản đã được kiểm chứng
    Và lệnh "chidao verify --all" báo "lịch sử nguyên vẹn" và kết thúc với mã 0

  Kịch bản: Sửa nội dung một sự kiện bị phát hiện ngay tại sự kiện đó
    Khi ai đó sửa trong cơ sở dữ liệu lý do trả lại dự thảo thành "Không có ý kiến."
    Thì "thanhtra" thấy trang kiểm chứng của văn bản báo "Chuỗi băm bị đứt: Nội dung sự kiện số <số sự kiện> đã bị sửa."
    Và lệnh "chidao verify --all" báo "Nội dung sự kiện số <số sự kiện> đã bị sửa." và kết thúc với mã 1

  Kịch bản: Xóa một sự kiện bị phát hiện
    Khi ai đó xóa trong cơ sở dữ liệu sự kiện ký ban hành
    Thì "thanhtra" thấy trang kiểm chứng của văn bản báo "Chuỗi băm bị đứt: Thiếu sự kiện số <số sự kiện>"
    Và lệnh "chidao verify --all" báo "Thiếu sự kiện số <số sự kiện>" và kết thúc với mã 1

  Kịch bản: Xóa cả một phiên cùng lịch sử bị mốc kiểm chứng phát hiện
    Khi ai đó xóa trong cơ sở dữ liệu phiên nhiệm vụ "1" của "SCT" cùng toàn bộ lịch sử
    Thì lệnh "chidao verify --all" báo "đã bị xóa cùng toàn bộ lịch sử" và kết thúc với mã 1
