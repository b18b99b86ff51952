"""The Asan İmza simulator's knowledge: test SIM cards (phone, user ID, PINs, person) and the
certificates of those cards, issued by the test CA. Production swaps this for the real provider."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from egov_kit import pki
from egov_kit.clock import as_utc, utcnow

from .domain import normalize_phone

# A card is renewed when less than this is left, so a signature never uses a lapsing certificate.
RENEW_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class SimIdentity:
    phone: str
    user_id: str
    fin: str
    name: str
    surname: str
    label: str = ""
    staff: bool = False
    pin1: str = field(default="", repr=False)
    pin2: str = field(default="", repr=False)


class SimDirectory:
    def __init__(self, identities: list[SimIdentity]):
        self.identities = list(identities)
        self.by_phone = {i.phone: i for i in self.identities}
        self.by_fin = {i.fin: i for i in self.identities}

    @classmethod
    def load(cls, path: str | Path) -> "SimDirectory":
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([SimIdentity(phone=normalize_phone(r["phone"]), user_id=str(r["user_id"]),
                                fin=r["fin"].strip().upper(), name=r["name"], surname=r["surname"],
                                label=r.get("label", ""), staff=bool(r.get("staff")),
                                pin1=str(r["pin1"]), pin2=str(r["pin2"])) for r in rows])

    @classmethod
    def empty(cls) -> "SimDirectory":
        return cls([])


class SimulatorPki:
    """The test CA and the simulator's cards, made on first use and kept in the database.

    Several processes may start at once: each generates, one insert wins, all use the winner."""

    def __init__(self, repo, clock: Callable[[], datetime] = utcnow):
        self.repo = repo
        self.clock = clock
        self._ca: pki.CertKey | None = None
        self._cards: dict[str, pki.CertKey] = {}
        self._lock = threading.Lock()

    def ca(self) -> pki.CertKey:
        if self._ca is None:
            with self._lock:
                if self._ca is None:
                    doc = self.repo.get_ca()
                    if doc is None:
                        made = pki.generate_ca("ƏƏSMN Test CA")
                        doc = self.repo.add_ca_once(made.cert_pem, made.key_pem, self.clock())
                    self._ca = pki.load_certkey(doc["key_pem"], doc["cert_pem"])
        return self._ca

    def ca_certificate(self) -> str:
        return self.ca().cert_pem

    def card(self, identity: SimIdentity) -> pki.CertKey:
        now = self.clock()
        card = self._cards.get(identity.fin)
        if card is not None and self._fresh(card, now):
            return card
        doc = self.repo.get_card(identity.fin)
        if doc is None:
            made = self._issue(identity, now)
            doc = self.repo.add_card_once(identity.fin, made.cert_pem, made.key_pem, now)
        card = pki.load_certkey(doc["key_pem"], doc["cert_pem"])
        if not self._fresh(card, now):
            made = self._issue(identity, now)
            doc = self.repo.replace_card(identity.fin, doc["cert_pem"], made.cert_pem, made.key_pem, now)
            card = pki.load_certkey(doc["key_pem"], doc["cert_pem"])
        self._cards[identity.fin] = card
        return card

    def _issue(self, identity: SimIdentity, now: datetime) -> pki.CertKey:
        return pki.issue_certificate(self.ca(), common_name=f"{identity.name} {identity.surname}",
                                     given_name=identity.name, surname=identity.surname, fin=identity.fin,
                                     kind="person", now=now)

    @staticmethod
    def _fresh(card: pki.CertKey, now: datetime) -> bool:
        cert = card.cert
        return as_utc(cert.not_valid_before_utc) <= now and now + RENEW_BEFORE < as_utc(cert.not_valid_after_utc)
