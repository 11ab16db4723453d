# language: vi
Tính năng: Nhập văn bản chỉ đạo từ tệp
  Chuyên viên Văn phòng tải lên văn bản đã có (bản Word, bản PDF có lớp chữ, tệp văn bản) hoặc dán
  nội dung; hệ thống đề xuất dự thảo với từng nhiệm vụ, cơ quan chủ trì, cơ quan phối hợp và thời hạn.
  Chuyên viên kiểm tra, sửa rồi mới tạo dự thảo: không có gì được bắt đầu khi chưa xác nhận.

  Khung kịch bản: Văn bản mẫu được đọc thành đúng các nhiệm vụ đã gán nhãn
    Khi chuyên viên "cv.lan" tải lên văn bản mẫu "<seed>"
    Thì trang kiểm tra đề xuất đúng các nhiệm vụ trong nhãn của "<seed>"
    Và chưa có quy trình nào được bắt đầu

    Dữ liệu:
      | seed                 |
      | 000_4d45b63e93395a07 |
      | 001_406948b0e7715172 |
      | 003_09fc60a00c80ca95 |
      | 004_3aa08d13fa6d828c |

  Kịch bản: Nhập văn bản mẫu 003 rồi bắt đầu: 22 nhiệm vụ đến đúng cơ quan chủ trì
    Khi chuyên viên "cv.binh" tải lên văn bản mẫu "003_09fc60a00c80ca95"
    Và "cv.binh" tạo dự thảo khi chưa ghi trích yếu
    Thì biểu mẫu báo lỗi ở trường "subject": "Trường «Trích yếu» là bắt buộc."
    Và chưa có quy trình nào được bắt đầu
    Khi "cv.binh" ghi trích yếu "V/v triển khai Nghị định số 32/2024/NĐ-CP về quản lý, phát triển cụm công nghiệp" rồi tạo dự thảo
    Và "cv.binh" trình dự thảo
    Và "cvp" đồng ý dự thảo
    Và "pct.tuan" ký ban hành
    Và "vanthu" vào sổ văn bản đi
    Thì 22 nhiệm vụ của văn bản mẫu "003_09fc60a00c80ca95" được giao đến đúng các cơ quan chủ trì trong nhãn

  Kịch bản: Bản scan không có lớp chữ bị từ chối bằng một câu rõ ràng
    Khi chuyên viên "cv.lan" tải lên một bản PDF chỉ có hình ảnh
    Thì trang nhập báo lỗi "không có lớp văn bản (có thể là bản quét)"
    Và chưa có quy trình nào được bắt đầu
