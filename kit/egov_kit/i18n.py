"""Messages in Azerbaijani (the default) and English, chosen by Accept-Language."""
from __future__ import annotations

# Codes used by validators and services; each maps to (az, en).
MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("Bu sahə mütləq doldurulmalıdır.", "This field is required."),
    "null": ("Bu sahə boş ola bilməz.", "This field may not be null."),
    "unknown_field": ("Naməlum sahə.", "Unknown field."),
    "invalid": ("Yanlış dəyər.", "Invalid value."),
    "invalid_type": ("Yanlış məlumat tipi.", "Invalid data type."),
    "invalid_string": ("Mətn olmalıdır.", "Must be a string."),
    "invalid_integer": ("Tam ədəd olmalıdır.", "Must be an integer."),
    "invalid_number": ("Ədəd olmalıdır.", "Must be a number."),
    "invalid_boolean": ("Bəli/xeyr dəyəri olmalıdır.", "Must be a boolean."),
    "invalid_date": ("Tarix YYYY-MM-DD formatında olmalıdır.", "Date must be in YYYY-MM-DD format."),
    "invalid_datetime": ("Tarix və vaxt ISO 8601 formatında olmalıdır.", "Must be an ISO 8601 date-time."),
    "invalid_email": ("Elektron poçt ünvanı yanlışdır.", "Not a valid e-mail address."),
    "invalid_url": ("URL yanlışdır.", "Not a valid URL."),
    "invalid_choice": ("Dəyər icazə verilənlərdən biri olmalıdır.", "Must be one of the allowed values."),
    "invalid_length": ("Uzunluq yanlışdır.", "Invalid length."),
    "invalid_list": ("Siyahı olmalıdır.", "Must be a list."),
    "invalid_object": ("Obyekt olmalıdır.", "Must be an object."),
    "invalid_fin": ("FİN 7 simvoldan (rəqəm və latın hərfləri) ibarət olmalıdır.",
                    "FIN must be 7 characters: digits and Latin letters."),
    "invalid_voen": ("VÖEN 10 rəqəmdən ibarət olmalıdır.", "VOEN must be 10 digits."),
    "invalid_phone": ("Mobil nömrə +994XXXXXXXXX formatında olmalıdır (operator kodu: 10, 50, 51, 55, 60, 70, 77, 99).",
                      "Mobile number must be +994 followed by an operator code (10, 50, 51, 55, 60, 70, 77, 99) and 7 digits."),
    "invalid_user_id": ("İstifadəçi ID-si 6 rəqəmdən ibarət olmalıdır.", "User ID must be 6 digits."),
    "invalid_pin": ("PİN yanlışdır.", "Wrong PIN."),
    "unknown_person": ("Bu FİN ilə şəxs tapılmadı.", "No person with this FIN."),
    "unknown_organization": ("Bu VÖEN ilə təşkilat tapılmadı.", "No organisation with this VOEN."),
    "unknown_asan_user": ("Mobil nömrə və ya istifadəçi ID-si yanlışdır.", "Unknown mobile number or user ID."),
    "not_your_company": ("Bu təşkilat adından çıxış etmək hüququnuz yoxdur.", "You may not act for this organisation."),
    "body_required": ("Sorğunun gövdəsi (JSON) göndərilməyib.", "The request needs a JSON body."),
    "invalid_json": ("Sorğunun gövdəsi düzgün JSON deyil.", "The request body is not valid JSON."),
    "unsupported_media_type": ("Məzmun tipi application/json olmalıdır.", "Content-Type must be application/json."),
    "too_large": ("Sorğu çox böyükdür.", "The request is too large."),
    "json_too_deep": ("JSON həddən artıq iç-içədir.", "The JSON is nested too deeply."),
    "json_number_too_large": ("JSON-dakı ədəd həddən artıq böyükdür.", "A number in the JSON is too large."),
    "invalid_json_text": ("JSON-dakı mətn düzgün Unicode deyil (tək surrogat).",
                          "A text in the JSON is not valid Unicode (a lone surrogate)."),
    "invalid_page": ("Səhifə parametrləri yanlışdır.", "Invalid page parameters."),
    "upstream_unavailable": ("Əlaqəli xidmət müvəqqəti əlçatan deyil, bir az sonra yenidən cəhd edin.",
                             "A service this one depends on is temporarily unavailable; please try again shortly."),
    "registry_unavailable": ("Dövlət reyestri müvəqqəti əlçatan deyil.",
                             "The state registry is temporarily unavailable."),
    "login_check_unavailable": ("Giriş hazırda yoxlanıla bilmir, bir az sonra yenidən cəhd edin.",
                                "The log-in cannot be checked right now; please try again shortly."),
    "invalid_token": ("Token yanlışdır və ya vaxtı bitib.", "The token is invalid or expired."),
    "token_expired": ("Tokenin vaxtı bitib, yenidən daxil olun.", "The token has expired; please log in again."),
    "token_unknown_key": ("Tokenin imza açarı tanınmır.", "The token's signing key is unknown."),
    "token_wrong_audience": ("Token bu xidmət üçün deyil.", "The token is not meant for this service."),
    "session_ended": ("Sessiya bitib, yenidən daxil olun.", "The session has ended; please log in again."),
    "person_required": ("Bu əməliyyat yalnız daxil olmuş şəxs üçündür.", "Only a logged-in person may do this."),
    "staff_required": ("Bu əməliyyat yalnız əməliyyat işçiləri üçündür.", "Only operations staff may do this."),
    "service_required": ("Bu əməliyyat yalnız sistemin xidmətləri üçündür.", "Only the suite's services may do this."),
}

# Titles of problem documents by HTTP status.
TITLES: dict[int, tuple[str, str]] = {
    400: ("Yanlış sorğu", "Bad request"),
    401: ("Giriş tələb olunur", "Authentication required"),
    403: ("İcazə yoxdur", "Forbidden"),
    404: ("Tapılmadı", "Not found"),
    405: ("Metoda icazə verilmir", "Method not allowed"),
    409: ("Ziddiyyət", "Conflict"),
    410: ("Artıq mövcud deyil", "Gone"),
    413: ("Sorğu çox böyükdür", "Payload too large"),
    415: ("Dəstəklənməyən məzmun tipi", "Unsupported media type"),
    422: ("Məlumatlar yanlışdır", "Validation failed"),
    429: ("Sorğular çox tezdir", "Too many requests"),
    500: ("Xidmətdə daxili xəta", "Internal error"),
    502: ("Xidmət əlçatan deyil", "Service unavailable"),
    503: ("Xidmət müvəqqəti əlçatan deyil", "Service temporarily unavailable"),
}

# marshmallow/webargs default English messages → our codes, so field errors come out translated.
_MARSHMALLOW_TO_CODE = {
    "Missing data for required field.": "required",
    "Field may not be null.": "null",
    "Unknown field.": "unknown_field",
    "Not a valid string.": "invalid_string",
    "Not a valid integer.": "invalid_integer",
    "Not a valid number.": "invalid_number",
    "Not a valid boolean.": "invalid_boolean",
    "Not a valid date.": "invalid_date",
    "Not a valid datetime.": "invalid_datetime",
    "Not a valid email address.": "invalid_email",
    "Not a valid URL.": "invalid_url",
    "Not a valid list.": "invalid_list",
    "Not a valid mapping type.": "invalid_object",
    "Invalid input type.": "invalid_type",
    "Invalid value.": "invalid",
}


def pick_language(accept_language: str | None) -> str:
    """'en' only when the client prefers English over Azerbaijani; Azerbaijani otherwise."""
    if not accept_language:
        return "az"
    best_lang, best_q = "az", -1.0
    for part in accept_language.split(","):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower()
        q = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    q = float(param.strip()[2:])
                except ValueError:
                    q = 0.0
        lang = tag.split("-")[0]
        if lang in ("az", "en") and q > best_q:
            best_lang, best_q = lang, q
    return best_lang


def translate(message: str, lang: str) -> str:
    """Translate a message code (or a known marshmallow message) into the language."""
    code = message if message in MESSAGES else _MARSHMALLOW_TO_CODE.get(message)
    if code is None and message.startswith("Must be one of"):
        code = "invalid_choice"
    if code is None and message.startswith(("Length must be", "Shorter than", "Longer than")):
        code = "invalid_length"
    if code is None:
        return message
    az, en = MESSAGES[code]
    return en if lang == "en" else az


def title(status: int, lang: str) -> str:
    az, en = TITLES.get(status, ("Xəta", "Error"))
    return en if lang == "en" else az


def register(messages: dict[str, tuple[str, str]]) -> None:
    """A service's own message codes join the catalogue (a code the kit already has keeps the
    kit's wording), so problems, field errors and `text` translate them like the kit's."""
    for code, texts in messages.items():
        MESSAGES.setdefault(code, texts)


def request_language() -> str:
    """The language of the request being served (Azerbaijani outside a request)."""
    from flask import has_request_context, request
    if not has_request_context():
        return "az"
    return pick_language(request.headers.get("Accept-Language"))


def text(code: str, lang: str | None = None) -> str:
    """The message for a code in `lang`, or in the current request's language."""
    return translate(code, lang or request_language())
