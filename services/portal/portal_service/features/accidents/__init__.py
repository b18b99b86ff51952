"""İstehsalatda baş verən bədbəxt hadisə barədə aidiyyəti dövlət strukturuna məlumatların verilməsi:
the manual's sections as pages — the employer (from the tax registry), the incident, the victims
one by one with the FİN search, the informant, the ESAW coding, "check your answers" with the
preview, sending by signing (Asan İmza, or the e-signature card when the service offers it), the
notice downloaded, the history with its search, and the public statistics."""
from __future__ import annotations

from flask import Blueprint

from ...messages import register

bp = Blueprint("accidents", __name__, template_folder="templates", url_prefix="/accidents")
# Public: the service's start page and its open statistics; the rest asks for a company role.
NAV = [{"endpoint": "accidents.index", "label": "nav_accidents", "order": 3, "when": "always"}]

register({
    # the start page
    "acc_intro": ("Bu xidmət istehsalatda baş verən bədbəxt hadisə barədə məlumatların elektron qaydada təqdim "
                  "edilməsi üçün nəzərdə tutulmuşdur. Məlumat elektron imza ilə təsdiq edilir.",
                  "This service is for reporting an accident at work electronically. The report is confirmed with "
                  "an electronic signature."),
    "acc_login_first": ("Məlumat vermək üçün portala daxil olun və işəgötürən rolunu seçin.",
                        "Log in and choose the employer's role to report an accident."),
    "acc_needs_company_title": ("İşəgötürən rolunu seçin", "Choose the employer's role"),
    "acc_needs_company": ("Bədbəxt hadisə barədə məlumatı işəgötürənin rəhbəri və ya səlahiyyətli nümayəndəsi "
                          "verir. Səhifənin yuxarısında təşkilatın rolunu seçin.",
                          "An accident is reported by the employer's head or an authorised representative. Choose "
                          "the company's role at the top of the page."),
    "acc_new": ("Yeni məlumat", "New report"),
    "acc_new_text": ("Hadisə, zərərçəkənlər və məlumat verən barədə məlumatları daxil edin və imzalayıb göndərin.",
                     "Enter the incident, the victims and the informant, then sign and send."),
    "acc_history": ("Tarixçə", "History"),
    "acc_history_text": ("Təqdim edilmiş bütün məlumatlar: axtarış, imzalanmamışların imzalanması, bildirişin "
                         "əldə edilməsi.", "Every report submitted: search, sign unsigned ones, download notices."),
    "acc_statistics": ("Statistika", "Statistics"),
    "acc_statistics_text": ("Açıq məlumat: bədbəxt hadisələrdə zərərçəkənlərin sayı.",
                            "Open data: how many people accidents at work injured or killed."),
    # steps
    "acc_step": ("Addım {n} / {of}", "Step {n} of {of}"),
    "acc_save_continue": ("Yadda saxla və davam et", "Save and continue"),
    "acc_to_check": ("Cavabları yoxla", "Check your answers"),
    # the employer
    "acc_employer": ("İşəgötürən", "Employer"),
    "acc_employer_note": ("Məlumatlar vergi reyestrindən avtomatik əldə edilib və dəyişdirilə bilməz.",
                          "Taken from the tax registry automatically; they cannot be changed here."),
    "acc_employer_name": ("Adı", "Name"),
    "acc_voen": ("VÖEN", "Tax ID (VÖEN)"),
    "acc_legal_address": ("Hüquqi ünvan", "Legal address"),
    "acc_activity": ("Fəaliyyət növü", "Activity"),
    # the incident
    "acc_incident": ("Hadisə", "Incident"),
    "acc_date": ("Hadisənin baş vermə tarixi", "Date of the accident"),
    "acc_date_hint": ("Gün.ay.il, məsələn 27.11.2026", "Day.month.year, for example 27.11.2026"),
    "acc_time": ("Saatı", "Time"),
    "acc_time_hint": ("Saat:dəqiqə, məsələn 14:30", "Hours:minutes, for example 14:30"),
    "acc_district": ("Rayon/Şəhər", "District/city"),
    "acc_choose": ("Seçin", "Choose"),
    "acc_choose_district": ("Rayon/Şəhər seçilməlidir.", "Choose the district or city."),
    "acc_address": ("Ünvanı", "Address"),
    "acc_address_hint": ("Küçə, bina, sex və ya iş yeri", "Street, building, workshop or workplace"),
    "acc_description": ("Təsviri", "Description"),
    "acc_description_hint": ("Nə baş verdiyi barədə qısa məlumat (ən çoxu 2000 simvol)",
                             "Briefly, what happened (at most 2000 characters)"),
    "acc_bad_date": ("Tarixi gün.ay.il formatında daxil edin, məsələn 27.11.2026.",
                     "Enter the date as day.month.year, for example 27.11.2026."),
    "acc_bad_time": ("Saatı saat:dəqiqə formatında daxil edin, məsələn 14:30.",
                     "Enter the time as hours:minutes, for example 14:30."),
    # the victims
    "acc_victims": ("Zərərçəkənlər", "Victims"),
    "acc_victims_intro": ("Zərərçəkənin FİN-ni daxil edib axtarın: məlumatlar əhali reyestrindən avtomatik "
                          "gələcək. Hadisənin nəticəsini seçib «Yadda saxla/əlavə et» düyməsini sıxın. Bir neçə "
                          "zərərçəkən olarsa, hər birini eyni qaydada əlavə edin.",
                          "Type the victim's FİN and search: their details come from the population registry. "
                          "Choose the outcome and press “Save/add”. Add each victim the same way."),
    "acc_victims_none": ("Hələ zərərçəkən əlavə edilməyib.", "No victim has been added yet."),
    "acc_victims_caption": ("Əlavə edilmiş zərərçəkənlər", "Victims added"),
    "acc_fin": ("FİN", "FİN (personal ID number)"),
    "acc_fin_hint": ("Şəxsiyyət vəsiqəsindəki 7 simvol, məsələn 4RD6YFC", "The 7 characters on the ID card, e.g. 4RD6YFC"),
    "acc_search": ("Axtar", "Search"),
    "acc_found": ("Əhali reyestrindən", "From the population registry"),
    "acc_surname": ("Soyadı", "Surname"),
    "acc_name": ("Adı", "Name"),
    "acc_patronymic": ("Ata adı", "Patronymic"),
    "acc_birth_date": ("Doğum tarixi", "Date of birth"),
    "acc_outcome": ("Hadisənin nəticəsi", "Outcome"),
    "acc_outcome_injured": ("Xəsarət alıb", "Injured"),
    "acc_outcome_died": ("Vəfat edib", "Died"),
    "acc_choose_outcome": ("Hadisənin nəticəsini seçin.", "Choose the outcome."),
    "acc_enter_fin": ("FİN daxil edilməlidir.", "Enter the FİN."),
    "acc_already_added": ("Bu FİN ilə zərərçəkən artıq əlavə edilib.", "A victim with this FİN has already been added."),
    "acc_add_victim": ("Yadda saxla/əlavə et", "Save/add"),
    "acc_victim_added": ("{name} zərərçəkənlərə əlavə edildi.", "{name} was added to the victims."),
    "acc_victim_changed": ("{name} barədə məlumat yeniləndi.", "{name}'s details were updated."),
    "acc_victim_removed": ("{name} zərərçəkənlərdən çıxarıldı.", "{name} was removed from the victims."),
    "acc_change_victim": ("Zərərçəkən barədə məlumatı dəyiş", "Change a victim's details"),
    "acc_remove": ("Çıxar", "Remove"),
    "acc_change": ("Dəyiş", "Change"),
    "acc_victim_esaw": ("Statistika üçün (ESAW, könüllü; ölümlə nəticələnən hadisədə tələb olunur)",
                        "For statistics (ESAW; optional, required when someone died)"),
    "acc_days_lost": ("İtirilmiş iş günləri", "Days of work lost"),
    "acc_days_lost_hint": ("Məlumdursa, təqvim günləri ilə", "If known, in calendar days"),
    "acc_not_chosen": ("Seçilməyib", "Not chosen"),
    "acc_victims_add": ("Zərərçəkən əlavə et", "Add a victim"),
    "acc_add_another": ("Başqa zərərçəkən əlavə et", "Add another victim"),
    # the informant
    "acc_informant": ("Məlumat verən", "Informant"),
    "acc_informant_intro": ("Şəxsiyyəti təsdiq edən sənəd üzrə məlumatlarınız avtomatik göstərilir. Əlaqə "
                            "məlumatlarını daxil edin.",
                            "Your identity document's details are shown automatically. Enter how to reach you."),
    "acc_landline": ("Stasionar telefon (könüllü)", "Landline (optional)"),
    "acc_landline_hint": ("Məsələn +994124041010", "For example +994124041010"),
    "acc_mobile": ("Mobil telefon", "Mobile phone"),
    "acc_mobile_hint": ("+994 və operator kodu ilə, məsələn +994501112233", "With +994 and the operator code, e.g. +994501112233"),
    "acc_email": ("Elektron poçt", "E-mail"),
    "acc_email_hint": ("Bildirişin surəti bu ünvana göndəriləcək", "A copy of the notice is sent there"),
    "acc_full_name": ("Soyadı, adı, ata adı", "Full name"),
    # ESAW coding of the incident
    "acc_coding": ("Statistik kodlaşdırma (ESAW)", "Statistical coding (ESAW)"),
    "acc_coding_intro": ("Avropa İttifaqının ESAW metodologiyası üzrə hadisənin əsas qrupları. Könüllüdür; "
                         "hadisə ölümlə nəticələnibsə, imzalanmadan əvvəl doldurulmalıdır.",
                         "The main groups of the EU's ESAW methodology. Optional; required before signing when "
                         "someone died."),
    "acc_deviation": ("Normal vəziyyətdən kənarlaşma", "Deviation"),
    "acc_contact": ("Xəsarətin alınma üsulu — təmas", "Contact — mode of injury"),
    "acc_material_agent": ("Maddi agent", "Material agent"),
    "acc_injury": ("Xəsarətin növü", "Type of injury"),
    "acc_body_part": ("Bədənin zədələnmiş hissəsi", "Part of body injured"),
    "acc_required_fatal": ("Ölümlə nəticələnən hadisədə tələb olunur", "Required when someone died"),
    # check your answers and sending
    "acc_check_title": ("Göndər: cavablarınızı yoxlayın", "Send: check your answers"),
    "acc_check_intro": ("Məlumatı göndərməzdən əvvəl yoxlayın. «Baxış» məlumatı göndəriləcək formada göstərir.",
                        "Check the report before sending it. “Preview” shows it as it will be filed."),
    "acc_missing_title": ("Göndərmək üçün tamamlayın", "Complete before sending"),
    "acc_preview": ("Baxış (PDF)", "Preview (PDF)"),
    "acc_send": ("Göndər", "Send"),
    "acc_send_asan": ("Asan İmza ilə imzala və göndər", "Sign with Asan İmza and send"),
    "acc_send_card": ("Elektron imza kartı ilə imzala və göndər", "Sign with the e-signature card and send"),
    "acc_send_note": ("Göndərmək üçün məlumat elektron imza ilə təsdiq edilməlidir: telefonunuzda PİN2 ilə.",
                      "Sending needs your electronic signature: confirm on your phone with PIN2."),
    "acc_declaration": ("Göndərməklə məlumatın düzgün olduğunu təsdiq edirsiniz.",
                        "By sending you confirm that the report is correct."),
    "acc_deadline": ("Ölümlə nəticələnən hadisə 24 saat ərzində bildirilməlidir: son müddət {when}.",
                     "A fatal accident is to be reported within 24 hours: by {when}."),
    "acc_deadline_passed": ("Ölümlə nəticələnən hadisə 24 saat ərzində bildirilməli idi ({when}); məlumat "
                            "gecikmiş kimi qeyd olunacaq.",
                            "A fatal accident was to be reported within 24 hours ({when}); the report will be "
                            "marked late."),
    "acc_no_victims": ("Zərərçəkən yoxdur", "No victims"),
    "acc_not_given": ("Göstərilməyib", "Not given"),
    # signing
    "acc_sign_title": ("Telefonunuzda imzalayın", "Sign on your phone"),
    "acc_sign_code": ("Təhlükəsizlik kodu", "Verification code"),
    "acc_sign_text": ("Telefonunuzdakı kodu bu kodla müqayisə edin və uyğun gəldikdə PİN2 ilə təsdiq edin. "
                      "Telefon iki sorğu göndərir (1/2 və 2/2): hər ikisini təsdiq edin.",
                      "Compare the code on your phone with this one and, if they match, confirm with PIN2. The "
                      "phone asks twice (1/2 and 2/2): confirm both."),
    "acc_sign_waiting": ("İmza gözlənilir…", "Waiting for your signature…"),
    "acc_sign_check": ("Yoxla", "Check now"),
    "acc_sign_again": ("Yenidən imzala", "Sign again"),
    "acc_sign_failed": ("Məlumat göndərilmədi", "The report was not sent"),
    "acc_sign_confirmed": ("İmzalandı. Yönləndirilir…", "Signed. Taking you on…"),
    "acc_sim_phone": ("Sınaq mühiti: test telefonlarını ayrıca tabda açın", "Test environment: open the test phones in another tab"),
    "acc_card_title": ("Elektron imza kartı ilə imzalayın", "Sign with the e-signature card"),
    "acc_card_intro": ("Kart faylını seçin və imza PİN kodunu (PİN2) daxil edin. PİN və açar brauzerdən kənara "
                       "çıxmır.", "Choose the card file and enter the signing PIN (PIN2). Neither the PIN nor the "
                       "key leaves the browser."),
    "acc_card_pin": ("İmza PİN kodu (PİN2)", "Signing PIN (PIN2)"),
    "acc_card_sign": ("İmzala və göndər", "Sign and send"),
    "acc_card_signing": ("Kart imzalayır ({step})…", "The card is signing ({step})…"),
    "acc_card_no_script": ("Kartla imzalamaq brauzerdə JavaScript tələb edir. Asan İmza ilə imzalaya bilərsiniz.",
                           "Signing with a card needs JavaScript in the browser. You can sign with Asan İmza."),
    # the notice
    "acc_sent_title": ("Məlumat göndərildi", "Report sent"),
    "acc_sent_number": ("Qeydiyyat nömrəsi", "Registration number"),
    "acc_sent_text": ("Məlumat imzalandı və əmək müfəttişliyinə göndərildi; zərərçəkən vəfat edibsə, prokurorluğa da. "
                      "Bildirişin surəti məlumat verənin elektron poçtuna göndərilir.",
                      "The report was signed and sent to the labour inspectorate, and to the prosecutor's office "
                      "when someone died. A copy of the notice is e-mailed to the informant."),
    "acc_notice": ("Bildiriş", "Notice"),
    "acc_download_pdf": ("Bildirişi yüklə (PDF)", "Download the notice (PDF)"),
    "acc_download_adoc": ("İmzalanmış sənəd (ADoc)", "Signed container (ADoc)"),
    "acc_submitted_at": ("Göndərilmə vaxtı", "Sent at"),
    "acc_signed_by": ("İmzalayan", "Signed by"),
    "acc_filed_after": ("Hadisədən göndərilənədək", "From the accident to the filing"),
    "acc_report_title": ("Bədbəxt hadisə barədə məlumat", "Accident report"),
    # the history
    "acc_history_intro": ("İşəgötürənin təqdim etdiyi bütün məlumatlar. Axtarın, imzalanmamışları imzalayın, "
                          "imzalanmış sənədləri yükləyin.",
                          "Every report of the employer. Search, sign the unsigned ones, download the signed ones."),
    "acc_q": ("Axtarış", "Search"),
    "acc_q_hint": ("Qeydiyyat nömrəsi, zərərçəkənin FİN-i və ya adı", "Registration number, a victim's FİN or name"),
    "acc_from": ("Hadisə tarixi: başlanğıc", "Accident date: from"),
    "acc_to": ("son", "to"),
    "acc_status": ("Status", "Status"),
    "acc_status_any": ("Hamısı", "All"),
    "acc_status_draft": ("İmzalanmayıb", "Not signed"),
    "acc_status_submitted": ("Göndərilib", "Sent"),
    "acc_late_only": ("Yalnız gecikmiş", "Late only"),
    "acc_late": ("Gecikmiş", "Late"),
    "acc_find": ("Axtar", "Search"),
    "acc_clear": ("Təmizlə", "Clear"),
    "acc_history_caption": ("Məlumatlar", "Reports"),
    "acc_found_total": ("tapıldı: {total}", "found: {total}"),
    "acc_history_empty": ("Heç nə tapılmadı.", "Nothing found."),
    "acc_number": ("Qeydiyyat nömrəsi", "Registration number"),
    "acc_occurred": ("Hadisə", "Accident"),
    "acc_actions": ("Əməliyyatlar", "Actions"),
    "acc_open": ("Bax", "View"),
    "acc_continue": ("Davam et", "Continue"),
    "acc_sign": ("İmzala", "Sign"),
    "acc_delete": ("Sil", "Delete"),
    "acc_draft_no_number": ("Qaralama", "Draft"),
    "acc_report_of": ("{date} tarixli hadisə", "the accident of {date}"),
    # deleting a draft
    "acc_delete_title": ("Qaralamanı silmək istəyirsiniz?", "Delete the draft?"),
    "acc_delete_text": ("{date} tarixli hadisə barədə imzalanmamış məlumat silinəcək. Bu geri qaytarıla bilməz.",
                        "The unsigned report of the accident of {date} will be deleted. This cannot be undone."),
    "acc_delete_yes": ("Bəli, sil", "Yes, delete"),
    "acc_deleted": ("Qaralama silindi.", "The draft was deleted."),
    "acc_submitted_locked": ("Məlumat artıq göndərilib; dəyişdirilə bilməz.", "The report has been sent; it cannot be changed."),
    # statistics
    "acc_stats_title": ("Bədbəxt hadisələrin statistikası", "Accidents at work: statistics"),
    "acc_stats_intro": ("Göndərilmiş məlumatlar üzrə zərərçəkənlərin sayı (ESAW metodologiyasında hər "
                        "zərərçəkən bir vahiddir). 5-dən az olan saylar şəxsin tanınmaması üçün göstərilmir.",
                        "People injured or killed, from the reports sent (ESAW counts each victim). Counts under 5 "
                        "are withheld so that nobody can be recognised."),
    "acc_year": ("İl", "Year"),
    "acc_group_by": ("Qruplaşdırma", "Grouped by"),
    "acc_district_all": ("Bütün rayonlar", "All districts"),
    "acc_show": ("Göstər", "Show"),
    "acc_stats_caption": ("{year}: zərərçəkənlər — {grouping}", "{year}: victims — {grouping}"),
    "acc_stats_count": ("Zərərçəkənlər", "Victims"),
    "acc_stats_total": ("Cəmi", "Total"),
    "acc_stats_suppressed": ("5-dən az (göstərilmir)", "under 5 (withheld)"),
    "acc_stats_suppressed_note": ("«5-dən az» yazılan xanalar gizlədilib; cəmi göstərildikdə digər xanadan hesablanmaması "
                                  "üçün növbəti ən kiçik say da gizlədilə bilər.",
                                  "Cells marked “under 5” are withheld; when the total is shown the next smallest may "
                                  "be withheld too, so that no cell can be worked out."),
    "acc_stats_empty": ("Bu seçim üzrə məlumat yoxdur.", "No data for this choice."),
    "acc_group_month": ("aylar üzrə", "by month"),
    "acc_group_district": ("rayonlar üzrə", "by district"),
    "acc_group_activity": ("fəaliyyət sahələri üzrə", "by economic activity"),
    "acc_group_outcome": ("nəticə üzrə", "by outcome"),
    "acc_group_deviation": ("kənarlaşma üzrə (ESAW)", "by deviation (ESAW)"),
    "acc_group_contact": ("təmas üzrə (ESAW)", "by contact (ESAW)"),
    "acc_group_material_agent": ("maddi agent üzrə (ESAW)", "by material agent (ESAW)"),
    "acc_group_injury": ("xəsarətin növü üzrə (ESAW)", "by type of injury (ESAW)"),
    "acc_group_body_part": ("bədənin hissəsi üzrə (ESAW)", "by part of body (ESAW)"),
})

from . import routes  # noqa: E402,F401 - the pages, registered on bp
