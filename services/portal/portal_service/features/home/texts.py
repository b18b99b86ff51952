"""The home page's texts (Azerbaijani, English): the e-services as the manuals name them, and the
menu's short names."""
from __future__ import annotations

from ...messages import register

register({
    "home_title": ("Elektron xidmətlər", "E-services"),
    "home_intro": ("Əmək və Əhalinin Sosial Müdafiəsi Nazirliyi tərəfindən təqdim olunan elektron xidmətlər.",
                   "The e-services of the Ministry of Labour and Social Protection of the Population."),
    "home_login_intro": ("Xidmətlərdən istifadə etmək üçün Asan İmza və ya elektron imza kartı ilə daxil olun.",
                         "Log in with Asan İmza or an e-signature card to use the services."),
    "portal_login": ("Portala giriş", "Log in to the portal"),
    "services_heading": ("E-xidmətlər", "E-services"),
    "other_heading": ("Digər bölmələr", "Other sections"),
    # the four e-services, as the manuals name them
    "service_contracts": ("Əmək müqaviləsi bildirişlərinin qeydiyyata alınması",
                          "Registration of employment contract notices"),
    "service_contracts_text": ("Səlahiyyətlilərin təyin edilməsi, bildirişlərin daxil edilməsi və imzalanması, işçinin öz bildirişləri.",
                               "Authorities, entering and signing notices, an employee's own notices."),
    "service_certificates": ("İş yerinə dair arayış", "Employment reference certificate"),
    "service_certificates_text": ("Yeni arayış, arayışların tarixçəsi və arayışların yoxlanılması.",
                                  "A new certificate, the history and checking certificates."),
    "service_accidents": ("İstehsalatda baş verən bədbəxt hadisə barədə aidiyyəti dövlət strukturuna məlumatların verilməsi",
                          "Reporting a workplace accident to the state bodies concerned"),
    "service_accidents_text": ("Hadisə, zərərçəkənlər, məlumat verən, göndərmə və tarixçə.",
                               "The incident, the victims, the informant, sending and the history."),
    "service_insurers": ("Sığortaedənin (hüquqi şəxs) onlayn uçota alınması",
                         "Online registration of an insurer (legal entity)"),
    "service_insurers_text": ("Sığortaedən haqqında məlumat, fəaliyyət növləri, ünvanlar, rəhbər və sənədlər.",
                              "The insurer, its activities, addresses, head and documents."),
    "service_mydata": ("Məlumatlarım", "My data"),
    "service_mydata_text": ("Fərdi məlumatlarıma kim, nə vaxt və hansı məqsədlə baxıb.",
                            "Who looked up my personal data, when and why."),
    "service_institutions": ("Təşkilatlar üçün bildirişlər", "Notifications for institutions"),
    "service_institutions_text": ("Təşkilatın bildiriş qutusu və webhook-ları.", "An organisation's inbox and webhooks."),
    "service_developers": ("Tərtibatçılar üçün", "For developers"),
    "service_developers_text": ("İnteqrasiya təlimatı və API arayışı.", "The integration guide and the API reference."),
    # the menu's short names
    "nav_contracts": ("Əmək müqavilələri", "Employment contracts"),
    "nav_certificates": ("Arayışlar", "Certificates"),
    "nav_accidents": ("Bədbəxt hadisələr", "Accidents"),
    "nav_insurers": ("Sığortaedənlər", "Insurers"),
    "nav_mydata": ("Məlumatlarım", "My data"),
    "nav_institutions": ("Təşkilatlar", "Institutions"),
    "nav_developers": ("Tərtibatçılar", "Developers"),
    # the same names for the registry's data tracker ("from which service")
    "service_auth": ("Giriş xidməti", "Log-in service"),
    "service_registry": ("Dövlət reyestri", "State registry"),
    "service_notifier": ("Bildiriş xidməti", "Notification service"),
})
