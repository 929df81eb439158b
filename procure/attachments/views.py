"""Downloading attachments."""

from flask import send_file
from flask_login import current_user

from procure import authz
from procure.attachments import bp, services


@bp.route("/<int:attachment_id>")
@authz.public
def download(attachment_id: int):
    attachment = services.get_for_download(current_user, attachment_id)
    response = send_file(
        services.path_of(attachment),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
        etag=attachment.sha256,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
