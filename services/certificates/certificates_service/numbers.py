"""Certificate numbers: unguessable, readable aloud, and checked for typos before any look-up.

Format: ``AR-XXXXX-XXXXX-XXXXC`` — the prefix ``AR`` (arayış), then 14 Crockford base32 symbols
carrying 70 random bits (``secrets``), then one check symbol: the 70-bit value mod 37 in
Crockford's check alphabet. Crockford's alphabet has no I, L, O, U, so people cannot confuse
1/I/L or 0/O; input is normalised (case, spaces and dashes ignored, I and L read as 1, O as 0) and
the prefix is optional. Mod 37 (a prime larger than the symbol base) catches every single wrong
symbol and every swap of two neighbours.

Check values 32–36 would need the symbols ``* ~ $ = U``, which are awkward to read and type in a
URL, so numbers whose check would be one of them are simply drawn again: every issued number ends
in an ordinary symbol, at the cost of log2(37/32) ≈ 0.2 of the 70 bits (69.8 bits remain).
"""
from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
PREFIX = "AR"
DATA_SYMBOLS = 14
RANDOM_BITS = DATA_SYMBOLS * 5  # 70
SYMBOLS = DATA_SYMBOLS + 1
GROUP = 5
MAX_INPUT = 64

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_CHECK_VALUE = {ch: i for i, ch in enumerate(CHECK_ALPHABET)}
# Letters people type for digits they mean.
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARATORS = str.maketrans("", "", " -_.\t")


def _encode(value: int, length: int) -> str:
    out = []
    for _ in range(length):
        value, digit = divmod(value, 32)
        out.append(ALPHABET[digit])
    return "".join(reversed(out))


def _decode(symbols: str) -> int:
    value = 0
    for ch in symbols:
        value = value * 32 + _VALUE[ch]
    return value


def check_symbol(value: int) -> str:
    return CHECK_ALPHABET[value % 37]


def format_symbols(symbols: str) -> str:
    groups = [symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP)]
    return "-".join([PREFIX, *groups])


def generate(randbits=secrets.randbits) -> str:
    """A fresh number, formatted (``AR-7K3M9-QXD2H-FBT4C``)."""
    while True:
        value = randbits(RANDOM_BITS)
        if value % 37 < 32:
            return format_symbols(_encode(value, DATA_SYMBOLS) + check_symbol(value))


def normalise(text) -> str | None:
    """The formatted number for what someone typed, or None when it cannot be one of ours
    (wrong length, foreign symbols, wrong check symbol) — decided without any look-up."""
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        return None
    compact = text.strip().upper().translate(_SEPARATORS)
    if len(compact) == len(PREFIX) + SYMBOLS and compact.startswith(PREFIX):
        compact = compact[len(PREFIX):]
    compact = compact.translate(_LOOKALIKES)
    if len(compact) != SYMBOLS:
        return None
    data, check = compact[:DATA_SYMBOLS], compact[DATA_SYMBOLS]
    if any(ch not in _VALUE for ch in data) or check not in _CHECK_VALUE:
        return None
    if check_symbol(_decode(data)) != check:
        return None
    return format_symbols(compact)
