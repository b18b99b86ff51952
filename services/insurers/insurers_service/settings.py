"""Settings of the insurers service beyond the kit's, from the environment only."""
from __future__ import annotations

from dataclasses import dataclass

from egov_kit.config import Settings, apply_overrides, env, load_settings, split_overrides

MIB = 1024 * 1024


@dataclass
class InsurersSettings:
    # INSURERS_MAX_DOCUMENT_BYTES: one scanned document at most (a larger one is refused with 413).
    max_document_bytes: int = 8 * MIB
    # INSURERS_MAX_APPLICATION_BYTES: all the documents of one application together (413 beyond).
    max_application_bytes: int = 32 * MIB
    # INSURERS_MAX_DOCUMENTS: how many documents one application may carry.
    max_documents: int = 10

    @classmethod
    def from_env(cls) -> "InsurersSettings":
        defaults = cls()
        return cls(
            max_document_bytes=int(env("INSURERS_MAX_DOCUMENT_BYTES", str(defaults.max_document_bytes))),
            max_application_bytes=int(env("INSURERS_MAX_APPLICATION_BYTES", str(defaults.max_application_bytes))),
            max_documents=int(env("INSURERS_MAX_DOCUMENTS", str(defaults.max_documents))))

    @property
    def max_body(self) -> int:
        """What Flask accepts in one request: one document and the multipart framing around it."""
        return self.max_document_bytes + 64 * 1024


def load(overrides: dict | None = None) -> tuple[Settings, InsurersSettings]:
    """The kit's settings and this service's, each with its `overrides` (an unknown name is an error)."""
    kit, own = split_overrides(overrides)
    return load_settings("insurers", **kit), apply_overrides(InsurersSettings.from_env(), own)
