"""Settings of the contracts service beyond the kit's, from the environment only (README lists them)."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, env, load_settings, split_overrides

DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu"


@dataclass
class ContractsSettings:
    # Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are: the notice's PDF is set in them.
    pdf_font_dir: str = DEFAULT_FONT_DIR


def load(overrides: dict | None = None) -> tuple[Settings, ContractsSettings]:
    """(the kit's settings, the service's own); `overrides` may name either, by field name."""
    kit_overrides, own_overrides = split_overrides(overrides)
    own = ContractsSettings(pdf_font_dir=env("PDF_FONT_DIR", DEFAULT_FONT_DIR))
    return load_settings("contracts", **kit_overrides), apply_overrides(own, own_overrides)
