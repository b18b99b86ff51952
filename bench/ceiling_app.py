"""The thinnest endpoints doing what the certificates service must do at the least, for the
ceiling figures of bench/certificates.py. Flask under gunicorn (same worker settings as the
services), on the same Mongo-speaking server and in the certificates service's database:

  * POST /verify: one `find_one` of the certificate by its indexed number and one `insert_one` of
    the audit record;
  * POST /issue: one `find_one` of the contract, the certificate's page made with fpdf2 and sealed
    with pyHanko as a good engineer writes them (`BareIssuer`: fonts, key and signer prepared once
    per process), and one `insert_one` of the certificate with its PDF.

No authentication, no rate limit, no schema, no logging, no events: nothing else.

    MONGO_URI=... BENCH_DB=... PUBLIC_BASE_URL=... python -m gunicorn -k gthread ... ceiling_app:app
"""
from __future__ import annotations

import io
import os
import secrets
import shutil
import sys
import tempfile
import threading
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from bson.binary import Binary
from flask import Flask, jsonify, request
from pymongo import MongoClient

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "services" / "certificates") not in sys.path:
    sys.path.insert(0, str(ROOT / "services" / "certificates"))

app = Flask(__name__)
_clients: dict[int, MongoClient] = {}


def _db():
    # One client per (forked) worker process.
    client = _clients.get(os.getpid())
    if client is None:
        client = _clients[os.getpid()] = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
    return client[os.environ["BENCH_DB"]]


@app.post("/verify")
def verify():
    number = request.get_json(force=True)["number"]
    db = _db()
    cert = db.certificates.find_one({"_id": number})
    valid = cert is not None and cert.get("status") == "active"
    db.verifications.insert_one({"_id": uuid.uuid4().hex, "number": number,
                                 "result": "valid" if valid else "not_valid",
                                 "at": datetime.now(timezone.utc), "verifier_fin": "CEILING",
                                 "holder_fin": cert["holder_fin"] if cert else None})
    if not valid:
        return jsonify(result="not_valid")
    return jsonify(result="valid", holder_name=cert["holder"]["full_name"], employer_name=cert.get("employer_name"),
                   position=cert.get("position"), valid_until=cert["valid_until"])


# --- issuing -----------------------------------------------------------------------------------

FOOTER = ("Arayışın həqiqiliyini yoxlamaq üçün QR kodu oxudun və ya aşağıdakı ünvana daxil olun "
          "(\"Arayışların yoxlanılması\" bölməsində arayışın nömrəsini də daxil edə bilərsiniz):")
SEAL_NOTE = ("Arayış Əmək və Əhalinin Sosial Müdafiəsi Nazirliyinin elektron möhürü ilə təsdiq edilmişdir. "
             "Möhürün həqiqiliyi PDF sənədinin elektron imzası ilə yoxlanılır.")


class BareIssuer:
    """The thinnest in-process code making the same certificate page and seal with the same
    libraries, with everything that does not change between documents done once:

      * DejaVu cut down with fontTools to the characters certificates print (the service's set),
        and parsed by fpdf2 once, in a blank document that every certificate is a deep copy of.
        fpdf2 shares the parsed font's fontTools object between copies and cuts it down to the
        glyphs used when it writes, so each copy gets a fontTools object of its own, opened from
        the cut-down bytes in memory, without recomputing every glyph's bounds on writing (as
        fontTools' own subsetter does: the outlines are DejaVu's, bounds included);
      * the seal's key parsed once (pyHanko's SimpleSigner parses it from DER again for every
        signature: tens of milliseconds for RSA), the certificates once, the pyHanko signer and
        its PdfSigner built once, the room for the CMS fixed (no trial signature to size it);
      * the fixed wording broken into lines once; a value goes through fpdf2's line breaking only
        when it does not fit on one line;
      * the QR code with a fixed mask (segno otherwise scores all eight), drawn as rectangles.

    Per document: the rows, the number, the QR code of the link and the notes laid out, written,
    sealed. No HTTP, no database, no events."""

    def __init__(self, material: dict, font_dir: str):
        import copy

        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from fontTools import subset as ftsubset
        from fontTools.ttLib import TTFont
        from fpdf import FPDF
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        from certificates_service.pdf import COVERED

        self._work = Path(tempfile.mkdtemp(prefix="bench-bare-"))
        self.blank = FPDF(orientation="P", unit="mm", format="A4")
        self.font_bytes: dict[str, bytes] = {}
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            options = ftsubset.Options(layout_features=[], hinting=False, notdef_outline=True)
            options.drop_tables += ["FFTM", "GSUB", "GPOS", "GDEF", "kern", "hdmx"]  # fpdf2 drops them too
            font = TTFont(f"{font_dir}/{name}")
            subsetter = ftsubset.Subsetter(options)
            subsetter.populate(unicodes=COVERED)
            subsetter.subset(font)
            path = self._work / name
            font.save(str(path))
            self.blank.add_font("DejaVu", style, str(path))
            self.font_bytes[f"dejavu{style}"] = path.read_bytes()
        self.blank.set_margins(20, 18, 20)
        # The fixed wording, broken into lines once.
        scratch = copy.deepcopy(self.blank)
        scratch.add_page()
        scratch.set_font("DejaVu", "", 9)
        self.footer_lines = scratch.multi_cell(scratch.epw - 44, 4.6, FOOTER, dry_run=True, output="LINES")
        scratch.set_font("DejaVu", "", 8.5)
        self.seal_note_lines = scratch.multi_cell(0, 4.4, SEAL_NOTE, dry_run=True, output="LINES")
        self._ttfont = lambda key: TTFont(io.BytesIO(self.font_bytes[key]), lazy=True, recalcBBoxes=False,
                                          recalcTimestamp=False)

        key = serialization.load_pem_private_key(material["key_pem"].encode(), password=None)

        def der_cert(pem: str):
            return asn1_x509.Certificate.load(
                x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER))

        class KeyOnceSigner(signers.SimpleSigner):
            async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
                algorithm = getattr(hashes, digest_algorithm.upper())()
                if isinstance(key, rsa.RSAPrivateKey):
                    return key.sign(data, padding.PKCS1v15(), algorithm)
                assert isinstance(key, ec.EllipticCurvePrivateKey)
                return key.sign(data, ec.ECDSA(algorithm))

        signer = KeyOnceSigner(
            signing_cert=der_cert(material["cert_pem"]),
            signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs([der_cert(material["ca_cert_pem"])]))
        self.pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="Seal", md_algorithm="sha256",
                                         subfilter=fields.SigSeedSubFilter.PADES, location="Bakı"),
            signer=signer)

    def close(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)

    def issue(self, rows: list[tuple[str, str]], number: str, url: str) -> bytes:
        import copy

        import segno
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        from certificates_service.domain import MINISTRY, TITLE

        doc = copy.deepcopy(self.blank)
        for font in doc.fonts.values():
            font.ttfont = self._ttfont(font.fontkey)
        doc.add_page()
        doc.set_font("DejaVu", "B", 10)
        doc.cell(0, 5, MINISTRY, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(6)
        doc.set_font("DejaVu", "B", 17)
        doc.cell(0, 9, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "", 11)
        doc.cell(0, 7, f"№ {number}", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(6)
        for label, value in rows:
            doc.set_font("DejaVu", "", 10)
            doc.cell(70, 6, f"{label}:")
            doc.set_font("DejaVu", "B", 10)
            value = value or "—"
            if doc.get_string_width(value) <= doc.epw - 70 - 2 * doc.c_margin:  # line breaking only when needed
                doc.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
            else:
                doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        doc.ln(5)
        matrix = segno.make(url, error="m", mask=4).matrix
        top, step = doc.get_y(), 38 / (len(matrix) + 4)
        for y, line in enumerate(matrix):
            start = None
            for x in range(len(line) + 1):
                dark = x < len(line) and line[x]
                if dark and start is None:
                    start = x
                elif not dark and start is not None:
                    doc.rect(doc.l_margin + (start + 2) * step, top + (y + 2) * step, (x - start) * step, step,
                             style="F")
                    start = None
        doc.set_xy(doc.l_margin + 44, top + 2)
        doc.set_font("DejaVu", "", 9)
        for line in self.footer_lines:
            doc.cell(doc.epw - 44, 4.6, line, new_x="LEFT", new_y="NEXT")
        doc.set_y(max(doc.get_y(), top + 38) + 2)
        doc.set_font("DejaVu", "", 8.5)
        doc.cell(0, 4.6, url, link=url, new_x="LMARGIN", new_y="NEXT")
        for line in self.seal_note_lines:
            doc.cell(0, 4.4, line, new_x="LMARGIN", new_y="NEXT")
        writer = IncrementalPdfFileWriter(io.BytesIO(bytes(doc.output())))
        return self.pdf_signer.sign_pdf(writer, bytes_reserved=8192).getvalue()


_issuers: dict[int, BareIssuer] = {}
_issuers_lock = threading.Lock()
_SALARY_TYPE = "Əmək haqqı göstərilməklə iş yerindən arayış"


def _issuer(db) -> BareIssuer:
    """One per (forked) worker process, made on its first certificate."""
    issuer = _issuers.get(os.getpid())
    if issuer is None:
        with _issuers_lock:
            issuer = _issuers.get(os.getpid())
            if issuer is None:
                issuer = _issuers[os.getpid()] = BareIssuer(db.seal.find_one({"_id": "seal"}),
                                                            os.environ.get("CERT_FONT_DIR",
                                                                           "/usr/share/fonts/truetype/dejavu"))
    return issuer


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d.%m.%Y")


@app.post("/issue")
def issue():
    body = request.get_json(force=True)
    db = _db()
    contract = db.contracts.find_one({"_id": body["contract_id"]})
    if contract is None:
        return jsonify(status=404), 404
    number = "AR-" + "-".join(secrets.token_hex(3)[:5].upper() for _ in range(3))
    url = f"{os.environ['PUBLIC_BASE_URL']}/api/certificates/verify/{number}"
    today = datetime.now(timezone.utc)
    rows = [("Arayışın nömrəsi", number), ("Arayışın növü", _SALARY_TYPE),
            ("Soyadı, adı, atasının adı", contract["employee_name"]),
            ("Fərdi identifikasiya nömrəsi (FİN)", contract["employee_fin"]),
            ("İşəgötürən", contract["employer_name"]), ("İşəgötürənin VÖEN-i", contract["employer_voen"]),
            ("Vəzifə", contract["position"]), ("İşə qəbul tarixi", _day(contract["start_date"])),
            ("Əmək müqaviləsinin nömrəsi", contract["contract_number"]),
            ("Əmək haqqı", f"{contract['salary_qepik'] // 100}.{contract['salary_qepik'] % 100:02d} AZN"),
            ("Arayışın təyinatı", "Ümumi məqsəd"), ("Arayışın təqdim olunacağı yer", "Ümumi"),
            ("Son etibarlılıq tarixi", _day(body["valid_until"])), ("Verilmə tarixi", today.strftime("%d.%m.%Y"))]
    sealed = _issuer(db).issue(rows, number, url)
    db.ceiling_certificates.insert_one({"_id": number, "contract_id": contract["_id"],
                                        "holder_fin": contract["employee_fin"], "issued_at": today,
                                        "valid_until": body["valid_until"], "pdf": Binary(sealed)})
    return jsonify(number=number, size=len(sealed)), 201
