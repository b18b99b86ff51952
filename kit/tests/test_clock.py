"""Dates as lived in Baku and instants as stored."""
from datetime import date, datetime, timezone

from egov_kit import clock


def test_a_day_in_baku_starts_four_hours_before_utc_midnight():
    assert clock.baku_date(datetime(2026, 11, 30, 19, 59, tzinfo=timezone.utc)) == date(2026, 11, 30)
    assert clock.baku_date(datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc)) == date(2026, 12, 1)


def test_stored_instants_sort_as_text_and_read_back():
    early = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    late = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=timezone.utc)
    assert clock.stamp(early) < clock.stamp(late)
    assert clock.parse_instant(clock.stamp(late)) == late
    assert clock.parse_instant("2026-01-02T07:04:05+04:00") == early
    assert clock.parse_instant("2026-01-02T03:04:05Z") == early
    assert clock.parse_instant("not a time") is None
    assert clock.from_epoch_ms(clock.epoch_ms(late)) == late


def test_people_read_dates_as_dd_mm_yyyy():
    assert clock.format_date("2026-03-08") == "08.03.2026"
    assert clock.format_date(None) == ""
