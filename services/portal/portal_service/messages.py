"""The portal's texts in Azerbaijani (the default) and English: `MESSAGES = {key: (az, en)}`.

Each feature adds its own with `register({...})` (in its package), so features are written side by
side without touching one shared file. Labels follow the manuals (shared/seeds)."""
from __future__ import annotations

from flask import g, has_request_context

LANGUAGES = ("az", "en")
_CATALOGUE: dict[str, tuple[str, str]] = {}


def register(messages: dict[str, tuple[str, str]]) -> None:
    for key, pair in messages.items():
        if key in _CATALOGUE and _CATALOGUE[key] != pair:
            raise ValueError(f"portal message {key!r} registered twice with different texts")
        if len(pair) != 2:
            raise ValueError(f"portal message {key!r}: (az, en) expected")
        _CATALOGUE[key] = pair


def language() -> str:
    return g.get("lang", "az") if has_request_context() else "az"


def t(key: str, **fmt) -> str:
    """The text of `key` in the page's language (the key itself when it is missing, so a typo
    shows on the page rather than failing it)."""
    pair = _CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[LANGUAGES.index(language())]
    return text.format(**fmt) if fmt else text


register({
    # the layout
    "site_name": ("Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi — elektron xidmətlər",
                  "Ministry of Labour and Social Protection — e-services"),
    "site_short": ("ƏƏSMN e-xidmətləri", "MLSP e-services"),
    "skip_to_content": ("Əsas məzmuna keç", "Skip to main content"),
    "nav_label": ("Əsas menyu", "Main menu"),
    "home": ("Ana səhifə", "Home"),
    "language_switch": ("English", "Azərbaycanca"),
    "language_switch_label": ("Switch to English", "Azərbaycan dilinə keç"),
    "logged_in_as": ("Daxil olub:", "Logged in:"),
    "acting_as": ("Rol", "Role"),
    "role_citizen": ("Vətəndaş (şəxsən özüm)", "Citizen (myself)"),
    "role_head": ("{name} — rəhbər", "{name} — head"),
    "role_authorised": ("{name} — səlahiyyətli nümayəndə", "{name} — authorised representative"),
    "choose_role": ("Rolu seç", "Choose role"),
    "logout": ("Çıxış", "Log out"),
    "footer_note": ("Sınaq mühiti: məlumatlar sintetikdir.", "Test environment: the data is synthetic."),
    "error_summary_title": ("Xəta var", "There is a problem"),
    "error_prefix": ("Xəta:", "Error:"),
    "back": ("Geri", "Back"),
    "required_field": ("{field} daxil edilməlidir.", "{field} is required."),
    "continue": ("Davam et", "Continue"),
    "loading": ("Gözləyin…", "Please wait…"),
    "coming_note": ("Bu bölmənin səhifələri hazırlanır. Hazırda xidmətdən API vasitəsilə istifadə etmək olar.",
                    "This section's pages are being prepared. The service can be used through its API meanwhile."),
    # pages the portal says itself
    "not_found_title": ("Səhifə tapılmadı", "Page not found"),
    "not_found_text": ("Ünvanı yoxlayın və ya ana səhifəyə qayıdın.", "Check the address or go back to the home page."),
    "method_not_allowed_title": ("Bu əməliyyat burada mümkün deyil", "This action is not possible here"),
    "unavailable_title": ("Xidmət müvəqqəti əlçatan deyil", "The service is temporarily unavailable"),
    "unavailable_text": ("Bir az sonra yenidən cəhd edin. Daxil etdiyiniz məlumatlar saxlanılmayıb.",
                         "Please try again shortly. What you entered has not been saved."),
    "csrf_title": ("Formanın vaxtı bitib", "The form has expired"),
    "csrf_text": ("Səhifəni yeniləyib yenidən göndərin.", "Reload the page and send it again."),
    "session_expired": ("Sessiyanın vaxtı bitib. Yenidən daxil olun.", "Your session has ended. Please log in again."),
    "login_required": ("Bu səhifəyə baxmaq üçün daxil olun.", "Log in to see this page."),
    "forbidden_title": ("Bu səhifəyə giriş hüququnuz yoxdur", "You may not see this page"),
    "forbidden_text": ("Lazım olan rolu yuxarıdan seçin.", "Choose the role needed at the top of the page."),
})
