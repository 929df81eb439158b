"""Uploading, removing and downloading attachments."""

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procure import authz
from procure.attachments import bp, services
from procure.extensions import db
from procure.forms import ActionForm
from procure.models import Attachment

DETAIL_PAGES = {
    "demand": ("demands.detail", "demand_id"),
    "product": ("products.detail", "product_id"),
    "proposal": ("proposals.detail", "proposal_id"),
    "idea": ("ideas.detail", "idea_id"),
    "pilot": ("pilots.pilot_detail", "pilot_id"),
    "dialogue_thread": ("dialogue.thread", "participant_id"),
    "dialogue_proposal": ("dialogue.proposal_detail", "proposal_id"),
}


def _owner_page(owner_type: str, owner_id: int) -> str:
    endpoint, arg = DETAIL_PAGES[owner_type]
    return url_for(endpoint, **{arg: owner_id})


def _load_owner(owner_type: str, owner_id: int):
    from procure import policy

    if owner_type not in DETAIL_PAGES:
        abort(404)
    probe = Attachment(owner_type=owner_type, owner_id=owner_id)
    owner = services.owner_of(probe)
    if owner is None or not policy.can_read(current_user, owner_type, owner):
        abort(404)
    return owner


@bp.route("/<string:owner_type>/<int:owner_id>", methods=["POST"])
@authz.signed_in
def upload(owner_type: str, owner_id: int):
    ActionForm()
    owner = _load_owner(owner_type, owner_id)
    services.require_editable(current_user, owner_type, owner)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to upload."), "error")
        return redirect(_owner_page(owner_type, owner_id))
    data = upload.stream.read(services.max_bytes() + 1)
    attachment = services.save(
        current_user._get_current_object(), owner_type, owner_id, upload.filename, data
    )
    db.session.commit()
    flash(_("%(name)s is attached.", name=attachment.filename), "success")
    return redirect(_owner_page(owner_type, owner_id))


@bp.route("/<int:attachment_id>/remove", methods=["POST"])
@authz.signed_in
def remove(attachment_id: int):
    ActionForm()
    attachment = services.get_for_download(current_user, attachment_id)
    owner = services.owner_of(attachment)
    services.require_removable(current_user, attachment, owner)
    services.remove(current_user._get_current_object(), attachment)
    db.session.commit()
    flash(_("The file is removed."), "success")
    return redirect(_owner_page(attachment.owner_type, attachment.owner_id))


@bp.route("/<int:attachment_id>")
@authz.public
def download(attachment_id: int):
    attachment = services.get_for_download(current_user, attachment_id)
    # Images may be shown in the page; everything else is always a download.
    inline = request.args.get("inline") == "1" and attachment.content_type in (
        "image/png",
        "image/jpeg",
    )
    response = send_file(
        services.path_of(attachment),
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.filename,
        max_age=0,
        etag=attachment.sha256,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
