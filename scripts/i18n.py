"""Keep the translation catalogs in step with the code.

    python scripts/i18n.py extract   # write procure/translations/messages.pot from the sources
    python scripts/i18n.py update    # merge the template into the ko and en catalogs
    python scripts/i18n.py check     # list messages missing a Korean translation (exit 1 if any)

The English catalog translates each message to itself, so both languages are explicitly complete.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "procure" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("ko", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    # pgettext("menu", "Products"): the same English word, translated for one place only.
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
}
METHODS = [("procure/**.py", "python"), ("templates/**.html", "jinja2")]


def extract() -> Catalog:
    """Every translatable message in procure/ and templates/."""
    catalog = Catalog(project="procure")
    for folder in ("procure", "templates"):
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder,
            method_map=[
                (pattern.split("/", 1)[1], method)
                for pattern, method in METHODS
                if pattern.startswith(folder)
            ],
            keywords=KEYWORDS,
        ):
            catalog.add(
                message,
                None,
                [(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def read(locale: str) -> Catalog:
    path = catalog_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="procure")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle, catalog, omit_header=False, sort_output=True, width=100, include_previous=False
        )


def update() -> None:
    template = extract()
    write(template, POT)
    for locale in LOCALES:
        catalog = read(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":
            for message in catalog:
                if message.id and not message.string:
                    message.string = message.id
        write(catalog, catalog_path(locale))


def missing(locale: str = "ko") -> list[str]:
    catalog = read(locale)
    template = extract()
    out = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        if translated is None or not translated.string or translated.fuzzy:
            text = message.id if isinstance(message.id, str) else message.id[0]
            out.append(f"{message.context}|{text}" if message.context else text)
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        write(extract(), POT)
    elif command == "update":
        update()
    elif command == "check":
        gaps = {locale: missing(locale) for locale in LOCALES}
        for locale, ids in gaps.items():
            for message_id in ids:
                print(f"{locale}: missing translation: {message_id!r}")
        return 1 if any(gaps.values()) else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
