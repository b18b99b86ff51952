"""Message codes of the certificates service (Azerbaijani, English), added to the kit's catalogue."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_contract": ("Bu əmək müqaviləsi bildirişi tapılmadı.",
                         "No such employment contract notice."),
    "contract_not_in_force": ("Əmək müqaviləsi qüvvədə deyil.",
                              "The employment contract is not in force."),
    "valid_until_in_past": ("Son etibarlılıq tarixi keçmiş tarix ola bilməz.",
                            "The valid-until date may not lie in the past."),
    "valid_until_after_contract_end": (
        "Müddətli əmək müqaviləsində son etibarlılıq tarixi müqavilənin bitmə tarixindən gec ola bilməz.",
        "For a fixed-term contract the valid-until date may not be later than the contract's end date."),
    "unknown_purpose": ("Belə arayış təyinatı yoxdur.", "No such certificate purpose."),
    "addressee_required": ("Ünvanlı arayış üçün arayışın təqdim olunacağı qurum seçilməlidir.",
                           "An addressed certificate needs the organisation it is addressed to."),
    "addressee_not_allowed": ("Ümumi arayışda qurum göstərilmir.",
                              "A general certificate is not addressed to an organisation."),
    "notify_only_when_addressed": ("Qüvvədən düşmə yalnız ünvanlı arayışda qarşı tərəfə ötürülə bilər.",
                                   "Only an addressed certificate can inform its addressee when revoked."),
    "unknown_certificate": ("Arayış tapılmadı.", "No such certificate."),
    "already_revoked": ("Arayış artıq deaktiv edilib.", "The certificate has already been deactivated."),
    "verification_rate_limited": ("Arayış yoxlamaları çox tezdir; bir az sonra yenidən cəhd edin.",
                                  "Too many certificate checks; please try again shortly."),
}

i18n.register(MESSAGES)
