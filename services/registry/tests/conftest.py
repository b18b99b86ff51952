"""Fixtures of the registry's tests: the registry seeded into a database of the test's own."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parents[1]
if str(SERVICE_DIR) not in sys.path:
    sys.path.insert(0, str(SERVICE_DIR))  # the tests import registry_service's parts directly

from registry_service.repository import RegistryRepository  # noqa: E402


@pytest.fixture
def repository(fresh_db) -> RegistryRepository:
    """Seeding takes about a tenth of a second, so every test gets a registry of its own."""
    repository = RegistryRepository(fresh_db)
    repository.ensure_indexes()
    repository.ensure_seeded()
    return repository
