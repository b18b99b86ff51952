"""Forms the GOV.UK way: the API's problem document becomes an error summary at the top of the
page, linked to each field, and the same message beside the field, in the person's language."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .api import ApiProblem
from .messages import t


@dataclass
class FormErrors:
    """Errors by form field, in the order the page shows its fields; `summary` links to them."""
    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def add(self, name: str, message: str) -> "FormErrors":
        self.fields.setdefault(name, []).append(message)
        return self

    def of(self, name: str) -> list[str]:
        return self.fields.get(name, [])

    def all_on(self, name: str) -> "FormErrors":
        """A form of one field: messages about no field in particular are said beside it too
        (when nothing was said about the field itself)."""
        if self.general and not self.fields:
            for message in self.general:
                self.add(name, message)
            self.general = []
        return self

    def summary(self, order: list[str] | None = None, ids: dict[str, str] | None = None) -> list[dict]:
        """[{text, href}]: the general messages first (no link), then each field's, in `order`."""
        ids = ids or {}
        names = list(order or []) + [n for n in self.fields if n not in (order or [])]
        items = [{"text": text, "href": None} for text in self.general]
        for name in names:
            for text in self.fields.get(name, []):
                items.append({"text": text, "href": "#" + ids.get(name, field_id(name))})
        return items


def field_id(name: str) -> str:
    """The id of a field's input: `f-` and its name, dots (nested API fields) as dashes."""
    return "f-" + name.replace(".", "-").replace("_", "-")


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """The API's errors ({field: [messages]} or nested {field: {sub: [...]}}) by dotted name."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(errors, (list, tuple)):
        texts = [str(item) for item in errors if isinstance(item, str)]
        nested = [item for item in errors if not isinstance(item, str)]
        if texts:
            flat[prefix.rstrip(".")] = texts
        for item in nested:
            flat.update(_flatten(item, prefix))
    elif errors is not None:
        flat[prefix.rstrip(".")] = [str(errors)]
    return flat


def from_problem(problem: ApiProblem, fields_shown: list[str], rename: dict[str, str] | None = None) -> FormErrors:
    """The problem's field errors on the page's fields (API name -> form name by `rename`); an
    error about a field the page does not show, or none at all, is said in the summary."""
    rename = rename or {}
    found = FormErrors()
    for name, messages in _flatten(problem.errors).items():
        name = rename.get(name, name)
        for message in messages:
            if name in fields_shown:
                found.add(name, message)
            else:
                found.general.append(message)
    if not found:
        found.general.append(problem.detail or problem.title or t("unavailable_title"))
    return found


def parse_day(text: str | None) -> date | None:
    """A date as people type it, dd.mm.yyyy (also with / or -, one-digit day and month) → a
    datetime.date; None when it is not one."""
    match = re.fullmatch(r"\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*", text or "")
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
