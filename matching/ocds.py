"""Read tenders out of OCDS files of any common shape, as plain dicts for evaluation.

Accepts release packages, record packages (compiled or embedded releases), plain lists of
releases and single releases, as ``.json`` or ``.json.gz``, or a folder of them.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from matching.codes import codes_in_description, normalize_code

MIN_TEXT_CHARS = 20
_CODE_LABEL = re.compile(r"(?:^|,\s*)([A-Z0-9]{2,12})\s*:\s")


def _open_json(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def iter_releases(data) -> Iterator[dict]:
    """Releases found in one parsed OCDS document, whatever its shape."""
    if isinstance(data, list):
        for element in data:
            yield from iter_releases(element)
        return
    if not isinstance(data, dict):
        return
    if "records" in data:
        for record in data.get("records") or []:
            if not isinstance(record, dict):
                continue
            compiled = record.get("compiledRelease")
            if isinstance(compiled, dict):
                yield compiled
            else:
                for release in record.get("releases") or []:
                    if isinstance(release, dict) and "tender" in release:
                        yield release
        return
    if "releases" in data:
        for release in data.get("releases") or []:
            if isinstance(release, dict):
                yield release
        if isinstance(data.get("compiledRelease"), dict):
            yield data["compiledRelease"]
        return
    if isinstance(data.get("compiledRelease"), dict):
        yield data["compiledRelease"]
    elif "tender" in data or "ocid" in data:
        yield data


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _classification_text(item: dict) -> str:
    """A classification's description with any leading ``CODE:`` labels removed."""
    classification = item.get("classification")
    if not isinstance(classification, dict):
        return ""
    description = _text(classification.get("description"))
    return _CODE_LABEL.sub(" ", description).strip(" ,")


def _item_codes(item: dict) -> list[str]:
    classification = item.get("classification")
    if not isinstance(classification, dict):
        return []
    code = classification.get("id")
    if isinstance(code, str | int) and normalize_code(code):
        return [str(code).strip()]
    description = classification.get("description")
    return codes_in_description(description) if isinstance(description, str) else []


def _item_code_names(item: dict) -> dict[str, str]:
    """``{code: name}`` for an item's classification: its ``description`` when it has an
    ``id``, else each ``CODE: name`` written in the description (Canada)."""
    classification = item.get("classification")
    if not isinstance(classification, dict):
        return {}
    description = _text(classification.get("description"))
    if not description:
        return {}
    code = classification.get("id")
    if isinstance(code, str | int) and normalize_code(code):
        return {str(code).strip(): description}
    names: dict[str, str] = {}
    starts = list(_CODE_LABEL.finditer(description))
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(description)
        name = description[match.end() : end].strip(" ,")
        if name:
            names.setdefault(match.group(1), name)
    return names


def tender_from_release(release: dict) -> dict | None:
    """``{"id", "text", "code_text", "code_names", "codes", "scheme"}`` for a release's
    tender, or ``None``.

    ``text`` is the tender title, description and item descriptions; ``code_text`` the
    items' classification descriptions (the code's name, e.g. the words after
    ``N6115B:``), kept apart because it names the label. The codes themselves are scrubbed
    from both. ``codes`` lists distinct codes in item order; the first is the primary code.
    """
    tender = release.get("tender")
    if not isinstance(tender, dict):
        return None
    parts = [_text(tender.get("title")), _text(tender.get("description"))]
    codes: list[str] = []
    scheme = None
    main = tender.get("classification")
    items = [{"classification": main}] if isinstance(main, dict) else []
    for item in tender.get("items") or []:
        if not isinstance(item, dict):
            continue
        parts.append(_text(item.get("description")))
        items.append(item)
    code_parts: list[str] = []
    code_names: dict[str, str] = {}
    for item in items:
        code_parts.append(_classification_text(item))
        for code, name in _item_code_names(item).items():
            code_names.setdefault(code, name)
        for code in _item_codes(item):
            if code not in codes:
                codes.append(code)
                if scheme is None:
                    scheme = (item.get("classification") or {}).get("scheme")
    text = _join(parts, codes)
    if not codes or len(text) < MIN_TEXT_CHARS:
        return None
    ident = release.get("ocid") or release.get("id") or tender.get("id")
    return {
        "id": str(ident),
        "text": text,
        "code_text": _join(code_parts, codes),
        "code_names": {c: n for c, n in code_names.items() if c in codes},
        "codes": codes,
        "scheme": scheme,
    }


def _join(parts, codes) -> str:
    seen: dict[str, None] = {}
    for part in parts:
        if part:
            seen.setdefault(part, None)
    text = " ".join(seen)
    for code in codes:
        text = re.sub(re.escape(code), " ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", text).strip()


def load_tenders(path) -> list[dict]:
    """Tenders with a code and enough text from a file or folder, duplicate texts dropped.

    Files that are not valid JSON (e.g. placeholders) are skipped.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.endswith((".json", ".json.gz"))
        )
    else:
        files = [path]
    tenders: list[dict] = []
    seen_texts: set[str] = set()
    seen_ids: set[str] = set()
    for file in files:
        try:
            data = _open_json(file)
        except (OSError, ValueError, EOFError):
            if len(files) == 1:
                raise
            continue
        for release in iter_releases(data):
            tender = tender_from_release(release)
            if tender is None:
                continue
            key = tender["text"].lower()
            if key in seen_texts:
                continue
            seen_texts.add(key)
            # One ocid may carry several tenders (Paraguay's releases): keep ids unique.
            ident, n = tender["id"], 1
            while ident in seen_ids:
                n += 1
                ident = f"{tender['id']}#{n}"
            seen_ids.add(ident)
            tenders.append({**tender, "id": ident})
    return tenders
