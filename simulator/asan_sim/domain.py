"""The rules the simulator plays by: who its test people are, the verification code, the end
results of a session, which PIN confirms what. Plain functions and values, no Flask."""
from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

# End results of a session (the relying-party protocol's, modelled on Mobile-ID's).
OK = "OK"
TIMEOUT = "TIMEOUT"
NOT_MID_CLIENT = "NOT_MID_CLIENT"
USER_CANCELLED = "USER_CANCELLED"
SIGNATURE_HASH_MISMATCH = "SIGNATURE_HASH_MISMATCH"
PHONE_ABSENT = "PHONE_ABSENT"
DELIVERY_ERROR = "DELIVERY_ERROR"
SIM_ERROR = "SIM_ERROR"
RESULTS = (OK, TIMEOUT, NOT_MID_CLIENT, USER_CANCELLED, SIGNATURE_HASH_MISMATCH, PHONE_ABSENT, DELIVERY_ERROR,
           SIM_ERROR)

RUNNING, COMPLETE = "RUNNING", "COMPLETE"
LOGIN, SIGN = "login", "sign"
PIN_ATTEMPTS = 3

# hashType → length of the hash in bytes.
HASH_LENGTHS = {"SHA256": 32, "SHA384": 48, "SHA512": 64}
PHONE_RE = re.compile(r"^\+[0-9]{8,15}$")
USER_ID_RE = re.compile(r"^[0-9]{4,12}$")


def verification_code(hash_value: bytes) -> str:
    """6 bits from the beginning of the hash and 7 bits from its end, as a 13-bit number printed
    with 4 digits (0000–8191): what the phone shows and the relying party computes itself."""
    if not hash_value:
        raise ValueError("empty hash")
    return f"{((hash_value[0] & 0xFC) << 5) | (hash_value[-1] & 0x7F):04d}"


def normalize_phone(value: str) -> str:
    """+994 50 111 22 33, 994501112233 and +994-50-111-22-33 are one number."""
    phone = re.sub(r"[\s\-()]", "", value.strip())
    return f"+{phone}" if phone.startswith("994") else phone


def secrets_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def expected_pin(kind: str, identity: "Identity") -> str:
    # PIN1 confirms a log-in, PIN2 a signature; the other PIN is simply a wrong PIN.
    return identity.pin1 if kind == LOGIN else identity.pin2


@dataclass(frozen=True)
class Identity:
    """A test SIM card: the number, the Asan İmza user ID, the PINs, and the person behind it."""
    phone: str
    user_id: str
    fin: str
    name: str
    surname: str
    label: str = ""
    companies: tuple = ()
    pin1: str = field(default="", repr=False)
    pin2: str = field(default="", repr=False)

    def public(self) -> dict:
        return {"phone": self.phone, "user_id": self.user_id, "pin1": self.pin1, "pin2": self.pin2,
                "fin": self.fin, "name": self.name, "surname": self.surname, "label": self.label,
                "companies": list(self.companies)}


class Identities:
    def __init__(self, identities: list[Identity]):
        self.all = list(identities)
        self.by_phone = {i.phone: i for i in self.all}
        self.by_fin = {i.fin: i for i in self.all}

    @classmethod
    def load(cls, path: str | Path) -> "Identities":
        rows = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls([Identity(phone=normalize_phone(r["phone"]), user_id=str(r["user_id"]),
                             fin=r["fin"].strip().upper(), name=r["name"], surname=r["surname"],
                             label=r.get("label", ""), companies=tuple(r.get("companies", ())),
                             pin1=str(r["pin1"]), pin2=str(r["pin2"])) for r in rows])

    def holder(self, phone: str, user_id: str) -> Identity | None:
        """The SIM of this number if the user ID is its own; an unknown number and a wrong user ID
        are one answer (None), so the provider never tells them apart."""
        identity = self.by_phone.get(normalize_phone(phone))
        if identity is None or not secrets_equal(user_id, identity.user_id):
            return None
        return identity
