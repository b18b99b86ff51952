"""The notifier's rules without any service running: who is told what, delivery names, webhook
signatures, retry decisions and which webhook URLs are refused."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest

from egov_kit.errors import ServiceError
from notifier_service import domain
from notifier_service.domain import Addressees

ADDRESSEES = Addressees(labour_inspectorate_voen="1400245611", prosecutor_voen="1500012341")


def event(event_type: str, **data) -> dict:
    return {"id": "e1", "type": event_type, "data": data}


def revoked(**data):
    base = {"number": "ARY-2026-000123", "holder_name": "Məmmədov İlqar", "reason": "holder",
            "destination": "addressed", "addressee_voen": "9900072351", "notify_addressee": True}
    return event("certificates.certificate.revoked", **{**base, **data})


def test_revocation_alerts_the_addressee_only_when_the_holder_asked():
    assert domain.plan_certificate_revoked(revoked()).organisations == ("9900072351",)
    assert domain.plan_certificate_revoked(revoked(notify_addressee=False)) == domain.Plan()
    with pytest.raises(ServiceError, match="malformed_event"):
        domain.plan_certificate_revoked(revoked(addressee_voen=None))
    with pytest.raises(ServiceError, match="malformed_event"):
        domain.plan_certificate_revoked(revoked(notify_addressee="yes"))


def test_issued_certificate_is_mailed_with_its_pdf_only_when_a_copy_was_asked_for():
    data = {"number": "ARY-2026-000123", "email": "ilqar@example.az", "email_copy": True}
    plan = domain.plan_certificate_issued(event("certificates.certificate.issued", **data))
    (mail,) = plan.emails
    assert mail.to == "ilqar@example.az" and mail.role == "holder"
    assert mail.attachment.service == "certificates"
    assert mail.attachment.path == "/api/certificates/ARY-2026-000123/pdf"
    assert mail.attachment.filename == "arayış-ARY-2026-000123.pdf"
    assert domain.plan_certificate_issued(
        event("certificates.certificate.issued", **{**data, "email_copy": False})).emails == ()
    assert domain.plan_certificate_issued(
        event("certificates.certificate.issued", **{**data, "email": None})).emails == ()
    with pytest.raises(ServiceError, match="malformed_event"):  # it would go into another service's URL
        domain.plan_certificate_issued(event("certificates.certificate.issued", **{**data, "number": "../x/y"}))


def test_signed_notice_mails_the_employee_at_the_registry_address():
    (mail,) = domain.plan_notice_signed(event("contracts.notice.signed", employee_fin=" 4rd6yfc")).emails
    assert mail.to is None and mail.fin == "4RD6YFC" and mail.role == "employee"
    with pytest.raises(ServiceError, match="malformed_event"):
        domain.plan_notice_signed(event("contracts.notice.signed", employee_fin="12-45"))


def test_accident_goes_to_the_inspectorate_and_to_the_prosecutor_when_someone_died():
    data = {"report_id": "r1", "registration_number": "BH-2026/17", "any_died": False,
            "informant": {"name": "Əliyev Rəşad", "email": "resad@example.az"}}
    plan = domain.plan_accident_submitted(event("accidents.report.submitted", **data), ADDRESSEES)
    assert plan.organisations == ("1400245611",)
    (mail,) = plan.emails
    assert mail.to == "resad@example.az" and mail.attachment.path == "/api/accidents/reports/r1/pdf"
    assert mail.attachment.filename == "bədbəxt-hadisə-BH-2026-17.pdf"
    fatal = domain.plan_accident_submitted(event("accidents.report.submitted", **{**data, "any_died": True}),
                                           ADDRESSEES)
    assert fatal.organisations == ("1400245611", "1500012341")


def test_insurer_decisions_mail_the_applicant():
    data = {"application_id": "a1", "applicant_email": "app@example.az", "account_number": "SE-000123"}
    for outcome in ("submitted", "registered", "rejected"):
        (mail,) = domain.plan_insurer_application(event(f"insurers.application.{outcome}", **data), outcome).emails
        assert mail.template == f"insurer_{outcome}" and mail.to == "app@example.az"
    with pytest.raises(ServiceError, match="malformed_event"):
        domain.plan_insurer_application(event("insurers.application.registered", application_id="a1",
                                              applicant_email="app@example.az"), "registered")


def test_event_without_data_is_malformed():
    with pytest.raises(ServiceError, match="malformed_event"):
        domain.plan_certificate_revoked({"id": "e1", "type": "certificates.certificate.revoked"})


def test_delivery_names_are_stable_and_make_valid_message_ids():
    assert domain.delivery_id("abc", "email", "holder") == domain.delivery_id("abc", "email", "holder")
    assert domain.delivery_id("abc", "email", "holder") != domain.delivery_id("abc", "email", "informant")
    assert domain.message_id(domain.delivery_id("abc", "email", "holder")) == "<abc.email.holder@notifier.egov>"
    assert domain.inbox_id("abc", "9900072351") != domain.inbox_id("abc", "1400245611")


def test_webhook_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = '{"id":"e1","data":{"holder_name":"Məmmədov"}}'.encode()
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert domain.webhook_signature("s3cret", 1700000000, body) == f"sha256={expected}"
    header = domain.webhook_signature("s3cret", 1700000000, body)
    assert domain.verify_webhook_signature("s3cret", "1700000000", body, header)
    assert not domain.verify_webhook_signature("s3cret", "1700000001", body, header)
    assert not domain.verify_webhook_signature("s3cret", "1700000000", body + b" ", header)
    assert not domain.verify_webhook_signature("other", "1700000000", body, header)


@pytest.mark.parametrize("status, result", [
    (200, "sent"), (204, "sent"), (500, "retry"), (503, "retry"), (429, "retry"), (408, "retry"),
    (400, "failed"), (404, "failed"), (410, "failed"), (301, "failed")])
def test_webhook_answers(status, result):
    assert domain.classify_http_status(status) == result


def test_smtp_answers():
    assert domain.classify_smtp_code(None) == "retry"
    assert domain.classify_smtp_code(451) == "retry"
    assert domain.classify_smtp_code(550) == "failed"


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    assert domain.backoff_delay(1, 1.0, 600, rng=lambda: 0.0) == 0.5
    assert domain.backoff_delay(1, 1.0, 600, rng=lambda: 1.0) == 1.0
    assert domain.backoff_delay(4, 1.0, 600, rng=lambda: 1.0) == 8.0
    assert domain.backoff_delay(30, 1.0, 600, rng=lambda: 1.0) == 600
    assert 300 <= domain.backoff_delay(30, 1.0, 600) <= 600


def test_retries_stop_at_the_give_up_time_and_refusals_are_final():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    retry = domain.after_failure("retry", 1, now, now + timedelta(hours=24), 1.0, 600, rng=lambda: 1.0)
    assert retry.state == "pending" and retry.next_attempt_at == now + timedelta(seconds=1)
    late = domain.after_failure("retry", 3, now, now + timedelta(seconds=2), 1.0, 600, rng=lambda: 1.0)
    assert late.state == "failed"
    assert domain.after_failure("failed", 1, now, now + timedelta(hours=24), 1.0, 600).state == "failed"


def fixed(*addresses):
    return lambda host: list(addresses)


def unresolvable(host):
    raise OSError("no such host")


@pytest.mark.parametrize("url, addresses, code", [
    ("https://hooks.bank.az/egov", ["93.184.215.14"], None),
    ("http://93.184.215.14:8443/in", ["93.184.215.14"], None),
    ("ftp://hooks.bank.az/egov", ["93.184.215.14"], "webhook_url_scheme"),
    ("hooks.bank.az/egov", ["93.184.215.14"], "webhook_url_scheme"),
    ("https://user:pw@hooks.bank.az/", ["93.184.215.14"], "invalid_url"),
    ("http://127.0.0.1:8080/", ["127.0.0.1"], "webhook_url_private"),
    ("http://localhost/", ["127.0.0.1", "::1"], "webhook_url_private"),
    ("http://10.1.2.3/", ["10.1.2.3"], "webhook_url_private"),
    ("http://192.168.0.10/", ["192.168.0.10"], "webhook_url_private"),
    ("http://169.254.169.254/latest/meta-data", ["169.254.169.254"], "webhook_url_private"),
    ("http://[::1]/", ["::1"], "webhook_url_private"),
    ("http://[::ffff:10.0.0.1]/", ["::ffff:10.0.0.1"], "webhook_url_private"),
    ("http://0.0.0.0/", ["0.0.0.0"], "webhook_url_private"),
    ("http://240.0.0.1/", ["240.0.0.1"], "webhook_url_private"),
    ("http://mixed.example/", ["93.184.215.14", "10.0.0.1"], "webhook_url_private"),
])
def test_webhook_urls(url, addresses, code):
    assert domain.check_webhook_url(url, fixed(*addresses), allow_private=False) == code


def test_private_webhook_urls_allowed_only_when_configured():
    assert domain.check_webhook_url("http://127.0.0.1:9000/h", fixed("127.0.0.1"), allow_private=True) is None
    assert domain.check_webhook_url("ftp://127.0.0.1/", fixed("127.0.0.1"), allow_private=True) == "webhook_url_scheme"
    assert domain.check_webhook_url("https://nowhere.invalid/", unresolvable, False) == "webhook_url_unresolvable"
    assert domain.check_webhook_url("http://a b/", fixed("93.184.215.14"), False) == "invalid_url"


def test_addresses_are_masked_for_staff():
    assert domain.mask_email("ilqar.mammadov@example.az") == "i***@example.az"
    assert domain.mask_email(None) is None


def test_file_names_keep_azerbaijani_letters():
    assert domain.safe_filename_part("BH 2026/17") == "BH-2026-17"
    assert domain.safe_filename_part("Şəki-ğüç") == "Şəki-ğüç"
