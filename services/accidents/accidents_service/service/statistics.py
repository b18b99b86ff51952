"""Open aggregate data: victims of the year's submitted reports counted by month, district,
employer's activity, outcome or ESAW group, every cell under 5 withheld. Public."""
from __future__ import annotations

from egov_kit.clock import baku_date
from egov_kit.errors import invalid

from .. import domain
from .common import UseCaseBase

_DIRECTORY_OF = {"district": "districts", **{c.field: c.directory for c in domain.CODINGS.values()}}


class StatisticsUseCases(UseCaseBase):
    def statistics(self, *, year: int | None, district: str | None, group_by: str) -> dict:
        year = year or baku_date(self.now()).year
        if district and district not in self.registry.directory("districts"):
            raise invalid({"district": ["unknown_district"]})
        records = self.repository.statistics_records(year, district)
        cells, total = domain.suppress(domain.count_victims(records, group_by))
        names = self._names(group_by)
        items = [{"code": code, "name_az": names.get(code, (code, code))[0], "name_en": names.get(code, (code, code))[1],
                  "count": count, "suppressed": count is None}
                 for code, count in sorted(cells.items(), key=lambda kv: _order(group_by, kv[0]))]
        return {"year": year, "district": district, "group_by": group_by, "unit": "victims",
                "min_cell": domain.MIN_CELL, "total": total, "items": items}

    def _names(self, group_by: str) -> dict[str, tuple[str, str]]:
        names: dict[str, tuple[str, str]] = {domain.UNKNOWN: ("Məlum deyil (kodlaşdırılmayıb)", "Not known (not coded)")}
        if group_by == "month":
            names.update({f"{i + 1:02d}": (domain.MONTHS[i], domain.MONTHS_EN[i]) for i in range(12)})
        elif group_by == "outcome":
            names.update({o: (domain.label("outcome", o), domain.label("outcome", o, "en")) for o in domain.OUTCOMES})
        elif group_by == "activity":
            names.update(domain.NACE_SECTIONS)
        else:
            for code, item in self.registry.directory(_DIRECTORY_OF[group_by]).items():
                names[code] = (item.get("name_az", code), item.get("name_en", code))
        return names


def _order(group_by: str, code: str) -> tuple:
    """Codes in their natural order, the uncoded last."""
    return (code == domain.UNKNOWN, code)
