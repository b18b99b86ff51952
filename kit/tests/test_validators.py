"""Each identifier field accepts exactly what its documented pattern describes (normalisation
included), so a client that checks a value against the OpenAPI document is never surprised."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from egov_kit.validators import FIN_RE, MOBILE_RE, USER_ID_RE, VOEN_RE, AsanUserId, Fin, Mobile, Voen, is_fin, \
    is_mobile, is_voen

FIELDS = [(Fin, FIN_RE), (Voen, VOEN_RE), (Mobile, MOBILE_RE), (AsanUserId, USER_ID_RE)]
# Text around the accepted shapes: look-alike letters, other scripts' digits, ligatures, separators.
TRICKY = "0123456789abcxyzABCXYZ+-() \t\r\n\u0131\u017f\ufb00\u0660\uff11\u00a0\u2028\u0130İə"


def accepted(field, value) -> str | None:
    try:
        return field.deserialize(value)
    except ValidationError:
        return None


def documented(field) -> re.Pattern:
    return re.compile(field.metadata["pattern"])


@pytest.mark.parametrize("field_type, canonical", FIELDS)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=st.data())
def test_what_the_pattern_describes_is_accepted_and_normalised(field_type, canonical, data):
    field = field_type()
    value = data.draw(st.from_regex(documented(field), fullmatch=True))
    assert canonical.fullmatch(accepted(field, value) or ""), repr(value)


@pytest.mark.parametrize("field_type, canonical", FIELDS)
@settings(max_examples=500, deadline=None, derandomize=True)
@given(value=st.text(alphabet=TRICKY, max_size=20) | st.text(max_size=20))
def test_nothing_else_is_accepted(field_type, canonical, value):
    field = field_type()
    assert (accepted(field, value) is not None) == (documented(field).fullmatch(value) is not None), repr(value)


@pytest.mark.parametrize("field_type, canonical", FIELDS)
@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=st.text(alphabet=TRICKY, max_size=20) | st.text(max_size=20))
def test_a_field_that_takes_blank_for_none_says_so(field_type, canonical, value):
    field = field_type(blank=True, allow_none=True)
    documented_ok = documented(field).fullmatch(value) is not None
    assert (accepted(field, value) is not None or not value.strip(" \t\r\n")) == documented_ok, repr(value)
    if documented_ok and not value.strip(" \t\r\n"):
        assert field.deserialize(value) is None


@pytest.mark.parametrize("raw, expected", [
    ("5zk2m7p", "5ZK2M7P"), (" 5ZK2M7P\t", "5ZK2M7P"),
    ("5zk2m7\u0131", None),     # dotless ı would become I in upper(): not a Latin letter of a FİN
    ("5zk2m\ufb00", None),      # the ligature ﬀ would become FF
    ("5ZK2M7\u0130", None), ("5ZK2M7\u00a0", None), ("\uff15ZK2M7P", None), ("5ZK2M7", None),
])
def test_fin(raw, expected):
    assert accepted(Fin(), raw) == expected
    assert is_fin(raw) is (expected is not None)


@pytest.mark.parametrize("raw, expected", [
    ("+994501112233", "+994501112233"), ("+994 50 111 22 33", "+994501112233"),
    ("+994-50-111-22-33", "+994501112233"), ("+994 (50) 111-22-33", "+994501112233"),
    (" +994501112233 ", "+994501112233"),
    ("994501112233", None), ("+994 5 0111 2233", None), ("+994401112233", None), ("+99450111223", None),
    ("+994 50  111 22 33", None), ("+994(50111 22 33", None), ("+994\u0665\u0660\u0661\u0661\u0661\u0662\u0662\u0663\u0663", None),
])
def test_mobile(raw, expected):
    assert accepted(Mobile(), raw) == expected
    assert is_mobile(raw) is (expected is not None)


@pytest.mark.parametrize("raw, ok", [("1701100121", True), (" 1701100121\n", True), ("170110012", False),
                                     ("17011001210", False), ("\u0661701100121", False), (1701100121, False)])
def test_voen(raw, ok):
    assert (accepted(Voen(), raw) is not None) is ok
    assert is_voen(raw) is ok
