"""Message codes of the notifier (Azerbaijani, English), added to the kit's catalogue."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    "webhook_url_scheme": ("Ünvan http:// və ya https:// ilə başlamalıdır.",
                           "The URL must start with http:// or https://."),
    "webhook_url_unresolvable": ("Ünvanın host adı tapılmadı.", "The URL's host name does not resolve."),
    "webhook_url_private": ("Ünvan daxili, xüsusi və ya ehtiyat şəbəkə ünvanına yönəlir; bildirişlər ora "
                            "göndərilə bilməz.",
                            "The URL points to a private, loopback, link-local or reserved address; "
                            "notifications cannot be sent there."),
    "webhook_exists": ("Bu ünvan təşkilat üçün artıq qeydiyyatdadır.",
                       "This URL is already registered for the organisation."),
    "webhook_limit": ("Təşkilat üçün webhook ünvanlarının sayı həddə çatıb.",
                      "The organisation has reached its number of webhooks."),
    "malformed_event": ("Hadisədə bildiriş üçün lazım olan məlumat yoxdur.",
                        "The event lacks what the notification needs."),
    "dead_letter_not_dead": ("Bu məlumat artıq təkrar emala göndərilib.",
                             "This message has already been sent for processing again."),
    "delivery_not_failed": ("Yalnız göndərilməsindən imtina edilmiş və göndəriləcək məzmunu olan bildiriş "
                            "yenidən göndərilə bilər.",
                            "Only a delivery given up on that still has something to send can be retried."),
    "delivery_webhook_deleted": ("Bu bildirişin webhook ünvanı silinib.", "This delivery's webhook was deleted."),
}

i18n.register(MESSAGES)
