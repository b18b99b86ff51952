"""Message codes of the accidents service (Azerbaijani, English).

Added to the kit's catalogue; `text(code)` gives one in the request's language."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "occurred_in_future": ("Hadisənin baş vermə vaxtı gələcək ola bilməz.", "The time of the accident cannot be in the future."),
    "invalid_text": ("Bu sahə boş ola bilməz.", "This field may not be blank."),
    "unknown_district": ("Bu kodla rayon (şəhər) tapılmadı.", "No district or city with this code."),
    "unknown_esaw_code": ("Bu kod ESAW təsnifatında tapılmadı.", "No such code in the ESAW classification."),
    "duplicate_victim": ("Bu FİN ilə zərərçəkən artıq əlavə edilib.", "A victim with this FIN has already been added."),
    "too_many_victims": ("Zərərçəkənlərin sayı çox böyükdür (ən çoxu 50).", "Too many victims (at most 50)."),
    "unknown_victim": ("Bu FİN ilə zərərçəkən hesabatda yoxdur.", "No victim with this FIN in the report."),
    "victims_required": ("Ən azı bir zərərçəkən əlavə edilməlidir.", "At least one victim must be added."),
    "informant_contact_required": ("Məlumat verənin mobil telefonu və elektron poçtu göstərilməlidir.",
                                   "The informant's mobile phone and e-mail are required."),
    "esaw_required_when_fatal": ("Ölümlə nəticələnən hadisə üçün ESAW üzrə kodlaşdırma imzalanmadan əvvəl "
                                 "doldurulmalıdır.",
                                 "For a fatal accident the ESAW coding is required before signing."),
    "report_incomplete": ("Məlumat göndərilmək üçün tam deyil.", "The report is not complete enough to be sent."),
    "invalid_landline": ("Stasionar telefon nömrəsi yanlışdır (məs. +994124041010).",
                         "The landline number is not valid (e.g. +994124041010)."),
    "invalid_days_lost": ("İtirilmiş iş günlərinin sayı 0 ilə 3650 arasında olmalıdır.",
                          "Days lost must be between 0 and 3650."),
    "search_too_short": ("Axtarış üçün ən azı iki hərf daxil edin.", "Type at least two letters to search."),
    "invalid_date_range": ("Başlanğıc tarixi son tarixdən sonra ola bilməz.", "The start date cannot be after the end date."),
    "report_submitted": ("Göndərilmiş məlumat dəyişdirilə və ya silinə bilməz.",
                         "A submitted report cannot be changed or deleted."),
    "report_not_submitted": ("Məlumat hələ imzalanıb göndərilməyib.", "The report has not been signed and sent yet."),
    "report_changed": ("Məlumat eyni vaxtda dəyişdirildi; yenidən cəhd edin.",
                       "The report was changed at the same time; please try again."),
    "no_employer": ("Təşkilat vergi reyestrində tapılmadı.", "The organisation was not found in the tax registry."),
    "no_signing": ("İmzalama başlanmayıb.", "No signing has been started."),
    "report_signing_cancelled": ("Məlumat dəyişdirildiyi üçün imzalama dayandırıldı.",
                          "Signing was cancelled because the report changed."),
    # The outcome of a signature, as the portal shows it next to its state.
    "signing_pending": ("Mobil telefonunuza göndərilən təhlükəsizlik kodunu ekrandakı kodla müqayisə edin "
                        "və PİN2 ilə təsdiq edin.",
                        "Compare the security code on your mobile phone with the one on screen and confirm "
                        "with PIN2."),
    "card_signing_pending": ("Ekrandakı məlumatı elektron imza kartınızla imzalayın (kart PİN kodu ilə).",
                             "Sign the report with your e-signature card (with the card's PIN)."),
    "signed_report": ("Məlumat imzalandı və aidiyyəti dövlət strukturuna göndərildi.",
                      "The report was signed and sent to the competent state bodies."),
    "signing_rejected": ("İmzalama mobil telefonda rədd edildi.", "Signing was rejected on the mobile phone."),
    "report_signing_expired": ("İmzalama sorğusunun müddəti bitdi; məlumatı yenidən imzalayın.",
                        "The signing request expired; please sign again."),
    "report_signing_refused": ("İmza qəbul edilmədi.", "The signature was not accepted."),
    "signing_invalid": ("İmza yoxlamadan keçmədi.", "The signature did not verify."),
}


def signing_message(state: str | None, method: str | None = None) -> str | None:
    """What the portal says about a signature in this state, made with `method` (None for an
    unknown state)."""
    code = {"pending": "card_signing_pending" if method == "card" else "signing_pending", "rejected": "signing_rejected", "expired": "report_signing_expired",
            "refused": "report_signing_refused", "cancelled": "report_signing_cancelled", "invalid": "signing_invalid",
            "confirmed": "signed_report"}.get(state or "")
    return text(code) if code else None


i18n.register(MESSAGES)
text = i18n.text
