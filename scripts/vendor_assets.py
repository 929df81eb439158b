"""Copy the front-end packages installed by npm into procure/static/vendor (run by ./run setup).

KRDS's CDN bundle points at images on the KRDS web site; we serve the package's own
resources folder instead, whose stylesheets use relative paths, so nothing is fetched from
another host at run time.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "procure" / "static" / "vendor"

COPIES = [
    ("krds-uiux/resources/css", "krds/css"),
    ("krds-uiux/resources/img", "krds/img"),
    ("krds-uiux/resources/fonts", "krds/fonts"),
    ("pretendard/dist/web/variable/pretendardvariable.css", "pretendard/pretendardvariable.css"),
    ("pretendard/dist/web/variable/woff2", "pretendard/woff2"),
    # PDFs (good-faith records) embed the font; the PDF writer needs an OpenType file.
    ("pretendard/dist/public/static/Pretendard-Regular.otf", "pretendard/Pretendard-Regular.otf"),
    ("pretendard/dist/public/static/Pretendard-Bold.otf", "pretendard/Pretendard-Bold.otf"),
    ("chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"),
]


def main() -> int:
    missing = [source for source, _ in COPIES if not (MODULES / source).exists()]
    if missing:
        print(f"npm packages missing ({', '.join(missing)}): run npm ci first", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, target in COPIES:
        src, dst = MODULES / source, VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    # Some KRDS component stylesheets name images one folder too deep (img/img/...).
    for css in (VENDOR / "krds" / "css").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        fixed = text.replace("../../img/img/", "../../img/")
        if fixed != text:
            css.write_text(fixed, encoding="utf-8")
    print(f"front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
