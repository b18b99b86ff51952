"""The report as people read it: the PDF signed and filed (with its registration number, the
verification link and its QR code), and the draft's preview, marked on every page as not
submitted. Labels come from the e-service's manual. No Flask, no Mongo."""
from __future__ import annotations

from datetime import datetime

from egov_kit import pdfdoc
from egov_kit.clock import BAKU, as_utc
from egov_kit.files import safe_name_part
from egov_kit.pdfdoc import az_date, az_duration, az_instant
from egov_kit.signing import signed_with

from . import domain

MINISTRY = "Azərbaycan Respublikası Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi"
TITLE = "İstehsalatda baş verən bədbəxt hadisə barədə bildiriş"
SUBTITLE = "İstehsalatda baş verən bədbəxt hadisə barədə aidiyyəti dövlət strukturuna məlumatların verilməsi"
DRAFT_MARK = "TƏQDİM EDİLMƏYİB"
DRAFT_NOTE = ("Qaralama: bu, məlumatın ilkin baxışıdır. Məlumat hələ elektron imza ilə təsdiq edilməyib "
              "və aidiyyəti dövlət strukturuna göndərilməyib.")
SIGNING_REASON = "İstehsalatda baş verən bədbəxt hadisə barədə məlumatın təqdim edilməsi"
SIGNING_LOCATION = "Azərbaycan Respublikası"


class _ReportPdf(pdfdoc.DocumentPdf):
    def __init__(self, footer_text: str, font_dir: str, draft: bool):
        super().__init__(footer_text, font_dir)
        self._draft = draft

    def footer(self):
        super().footer()
        if self._draft:  # drawn last, over what the page holds
            pdfdoc.diagonal_mark(self, DRAFT_MARK)


def _local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(BAKU)


def _coded(code: str | None, name: str | None) -> str:
    return f"{code} — {name}" if code and name else (code or "")


def render_report_pdf(report: dict, *, number: str | None, created_at: datetime, font_dir: str,
                      signer_name: str | None = None, check_url: str | None = None, method: str | None = None) -> bytes:
    """The report laid out for reading and printing. With `number` (and the signer and the
    verification link) it is the notice that is signed; without, the draft's preview."""
    draft = number is None
    employer, incident = report["employer"], report["incident"]
    informant = report.get("informant") or {}
    victims = report.get("victims") or []
    occurred = _local(domain.occurred_at(report))

    pdf = _ReportPdf(f"{TITLE} · {number or 'qaralama'}", font_dir, draft)
    pdf.set_creation_date(created_at)
    pdf.set_title(f"{TITLE} № {number}" if number else f"{TITLE} (qaralama)")
    pdf.set_subject(SUBTITLE)
    pdf.set_author(employer["name"])
    pdf.set_creator(MINISTRY)
    pdf.set_lang("az")
    pdf.add_page()
    pdfdoc.heading(pdf, MINISTRY, TITLE, SUBTITLE)

    if draft:
        pdf.set_text_color(180, 30, 30)
        pdfdoc.line(pdf, DRAFT_NOTE, size=9, bold=True)
        pdf.set_text_color(0, 0, 0)
    else:
        pdfdoc.line(pdf, f"Qeydiyyat nömrəsi: {number}", size=10, bold=True)
    pdfdoc.line(pdf, f"Tərtib tarixi: {az_instant(created_at)}")

    activity = employer.get("activity") or {}
    pdfdoc.section(pdf, "1. İşəgötürən", [
        ("Adı", employer["name"]),
        ("VÖEN", employer["voen"]),
        ("Hüquqi ünvanı", employer.get("legal_address", "")),
        ("Fəaliyyət növü", _coded(activity.get("code"), activity.get("name"))),
    ])

    incident_rows = [
        ("Hadisənin baş vermə tarixi", occurred.strftime("%d.%m.%Y")),
        ("Hadisənin baş vermə saatı", occurred.strftime("%H:%M")),
        ("Rayon (şəhər)", incident.get("district_name", "")),
        ("Hadisənin ünvanı", incident.get("address", "")),
        ("Hadisənin təsviri", incident.get("description", "")),
    ]
    for coding in domain.INCIDENT_CODINGS:
        if incident.get(coding.field):
            incident_rows.append((coding.label_az, _coded(incident[coding.field], incident.get(f"{coding.field}_name"))))
    pdfdoc.section(pdf, "2. Hadisə", incident_rows)

    rows = []
    for index, victim in enumerate(victims, start=1):
        esaw = "; ".join(p for p in (_coded(victim.get("injury"), victim.get("injury_name")),
                                     _coded(victim.get("body_part"), victim.get("body_part_name"))) if p)
        rows.append([str(index), victim["fin"], domain.full_name(victim), az_date(victim.get("birth_date")),
                     domain.label("outcome", victim.get("outcome")), esaw,
                     "" if victim.get("days_lost") is None else str(victim["days_lost"])])
    pdfdoc.table(pdf, "3. Zərərçəkənlər",
                 ["№", "FİN", "Soyadı, adı, atasının adı", "Doğum tarixi", "Hadisənin nəticəsi",
                  "Xəsarətin növü; bədən hissəsi (ESAW)", "İtirilmiş iş günləri"],
                 rows, col_widths=(8, 19, 44, 21, 21, 43, 18))

    pdfdoc.section(pdf, "4. Məlumat verən", [
        ("Soyadı, adı, atasının adı", domain.full_name(informant)),
        ("FİN", informant.get("fin", "")),
        ("Stasionar telefon", informant.get("landline") or ""),
        ("Mobil telefon", informant.get("mobile") or ""),
        ("Elektron poçt", informant.get("email") or ""),
    ])

    timing = [("Hadisədən tərtib edilənədək keçən vaxt", az_duration(domain.minutes_between(occurred, created_at)))]
    due = domain.deadline(report)
    if due is not None:
        timing.append(("Ölümlə nəticələnən hadisə barədə bildirişin son müddəti (24 saat)", az_instant(due)))
        if domain.is_late(report, created_at):
            timing.append(("Müddət", "Gecikdirilib: 24 saat ərzində bildirilməyib"))
    pdfdoc.section(pdf, "5. Müddət", timing)

    if not draft:
        pdfdoc.verification_block(pdf, qr_data=check_url or "", link=check_url or "", paragraphs=[
            ("Elektron imza", True),
            (f"Məlumat {signed_with(method)} imzalanmışdır. İmzalayan: {signer_name}.", False),
            ("Bildirişin həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya keçidə daxil olun:", False),
        ])
    return bytes(pdf.output())


def report_filename(number: str | None, extension: str) -> str:
    if number is None:
        return f"Bədbəxt hadisə barədə məlumat (qaralama).{extension}"
    return f"Bədbəxt hadisə barədə bildiriş {safe_name_part(number)}.{extension}"
