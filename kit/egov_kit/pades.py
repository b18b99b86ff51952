"""A PAdES signature of a PDF split across requests (and processes).

`egov_kit.pki` prepares the signature field in memory; the person confirms on the phone minutes
later, and that confirmation may be polled on another worker. So the prepared file and the
position of its reserved /Contents region are stored (plain bytes and two offsets), and the
signature is finished from them — the interrupted-signing mode pyHanko is built for.

    prepared = prepare(pdf, reason=..., location=..., signer_name=...)
    # store prepared.prepared, prepared.digest, prepared.region_start, prepared.region_end;
    # have prepared.digest signed (a CMS with pades=True); check the CMS over
    # prepared.signed_range_content(); then
    signed_pdf = finish(PreparedPdf(*stored), cms)
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest

from . import pki


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
