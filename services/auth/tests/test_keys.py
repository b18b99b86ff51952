"""Signing keys against the real database: one key per generation however many processes start at
once, rotation on schedule, tokens of the previous key still verifying."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from auth_service import domain as d
from auth_service import keys as keys_module
from auth_service.keys import KeyRing, key_from_private_pem, new_signing_key
from auth_service.repository import AuthRepository
from egov_kit.errors import ServiceError


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def repo(fresh_db) -> AuthRepository:
    return AuthRepository(lambda: fresh_db)


@pytest.fixture
def no_cache(monkeypatch):
    # Each call looks at the database again, as a process whose cache just ran out would.
    monkeypatch.setattr(keys_module, "CACHE_SECONDS", 0.0)


def test_processes_starting_together_agree_on_one_first_key(repo, fresh_db):
    rings = [KeyRing(repo, rotation_days=30) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        kids = set(pool.map(lambda ring: ring.signing_key().kid, rings))
    assert len(kids) == 1
    assert fresh_db.jwt_keys.count_documents({}) == 1


def test_rotation_publishes_current_and_previous(repo, fresh_db, no_cache):
    clock = Clock(datetime.now(timezone.utc))
    ring = KeyRing(repo, rotation_days=30, clock=clock)
    first = ring.signing_key()
    token = ring.encode(d.person_claims({"_id": "sid", "fin": "5ZK2M7P", "expires_at": clock.now + timedelta(hours=1)},
                                        clock.now, 900))

    clock.now += timedelta(days=30)
    other_process = KeyRing(repo, rotation_days=30, clock=clock)
    assert ring.signing_key().kid == first.kid  # the new key is published but does not sign yet
    assert other_process.signing_key().kid == first.kid
    assert fresh_db.jwt_keys.count_documents({}) == 2
    assert len({k["kid"] for k in ring.jwks()["keys"]}) == 2

    clock.now += keys_module.ACTIVATION_DELAY
    second = ring.signing_key()
    assert second.kid != first.kid and other_process.signing_key().kid == second.kid
    assert [k["kid"] for k in ring.jwks()["keys"]] == [second.kid, first.kid]
    # A token the previous key signed still verifies while that key is published.
    assert ring.decode(token, audience="egov-api", issuer="egov-auth", leeway=5)["sid"] == "sid"

    clock.now += timedelta(days=30)
    assert ring.signing_key().kid == second.kid  # the third key waits its turn
    clock.now += keys_module.ACTIVATION_DELAY
    third = ring.signing_key()
    published = [k["kid"] for k in ring.jwks()["keys"]]
    assert published == [third.kid, second.kid] and first.kid not in published
    assert ring.public_key(first.kid) is None
    with pytest.raises(ServiceError) as refused:
        ring.decode(token, audience="egov-api", issuer="egov-auth", leeway=5)
    assert refused.value.status == 401
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, ring.public_key(second.kid), algorithms=["RS256"], audience="egov-api",
                   options={"verify_exp": False})


def test_key_from_the_environment_is_used_as_is(repo, fresh_db):
    pem = new_signing_key(1, datetime.now(timezone.utc)).private_pem
    previous = new_signing_key(0, datetime.now(timezone.utc))
    ring = KeyRing(repo, rotation_days=30, static_private_pem=pem, previous_public_pem=previous.public_pem)
    assert ring.signing_key().kid == key_from_private_pem(pem).kid
    assert [k["kid"] for k in ring.jwks()["keys"]] == [key_from_private_pem(pem).kid, previous.kid]
    assert fresh_db.jwt_keys.count_documents({}) == 0
