"""Attachments: type by content, size limit, sanitised names, authorised downloads, disk errors."""

from __future__ import annotations

import io
import zipfile

import pytest

import factories
from factories import in_request
from procure.attachments import services
from procure.attachments.sniff import sniff
from procure.clock import local_today
from procure.errors import Invalid
from procure.extensions import db
from procure.models import Attachment

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
HWPX = zipped({"mimetype": b"application/hwp+zip", "Contents/section0.xml": b"<s/>"})
HWP = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    + b"\x00" * 64
    + "FileHeader".encode("utf-16-le")
    + b"\x00" * 8
    + "BodyText".encode("utf-16-le")
)
DOC97 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "WordDocument".encode("utf-16-le")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (DOCX, "docx"),
        (XLSX, "xlsx"),
        (HWPX, "hwpx"),
        (HWP, "hwp"),
        (DOC97, None),
        (b"MZ\x90\x00 executable", None),
        (b"<html><script>", None),
        (zipped({"a.txt": b"x"}), None),
    ],
)
def test_type_is_decided_by_content(data, kind):
    assert sniff(data) == kind


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


def test_upload_and_download(owned_product, client, login):
    supplier, product = owned_product
    login(supplier)
    response = client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(PDF), "../../etc/사업계획서 v2.exe")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.query(Attachment).filter_by(owner_id=product.id).one()
    assert attachment.filename == "사업계획서 v2.pdf"  # path dropped, extension from the content
    assert attachment.content_type == "application/pdf"
    assert services.path_of(attachment).read_bytes() == PDF
    download = client.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()


def test_disguised_file_is_refused(owned_product, client, login):
    supplier, product = owned_product
    login(supplier)
    response = client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(b"<script>alert(1)</script>"), "innocent.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not accepted" in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0


def test_too_large_is_a_clear_413(app, owned_product, client, login, monkeypatch):
    supplier, product = owned_product
    login(supplier)
    # A small limit keeps the test body in memory; the rule is the same at 20 MB.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    big = PDF + b"0" * 5000
    response = client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(big), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)


def test_service_refuses_over_the_configured_size(app, owned_product):
    supplier, product = owned_product
    too_big = PDF + b"0" * (services.max_bytes())
    with pytest.raises(services.TooLarge):
        in_request(app, services.save, supplier, "product", product.id, "x.pdf", too_big)
    with pytest.raises(Invalid):
        in_request(app, services.save, supplier, "product", product.id, "empty.pdf", b"")


def test_only_editors_upload(owned_product, client, login):
    _supplier, product = owned_product
    login(factories.user_with_role("supplier"))
    response = client.post(
        f"/attachments/product/{product.id}",
        data={"file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404  # the draft product is not even visible to a rival


def test_disk_full_keeps_nothing_and_says_so(app, owned_product, monkeypatch, tmp_path):
    """A write that fails (disk full) records nothing and leaves no partial file."""
    supplier, product = owned_product
    full = tmp_path / "full"
    full.mkdir()
    monkeypatch.setattr(services, "upload_root", lambda: full)

    def no_space(descriptor):
        raise OSError(28, "No space left on device")

    # A full disk surfaces when the data is forced to storage; fail exactly there.
    monkeypatch.setattr(services.os, "fsync", no_space)
    with pytest.raises(services.StorageFailed):
        in_request(app, services.save, supplier, "product", product.id, "x.pdf", PDF)
    monkeypatch.undo()
    assert db.session.query(Attachment).count() == 0
    assert [p for p in full.rglob("*") if p.is_file()] == []


def test_filenames_are_sanitised():
    assert services.sanitise_filename("..\\..\\win.ini", ".pdf") == "win.pdf"
    assert services.sanitise_filename("보고서\x00<script>.hwp", ".hwp") == "보고서_script.hwp"
    assert services.sanitise_filename("...", ".png") == "file.png"
    assert len(services.sanitise_filename("가" * 500, ".pdf")) == 154


def test_product_images_show_inline_and_documents_never_do(owned_product, client, login):
    supplier, product = owned_product
    login(supplier)
    for data, name in ((PNG, "photo.png"), (PDF, "spec.pdf")):
        client.post(
            f"/attachments/product/{product.id}",
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
    image, document = db.session.query(Attachment).order_by(Attachment.id).all()
    shown = client.get(f"/attachments/{image.id}?inline=1")
    assert shown.headers["Content-Disposition"].startswith("inline")
    shown.close()
    forced = client.get(f"/attachments/{document.id}?inline=1")
    assert forced.headers["Content-Disposition"].startswith("attachment")
    forced.close()
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert f"/attachments/{image.id}?inline=1" in page


def test_field_report_photos_attach_to_the_pilot(app, db_session, client_as):
    """The using agency attaches photos to its pilot; others cannot; the public sees them once
    the pilot's result is published."""
    from datetime import timedelta

    from procure.models import (
        Organisation,
        PilotApplication,
        PilotPlan,
        PilotPurchase,
        PilotRound,
        Product,
    )

    officer = factories.user_with_role("officer")
    supplier = factories.user_with_role("supplier")
    product = Product(
        supplier_id=supplier.organisation_id, name="제품", summary="요약", status="listed"
    )
    round_ = PilotRound(
        title="회차",
        budget=10**8,
        starts_on=local_today(),
        ends_on=local_today() + timedelta(days=90),
    )
    db.session.add_all([product, round_])
    db.session.flush()
    plan = PilotPlan(
        round_id=round_.id,
        product_id=product.id,
        supplier_id=supplier.organisation_id,
        units_offered=5,
        unit_price=1000,
        test_period_days=30,
    )
    db.session.add(plan)
    db.session.flush()
    application = PilotApplication(
        round_id=round_.id,
        plan_id=plan.id,
        agency_id=officer.organisation_id,
        quantity=1,
        intended_use="순찰",
        site="해안",
    )
    db.session.add(application)
    db.session.flush()
    pilot = PilotPurchase(
        application_id=application.id,
        round_id=round_.id,
        product_id=product.id,
        agency_id=officer.organisation_id,
        supplier_id=supplier.organisation_id,
        quantity=1,
        amount=1000,
        status="in_use",
    )
    db.session.add(pilot)
    db.session.flush()
    assert db.session.get(Organisation, officer.organisation_id) is not None
    agency, _ = client_as(None)
    agency.post("/login", data={"email": officer.email, "password": factories.PASSWORD})
    response = agency.post(
        f"/attachments/pilot/{pilot.id}",
        data={"file": (io.BytesIO(JPEG), "현장 사진.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    photo = db.session.query(Attachment).filter_by(owner_type="pilot").one()
    assert f"/attachments/{photo.id}" in agency.get(f"/pilots/{pilot.id}").get_data(as_text=True)
    rival, _ = client_as("supplier")
    assert rival.get(f"/attachments/{photo.id}").status_code == 404
    assert (
        rival.post(
            f"/attachments/pilot/{pilot.id}",
            data={"file": (io.BytesIO(JPEG), "x.jpg")},
            content_type="multipart/form-data",
        ).status_code
        == 404
    )
    own_supplier, _ = client_as(None)
    own_supplier.post("/login", data={"email": supplier.email, "password": factories.PASSWORD})
    download = own_supplier.get(f"/attachments/{photo.id}")
    assert download.status_code == 200
    download.close()
    assert (
        own_supplier.post(
            f"/attachments/pilot/{pilot.id}",
            data={"file": (io.BytesIO(JPEG), "x.jpg")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
