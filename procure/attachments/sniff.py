"""Decide a file's type from its content, never from its name."""

from __future__ import annotations

import io
import zipfile

# type key -> (extension, MIME type)
TYPES = {
    "pdf": (".pdf", "application/pdf"),
    "png": (".png", "image/png"),
    "jpeg": (".jpg", "image/jpeg"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "hwp": (".hwp", "application/x-hwp"),
    "hwpx": (".hwpx", "application/hwp+zip"),
}
IMAGE_TYPES = {"png", "jpeg"}

_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file, the container of HWP 5
_ZIP = b"PK\x03\x04"
_HWP_STREAMS = ("FileHeader".encode("utf-16-le"), "BodyText".encode("utf-16-le"))
MAX_ZIP_ENTRIES = 10_000
MIMETYPE_MAX = 64


def sniff(data: bytes) -> str | None:
    """The type key of ``data`` (see ``TYPES``), or None when it is none of the accepted types."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_CFB):
        # HWP 5 keeps its header and body in streams with these names; Word and Excel 97 do not.
        return "hwp" if all(name in data for name in _HWP_STREAMS) else None
    if data.startswith(_ZIP):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if "mimetype" in names and _mimetype(archive) == b"application/hwp+zip":
                return "hwpx"
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return "docx"
                if "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError, ValueError):
        return None
    return None


def _mimetype(archive: zipfile.ZipFile) -> bytes:
    """The first bytes of the ``mimetype`` entry, never more.

    ``archive.read`` would inflate the whole entry: a few megabytes of zeros compress a
    thousandfold, so a disguised zip bomb could make the server inflate gigabytes. The entry
    should hold about twenty bytes; reading at most MIMETYPE_MAX bounds the work whatever the
    header claims.
    """
    with archive.open("mimetype") as entry:
        return entry.read(MIMETYPE_MAX).strip()
