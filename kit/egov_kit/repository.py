"""What every service's repository shares: its database handle and the indexes it declares.

    class NoticesRepository(MongoRepository):
        INDEXES = {"notices": [IndexModel("employer_voen"), IndexModel("employee_fin")]}

        def get(self, notice_id): return strip_internal(self.db.notices.find_one({"_id": notice_id}))

Plain pymongo underneath; every write a single-document write, events recorded in the same
write (egov_kit.bus outbox). nx-27017, the Mongo-speaking server of the local run and the tests,
plans with single-field indexes only: declare compound ones only where MongoDB needs them
(uniqueness), and keep look-ups on one equality."""
from __future__ import annotations

import logging
from typing import Callable, ClassVar

from pymongo import IndexModel
from pymongo.database import Database

log = logging.getLogger("egov.repository")


class MongoRepository:
    INDEXES: ClassVar[dict[str, list[IndexModel]]] = {}

    def __init__(self, db: Database | Callable[[], Database]):
        """`db`: the database, or a callable giving it (so each forked worker process reaches it
        through a client of its own, made after the fork)."""
        self._db = db if callable(db) and not isinstance(db, Database) else (lambda: db)

    @property
    def db(self) -> Database:
        return self._db()

    def ensure_indexes(self) -> bool:
        """Creates the declared indexes; False (and a warning) when the database cannot be
        reached now: indexes only speed look-ups and keep uniqueness, the service starts anyway
        and the next start creates them."""
        try:
            for collection, indexes in self.INDEXES.items():
                if indexes:
                    self.db[collection].create_indexes(indexes)
            return True
        except Exception:  # noqa: BLE001 - reported, never fatal at start
            log.warning("could not create indexes now", extra={"repository": type(self).__name__})
            return False
