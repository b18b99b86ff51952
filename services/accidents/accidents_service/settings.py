"""Settings of the accidents service beyond the kit's, from the environment only (README lists them)."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, env, load_settings, split_overrides

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"


@dataclass
class AccidentsSettings:
    # Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are: the report's PDF is set in them.
    pdf_font_dir: str = DEFAULT_FONT_DIR
    # How long a repeat of a request with the same Idempotency-Key waits for the first one's answer.
    idempotency_wait_seconds: float = 15.0


def load(overrides: dict | None = None) -> tuple[Settings, AccidentsSettings]:
    """(the kit's settings, the service's own); `overrides` may name either, by field name."""
    kit_overrides, own_overrides = split_overrides(overrides)
    own = AccidentsSettings(pdf_font_dir=env("PDF_FONT_DIR", DEFAULT_FONT_DIR),
                            idempotency_wait_seconds=float(env("IDEMPOTENCY_WAIT_SECONDS", "15")))
    return load_settings("accidents", **kit_overrides), apply_overrides(own, own_overrides)
