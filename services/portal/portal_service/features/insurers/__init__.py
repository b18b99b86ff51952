"""Sığortaedənin (hüquqi şəxs) onlayn uçota alınması: the manual's five sections as pages (the
insurer with its scanned documents, the activity types, the legal and the actual address, the head
found by FİN), "check your answers" and sending; the staff's review queue with each application's
documents and the decision; and the public look-up of an insurer's account number."""
from __future__ import annotations

from flask import Blueprint

from ...messages import register

bp = Blueprint("insurers", __name__, template_folder="templates", url_prefix="/insurers")
# Public: the start page and the account-number look-up; the application asks for a company role,
# the review queue for staff.
NAV = [{"endpoint": "insurers.index", "label": "nav_insurers", "order": 4, "when": "always"}]

register({
    # the start page
    "ins_intro": ("Hüquqi şəxsin məcburi dövlət sosial sığortası üzrə sığortaedən kimi onlayn uçota alınması.",
                  "Registering a legal entity online as a payer of compulsory state social insurance."),
    "ins_login_first": ("Müraciət etmək üçün portala daxil olun və təşkilatın rolunu seçin.",
                        "Log in and choose the organisation's role to apply."),
    "ins_needs_company_title": ("Təşkilatın rolunu seçin", "Choose the organisation's role"),
    "ins_needs_company": ("Müraciəti təşkilatın rəhbəri və ya səlahiyyətli nümayəndəsi verir. Səhifənin "
                          "yuxarısında təşkilatın rolunu seçin.",
                          "The application is made by the organisation's head or an authorised representative. "
                          "Choose the organisation's role at the top of the page."),
    "ins_staff_only_title": ("Yalnız əməliyyat işçiləri üçün", "For operations staff only"),
    "ins_staff_only": ("Müraciətlərə Dövlət Sosial Müdafiə Fondunun əməliyyat işçiləri baxır. Rol seçimində "
                       "«Vətəndaş (şəxsən özüm)» seçilməlidir.",
                       "Applications are reviewed by the fund's operations staff, acting as themselves (choose "
                       "“Citizen (myself)” as the role)."),
    "ins_new": ("Yeni müraciət", "New application"),
    "ins_new_text": ("Sığortaedən haqqında məlumat, fəaliyyət növləri, ünvanlar, rəhbər və skan olunmuş sənədlər.",
                     "The insurer, its activities, addresses, head and scanned documents."),
    "ins_mine": ("Təşkilatın müraciətləri", "The organisation's applications"),
    "ins_mine_empty": ("Təşkilatın hələ müraciəti yoxdur.", "The organisation has no application yet."),
    "ins_lookup": ("Sığortaedənin uçot nömrəsinin öyrənilməsi", "Find an insurer's account number"),
    "ins_lookup_text": ("VÖEN üzrə uçota alınmış sığortaedənin uçot nömrəsi.", "A registered insurer's account number by its VÖEN."),
    "ins_review": ("Müraciətlərə baxış", "Review applications"),
    "ins_review_text": ("Göndərilmiş müraciətlər, sənədləri və qərar.", "Applications sent, their documents and the decision."),
    "ins_cannot_apply": ("Müraciət etmək mümkün olmadı", "The application could not be started"),
    # statuses
    "ins_status": ("Status", "Status"),
    "ins_status_draft": ("Qaralama", "Draft"),
    "ins_status_submitted": ("Baxılır", "Under review"),
    "ins_status_registered": ("Uçota alınıb", "Registered"),
    "ins_status_rejected": ("Rədd edilib", "Rejected"),
    "ins_status_all": ("Hamısı", "All"),
    # steps and sections
    "ins_step": ("Addım {n} / {of}", "Step {n} of {of}"),
    "ins_save_continue": ("Yadda saxla və davam et", "Save and continue"),
    "ins_to_check": ("Cavabları yoxla", "Check your answers"),
    "ins_section_insurer": ("Sığortaedən (hüquqi şəxs) haqqında məlumat", "The insurer (legal entity)"),
    "ins_section_documents": ("Skan olunmuş sənədlər", "Scanned documents"),
    "ins_section_activities": ("Fəaliyyət növləri", "Activity types"),
    "ins_section_legal": ("Hüquqi ünvan", "Legal address"),
    "ins_section_actual": ("Faktiki ünvan", "Actual address"),
    "ins_section_head": ("Rəhbər", "Head"),
    # section 1
    "ins_insurer_type": ("Sığortaedənin tipi", "Insurer type"),
    "ins_full_name": ("Sığortaedənin adı", "Name of the insurer"),
    "ins_short_name": ("Qısaldılmış adı", "Short name"),
    "ins_certificate_number": ("Dövlət qeydiyyatı şəhadətnaməsinin nömrəsi", "State registration certificate number"),
    "ins_registration_date": ("Dövlət qeydiyyatına alınma tarixi", "State registration date"),
    "ins_voen": ("Sığortaedənin VÖEN-i", "VÖEN of the insurer"),
    "ins_voen_note": ("Rolunu seçdiyiniz təşkilatın VÖEN-i.", "The VÖEN of the organisation whose role you chose."),
    "ins_voen_issued_on": ("Sığortaedənin VÖEN-in alınma tarixi", "Date the VÖEN was issued"),
    "ins_parent_voen": ("Yuxarı təşkilatın VÖEN-i (könüllü)", "VÖEN of the parent organisation (optional)"),
    "ins_subordinate_voen": ("Tabeliyində olduğu təşkilatın VÖEN-i (könüllü)",
                             "VÖEN of the organisation it is subordinate to (optional)"),
    "ins_voen_hint": ("10 rəqəm", "10 digits"),
    "ins_date_hint": ("Gün.ay.il, məsələn 20.05.2015", "Day.month.year, for example 20.05.2015"),
    "ins_bad_date": ("Tarixi gün.ay.il formatında daxil edin, məsələn 20.05.2015.",
                     "Enter the date as day.month.year, for example 20.05.2015."),
    "ins_choose": ("Seçin", "Choose"),
    # documents
    "ins_documents_intro": ("Dövlət qeydiyyatı şəhadətnaməsinin və digər sənədlərin skan surətlərini yükləyin: "
                            "PDF, JPEG və ya PNG.",
                            "Upload scans of the state registration certificate and other documents: PDF, JPEG or PNG."),
    "ins_documents_caption": ("Yüklənmiş sənədlər", "Documents uploaded"),
    "ins_documents_none": ("Hələ sənəd yüklənməyib.", "No document has been uploaded yet."),
    "ins_file": ("Sənəd faylı", "Document file"),
    "ins_file_hint": ("PDF, JPEG və ya PNG; fayl məzmununa görə yoxlanılır", "PDF, JPEG or PNG; checked by its content"),
    "ins_upload": ("Yüklə", "Upload"),
    "ins_uploading": ("Yüklənir: {percent}%", "Uploading: {percent}%"),
    "ins_checking": ("Fayl yoxlanılır…", "Checking the file…"),
    "ins_choose_file": ("Yükləmək üçün fayl seçin.", "Choose a file to upload."),
    "ins_file_too_large": ("Fayl çox böyükdür: ən çoxu {limit} MB.", "The file is too large: at most {limit} MB."),
    "ins_uploaded": ("«{name}» yükləndi.", "“{name}” was uploaded."),
    "ins_removed": ("«{name}» silindi.", "“{name}” was removed."),
    "ins_filename": ("Fayl", "File"),
    "ins_type": ("Növü", "Type"),
    "ins_size": ("Həcmi", "Size"),
    "ins_uploaded_at": ("Yüklənib", "Uploaded"),
    "ins_actions": ("Əməliyyatlar", "Actions"),
    "ins_download": ("Yüklə", "Download"),
    "ins_remove": ("Sil", "Remove"),
    # section 2
    "ins_activities_intro": ("Əsas və köməkçi fəaliyyət növləri vergi orqanında qeydiyyatda olanlar olmalıdır.",
                             "The main and auxiliary activity types must be those registered with the tax authority."),
    "ins_main_activity": ("Əsas fəaliyyət növü", "Main activity type"),
    "ins_auxiliary": ("Köməkçi fəaliyyət növləri (könüllü)", "Auxiliary activity types (optional)"),
    "ins_auxiliary_hint": ("Vergi orqanında qeydiyyatda olan digər fəaliyyət növləri", "Other activity types registered with the tax authority"),
    "ins_ownership_type": ("Mülkiyyət növü", "Ownership type"),
    "ins_legal_form": ("Təşkilati-hüquqi formasının kodu", "Organisational-legal form code"),
    # sections 3 and 4
    "ins_district": ("Rayon/Şəhər", "District/city"),
    "ins_address_text": ("Ünvan", "Address"),
    "ins_address_hint": ("Küçə, bina, mənzil və ya ofis", "Street, building, flat or office"),
    "ins_same_as_legal": ("Faktiki ünvan hüquqi ünvanla eynidir?", "Is the actual address the legal address?"),
    "ins_yes": ("Bəli", "Yes"),
    "ins_no": ("Xeyr, başqa ünvandır", "No, it is another address"),
    "ins_choose_same": ("Faktiki ünvanın hüquqi ünvanla eyni olub-olmadığını seçin.", "Say whether the actual address is the legal address."),
    # section 5
    "ins_head_intro": ("Təşkilatın rəhbərinin FİN-ni daxil edib «Axtar» düyməsini sıxın: məlumatlar "
                       "avtomatik dolacaq.", "Type the head's FİN and press “Search”: the details fill in automatically."),
    "ins_head_fin": ("Rəhbərin FİN-i", "FİN of the head"),
    "ins_head_fin_hint": ("Vergi reyestrində təşkilatın rəhbəri kimi göstərilən şəxs", "The person the tax registry names as the head"),
    "ins_search": ("Axtar", "Search"),
    "ins_head_found": ("Rəhbər", "Head"),
    "ins_head_name": ("Soyadı, adı, ata adı", "Full name"),
    "ins_enter_fin": ("FİN daxil edilməlidir.", "Enter the FİN."),
    "ins_contacts": ("Əlaqə", "Contact"),
    "ins_contact_email": ("Elektron poçt ünvanı", "E-mail address"),
    "ins_contact_email_hint": ("Müraciətin nəticəsi bu ünvana göndəriləcək", "The outcome is sent there"),
    "ins_contact_phone": ("Telefon nömrəsi (könüllü)", "Telephone number (optional)"),
    # check and send
    "ins_check_title": ("Cavablarınızı yoxlayın", "Check your answers"),
    "ins_check_intro": ("Müraciəti göndərməzdən əvvəl yoxlayın. Göndərildikdən sonra dəyişdirilə bilməz.",
                        "Check the application before sending it. It cannot be changed once sent."),
    "ins_missing_title": ("Göndərmək üçün tamamlayın", "Complete before sending"),
    "ins_send": ("Göndər", "Send"),
    "ins_change": ("Dəyiş", "Change"),
    "ins_not_given": ("Göstərilməyib", "Not given"),
    "ins_sent_title": ("Müraciət göndərildi", "Application sent"),
    "ins_sent_text": ("Müraciətə baxıldıqdan sonra nəticə {email} ünvanına göndəriləcək.",
                      "Once it is reviewed, the outcome is sent to {email}."),
    "ins_application": ("Müraciət", "Application"),
    "ins_account_number": ("Uçot nömrəsi", "Account number"),
    "ins_reason": ("Səbəb", "Reason"),
    "ins_submitted_at": ("Göndərilib", "Sent"),
    "ins_decided_at": ("Qərar tarixi", "Decided"),
    "ins_created_at": ("Yaradılıb", "Created"),
    "ins_open": ("Bax", "View"),
    "ins_continue": ("Davam et", "Continue"),
    # staff
    "ins_queue_caption": ("Müraciətlər", "Applications"),
    "ins_queue_total": ("cəmi: {total}", "total: {total}"),
    "ins_queue_empty": ("Bu statusda müraciət yoxdur.", "No application with this status."),
    "ins_filter": ("Göstər", "Show"),
    "ins_documents_count": ("Sənədlər", "Documents"),
    "ins_decision": ("Qərar", "Decision"),
    "ins_decision_question": ("Müraciət barədə qərarınız", "Your decision on the application"),
    "ins_register": ("Uçota al", "Register"),
    "ins_reject": ("Rədd et", "Reject"),
    "ins_reason_hint": ("Rədd edildikdə tələb olunur; müraciət edənə göndərilir", "Required to reject; sent to the applicant"),
    "ins_choose_decision": ("Qərarı seçin.", "Choose the decision."),
    "ins_decide": ("Qərarı təsdiq et", "Confirm the decision"),
    "ins_registered_notice": ("Sığortaedən uçota alındı: uçot nömrəsi {number}.", "The insurer was registered: account number {number}."),
    "ins_rejected_notice": ("Müraciət rədd edildi.", "The application was rejected."),
    "ins_submitted_by": ("Göndərən", "Sent by"),
    # the look-up
    "ins_lookup_intro": ("Uçota alınmış sığortaedənin VÖEN-ni daxil edin.", "Enter the VÖEN of a registered insurer."),
    "ins_lookup_voen": ("VÖEN", "VÖEN"),
    "ins_lookup_result": ("Sığortaedən", "Insurer"),
    "ins_enter_voen": ("VÖEN daxil edilməlidir.", "Enter the VÖEN."),
})

from . import routes  # noqa: E402,F401 - the pages, registered on bp
