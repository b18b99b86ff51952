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


# Teredo: 2001:0:<server>:<flags>:<port>:<client, each bit inverted>.
TEREDO_SERVER = "4136:e378"                 # 65.54.227.120
TEREDO_CLIENT_PUBLIC = "a247:28f1"          # 93.184.215.14
TEREDO_CLIENT_LOOPBACK = "80ff:fffe"        # 127.0.0.1


@pytest.mark.parametrize("address", [
    # IPv4
    "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.255.0.9",
    "169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1",
    "192.168.1.1", "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.251",
    "239.255.255.250", "240.0.0.1", "255.255.255.255",
    # IPv6 of its own
    "::", "::1", "fc00::1", "fd12:3456:789a::1", "fe80::1", "fe80::1%eth0", "fec0::1", "ff02::1", "ff05::1:3",
    "ff0e::1", "100::1", "2001:db8::1", "3fff::1", "5f00::1", "2001:10::1", "2001:2::1",
    # IPv6 carrying an IPv4 address that is not public
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0:93.184.215.14",
    "::127.0.0.1", "::93.184.215.14",                       # IPv4-compatible: deprecated, never reached
    "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::10.1.2.3", "64:ff9b::192.168.0.1",  # NAT64
    "64:ff9b:1::5db8:d70e", "64:ff9b:1:ffff::1",            # NAT64 for local use: never public
    "2002:7f00:1::", "2002:a00:1::1", "2002:c0a8:101::1", "2002:a9fe:a9fe::1", "2002:6440:1::1",  # 6to4
    "2002:e000:1::1", "2002::1",
    f"2001:0:{TEREDO_SERVER}:8000:63bf:{TEREDO_CLIENT_LOOPBACK}",   # Teredo to a loopback client
    f"2001:0:a00:1:8000:63bf:{TEREDO_CLIENT_PUBLIC}",               # through a private server
])
def test_addresses_a_webhook_may_not_reach(address):
    assert domain.is_public_address(address) is False


@pytest.mark.parametrize("address", [
    "93.184.215.14", "8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "198.20.0.1",
    "2606:4700:4700::1111", "2a00:1450:4001:82b::200e",
    "::ffff:93.184.215.14", "64:ff9b::5db8:d70e", "2002:5db8:d70e::1",
    f"2001:0:{TEREDO_SERVER}:8000:63bf:{TEREDO_CLIENT_PUBLIC}",
])
def test_public_addresses(address):
    assert domain.is_public_address(address) is True


def test_the_ipv4_address_inside_an_ipv6_one():
    import ipaddress
    v6 = ipaddress.IPv6Address
    assert domain.embedded_ipv4(v6("2002:7f00:1::")) == (ipaddress.IPv4Address("127.0.0.1"),)
    assert domain.embedded_ipv4(v6("64:ff9b::a9fe:a9fe")) == (ipaddress.IPv4Address("169.254.169.254"),)
    assert domain.embedded_ipv4(v6(f"2001:0:{TEREDO_SERVER}:8000:63bf:{TEREDO_CLIENT_LOOPBACK}")) == (
        ipaddress.IPv4Address("65.54.227.120"), ipaddress.IPv4Address("127.0.0.1"))
    assert domain.embedded_ipv4(v6("::ffff:10.0.0.1")) == (ipaddress.IPv4Address("10.0.0.1"),)
    assert domain.embedded_ipv4(v6("2606:4700:4700::1111")) == ()


@pytest.mark.parametrize("url, addresses", [
    ("http://[2002:7f00:1::]:8080/in", ["2002:7f00:1::"]),
    ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data", ["64:ff9b::a9fe:a9fe"]),
    (f"http://[2001:0:{TEREDO_SERVER}:8000:63bf:{TEREDO_CLIENT_LOOPBACK}]/", []),
    ("http://[::ffff:7f00:1]/", []),
    ("http://[fe80::1%25eth0]/", []),
    ("http://sixtofour.example/", ["2002:a00:1::1"]),
    ("http://nat64.example/", ["64:ff9b::10.0.0.1"]),
    ("http://teredo.example/", [f"2001:0:{TEREDO_SERVER}:8000:63bf:{TEREDO_CLIENT_LOOPBACK}"]),
    ("http://2130706433/", ["127.0.0.1"]),    # what the system resolver makes of a decimal address
    ("http://cgnat.example/", ["93.184.215.14", "100.64.1.1"]),
])
def test_transition_and_embedded_addresses_are_refused(url, addresses):
    # A literal is judged as it is (the resolver is not asked); a name by every address it has.
    assert domain.check_webhook_url(url, fixed(*addresses), allow_private=False) == "webhook_url_private"


def test_a_literal_address_is_not_resolved_and_a_name_once():
    asked = []

    def resolve(host):
        asked.append(host)
        return ["93.184.215.14"]
    assert domain.checked_addresses("93.184.215.14", resolve, False) == (None, ["93.184.215.14"])
    assert domain.checked_addresses("2002:5db8:d70e::1", resolve, False) == (None, ["2002:5db8:d70e::1"])
    assert asked == []
    assert domain.checked_addresses("hooks.bank.az", resolve, False) == (None, ["93.184.215.14"])
    assert asked == ["hooks.bank.az"]
    assert domain.checked_addresses("hooks.bank.az", fixed("127.0.0.1"), True) == (None, ["127.0.0.1"])
    assert domain.checked_addresses("hooks.bank.az", fixed(), False) == ("webhook_url_unresolvable", [])
    assert domain.checked_addresses("hooks.bank.az", fixed("not an address"), False) == ("invalid_url", [])


@pytest.mark.parametrize("url, target", [
    ("https://Hooks.Bank.az/egov?x=1#frag", ("https", "hooks.bank.az", 443, "Hooks.Bank.az", "/egov?x=1")),
    ("http://hooks.bank.az:8080", ("http", "hooks.bank.az", 8080, "hooks.bank.az:8080", "/")),
    ("http://[2606:4700:4700::1111]:81/in", ("http", "2606:4700:4700::1111", 81, "[2606:4700:4700::1111]:81", "/in")),
])
def test_a_webhook_target_keeps_the_host_header_of_the_url(url, target):
    got = domain.webhook_target(url)
    assert (got.scheme, got.host, got.port, got.host_header, got.target) == target


@pytest.mark.parametrize("url, code", [("ftp://x.az/", "webhook_url_scheme"), ("http://a\x00b/", "invalid_url"),
                                       ("http://x.az:99999/", "invalid_url"), ("http:///nohost", "invalid_url")])
def test_a_webhook_target_refused(url, code):
    assert domain.webhook_target(url) == code


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
