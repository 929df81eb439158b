"""Malicious uploads: zip bombs, disguised and polyglot files, hostile names (extends
test_attachments.py, which covers the plain size limit, simple disguises and path names)."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

import factories
from factories import in_request
from procure.attachments import services
from procure.attachments.sniff import sniff
from procure.extensions import db
from procure.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def owned_product(app, db_session):
    from procure.products import services as products

    factories.add_cpv_codes()
    supplier = factories.user_with_role("supplier")
    product = in_request(
        app,
        products.create_product,
        supplier,
        products.ProductInput(name="제품", summary="요약", codes=["35613000"]),
    )
    return supplier, product


def _upload(client, product, data: bytes, name: str):
    return client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _inflated_peak(data: bytes) -> int:
    """The peak memory, in bytes, that sniffing ``data`` allocates."""
    tracemalloc.start()
    try:
        sniff(data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


MB = 1024 * 1024


def test_a_zip_bomb_disguised_as_hwpx_is_not_inflated():
    """64 MB of zeros in the ``mimetype`` entry compress to about 64 kB; sniffing must read only
    the first bytes of it (the whole entry used to be inflated into memory)."""
    bomb = _zip({"mimetype": b"application/hwp+zip" + b"\x00" * (64 * MB)})
    assert len(bomb) < MB
    assert sniff(bomb) is None  # the entry is not exactly the HWPX marker
    assert _inflated_peak(bomb) < 4 * MB


@pytest.mark.parametrize("marker", ["[Content_Types].xml", "word/document.xml", "xl/workbook.xml"])
def test_zip_bombs_disguised_as_office_files_are_sniffed_by_names_only(marker):
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}
    entries[marker] = b"\x00" * (64 * MB)
    assert _inflated_peak(_zip(entries)) < 4 * MB


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\xff" * 200,  # a zip header with garbage behind it
        _zip({"mimetype": b"application/hwp+zip"})[:-10],  # truncated central directory
        _zip({f"f{n}": b"" for n in range(10_001)}, zipfile.ZIP_STORED),  # too many entries
    ],
)
def test_broken_or_crowded_zips_are_refused_without_error(data):
    assert sniff(data) is None


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "setup.pdf"),  # Windows executable
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "report.pdf"),  # Linux executable
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.png"),
        (b"<html><body onload=alert(1)>", "page.jpg"),
        (b"GIF89a<script>alert(1)</script>", "x.png"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "macro.hwp"),  # Office 97 with macros
    ],
)
def test_executables_scripts_and_svg_are_refused_whatever_their_name(
    owned_product, client, login, data, name
):
    supplier, product = owned_product
    login(supplier)
    response = _upload(client, product, data, name)
    assert response.status_code == 422
    assert "not accepted" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


def test_a_pdf_named_png_is_stored_as_a_pdf_and_never_shown_inline(owned_product, client, login):
    supplier, product = owned_product
    login(supplier)
    assert _upload(client, product, PDF, "photo.png").status_code == 302
    attachment = db.session.query(Attachment).one()
    assert attachment.filename == "photo.pdf" and attachment.content_type == "application/pdf"
    response = client.get(f"/attachments/{attachment.id}?inline=1")
    assert response.headers["Content-Disposition"].startswith("attachment")
    response.close()


def test_a_png_html_polyglot_is_served_as_an_image_the_browser_will_not_sniff(
    owned_product, client, login
):
    supplier, product = owned_product
    login(supplier)
    polyglot = PNG + b"<html><script>alert(document.cookie)</script></html>"
    assert _upload(client, product, polyglot, "pic.html").status_code == 302
    attachment = db.session.query(Attachment).one()
    assert attachment.filename == "pic.png"
    response = client.get(f"/attachments/{attachment.id}?inline=1")
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src" in response.headers["Content-Security-Policy"]
    response.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("..\\..\\Windows\\System32\\cmd.exe", "cmd.pdf"),
        ("C:\\Users\\공무원\\Desktop\\견적서.pdf", "견적서.pdf"),
        ("/etc/shadow\x00.pdf", "shadow.pdf"),
        ("CON", "CON.pdf"),
        ('a"; filename="evil.html', "a__ filename__evil.pdf"),
        ("report\r\nSet-Cookie: x=1.pdf", "reportSet-Cookie_ x_1.pdf"),
        ("\u202egnp.exe", "gnp.pdf"),  # right-to-left override hides the real extension
        ("", "file.pdf"),
    ],
)
def test_hostile_names_are_sanitised(name, expected):
    assert services.sanitise_filename(name, ".pdf") == expected


def test_a_hostile_name_is_stored_sanitised_and_the_file_lands_inside_the_upload_folder(
    app, owned_product, client, login
):
    supplier, product = owned_product
    login(supplier)
    response = _upload(client, product, PDF, "../../../../tmp/evil\t.pdf")
    assert response.status_code == 302
    attachment = db.session.query(Attachment).one()
    assert attachment.filename == "evil.pdf"
    with app.app_context():
        root = services.upload_root().resolve()
        path = services.path_of(attachment).resolve()
    assert path.is_relative_to(root) and path.read_bytes() == PDF
    download = client.get(f"/attachments/{attachment.id}")
    disposition = download.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    download.close()


def test_over_the_upload_limit_through_the_form_is_413_with_a_message_and_nothing_kept(
    owned_product, client, login, monkeypatch
):
    """Under the request limit (MAX_CONTENT_LENGTH) but over the upload limit: the service
    refuses it with the same clear 413."""
    supplier, product = owned_product
    login(supplier)
    # A small limit keeps the body in memory; the rule is the same at 20 MB.
    monkeypatch.setattr(services, "max_bytes", lambda: 4096)
    response = _upload(client, product, PDF + b"0" * 5000, "big.pdf")
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


def test_uploads_to_unknown_owner_types_are_404(owned_product, client, login):
    supplier, _product = owned_product
    login(supplier)
    for owner in ("user", "../demand", "api_token", "audit_event"):
        assert _upload(client, _product, PDF, "x.pdf").status_code == 302  # sanity: allowed
        response = client.post(
            f"/attachments/{owner}/1",
            data={"file": (io.BytesIO(PDF), "x.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 404, owner
