"""Store uploads safely and decide who may download them."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from procure.attachments.sniff import TYPES, sniff
from procure.audit.services import record
from procure.errors import Forbidden, Invalid, NotFound, ServiceError
from procure.extensions import db
from procure.models import Attachment, User
from procure.models.base import utcnow

OWNER_TYPES = (
    "demand",
    "product",
    "proposal",
    "idea",
    "pilot",
    "dialogue_thread",
    "dialogue_proposal",
)
MAX_FILES_PER_OWNER = 20
# Shared between two sides (the agency and one dialogue partner): only the uploader removes.
UPLOADER_REMOVES = ("dialogue_thread",)
_UNSAFE = re.compile(r"[^\w\s.()\[\]-]", re.UNICODE)


class TooLarge(ServiceError):
    status = 413


class StorageFailed(ServiceError):
    status = 507


def upload_root() -> Path:
    return Path(current_app.config["SETTINGS"].upload_dir)


def max_bytes() -> int:
    return current_app.config["SETTINGS"].upload_max_mb * 1024 * 1024


def sanitise_filename(name: str, extension: str) -> str:
    """A display name with no path, no control characters and the extension of its real type."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0]
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "file"
    return stem[:150] + extension


def save(actor: User, owner_type: str, owner_id: int, filename: str, data: bytes) -> Attachment:
    """Check and store one file for a record; the caller has checked the actor may edit it.

    :raise TooLarge: over the configured size.
    :raise Invalid: empty, or not one of the accepted types (PDF, PNG, JPEG, DOCX, XLSX, HWP, HWPX).
    :raise StorageFailed: the disk refused the write (full, read-only); nothing is recorded.
    """
    if owner_type not in OWNER_TYPES:
        raise Invalid(_("Files cannot be attached here."))
    limit = current_app.config["SETTINGS"].upload_max_mb
    if len(data) > max_bytes():
        raise TooLarge(_("The file is larger than %(mb)d MB.", mb=limit))
    if not data:
        raise Invalid(_("The file is empty."))
    kind = sniff(data)
    if kind is None:
        raise Invalid(
            _("This kind of file is not accepted. Use PDF, PNG, JPEG, DOCX, XLSX, HWP or HWPX.")
        )
    count = len(attachments_of(owner_type, owner_id))
    if count >= MAX_FILES_PER_OWNER:
        raise Invalid(_("At most %(n)d files can be attached.", n=MAX_FILES_PER_OWNER))
    extension, content_type = TYPES[kind]
    stored = uuid.uuid4().hex
    path = upload_root() / stored[:2] / stored
    _write_atomically(path, data)
    attachment = Attachment(
        owner_type=owner_type,
        owner_id=owner_id,
        filename=sanitise_filename(filename, extension),
        stored_name=stored,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    try:
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    record(
        "attachment.added",
        owner_type,
        owner_id,
        actor=actor,
        after={
            "attachment_id": attachment.id,
            "filename": attachment.filename,
            "sha256": attachment.sha256,
        },
    )
    return attachment


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file and rename it, so a reader never sees half a file."""
    temporary = path.with_suffix(".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        current_app.logger.error("could not store an upload: %s", error)
        raise StorageFailed(
            _("The file could not be stored right now. Nothing was saved; please try again later.")
        ) from None


def attachments_of(owner_type: str, owner_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_type == owner_type,
                Attachment.owner_id == owner_id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.id)
        )
    )


def remove(actor: User, attachment: Attachment) -> None:
    """Soft-delete: the file stays on disk for the audit trail but is no longer listed."""
    attachment.deleted_at = utcnow()
    record(
        "attachment.removed",
        attachment.owner_type,
        attachment.owner_id,
        actor=actor,
        before={"attachment_id": attachment.id, "filename": attachment.filename},
    )


def path_of(attachment: Attachment) -> Path:
    return upload_root() / attachment.stored_name[:2] / attachment.stored_name


def owner_of(attachment: Attachment):
    """The record an attachment belongs to."""
    from procure.models import (
        CitizenIdea,
        Demand,
        DialogueParticipant,
        DialogueProposal,
        PilotPurchase,
        Product,
        ReverseProposal,
    )

    model = {
        "demand": Demand,
        "product": Product,
        "proposal": ReverseProposal,
        "idea": CitizenIdea,
        "pilot": PilotPurchase,
        # A partner's private dialogue thread and its proposals (procure/dialogue).
        "dialogue_thread": DialogueParticipant,
        "dialogue_proposal": DialogueProposal,
    }
    return db.session.get(model[attachment.owner_type], attachment.owner_id)


def get_for_download(user, attachment_id: int) -> Attachment:
    """The attachment, if the user may read the record it belongs to.

    :raise NotFound: no such attachment, or one the user may not know exists.
    """
    from procure import policy

    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.deleted_at is not None:
        raise NotFound(_("This file does not exist."))
    owner = owner_of(attachment)
    if owner is None or not policy.can_read(user, attachment.owner_type, owner):
        # 404, not 403: a supplier must not learn that a competitor's file exists.
        raise NotFound(_("This file does not exist."))
    return attachment


def require_removable(user, attachment: Attachment, owner) -> None:
    require_editable(user, attachment.owner_type, owner)
    if attachment.owner_type in UPLOADER_REMOVES and attachment.uploaded_by_id != user.id:
        raise Forbidden(_("Only the person who added this file can remove it."))


def require_editable(user, owner_type: str, owner) -> None:
    from procure import policy

    if not policy.can_edit(user, owner_type, owner):
        raise Forbidden(_("You cannot add files to this record."))
