"""Message codes of the auth service (Azerbaijani, English), added to the kit's catalogue (codes the kit
already has, such as invalid_token or unknown_asan_user, are not repeated here)."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "asan_unavailable": ("Asan İmza xidməti əlçatan deyil.", "The Asan İmza service is not available."),
    "asan_session_used": ("Bu giriş sorğusu artıq istifadə olunub.", "This log-in request has already been used."),
    "asan_session_gone": ("Giriş sorğusunun vaxtı bitib, yenidən daxil olun.",
                          "The log-in request has lapsed; please log in again."),
    "no_asan_login": ("Bu şəxs Asan İmza ilə daxil olmayıb: imza sorğusunu göndərmək üçün nömrəsi məlum deyil.",
                      "This person has not logged in with Asan İmza, so there is no number to send the request to."),
    "asan_certificate_refused": ("Asan İmza sertifikatı qəbul edilmədi (etibarsız, vaxtı bitmiş və ya başqa şəxsin).",
                                 "The Asan İmza certificate was refused (untrusted, expired or another person's)."),
    "certificate_malformed": ("Sertifikat oxuna bilmir və ya şəxsi müəyyən etmir.",
                              "The certificate cannot be read or does not identify a person."),
    "certificate_expired": ("Sertifikatın etibarlılıq müddəti bitib və ya hələ başlamayıb.",
                            "The certificate has expired or is not yet valid."),
    "certificate_untrusted": ("Sertifikat etibarlı sertifikatlaşdırma mərkəzi tərəfindən verilməyib.",
                              "The certificate was not issued by a trusted certification authority."),
    "certificate_not_for_signing": ("Bu sertifikat sənədləri imzalamaq üçün nəzərdə tutulmayıb.",
                                    "This certificate is not meant for signing documents."),
    "certificate_of_another_person": ("Sertifikat imzalayan şəxsə deyil, başqa şəxsə məxsusdur.",
                                      "The certificate belongs to another person, not to the signer."),
    "certificate_required": ("Elektron imza kartı ilə imzalamaq üçün kartın sertifikatı (PEM) göndərilməlidir.",
                             "Signing with the e-signature card needs the card's certificate (PEM)."),
    "certificate_only_with_card": ("Sertifikat yalnız kartla imzalamada (method: card) göndərilir.",
                                   "A certificate is sent only when signing with the card (method: card)."),
    "no_card_signature_awaited": ("Bu imzalama kartın imzasını gözləmir (bitib və ya Asan İmza ilədir).",
                                  "This signing awaits no card signature (it is over, or made with Asan İmza)."),
    "signature_mismatch": ("İmza sertifikatın açarı ilə təsdiqlənmir.",
                           "The signature does not verify with the certificate's key."),
    "invalid_base64": ("Base64 formatında olmalıdır.", "Must be base64."),
    "invalid_digest": ("SHA-256 həşi (32 bayt, base64) olmalıdır.", "Must be a SHA-256 digest (32 bytes, base64)."),
    "nonce_invalid": ("Birdəfəlik kod tanınmır, vaxtı bitib və ya artıq istifadə olunub.",
                      "The challenge is unknown, expired or already used."),
    "invalid_refresh_token": ("Yeniləmə tokeni yanlışdır və ya artıq istifadə olunub.",
                              "The refresh token is invalid or already used."),
    "invalid_client": ("Xidmətin giriş məlumatları yanlışdır.", "Wrong service credentials."),
    "too_many_login_attempts": ("Giriş cəhdləri çox tez-tezdir. Bir az sonra yenidən cəhd edin.",
                                "Too many log-in attempts. Please try again later."),
    "try_again": ("Sorğu eyni anda təkrarlandı, bir az sonra yenidən cəhd edin.",
                  "The request collided with another one; please try again."),
}

i18n.register(MESSAGES)
