"""Time, the one way: instants in UTC, dates as lived in Baku, and how instants are stored.

Azerbaijan keeps UTC+4 all year (no daylight saving since 2016), so a fixed offset is exact and
needs no time-zone database in the images."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

BAKU = timezone(timedelta(hours=4), "Asia/Baku")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """An aware instant in UTC (a naive one is taken to be UTC already, as pymongo hands them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def baku_date(moment: datetime) -> date:
    """The calendar day in Baku at that instant."""
    return as_utc(moment).astimezone(BAKU).date()


def baku_today(now: datetime | None = None) -> date:
    return baku_date(now or utcnow())


def stamp(moment: datetime) -> str:
    """How instants that may later change are stored: fixed-width ISO 8601 in UTC, so they also
    sort as text (a date written with `$set` reads back as zone-less text from nx-27017)."""
    return as_utc(moment).isoformat(timespec="microseconds")


def iso_instant(moment: datetime) -> str:
    """An instant for people and API answers: UTC to the second."""
    return as_utc(moment).isoformat(timespec="seconds")


def epoch_ms(moment: datetime) -> int:
    """Times that change with `$set` and are compared by the server are kept as epoch
    milliseconds: every Mongo-speaking server reads a number back as the number it was."""
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return datetime.fromtimestamp(value / 1000, timezone.utc)


def parse_instant(value) -> datetime | None:
    """A stored or received instant (a date, or ISO text with or without zone or `Z`) as an aware
    UTC datetime; None for anything else."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return as_utc(parsed)
    return None


def parse_date(value) -> date | None:
    """A stored day (ISO `YYYY-MM-DD` text, a date, or a datetime) as a date; None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_date(value) -> str:
    """A day as people read it here: dd.mm.yyyy (empty when there is none)."""
    day = parse_date(value)
    return day.strftime("%d.%m.%Y") if day else ""
