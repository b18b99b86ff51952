"""Message codes of the contracts service (Azerbaijani, English).

Added to the kit's catalogue; `text(code)` gives one in the request's language."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "salary_invalid": ("Aylıq əmək haqqı müsbət məbləğ olmalıdır, ən çoxu 2 onluq rəqəmlə (məs. 1250.50).",
                       "The monthly salary must be a positive amount with at most 2 decimals (e.g. 1250.50)."),
    "salary_too_large": ("Aylıq əmək haqqı çox böyükdür.", "The monthly salary is too large."),
    "end_date_required": ("Müddətli əmək müqaviləsi üçün bitmə tarixi göstərilməlidir.",
                          "A fixed-term contract needs an end date."),
    "end_date_before_start": ("Bitmə tarixi işə başlama tarixindən sonra olmalıdır.",
                              "The end date must be after the start date."),
    "end_date_not_allowed": ("Müddətsiz əmək müqaviləsində bitmə tarixi göstərilmir.",
                             "An indefinite contract has no end date."),
    "start_before_contract": ("İşə başlama tarixi müqavilənin bağlanma tarixindən əvvəl ola bilməz.",
                              "The start date cannot precede the contract date."),
    "unknown_occupation": ("Bu kodla peşə təsnifatda tapılmadı.", "No occupation with this code in the classifier."),
    "unknown_ground": ("Bu kodla xitam əsası tapılmadı.", "No termination ground with this code."),
    "termination_before_start": ("Xitam tarixi işə başlama tarixindən əvvəl ola bilməz.",
                                 "The termination date cannot precede the start date."),
    "valid_until_past": ("Etibarnamənin bitmə tarixi keçmiş tarix ola bilməz.",
                         "The power of attorney cannot end in the past."),
    # not_head, no_authority and scope_missing are the kit's (egov_kit.authority).
    "head_authority_required": (
        "Bildirişləri özünüz daxil etmək və imzalamaq üçün əvvəlcə \"Əmək müqaviləsini bağlamaq səlahiyyəti olan "
        "şəxslər\" bölməsində özünüzə \"contracts\" üzrə səlahiyyət verin.",
        "To enter and sign notices yourself, first grant yourself the authority (scope \"contracts\") under "
        "\"Persons authorised to conclude employment contracts\"."),
    "scopes_empty": ("Ən azı bir səlahiyyət sahəsi seçilməlidir (və ya sahə göstərilməsin: hamısı).",
                     "Choose at least one scope (or leave the field out: all of them)."),
    "scope_unknown": ("Səlahiyyət sahələri: contracts, accidents, insurers, notifications.",
                      "The scopes are contracts, accidents, insurers and notifications."),
    "authority_exists": ("Bu şəxsin qüvvədə olan səlahiyyəti artıq var.", "This person already holds an authority in force."),
    "authority_withdrawn": ("Səlahiyyət artıq geri alınıb.", "The authority has already been withdrawn."),
    "notice_not_editable": ("İmzalanmış bildiriş dəyişdirilə və ya silinə bilməz.",
                            "A signed notice cannot be changed or deleted."),
    "notice_signed": ("Bildiriş artıq imzalanıb.", "The notice is already signed."),
    "notice_not_signed": ("Bildiriş hələ imzalanmayıb.", "The notice has not been signed yet."),
    "notice_terminated": ("Əmək müqaviləsinə artıq xitam verilib.", "The contract has already been terminated."),
    "no_termination": ("Xitam barədə məlumat daxil edilməyib.", "No termination has been entered."),
    "contract_number_taken": ("Bu nömrə ilə əmək müqaviləsi bildirişi artıq var.",
                              "A notice with this contract number already exists."),
    "no_signing": ("İmzalama başlanmayıb.", "No signing has been started."),
    "signing_refused": ("İmza qəbul edilmədi: imzalayanın səlahiyyəti artıq qüvvədə deyil.",
                        "The signature was not accepted: the signer's authority is no longer in force."),
    "signing_invalid": ("İmza yoxlamadan keçmədi.", "The signature did not verify."),
    "signing_cancelled": ("Bildiriş dəyişdirildiyi üçün imzalama dayandırıldı.",
                          "Signing was cancelled because the notice changed."),
    "signing_start_refused": ("İmzalama başladıla bilmədi.", "Signing could not be started."),
    "invalid_text": ("Bu sahə boş ola bilməz.", "This field may not be blank."),
    "ground_needs_fixed_term": ("Bu xitam əsası yalnız müddətli əmək müqaviləsinə aiddir.",
                                "This ground applies only to a fixed-term employment contract."),
    # The outcome of a signature, as the portal shows it next to its state.
    "signing_pending": ("Mobil telefonunuza göndərilən təhlükəsizlik kodunu ekrandakı kodla müqayisə edin "
                        "və PİN2 ilə təsdiq edin.",
                        "Compare the security code on your mobile phone with the one on screen and confirm "
                        "with PIN2."),
    "card_signing_pending": ("Bildirişi elektron imza kartınızla imzalayın (kart PİN kodu ilə).",
                             "Sign the notice with your e-signature card (with the card's PIN)."),
    "signed_notice": ("Bildiriş müvəffəqiyyətlə imzalandı.", "The notice was signed successfully."),
    "signed_termination": ("Əmək müqaviləsinə xitam verilməsi barədə bildiriş müvəffəqiyyətlə imzalandı.",
                           "The notice of the contract's termination was signed successfully."),
    "signing_rejected": ("İmzalama mobil telefonda rədd edildi.", "Signing was rejected on the mobile phone."),
    "signing_expired": ("İmzalama sorğusunun müddəti bitdi; bildirişi yenidən imzalayın.",
                        "The signing request expired; please sign again."),
}


def signing_message(state: str | None, kind: str = "notice", method: str | None = None) -> str | None:
    """What the portal says about a signature in this state, made with `method` (None for an
    unknown state)."""
    code = {"pending": "card_signing_pending" if method == "card" else "signing_pending", "rejected": "signing_rejected", "expired": "signing_expired",
            "refused": "signing_refused", "cancelled": "signing_cancelled", "invalid": "signing_invalid",
            "confirmed": "signed_termination" if kind == "termination" else "signed_notice"}.get(state or "")
    return text(code) if code else None


i18n.register(MESSAGES)
text = i18n.text
