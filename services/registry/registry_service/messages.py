"""Message codes of the registry service (Azerbaijani, English), added to the kit's catalogue."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "search_too_short": ("Axtarış üçün VÖEN-in və ya adın ən azı 2 simvolunu daxil edin.",
                         "Type at least 2 characters of the VOEN or the name to search."),
}

i18n.register(MESSAGES)
