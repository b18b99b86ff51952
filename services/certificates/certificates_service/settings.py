"""Settings of the certificates service beyond the kit's, from the environment only."""
from __future__ import annotations

from dataclasses import dataclass, field

from egov_kit.config import Settings, apply_overrides, env, load_settings, split_overrides


@dataclass
class CertificatesSettings:
    verify_rate_per_minute: int = 30        # VERIFY_RATE_PER_MINUTE: checks per verifier a minute
    font_dir: str = "/usr/share/fonts/truetype/dejavu"  # CERT_FONT_DIR: DejaVu, for Azerbaijani letters
    # SEAL_CERT_PEM / SEAL_KEY_PEM / SEAL_CA_PEM: the seal, all three or none (then it is made once
    # and kept in the database).
    seal_cert_pem: str | None = field(default=None, repr=False)
    seal_key_pem: str | None = field(default=None, repr=False)
    seal_ca_pem: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> "CertificatesSettings":
        defaults = cls()
        return cls(verify_rate_per_minute=int(env("VERIFY_RATE_PER_MINUTE", str(defaults.verify_rate_per_minute))),
                   font_dir=env("CERT_FONT_DIR", defaults.font_dir),
                   seal_cert_pem=_pem("SEAL_CERT_PEM"), seal_key_pem=_pem("SEAL_KEY_PEM"),
                   seal_ca_pem=_pem("SEAL_CA_PEM"))


def _pem(name: str) -> str | None:
    value = env(name)
    # PEM text passed through one-line environments arrives with literal "\n".
    return value.replace("\\n", "\n") if value else None


def load(overrides: dict | None = None) -> tuple[Settings, CertificatesSettings]:
    """The kit's settings and this service's, each with its `overrides` (an unknown name is an error)."""
    kit, own = split_overrides(overrides)
    return load_settings("certificates", **kit), apply_overrides(CertificatesSettings.from_env(), own)
