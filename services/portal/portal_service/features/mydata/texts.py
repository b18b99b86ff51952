"""The My data page's texts (Azerbaijani, English)."""
from __future__ import annotations

from ...messages import register

register({
    "mydata_title": ("Məlumatlarım", "My data"),
    "mydata_intro": ("Fərdi məlumatlarınıza dövlət reyestrindən kim, nə vaxt, hansı xidmətdə və hansı məqsədlə baxıb.",
                     "Who looked up your personal data in the state registry, when, in which service and why."),
    "mydata_empty": ("Fərdi məlumatlarınıza hələ heç kim baxmayıb.", "Nobody has looked up your personal data yet."),
    "mydata_caption": ("Fərdi məlumatlarıma baxışlar", "Look-ups of my personal data"),
    "mydata_when": ("Tarix", "Date"),
    "mydata_who": ("Kim baxıb", "Looked up by"),
    "mydata_service": ("Xidmət", "Service"),
    "mydata_purpose": ("Məqsəd", "Purpose"),
    "mydata_by_service": ("Sistem (avtomatik)", "The system (automatic)"),
    "mydata_total": ("Cəmi: {total}", "Total: {total}"),
    "page_previous": ("Əvvəlki səhifə", "Previous page"),
    "page_next": ("Növbəti səhifə", "Next page"),
    "pagination": ("Səhifələr", "Pages"),
})
