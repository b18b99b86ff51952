"""The developers' pages' texts, Azerbaijani first."""
from __future__ import annotations

from ...messages import register

register({
    "dev_title": ("Tərtibatçılar üçün", "For developers"),
    "dev_guide": ("İnteqrasiya təlimatı", "Integration guide"),
    "dev_reference": ("API arayışı", "API reference"),
    "dev_reference_intro": ("Hər xidmətin API-si onun OpenAPI sənədindən göstərilir: əməliyyatlar, parametrlər, "
                            "sorğu və cavab sxemləri, xəta cavabları.",
                            "Each service's API, shown from its OpenAPI document: operations, parameters, request "
                            "and response schemas, error answers."),
    "dev_reference_of": ("API arayışı: {name}", "API reference: {name}"),
    "dev_reference_caption": ("Xidmətlər", "Services"),
    "dev_service": ("Xidmət", "Service"),
    "dev_prefix": ("Ünvan", "Path"),
    "dev_document": ("OpenAPI sənədi", "OpenAPI document"),
    "dev_open_reference": ("Arayışa bax", "View the reference"),
    "dev_reference_loading": ("API arayışı yüklənir…", "Loading the API reference…"),
    "dev_reference_failed": ("Arayışı göstərmək alınmadı. OpenAPI sənədini birbaşa açın: ",
                             "The reference could not be shown. Open the OpenAPI document itself: "),
    "dev_reference_noscript": ("Arayışı göstərmək üçün brauzerdə JavaScript lazımdır. OpenAPI sənədini birbaşa açmaq "
                               "olar: ",
                               "Showing the reference needs JavaScript in the browser. The OpenAPI document can be "
                               "opened itself: "),
    "dev_other_services": ("Digər xidmətlər", "Other services"),
    "dev_breadcrumbs": ("Naviqasiya zənciri", "Breadcrumbs"),
    "dev_contents": ("Mündəricat", "Contents"),
    "dev_examples_label": ("Nümunələr", "Examples"),
    "dev_redoc_text": ("Redoc eyni OpenAPI sənədini axtarışla və nümunələrlə göstərir. Onun proqramı böyükdür "
                       "(təxminən 330 KB): yalnız istəsəniz yüklənir.",
                       "Redoc shows the same OpenAPI document with search and samples. Its program is large "
                       "(about 330 KB): it is downloaded only if you ask."),
    "dev_redoc_load": ("Redoc-u yüklə və göstər (təxminən 330 KB)", "Download and show Redoc (about 330 KB)"),
    "dev_ref_api": ("API", "API"),
    "dev_ref_version": ("versiya", "version"),
    "dev_ref_interactive": ("İnteraktiv görünüş", "Interactive view"),
    "dev_ref_redoc": ("Redoc ilə axtarışlı görünüş (böyük fayl, təxminən 330 KB)",
                      "Redoc, with search (a large file, about 330 KB)"),
    "dev_ref_how": ("Hər əməliyyatın ünvanı, kimin çağıra biləcəyi, parametrləri, sorğunun gövdəsi və cavabları "
                    "aşağıdadır; sxemlərin adları onların sahələrinə keçid verir. Mətnlər API-nin öz dilindədir "
                    "(ingiliscə). Xəta cavabları application/problem+json sənədləridir, Accept-Language: az "
                    "ilə azərbaycanca.",
                    "Each operation's path, who may call it, its parameters, request body and answers are below; "
                    "a schema's name links to its fields. The texts are the API's own (English). Errors are "
                    "application/problem+json documents, in Azerbaijani with Accept-Language: az."),
    "dev_ref_operations": ("Əməliyyatlar", "Operations"),
    "dev_ref_caller": ("Kim çağıra bilər", "Who may call it"),
    "dev_ref_token": ("sorğu Authorization: Bearer tokeni ilə", "the request carries an Authorization: Bearer token"),
    "dev_caller_public": ("hər kəs, tokensiz", "anyone, no token needed"),
    "dev_caller_logged_in": ("daxil olmuş hər kəs (şəxs, əməkdaş və ya xidmət)", "anyone logged in (a person, staff or a service)"),
    "dev_caller_person": ("daxil olmuş şəxs özü üçün", "a logged-in person, for themselves"),
    "dev_caller_staff": ("nazirliyin əməkdaşı", "the ministry's staff"),
    "dev_caller_company_head": ("şirkətin rəhbəri (rolu seçilmiş)", "the company's head (role chosen)"),
    "dev_caller_company_acting": ("şirkətin rəhbəri və ya səlahiyyətli nümayəndəsi",
                                  "the company's head or an authorised representative"),
    "dev_caller_service": ("xidmət: {services}", "service: {services}"),
    "dev_caller_any_service": ("suitin istənilən xidməti (xidmət tokeni ilə)", "any service of the suite (service token)"),
    "dev_caller_other": ("bax: kod", "see the code"),
    "dev_ref_scope": ("Səlahiyyətin sahəsi", "Authority's scope"),
    "dev_ref_parameters": ("Parametrlər", "Parameters"),
    "dev_ref_body": ("Sorğunun gövdəsi", "Request body"),
    "dev_ref_responses": ("Cavablar", "Responses"),
    "dev_ref_headers": ("başlıqlar", "headers"),
    "dev_ref_see_common": ("ümumi cavablara baxın", "see the common responses"),
    "dev_ref_common": ("Ümumi cavablar", "Common responses"),
    "dev_ref_common_text": ("Bir çox əməliyyatın eyni cür verdiyi cavablar.",
                            "Answers many operations give the same way."),
    "dev_ref_schemas": ("Sxemlər", "Schemas"),
    "dev_ref_schemas_text": ("Sorğu və cavab gövdələrinin sahələri. İç-içə obyektlərin sahələri valideyn.sahə "
                             "kimi göstərilir.",
                             "The fields of request and response bodies. Fields of nested objects are shown as "
                             "parent.field."),
    "dev_ref_name": ("Ad", "Name"),
    "dev_ref_field": ("Sahə", "Field"),
    "dev_ref_type": ("Tip", "Type"),
    "dev_ref_meaning": ("Mənası", "Meaning"),
    "dev_ref_required": ("mütləqdir", "required"),
    "dev_ref_no_fields": ("Sahəsi yoxdur.", "No fields."),
})
