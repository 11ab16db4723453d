# language: vi
Tính năng: Hệ thống khác điều khiển văn bản chỉ qua REST API tương thích Camunda 7
  Cổng điều hành, phần mềm quản lý văn bản hay một đoạn mã của tỉnh dùng /engine-rest như dùng
  Camunda: khởi tạo, lấy việc theo nhóm xử lý, hoàn thành với biến có kiểu. Mỗi người dùng xác thực
  bằng tài khoản của chính mình và chỉ làm được việc của đơn vị mình.

  Kịch bản: Thông báo kết luận (văn bản mẫu 001) đi hết vòng đời chỉ qua REST
    Khi "cv.lan" khởi tạo qua REST văn bản từ văn bản mẫu "001_406948b0e7715172"
    Và "cv.lan" trình dự thảo qua REST
    Và "pcvp.hai" đồng ý dự thảo qua REST
    Và người ký ký ban hành qua REST
    Và "vanthu" vào sổ văn bản đi qua REST
    Thì văn bản có số "01/TB-UBND" và ngày ban hành "23/11/2026"
    Khi mọi cơ quan xử lý qua REST việc "acknowledge"
    Và mọi cơ quan xử lý qua REST việc "accept"
    Và mọi cơ quan xử lý qua REST việc "contribute"
    Và mọi cơ quan xử lý qua REST việc "report"
    Thì văn bản vẫn đang xử lý
    Khi "cv.lan" chấp nhận mọi báo cáo qua REST
    Thì văn bản đã hoàn thành và trang văn bản ghi "Đã hoàn thành – mọi nhiệm vụ đã được chấp nhận"
    Và lịch sử REST của văn bản ghi "vanthu" hoàn thành việc "register"

  Kịch bản: Cơ quan không hoàn thành được việc của cơ quan khác qua REST
    Khi "cv.lan" khởi tạo qua REST văn bản từ văn bản mẫu "001_406948b0e7715172"
    Và "cv.lan" trình dự thảo qua REST
    Thì "sct.cv" nhận lỗi 403 khi hoàn thành qua REST việc "review"
    Và "thanhtra" nhận lỗi 403 khi hoàn thành qua REST việc "review"
