"""Message codes of the registry service (Azerbaijani, English), added to the kit's catalogue."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "search_too_short": ("Axtarış üçün VÖEN-in və ya adın ən azı 2 simvolunu daxil edin.",
                         "Type at least 2 characters of the VOEN or the name to search."),
    "unknown_lookup_purpose": ("Belə sorğu məqsədi yoxdur: lookup-purposes kataloqundakı kodlardan birini göstərin.",
                               "No such look-up purpose: give a code of the lookup-purposes directory."),
    "lookup_purpose_required": ("Başqa şəxsin məlumatlarını sorğulayan onun məqsədini (lookup-purposes kataloqundan "
                                "kod) göstərməlidir.",
                                "A look-up of someone else's record must give its purpose (a code of the "
                                "lookup-purposes directory)."),
}

i18n.register(MESSAGES)
