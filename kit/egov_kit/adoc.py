"""ADoc, the national signed-container format, modelled on ETSI ASiC-E: a ZIP holding `mimetype`
first and uncompressed (so tools can sniff it at a fixed offset), the documents, an ODF-style
`META-INF/manifest.xml` listing them, and the detached CMS signatures under `META-INF/`.

    build_adoc(documents=[("report.json", "application/json", content),
                          ("report.pdf", "application/pdf", signed_pdf)],
               signatures=[("META-INF/signature.p7s", cms)], fixed_time=signed_at)

No Flask, no database."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime
from xml.sax.saxutils import quoteattr

from .clock import BAKU

MIMETYPE = "application/vnd.etsi.asic-e+zip"


def manifest_xml(entries: list[tuple[str, str]]) -> bytes:
    """ODF-style manifest (as in ASiC-E containers) listing the documents and their media types."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">',
             f' <manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>']
    for path, media_type in entries:
        lines.append(f" <manifest:file-entry manifest:full-path={quoteattr(path)} "
                     f"manifest:media-type={quoteattr(media_type)}/>")
    lines.append("</manifest:manifest>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_adoc(*, documents: list[tuple[str, str, bytes]], signatures: list[tuple[str, bytes]],
               fixed_time: datetime | None = None) -> bytes:
    """The container: `documents` are (name, media type, bytes), `signatures` (name under
    META-INF/, CMS DER). `fixed_time` dates every entry (the same bytes for the same document);
    the current time otherwise."""
    stamp = (fixed_time.astimezone(BAKU) if fixed_time else datetime.now(BAKU)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        def put(name: str, data: bytes, compress: bool = True):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            archive.writestr(info, data)

        put("mimetype", MIMETYPE.encode("ascii"), compress=False)
        for name, _media_type, data in documents:
            put(name, data)
        put("META-INF/manifest.xml", manifest_xml([(name, media) for name, media, _ in documents]))
        for name, data in signatures:
            put(name, data)
    return buffer.getvalue()
