"""Message codes of the auth service (Azerbaijani, English), added to the kit's catalogue (codes the kit
already has, such as invalid_token, unknown_asan_user or the card certificate's, are not repeated here)."""
from __future__ import annotations

from egov_kit import i18n
from egov_kit import signing  # noqa: F401  (the e-signature card's codes, shared with the signing services)

MESSAGES: dict[str, tuple[str, str]] = {
    "asan_unavailable": ("Asan İmza xidməti əlçatan deyil.", "The Asan İmza service is not available."),
    "asan_session_used": ("Bu giriş sorğusu artıq istifadə olunub.", "This log-in request has already been used."),
    "asan_session_gone": ("Giriş sorğusunun vaxtı bitib, yenidən daxil olun.",
                          "The log-in request has lapsed; please log in again."),
    "no_asan_login": ("Bu şəxs Asan İmza ilə daxil olmayıb: imza sorğusunu göndərmək üçün nömrəsi məlum deyil.",
                      "This person has not logged in with Asan İmza, so there is no number to send the request to."),
    "asan_certificate_refused": ("Asan İmza sertifikatı qəbul edilmədi (etibarsız, vaxtı bitmiş və ya başqa şəxsin).",
                                 "The Asan İmza certificate was refused (untrusted, expired or another person's)."),
    "signature_mismatch": ("İmza sertifikatın açarı ilə təsdiqlənmir.",
                           "The signature does not verify with the certificate's key."),
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
