"""The institutions pages' texts (Azerbaijani first), keys prefixed `inst_` and `ops_`."""
from __future__ import annotations

from ...messages import register

# An event's type as people read it (inbox, delivery logs, dead letters).
EVENT_TYPES = {
    "certificates.certificate.revoked": ("İş yerinə dair arayış qüvvədən düşüb", "Employment certificate revoked"),
    "certificates.certificate.issued": ("İş yerinə dair arayış verilib", "Employment certificate issued"),
    "accidents.report.submitted": ("İstehsalatda bədbəxt hadisə barədə məlumat", "Workplace accident report"),
    "contracts.notice.signed": ("Əmək müqaviləsi bildirişi qeydiyyata alınıb", "Employment contract notice registered"),
    "contracts.notice.terminated": ("Əmək müqaviləsinə xitam verilib", "Employment contract terminated"),
    "contracts.authority.withdrawn": ("Səlahiyyət geri alınıb", "Authority withdrawn"),
    "insurers.application.submitted": ("Sığortaedən müraciəti göndərilib", "Insurer application submitted"),
    "insurers.application.registered": ("Sığortaedən uçota alınıb", "Insurer registered"),
    "insurers.application.rejected": ("Sığortaedən müraciəti rədd edilib", "Insurer application rejected"),
}

# What state a delivery is in, and the tag colour that says it.
DELIVERY_STATES = {
    "pending": (("Təkrar cəhd gözləyir", "Waiting to retry"), "warn"),
    "sending": (("Göndərilir", "Sending"), "info"),
    "sent": (("Çatdırılıb", "Delivered"), "good"),
    "failed": (("Çatdırılmayıb", "Given up"), "bad"),
    "cancelled": (("Ləğv edilib", "Cancelled"), "neutral"),
    "skipped": (("Göndərilməyib", "Not sent"), "neutral"),
}
DEAD_LETTER_STATES = {
    "dead": (("Emal edilməyib", "Not processed"), "bad"),
    "replaying": (("Yenidən göndərilir", "Being replayed"), "warn"),
    "replayed": (("Yenidən göndərilib", "Replayed"), "good"),
}
ATTEMPT_OUTCOMES = {
    "sent": ("Qəbul edilib", "Accepted"),
    "retry": ("Yenidən cəhd ediləcək", "To be retried"),
    "failed": ("İmtina edilib", "Refused"),
}

register({
    "inst_title": ("Təşkilatlar üçün bildirişlər", "Notifications for institutions"),
    "inst_sections": ("Bölmələr", "Sections"),
    "inst_inbox": ("Bildiriş qutusu", "Inbox"),
    "inst_webhooks": ("Webhook-lar", "Webhooks"),
    "inst_for": ("Təşkilat: {name}", "Organisation: {name}"),
    "inst_choose_org_title": ("Təşkilatı seçin", "Choose the organisation"),
    "inst_choose_org": ("Bildirişlərə baxmaq üçün yuxarıdakı «Rol» siyahısından təşkilatın rəhbəri və ya "
                        "səlahiyyətli nümayəndəsi rolunu seçin.",
                        "To see notifications, choose the role of the organisation's head or authorised "
                        "representative in the «Role» list at the top."),
    "inst_no_org": ("Siz heç bir təşkilatın rəhbəri və ya səlahiyyətli nümayəndəsi deyilsiniz. Təşkilatın "
                    "bildirişlərini onun rəhbəri və ya bildirişlər üzrə səlahiyyət verdiyi şəxs görür.",
                    "You are not the head or an authorised representative of any organisation. An "
                    "organisation's notifications are seen by its head, or by whom the head gave an authority "
                    "covering notifications."),
    "inst_no_access_title": ("Bu təşkilatın bildirişlərinə giriş yoxdur", "No access to this organisation's notifications"),
    "inst_for_staff": ("Əməliyyatlar şöbəsi üçün: ", "For operations staff: "),
    # the inbox
    "inst_inbox_intro": ("Təşkilatınıza ünvanlanmış bildirişlər (ən yenisi əvvəldə). Webhook qeydiyyatda olsa da, "
                         "olmasa da, hər bildiriş burada saxlanılır.",
                         "Notifications addressed to your organisation, newest first. Every notification is kept "
                         "here, whether or not a webhook is registered."),
    "inst_inbox_empty": ("Bildiriş qutusu boşdur.", "The inbox is empty."),
    "inst_inbox_caption": ("Bildirişlər", "Notifications"),
    "inst_received": ("Daxil olub", "Received"),
    "inst_notification": ("Bildiriş", "Notification"),
    "inst_kind": ("Növü", "Type"),
    "inst_total": ("Cəmi: {total}", "Total: {total}"),
    "inst_back_to_inbox": ("Bildiriş qutusuna qayıt", "Back to the inbox"),
    "inst_entry_details": ("Məlumatlar", "Details"),
    "inst_event_id": ("Hadisənin identifikatoru (X-Egov-Event-Id)", "Event id (X-Egov-Event-Id)"),
    "inst_what_next": ("Nə etmək olar", "What you can do"),
    # a revoked certificate
    "inst_cert_number": ("Arayışın nömrəsi", "Certificate number"),
    "inst_cert_holder": ("Arayış sahibi", "Holder"),
    "inst_cert_reason": ("Səbəb", "Reason"),
    "inst_cert_reason_holder": ("Arayış sahibi arayışı deaktiv edib", "The holder deactivated the certificate"),
    "inst_cert_reason_contract_terminated": ("Əmək müqaviləsinə xitam verilib", "The employment contract was terminated"),
    "inst_cert_revoked_at": ("Qüvvədən düşmə tarixi", "Revoked on"),
    "inst_cert_addressee": ("Təqdim olunacağı yer", "Addressed to"),
    "inst_cert_verify": ("Arayışı yoxla", "Check the certificate"),
    "inst_cert_note": ("Bu arayış artıq etibarlı deyil: onu sənəd kimi qəbul etməyin.",
                       "This certificate is no longer valid: do not accept it as a document."),
    # an accident
    "inst_acc_number": ("Qeydiyyat nömrəsi", "Registration number"),
    "inst_acc_employer": ("İşəgötürən", "Employer"),
    "inst_acc_voen": ("VÖEN", "Taxpayer ID (VÖEN)"),
    "inst_acc_occurred": ("Hadisənin tarixi və vaxtı", "Date and time of the accident"),
    "inst_acc_address": ("Hadisənin baş verdiyi ünvan", "Where it happened"),
    "inst_acc_victims": ("Zərərçəkənlər", "Victims"),
    "inst_acc_victim": ("Zərərçəkən", "Victim"),
    "inst_acc_outcome": ("Hadisənin nəticəsi", "Outcome"),
    "inst_acc_injured": ("Xəsarət alıb", "Injured"),
    "inst_acc_died": ("Vəfat edib", "Died"),
    "inst_acc_informant": ("Məlumat verən", "Informant"),
    "inst_acc_submitted": ("Göndərilmə tarixi", "Sent on"),
    "inst_acc_fatal": ("Bədbəxt hadisə ölümlə nəticələnib.", "The accident was fatal."),
    "inst_acc_note": ("İmzalanmış bildirişin özü işəgötürənin tarixçəsindədir; bu bildirişdə onun bütün "
                      "məlumatları var.",
                      "The signed report itself is in the employer's history; this notification carries all its "
                      "details."),
    "inst_fin": ("FİN", "FİN"),
    "inst_mobile": ("Mobil telefon", "Mobile"),
    "inst_email": ("E-poçt", "E-mail"),
    "inst_landline": ("Stasionar telefon", "Landline"),
    # webhooks
    "inst_webhooks_intro": ("Webhook — təşkilatınızın serverində bildirişləri qəbul edən ünvandır. Hər bildiriş ora "
                            "imzalanmış HTTP POST sorğusu kimi göndərilir və bildiriş qutusunda da saxlanılır.",
                            "A webhook is an address on your organisation's server that receives notifications. "
                            "Each notification is sent there as a signed HTTP POST and also kept in the inbox."),
    "inst_webhooks_guide": ("Qəbul edən tərəfi necə yazmaq olar: inteqrasiya təlimatı",
                            "How to write the receiving side: the integration guide"),
    "inst_webhooks_empty": ("Webhook qeydiyyatda deyil. Bildirişlər yalnız bildiriş qutusuna düşür.",
                            "No webhook is registered. Notifications go to the inbox only."),
    "inst_webhooks_caption": ("Qeydiyyatdakı webhook-lar", "Registered webhooks"),
    "inst_url": ("Ünvan (URL)", "Address (URL)"),
    "inst_state": ("Vəziyyəti", "State"),
    "inst_registered_by": ("Qeydiyyata alan", "Registered by"),
    "inst_registered_on": ("Qeydiyyat tarixi", "Registered on"),
    "inst_open": ("Bax", "View"),
    "inst_open_hidden": ("webhook {url}", "webhook {url}"),
    "inst_state_active": ("Aktiv", "Active"),
    "inst_state_suspended": ("Dayandırılıb", "Suspended"),
    "inst_role_head": ("rəhbər", "head"),
    "inst_role_authorised": ("səlahiyyətli nümayəndə", "authorised representative"),
    "inst_new_webhook": ("Yeni webhook", "New webhook"),
    "inst_new_title": ("Webhook-u qeydiyyata alın", "Register a webhook"),
    "inst_new_url_hint": ("Serverinizin bildirişləri qəbul edən https ünvanı, məsələn https://bank.az/egov/bildirisler",
                          "Your server's https address that receives notifications, for example "
                          "https://bank.az/egov/notifications"),
    "inst_new_submit": ("Qeydiyyata al", "Register"),
    "inst_url_required": ("Ünvanı (URL) daxil edin.", "Enter the address (URL)."),
    "inst_registered": ("Webhook qeydiyyata alındı", "Webhook registered"),
    "inst_replaced": ("Gizli açar yeniləndi", "Secret replaced"),
    "inst_secret": ("Gizli açar", "Secret"),
    "inst_secret_once": ("Gizli açar yalnız indi göstərilir. Onu kopyalayıb serverinizin parametrlərində təhlükəsiz "
                         "saxlayın: bu səhifədən çıxdıqdan sonra onu bir daha görmək mümkün olmayacaq.",
                         "The secret is shown only now. Copy it and keep it safely in your server's settings: once "
                         "you leave this page it cannot be seen again."),
    "inst_secret_use": ("Server hər bildirişin X-Egov-Signature başlığını bu açarla yoxlamalıdır.",
                        "Your server checks each notification's X-Egov-Signature header with this secret."),
    "inst_copy": ("Kopyala", "Copy"),
    "inst_copied": ("Gizli açar kopyalandı.", "The secret has been copied."),
    "inst_copy_failed": ("Kopyalamaq alınmadı: mətni seçib özünüz kopyalayın.",
                         "Copying did not work: select the text and copy it yourself."),
    "inst_done_secret": ("Gizli açarı saxladım, davam et", "I have kept the secret, continue"),
    # one webhook
    "inst_webhook_title": ("Webhook", "Webhook"),
    "inst_suspended_title": ("Webhook dayandırılıb", "The webhook is suspended"),
    "inst_suspended_withdrawn": ("Onu qeydiyyata alanın səlahiyyəti {date} tarixində geri alınıb. Rəhbər təsdiq edənə "
                                 "qədər ora heç nə göndərilmir; bildirişlər bildiriş qutusunda saxlanılır.",
                                 "The authority of whoever registered it was withdrawn on {date}. Nothing is sent to "
                                 "it until the head confirms it; notifications are kept in the inbox."),
    "inst_suspended_expired": ("Onu qeydiyyata alanın səlahiyyətinin müddəti {date} tarixində bitib. Rəhbər təsdiq "
                               "edənə qədər ora heç nə göndərilmir; bildirişlər bildiriş qutusunda saxlanılır.",
                               "The authority of whoever registered it ended on {date}. Nothing is sent to it until "
                               "the head confirms it; notifications are kept in the inbox."),
    "inst_confirm": ("Webhook-u təsdiq et", "Confirm the webhook"),
    "inst_confirm_text": ("Təsdiq etdikdə webhook rəhbərin adından saxlanılır və səlahiyyətin bitməsi onu dayandırmır; "
                          "dayandırılıbsa, növbəti bildirişdən etibarən yenidən işləyir.",
                          "Once confirmed the webhook is held under the head's own right, and no authority ending "
                          "suspends it; if it was suspended it works again from the next notification."),
    "inst_confirm_head_only": ("Webhook-u yalnız təşkilatın rəhbəri təsdiq edə bilər.",
                               "Only the organisation's head can confirm the webhook."),
    "inst_confirmed": ("Webhook təsdiq edildi.", "The webhook has been confirmed."),
    "inst_authority_until": ("Səlahiyyətin son günü", "Last day of the authority"),
    "inst_replace_secret": ("Gizli açarı yenilə", "Replace the secret"),
    "inst_replace_title": ("Gizli açar yenilənsin?", "Replace the secret?"),
    "inst_replace_text": ("Yeni açar yaradılacaq və yalnız bir dəfə göstəriləcək. Bundan sonra göndərilən hər bildiriş "
                          "(təkrar cəhdlər də) yeni açarla imzalanacaq; köhnə açar dərhal işləməyəcək. Serverinizi "
                          "yeni açara keçirənə qədər hər iki açarı qəbul etsin.",
                          "A new secret is made and shown once. Every notification sent from then on (retries too) "
                          "is signed with it; the old one stops at once. Let your server accept both secrets until "
                          "it has switched to the new one."),
    "inst_replace_submit": ("Bəli, gizli açarı yenilə", "Yes, replace the secret"),
    "inst_delete": ("Webhook-u sil", "Delete the webhook"),
    "inst_delete_title": ("Webhook silinsin?", "Delete the webhook?"),
    "inst_delete_text": ("Ora bir daha heç nə göndərilməyəcək; göndərilməsi gözlənilənlər ləğv ediləcək. Bildirişlər "
                         "bildiriş qutusunda qalır.",
                         "Nothing more is sent to it; what waits to be sent is cancelled. Notifications stay in "
                         "the inbox."),
    "inst_delete_submit": ("Bəli, sil", "Yes, delete"),
    "inst_deleted": ("Webhook silindi.", "The webhook has been deleted."),
    "inst_cancel": ("İmtina", "Cancel"),
    "inst_back_to_webhooks": ("Webhook-lara qayıt", "Back to the webhooks"),
    "inst_log_title": ("Çatdırılma jurnalı", "Delivery log"),
    "inst_log_intro": ("Bu webhook-a göndərilən bildirişlər (ən yenisi əvvəldə) və hər cəhdin nəticəsi. 2xx cavabı "
                       "çatdırılma sayılır; 5xx, 408, 425, 429 və ya cavab olmaması artan fasilələrlə 24 saat ərzində "
                       "yenidən cəhd edilir; digər cavablar imtina sayılır.",
                       "Notifications sent to this webhook, newest first, with each attempt's outcome. A 2xx answer "
                       "counts as delivered; 5xx, 408, 425, 429 or no answer is retried with growing pauses for 24 "
                       "hours; any other answer counts as a refusal."),
    "inst_log_empty": ("Bu webhook-a hələ heç nə göndərilməyib.", "Nothing has been sent to this webhook yet."),
    "inst_log_caption": ("Göndərilən bildirişlər", "Notifications sent"),
    "inst_log_created": ("Yaranıb", "Created"),
    "inst_log_event": ("Bildiriş", "Notification"),
    "inst_log_attempts": ("Cəhdlər", "Attempts"),
    "inst_log_next": ("Növbəti cəhd: {at}", "Next attempt: {at}"),
    "inst_log_attempt": ("{n}. {at} — {outcome}", "{n}. {at} — {outcome}"),
    "inst_log_no_answer": ("cavab yoxdur", "no answer"),
    # operations staff
    "nav_operations": ("Əməliyyatlar", "Operations"),
    "ops_title": ("Bildirişlər: əməliyyatlar", "Notifications: operations"),
    "ops_dead_letters": ("Emal edilməyən hadisələr", "Dead letters"),
    "ops_deliveries": ("Çatdırılmayan bildirişlər", "Failed deliveries"),
    "ops_dead_intro": ("Bildiriş xidmətinin bütün təkrar cəhdlərdən sonra emal edə bilmədiyi hadisələr (ən yenisi "
                       "əvvəldə). Səbəb aradan qaldırıldıqdan sonra hadisəni yenidən növbəyə göndərin; yenə emal "
                       "edilə bilməyən hadisə bu siyahıya qayıdır.",
                       "Events the notification service could not handle after all its retries, newest first. "
                       "Once the cause is dealt with, send the event back to the queue; one that fails again comes "
                       "back to this list."),
    "ops_dead_empty": ("Bu vəziyyətdə hadisə yoxdur.", "There are no events in this state."),
    "ops_dead_caption": ("Emal edilməyən hadisələr", "Dead letters"),
    "ops_dead_at": ("Tarix", "When"),
    "ops_event_type": ("Hadisə", "Event"),
    "ops_reason": ("Səbəb", "Reason"),
    "ops_attempts": ("Cəhdlər", "Attempts"),
    "ops_state": ("Vəziyyəti", "State"),
    "ops_action": ("Əməliyyat", "Action"),
    "ops_replay": ("Yenidən göndər", "Replay"),
    "ops_replay_hidden": ("{type}, {at}", "{type}, {at}"),
    "ops_replayed": ("Hadisə yenidən emala göndərildi.", "The event has been sent for processing again."),
    "ops_filter_state": ("Vəziyyəti", "State"),
    "ops_filter_all": ("Hamısı", "All"),
    "ops_filter": ("Göstər", "Show"),
    "ops_deliveries_intro": ("Webhook-lara və e-poçtla göndərilən bildirişlər. «Çatdırılmayıb» olanlara 24 saat (e-poçt: "
                             "72 saat) cəhd edildikdən və ya qəbul edən imtina etdikdən sonra son qoyulub; qəbul "
                             "edən tərəf problemi həll etdikdən sonra yenidən cəhd edin.",
                             "Notifications sent to webhooks and by e-mail. Those «given up» were tried for 24 hours "
                             "(e-mail: 72 hours) or refused by the receiver; try again once the receiving side has "
                             "fixed the problem."),
    "ops_deliveries_empty": ("Bu vəziyyətdə bildiriş yoxdur.", "There are no deliveries in this state."),
    "ops_deliveries_caption": ("Bildirişlərin çatdırılması", "Deliveries"),
    "ops_updated": ("Son dəyişiklik", "Last change"),
    "ops_channel": ("Kanal", "Channel"),
    "ops_channel_webhook": ("Webhook", "Webhook"),
    "ops_channel_email": ("E-poçt", "E-mail"),
    "ops_recipient": ("Alan", "Recipient"),
    "ops_last_error": ("Son xəta", "Last error"),
    "ops_retry": ("Yenidən cəhd et", "Try again"),
    "ops_retried": ("Bildiriş yenidən göndərilir.", "The delivery is being tried again."),
    "ops_org": ("VÖEN {voen}", "VÖEN {voen}"),
})
