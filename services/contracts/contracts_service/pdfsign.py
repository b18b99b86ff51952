"""PAdES signing of a PDF split across requests (and processes).

The kit prepares the signature field in memory (`egov_kit.pki.prepare_pdf_signing`); the person
confirms on the phone minutes later, and that confirmation may be polled on another gunicorn
worker. So the prepared file and the position of its reserved /Contents region are stored, and
the signature is finished from them — the interrupted-signing mode pyHanko is built for."""
from __future__ import annotations

import io
from dataclasses import dataclass

from egov_kit import pki
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest


@dataclass(frozen=True)
class PreparedPdf:
    prepared: bytes        # the PDF with the empty signature field, exactly as it will be signed
    digest: bytes          # SHA-256 over the /ByteRange: what the signer's CMS must cover
    region_start: int      # the reserved /Contents hex string, outside the signed range
    region_end: int

    def signed_range_content(self) -> bytes:
        """The bytes the PAdES signature covers (everything but the reserved region)."""
        return self.prepared[:self.region_start] + self.prepared[self.region_end:]


def prepare(pdf: bytes, *, reason: str, location: str, signer_name: str) -> PreparedPdf:
    state = pki.prepare_pdf_signing(pdf, reason=reason, location=location, signer_name=signer_name)
    prepared = state._prepared  # PreparedByteRangeDigest: digest and the reserved region
    return PreparedPdf(prepared=state._output.getvalue(), digest=state.document_digest,
                       region_start=prepared.reserved_region_start, region_end=prepared.reserved_region_end)


def finish(prepared: PreparedPdf, cms_der: bytes) -> bytes:
    """Embed the CMS into the stored prepared PDF; returns the signed PDF."""
    state = pki.PdfSigningState(
        document_digest=prepared.digest,
        _prepared=PreparedByteRangeDigest(document_digest=prepared.digest,
                                          reserved_region_start=prepared.region_start,
                                          reserved_region_end=prepared.region_end),
        _output=io.BytesIO(prepared.prepared))
    return pki.finish_pdf_signing(state, cms_der)
