"""Scanned documents are recognised by their content, and read whole: what is not a PDF, JPEG or
PNG is not recognised, whatever its name; a damaged one is found out however it is fed."""
from __future__ import annotations

import pytest

from insurers_service import scans


def check_all(data: bytes, piece: int = 4096):
    check = scans.recognise(data[:scans.SNIFF_BYTES])
    if check is None:
        return None
    for at in range(0, len(data), piece):
        check.feed(data[at:at + piece])
    check.finish()
    return check


@pytest.mark.parametrize("kind, content_type", [("pdf", "application/pdf"), ("png", "image/png"),
                                                ("jpeg", "image/jpeg")])
@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
def test_whole_files_pass_however_they_are_fed(files, kind, content_type, piece):
    assert check_all(files[kind], piece).content_type == content_type


@pytest.mark.parametrize("kind", ["exe", "elf", "html"])
def test_other_content_is_not_recognised(files, kind):
    assert scans.recognise(files[kind][:scans.SNIFF_BYTES]) is None


def test_a_pdf_signature_in_the_middle_does_not_count(files):
    assert scans.recognise(b"<html>%PDF-1.7") is None
    assert scans.recognise(b"%PDF-9.9 fake") is None


@pytest.mark.parametrize("kind, problem", [("png_cut", "damage_truncated"), ("jpeg_cut", "damage_truncated"),
                                           ("pdf_cut", "damage_truncated"), ("png_flipped", "damage_checksum"),
                                           ("png_trailing", "damage_trailing")])
@pytest.mark.parametrize("piece", [1, 4096])
def test_damaged_files_are_found_out(files, kind, problem, piece):
    with pytest.raises(scans.Damaged) as caught:
        check_all(files[kind], piece)
    assert caught.value.problem == problem
    assert caught.value.kind == {"png": "PNG", "jpe": "JPEG", "pdf": "PDF"}[kind[:3]]


def test_a_png_whose_first_chunk_is_not_its_header_is_broken(files):
    png = files["png"]
    broken = png[:12] + b"IDAT" + png[16:]
    with pytest.raises(scans.Damaged) as caught:
        check_all(broken)
    assert caught.value.problem in ("damage_structure", "damage_checksum")


def test_a_jpeg_with_garbage_where_a_marker_belongs_is_broken(files):
    jpeg = files["jpeg"]
    with pytest.raises(scans.Damaged) as caught:
        check_all(jpeg[:4] + b"\x00\x02" + b"\x00" * 40 + jpeg[46:])
    assert caught.value.problem == "damage_structure"


def test_jpeg_zero_padding_after_the_end_is_allowed(files):
    assert check_all(files["jpeg"] + b"\x00" * 300, 100).kind == "JPEG"
