"""What people and institutions read: e-mail texts and inbox titles, Azerbaijani first with English
below, and the MIME message (UTF-8 subject per RFC 2047, attachment names per RFC 2231)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr

from egov_kit.clock import BAKU, format_date, parse_instant, utcnow

from .domain import malformed

SIGNATURE_AZ = "Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"
SIGNATURE_EN = "Ministry of Labour and Social Protection of Population"
AUTOMATIC_AZ = "Bu məktub avtomatik göndərilib, ona cavab verməyin."
AUTOMATIC_EN = "This message was sent automatically; please do not reply to it."
CRLF = "\r\n"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str


def show_date(value) -> str:
    """dd.mm.yyyy, as dates are shown to people; what cannot be read is shown as it came."""
    if not value:
        return "—"
    return format_date(value) or str(value)


def show_instant(value) -> str:
    """Baku time, as instants are shown to people; what cannot be read is shown as it came."""
    if not value:
        return "—"
    moment = parse_instant(value)
    return moment.astimezone(BAKU).strftime("%d.%m.%Y %H:%M") if moment else str(value)


def _v(data: dict, key: str) -> str:
    value = data.get(key)
    return "—" if value in (None, "") else str(value)


def _lines(pairs: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label}: {value}" for label, value in pairs)


def _compose(subject_az: str, subject_en: str, greeting_az: str, greeting_en: str,
             intro_az: str, intro_en: str, facts_az: list, facts_en: list,
             outro_az: str = "", outro_en: str = "") -> Rendered:
    az = [greeting_az, "", intro_az, "", _lines(facts_az)]
    en = [greeting_en, "", intro_en, "", _lines(facts_en)]
    if outro_az:
        az += ["", outro_az]
        en += ["", outro_en]
    az += ["", AUTOMATIC_AZ, SIGNATURE_AZ]
    en += ["", AUTOMATIC_EN, SIGNATURE_EN]
    text = "\n".join(az) + "\n\n" + "—" * 20 + "\n(English)\n\n" + "\n".join(en) + "\n"
    return Rendered(subject=f"{subject_az} / {subject_en}", text=text)


CERTIFICATE_TYPES = {
    "employment": ("İş yerindən arayış", "Employment reference"),
    "employment_with_salary": ("Əmək haqqı göstərilməklə iş yerindən arayış", "Employment reference with salary"),
}
CONTRACT_TYPES = {"indefinite": ("müddətsiz", "indefinite"), "fixed_term": ("müddətli", "fixed-term")}
REVOCATION_REASONS = {
    "holder": ("arayış sahibi tərəfindən deaktiv edilib", "deactivated by the holder"),
    "contract_terminated": ("əmək müqaviləsinə xitam verilib", "the employment contract was terminated"),
}


def _certificate_issued(d: dict) -> Rendered:
    kind_az, kind_en = CERTIFICATE_TYPES.get(d.get("type"), (_v(d, "type"), _v(d, "type")))
    name = _v(d, "holder_name")
    return _compose(
        f"İş yerinə dair arayış № {_v(d, 'number')}", f"Employment reference certificate No. {_v(d, 'number')}",
        f"Hörmətli {name},", f"Dear {name},",
        "Sizin istəyinizlə hazırlanmış iş yerinə dair arayışın surəti bu məktuba əlavə olunub.",
        "A copy of the employment reference certificate prepared at your request is attached.",
        [("Arayışın nömrəsi", _v(d, "number")), ("Arayışın növü", kind_az),
         ("İşəgötürən", _v(d, "employer_name")), ("Son etibarlılıq tarixi", show_date(d.get("valid_until")))],
        [("Certificate number", _v(d, "number")), ("Type", kind_en),
         ("Employer", _v(d, "employer_name")), ("Valid until", show_date(d.get("valid_until")))],
        "Arayışı təqdim etdiyiniz qurum onu nömrəsinə görə \"Arayışların yoxlanılması\" bölməsində yoxlaya bilər.",
        "The institution you hand it to can check it by its number under \"Arayışların yoxlanılması\" "
        "(certificate verification).")


def _notice_signed(d: dict) -> Rendered:
    name = _v(d, "employee_name")
    kind_az, kind_en = CONTRACT_TYPES.get(d.get("contract_type"), (_v(d, "contract_type"),) * 2)
    if d.get("contract_type") == "fixed_term":
        kind_az += f" ({show_date(d.get('end_date'))} tarixinədək)"
        kind_en += f" (until {show_date(d.get('end_date'))})"
    employer = f"{_v(d, 'employer_name')} (VÖEN {_v(d, 'employer_voen')})"
    return _compose(
        "Adınıza əmək müqaviləsi bildirişi qeydiyyata alınıb",
        "An employment contract notice was registered in your name",
        f"Hörmətli {name},", f"Dear {name},",
        f"{employer} sizinlə bağladığı əmək müqaviləsi barədə bildirişi elektron imza ilə qeydiyyata alıb.",
        f"{employer} has registered, with an electronic signature, a notice of the employment contract "
        "it concluded with you.",
        [("Müqavilənin nömrəsi", _v(d, "contract_number")), ("Müqavilənin tarixi", show_date(d.get("contract_date"))),
         ("Vəzifə", _v(d, "position")), ("İş yeri", _v(d, "workplace")),
         ("İşə başlama tarixi", show_date(d.get("start_date"))), ("Müqavilənin növü", kind_az)],
        [("Contract number", _v(d, "contract_number")), ("Contract date", show_date(d.get("contract_date"))),
         ("Position", _v(d, "position")), ("Workplace", _v(d, "workplace")),
         ("Start date", show_date(d.get("start_date"))), ("Contract type", kind_en)],
        "Bildirişlərinizə portalda \"Əmək müqaviləsi bildirişləri barədə məlumatların işçilər tərəfindən "
        "əldə edilməsi\" xidmətində baxa bilərsiniz. Məlumatlarda səhv varsa, işəgötürənə müraciət edin.",
        "You can see your notices on the portal in the service for employees' access to their employment "
        "contract notices. If anything is wrong, please contact the employer.")


def _accident_submitted(d: dict) -> Rendered:
    informant = d.get("informant") if isinstance(d.get("informant"), dict) else {}
    name = _v(informant, "name")
    victims = d.get("victims") if isinstance(d.get("victims"), list) else []
    return _compose(
        f"Bədbəxt hadisə barədə məlumat № {_v(d, 'registration_number')} qəbul edildi",
        f"Workplace accident report No. {_v(d, 'registration_number')} received",
        f"Hörmətli {name},", f"Dear {name},",
        f"{_v(d, 'employer_name')} adından təqdim etdiyiniz istehsalatda baş verən bədbəxt hadisə barədə məlumat "
        "qeydiyyata alınıb və aidiyyəti dövlət strukturuna göndərilib. İmzalanmış bildirişin surəti bu "
        "məktuba əlavə olunub.",
        f"The workplace accident report you submitted for {_v(d, 'employer_name')} has been registered and "
        "passed on to the competent state bodies. A copy of the signed report is attached.",
        [("Qeydiyyat nömrəsi", _v(d, "registration_number")),
         ("Hadisənin baş verdiyi vaxt", show_instant(d.get("occurred_at"))),
         ("Hadisənin ünvanı", _v(d, "address")), ("Zərərçəkənlərin sayı", str(len(victims)))],
        [("Registration number", _v(d, "registration_number")),
         ("Time of the accident", show_instant(d.get("occurred_at"))),
         ("Place", _v(d, "address")), ("Number of victims", str(len(victims)))])


def _insurer(d: dict, outcome: str) -> Rendered:
    name = _v(d, "applicant_name")
    org = f"{_v(d, 'name')} (VÖEN {_v(d, 'voen')})"
    facts_az = [("Sığortaedən", org), ("Müraciətin tarixi", show_instant(d.get("submitted_at")))]
    facts_en = [("Insurer", org), ("Submitted", show_instant(d.get("submitted_at")))]
    if outcome == "submitted":
        return _compose(
            "Sığortaedənin uçota alınması üçün müraciətiniz qəbul edildi",
            "Your application to register an insurer has been received",
            f"Hörmətli {name},", f"Dear {name},",
            "Sığortaedənin (hüquqi şəxs) onlayn uçota alınması üçün müraciətiniz qəbul edilib və baxılır. "
            "Nəticə barədə bu ünvana məlumat veriləcək.",
            "Your application to register a legal entity as a social-insurance payer has been received and "
            "is being reviewed. You will be told the result at this address.", facts_az, facts_en)
    if outcome == "registered":
        account = _v(d, "account_number")
        return _compose(
            f"Sığortaedən uçota alındı, uçot nömrəsi {account}",
            f"Insurer registered, account number {account}",
            f"Hörmətli {name},", f"Dear {name},",
            "Sığortaedənin (hüquqi şəxs) onlayn uçota alınması üçün müraciətiniz təsdiq edilib.",
            "Your application to register the legal entity as a social-insurance payer has been approved.",
            facts_az + [("Uçot nömrəsi", account), ("Uçota alınma tarixi", show_instant(d.get("registered_at")))],
            facts_en + [("Account number", account), ("Registered", show_instant(d.get("registered_at")))])
    return _compose(
        "Sığortaedənin uçota alınması üçün müraciətiniz rədd edildi",
        "Your application to register an insurer was rejected",
        f"Hörmətli {name},", f"Dear {name},",
        "Sığortaedənin (hüquqi şəxs) onlayn uçota alınması üçün müraciətiniz rədd edilib.",
        "Your application to register the legal entity as a social-insurance payer was rejected.",
        facts_az + [("Səbəb", _v(d, "reason")), ("Qərarın tarixi", show_instant(d.get("rejected_at")))],
        facts_en + [("Reason", _v(d, "reason")), ("Decided", show_instant(d.get("rejected_at")))],
        "Səbəbi aradan qaldırdıqdan sonra yeni müraciət edə bilərsiniz.",
        "You may apply again once the reason has been dealt with.")


TEMPLATES = {
    "certificate_issued": _certificate_issued,
    "notice_signed": _notice_signed,
    "accident_submitted": _accident_submitted,
    "insurer_submitted": lambda d: _insurer(d, "submitted"),
    "insurer_registered": lambda d: _insurer(d, "registered"),
    "insurer_rejected": lambda d: _insurer(d, "rejected"),
}


def render(template: str, data: dict) -> Rendered:
    try:
        return TEMPLATES[template](data)
    except KeyError:
        raise malformed(f"no template {template}") from None


def inbox_title(event_type: str, data: dict) -> tuple[str, str]:
    """(az, en) title of an institution's inbox entry."""
    if event_type == "certificates.certificate.revoked":
        reason_az, reason_en = REVOCATION_REASONS.get(data.get("reason"), (_v(data, "reason"),) * 2)
        return (f"№ {_v(data, 'number')} iş yerinə dair arayış qüvvədən düşüb ({reason_az})",
                f"Employment reference certificate No. {_v(data, 'number')} revoked ({reason_en})")
    if event_type == "accidents.report.submitted":
        died = bool(data.get("any_died"))
        return (f"İstehsalatda bədbəxt hadisə: {_v(data, 'employer_name')}, № {_v(data, 'registration_number')}"
                + (" (ölümlə nəticələnib)" if died else ""),
                f"Workplace accident: {_v(data, 'employer_name')}, No. {_v(data, 'registration_number')}"
                + (" (fatal)" if died else ""))
    return event_type, event_type


def build_message(rendered: Rendered, *, to: str, mail_from: str, message_id: str,
                  attachment: tuple[str, bytes] | None = None, sent_at: datetime | None = None) -> bytes:
    message = EmailMessage()
    message["To"] = to
    message["Date"] = format_datetime(sent_at or utcnow())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    if attachment is not None:
        filename, content = attachment
        message.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    # Subject and sender name are encoded here: when EmailMessage folds a long non-ASCII header it
    # can put a space between two encoded words, where mail programs drop it ("üçün müraciət" came
    # out as "üçünmüraciət"). email.header keeps every space inside the encoded words.
    name, address = parseaddr(mail_from)
    top = (f"Subject: {Header(rendered.subject, 'utf-8', header_name='Subject').encode(linesep=CRLF)}{CRLF}"
           f"From: {formataddr((name, address), charset='utf-8')}{CRLF}")
    return top.encode("ascii") + message.as_bytes(policy=SMTP_POLICY)  # CRLF line ends, as SMTP requires
