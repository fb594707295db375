"""The consent wording an installation starts with (version 1: the sentence the registration form showed before
consent texts were data, with the notice, the guardian's and the child's texts beside it), and its loader.
Migration 0002 holds its own frozen copy of this row; an administrator publishes later versions."""

from django.utils import timezone

from gddt.consents.models import ConsentText

FIRST_VERSION = {
    "version": 1,
    "text_en": (
        "I agree that Vietnam Social Security processes the data in this form, including the photos of identity "
        "documents, which are sensitive personal data, to register me for electronic transactions. For a child, I "
        "give this consent as the parent or guardian."
    ),
    "text_vi": (
        "Tôi đồng ý để Bảo hiểm xã hội Việt Nam xử lý các thông tin trong tờ khai này, kể cả ảnh giấy tờ tùy thân là "
        "dữ liệu cá nhân nhạy cảm, để đăng ký giao dịch điện tử cho tôi. Trường hợp đăng ký cho trẻ, tôi đồng ý với "
        "tư cách cha, mẹ hoặc người giám hộ."
    ),
    "sensitive_notice_en": (
        "Photos of identity documents (ID card, passport, birth certificate) are sensitive personal data under the "
        "law on personal data protection. They are stored encrypted, seen only by the officers who handle the "
        "registration, and kept only as long as the rules require. You can download a copy of everything held "
        "about you from your account."
    ),
    "sensitive_notice_vi": (
        "Ảnh giấy tờ tùy thân (thẻ căn cước, hộ chiếu, giấy khai sinh) là dữ liệu cá nhân nhạy cảm theo pháp luật "
        "về bảo vệ dữ liệu cá nhân. Ảnh được lưu trữ có mã hóa, chỉ cán bộ xử lý hồ sơ được xem và chỉ được lưu "
        "giữ trong thời hạn quy định. Bạn có thể tải bản sao toàn bộ dữ liệu về mình tại trang tài khoản."
    ),
    "guardian_text_en": (
        "As the parent or guardian, I consent to the processing of the child's data, including the photos, for "
        "this registration."
    ),
    "guardian_text_vi": (
        "Với tư cách cha, mẹ hoặc người giám hộ, tôi đồng ý để xử lý dữ liệu của trẻ, kể cả các ảnh, cho việc "
        "đăng ký này."
    ),
    "child_text_en": "The child (aged 7 or more) has been told about this registration and agrees to it.",
    "child_text_vi": "Trẻ (từ đủ 7 tuổi trở lên) đã được giải thích về việc đăng ký này và đồng ý.",
}


def consent_texts_load() -> int:
    """Version 1, when there is no consent text at all (after a flush in tests); answers how many it added."""
    if ConsentText.objects.exists():
        return 0
    ConsentText.objects.create(**FIRST_VERSION, published_at=timezone.now())
    return 1
