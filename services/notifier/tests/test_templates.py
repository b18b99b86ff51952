"""E-mails as the recipient's mail program reads them: Azerbaijani subject, body and attachment
name decode intact; Azerbaijani first, English below; dates as people read them."""
from __future__ import annotations

import email
from email import policy

from notifier_service import templates

ISSUED = {"number": "ARY-2026-000123", "holder_name": "Məmmədov İlqar Şahin oğlu", "type": "employment",
          "valid_until": "2026-12-31", "employer_name": "\"Günəş Çörək\" MMC", "email": "ilqar@example.az"}


def decode(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_certificate_copy_reads_correctly_with_its_pdf():
    rendered = templates.render("certificate_issued", ISSUED)
    raw = templates.build_message(rendered, to="ilqar@example.az", mail_from=templates.SIGNATURE_AZ +
                                  " <no-reply@notifier.egov>", message_id="<e1.email.holder@notifier.egov>",
                                  attachment=("arayış-ARY-2026-000123.pdf", b"%PDF-1.7 test"))
    assert raw.isascii()  # every header and part is encoded for 7-bit transport
    message = decode(raw)
    assert message["Subject"] == ("İş yerinə dair arayış № ARY-2026-000123 / "
                                  "Employment reference certificate No. ARY-2026-000123")
    assert message["From"].addresses[0].display_name == "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"
    assert message["Message-ID"] == "<e1.email.holder@notifier.egov>"
    body = message.get_body(("plain",)).get_content()
    assert "Hörmətli Məmmədov İlqar Şahin oğlu," in body and "Dear Məmmədov İlqar Şahin oğlu," in body
    assert body.index("Son etibarlılıq tarixi: 31.12.2026") < body.index("Valid until: 31.12.2026")
    assert "\"Günəş Çörək\" MMC" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "arayış-ARY-2026-000123.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"


def test_notice_mail_tells_the_employee_the_contract_but_not_the_salary():
    data = {"employer_name": "\"Şəki İpək\" ASC", "employer_voen": "1701100121", "employee_name": "Quliyeva Aygün",
            "position": "Mühasib", "workplace": "Şəki, M.Ə.Rəsulzadə küç. 5", "contract_number": "ƏM-17",
            "contract_date": "2026-11-20", "start_date": "2026-12-01", "contract_type": "fixed_term",
            "end_date": "2027-11-30", "salary": "1250.00"}
    rendered = templates.render("notice_signed", data)
    assert rendered.subject.startswith("Adınıza əmək müqaviləsi bildirişi qeydiyyata alınıb")
    assert "müddətli (30.11.2027 tarixinədək)" in rendered.text and "fixed-term (until 30.11.2027)" in rendered.text
    assert "İşə başlama tarixi: 01.12.2026" in rendered.text and "ƏM-17" in rendered.text
    assert "1250" not in rendered.text


def test_accident_copy_shows_baku_time():
    data = {"registration_number": "BH-2026-0007", "employer_name": "\"Xəzər Logistika\" MMC",
            "occurred_at": "2026-11-20T06:30:00+00:00", "address": "Bakı, Xətai r-nu",
            "victims": [{"name": "A"}, {"name": "B"}], "informant": {"name": "Əliyev Rəşad"}}
    rendered = templates.render("accident_submitted", data)
    assert "Hadisənin baş verdiyi vaxt: 20.11.2026 10:30" in rendered.text
    assert "Zərərçəkənlərin sayı: 2" in rendered.text and "Hörmətli Əliyev Rəşad," in rendered.text


def test_insurer_mails_carry_the_account_number_or_the_reason():
    base = {"name": "\"Dəniz Ulduzu\" MMC", "voen": "1701100451", "applicant_name": "Həsənov Orxan",
            "submitted_at": "2026-11-20T08:00:00+00:00"}
    registered = templates.render("insurer_registered", {**base, "account_number": "SE-0042"})
    assert "SE-0042" in registered.subject and "Uçot nömrəsi: SE-0042" in registered.text
    rejected = templates.render("insurer_rejected", {**base, "reason": "Sənədlər natamamdır"})
    assert "rədd edildi" in rejected.subject and "Səbəb: Sənədlər natamamdır" in rejected.text
    submitted = templates.render("insurer_submitted", base)
    assert "qəbul edildi" in submitted.subject and "20.11.2026 12:00" in submitted.text


def test_inbox_titles_name_the_certificate_and_the_reason():
    az, en = templates.inbox_title("certificates.certificate.revoked",
                                   {"number": "ARY-1", "reason": "contract_terminated"})
    assert az == "№ ARY-1 iş yerinə dair arayış qüvvədən düşüb (əmək müqaviləsinə xitam verilib)"
    assert "terminated" in en
    az, _ = templates.inbox_title("accidents.report.submitted",
                                  {"employer_name": "X", "registration_number": "BH-1", "any_died": True})
    assert az.endswith("(ölümlə nəticələnib)")


def test_dates_shown_as_people_read_them():
    assert templates.show_date("2026-01-05") == "05.01.2026"
    assert templates.show_date(None) == "—"
    assert templates.show_date("soon") == "soon"
    assert templates.show_instant("2026-01-05T21:00:00Z") == "06.01.2026 01:00"


def test_long_subjects_keep_every_space():
    for template, data in [("insurer_submitted", {}), ("notice_signed", {}), ("accident_submitted", {}),
                           ("insurer_rejected", {}), ("certificate_issued", {"number": "ARY-2026-000123"})]:
        rendered = templates.render(template, data)
        raw = templates.build_message(rendered, to="a@example.az", mail_from="\"Əmək və Əhalinin Sosial Müdafiəsi "
                                      "Nazirliyi\" <no-reply@notifier.egov>", message_id="<x@notifier.egov>")
        assert raw.isascii() and b"\r\n" in raw
        assert decode(raw)["Subject"] == rendered.subject
