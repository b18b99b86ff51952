"""Settings of the certificates service beyond the kit's, from the environment only."""
from __future__ import annotations

from dataclasses import dataclass, field

from egov_kit.config import env


@dataclass
class CertificateSettings:
    verify_rate_per_minute: int = 30
    font_dir: str = "/usr/share/fonts/truetype/dejavu"
    seal_cert_pem: str | None = field(default=None, repr=False)
    seal_key_pem: str | None = field(default=None, repr=False)
    seal_ca_pem: str | None = field(default=None, repr=False)


def _pem(name: str) -> str | None:
    value = env(name)
    # PEM text passed through one-line environments arrives with literal "\n".
    return value.replace("\\n", "\n") if value else None


def load_certificate_settings(**overrides) -> CertificateSettings:
    settings = CertificateSettings(
        verify_rate_per_minute=int(env("VERIFY_RATE_PER_MINUTE", "30")),
        font_dir=env("CERT_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        seal_cert_pem=_pem("SEAL_CERT_PEM"), seal_key_pem=_pem("SEAL_KEY_PEM"), seal_ca_pem=_pem("SEAL_CA_PEM"),
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings
