"""Message codes of the insurers service (Azerbaijani, English), added to the kit's catalogue.
Texts with `{...}` are filled in where they are raised (the code named, the limit, the label)."""
from __future__ import annotations

from egov_kit import i18n

MESSAGES: dict[str, tuple[str, str]] = {
    # the application
    "application_not_found": ("Müraciət tapılmadı.", "No such application."),
    "application_not_draft": ("Müraciət artıq göndərilib, onu dəyişmək olmaz.",
                              "The application has been sent already and can no longer be changed."),
    "application_not_submitted": ("Müraciət baxılmaq üçün göndərilməyib.",
                                  "The application has not been sent for review."),
    "application_already_decided": ("Müraciət üzrə qərar artıq verilib.",
                                    "The application has already been decided."),
    "voen_already_registered": ("Bu VÖEN ilə sığortaedən artıq uçota alınıb.",
                                "An insurer with this VOEN is registered already."),
    "voen_under_review": ("Bu VÖEN üzrə göndərilmiş müraciətə hazırda baxılır.",
                          "An application for this VOEN is under review already."),
    "voen_not_yours": ("Müraciət yalnız adından çıxış etdiyiniz təşkilatın VÖEN-i ilə verilə bilər.",
                       "An application can only be made for the VOEN of the organisation you act for."),
    "own_voen_not_allowed": ("Burada sığortaedənin öz VÖEN-i göstərilə bilməz.",
                             "The insurer's own VOEN cannot be given here."),
    "date_in_future": ("Tarix gələcək tarix ola bilməz.", "The date may not lie in the future."),
    "unknown_insurer_type": ("Belə sığortaedən tipi soraqçada yoxdur.", "No such insurer type in the directory."),
    "unknown_ownership_type": ("Belə mülkiyyət növü soraqçada yoxdur.", "No such ownership type in the directory."),
    "unknown_legal_form": ("Belə təşkilati-hüquqi forma kodu soraqçada yoxdur.",
                           "No such organisational-legal form code in the directory."),
    "unknown_district": ("Belə rayon/şəhər soraqçada yoxdur.", "No such district or city in the directory."),
    "unknown_activity_type": ("{code} kodlu fəaliyyət növü soraqçada yoxdur.",
                              "There is no activity type {code} in the directory."),
    "activity_not_registered": ("{code} kodlu fəaliyyət növü vergi orqanında bu VÖEN üzrə qeydiyyatda deyil.",
                                "Activity type {code} is not registered with the tax authority for this VOEN."),
    "activity_repeats_main": ("{code} kodlu fəaliyyət növü artıq əsas fəaliyyət növü kimi göstərilib.",
                              "Activity type {code} is the main activity already."),
    "activity_repeated": ("{code} kodlu fəaliyyət növü bir neçə dəfə göstərilib.",
                          "Activity type {code} is given more than once."),
    "same_as_legal_with_address": ("Faktiki ünvan hüquqi ünvanla eynidirsə, ayrıca ünvan göstərilmir.",
                                   "When the actual address is the legal one, no other address is given."),
    "invalid_contact_phone": ("Telefon nömrəsi yanlışdır (rəqəmlər, boşluq, mötərizə və ya tire; +994 ilə başlaya bilər).",
                              "Not a valid telephone number (digits, spaces, brackets or dashes; may start with +994)."),
    "head_not_in_tax_registry": ("Bu FİN vergi orqanında həmin VÖEN üzrə təşkilatın rəhbəri kimi qeydiyyatda deyil.",
                                 "This FIN is not the head of the organisation registered with the tax authority "
                                 "for this VOEN."),
    "required_for_submission": ("Müraciəti göndərmək üçün «{label}» doldurulmalıdır.",
                                "“{label}” must be filled in before the application is sent."),
    "documents_required": ("Müraciəti göndərmək üçün ən azı bir skan olunmuş sənəd yüklənməlidir.",
                           "At least one scanned document must be uploaded before the application is sent."),
    "reason_required": ("Rədd etmənin səbəbi göstərilməlidir.", "A rejection needs its reason."),
    # scanned documents
    "document_not_found": ("Sənəd tapılmadı.", "No such document."),
    "file_required": ("Fayl seçilməyib: sənəd multipart formanın \"file\" sahəsində göndərilməlidir.",
                      "No file: the document is sent in the \"file\" field of a multipart form."),
    "one_file_per_request": ("Hər sorğuda bir fayl göndərilir.", "One file per request."),
    "document_empty": ("Fayl boşdur.", "The file is empty."),
    "document_type_not_allowed": ("Yalnız PDF, JPEG və PNG faylları qəbul edilir; fayl məzmununa görə "
                                  "bunlardan heç birinə uyğun gəlmir (adı və ya göstərilən növü nəzərə alınmır).",
                                  "Only PDF, JPEG and PNG files are accepted; by its content this file is none "
                                  "of them (its name or declared type do not count)."),
    "document_damaged": ("Fayl {kind} kimi başlayır, lakin zədələnib və ya natamamdır: {problem}.",
                         "The file starts as a {kind} but is damaged or incomplete: {problem}."),
    "document_too_large": ("Bir faylın həcmi {limit} MB-ı keçə bilməz.", "One file may not exceed {limit} MB."),
    "application_documents_too_large": ("Müraciətin sənədlərinin ümumi həcmi {limit} MB-ı keçə bilməz.",
                                        "The documents of one application may not exceed {limit} MB in total."),
    "too_many_documents": ("Müraciətə ən çoxu {limit} sənəd əlavə edilə bilər.",
                           "An application may carry at most {limit} documents."),
    # the public look-up
    "insurer_not_found": ("Bu VÖEN ilə uçota alınmış sığortaedən tapılmadı.",
                          "No registered insurer with this VOEN."),
}

i18n.register(MESSAGES)

i18n.register({
    "reason_only_for_rejection": ("Səbəb yalnız müraciət rədd edildikdə göstərilir.",
                                  "A reason is given only when the application is rejected."),
    # what is wrong with a damaged file (scans.Damaged.problem), inside document_damaged
    "damage_truncated": ("faylın sonu yoxdur (natamam yüklənib və ya kəsilib)",
                         "its end is missing (uploaded incompletely or cut short)"),
    "damage_structure": ("faylın quruluşu pozulub", "its structure is broken"),
    "damage_checksum": ("məlumat blokunun yoxlama cəmi uyğun gəlmir", "a data block's checksum does not match"),
    "damage_trailing": ("faylın sonundan sonra artıq məlumat var", "there is data after the file's end"),
})
