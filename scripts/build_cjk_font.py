"""Rebuild the course's CJK font: a subset of Noto Sans CJK SC Regular, ``helpers/fonts/``.

The subset holds the 3,755 characters of level 1 of GB 2312 (the most common hanzi, read from Python's ``gb2312``
codec), ASCII, CJK and full-width punctuation, and every other character of the course's own text (``helpers/``,
``notebooks/``, ``solutions/``, ``translations/``), so that the figures' Chinese labels and most Chinese a
student types render. Its family is renamed (:data:`helpers.fonts.FAMILY`) so that it never shadows a complete
Noto Sans CJK SC installed beside it. The licence (SIL Open Font License 1.1) travels with it.

    .venv/bin/python -m scripts.build_cjk_font              # from Debian's fonts-noto-cjk
    .venv/bin/python -m scripts.build_cjk_font --source NotoSansCJKsc-Regular.otf   # or the upstream OTF

Needs fontTools (a dependency of matplotlib).
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from helpers import fonts

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FAMILY = "Noto Sans CJK SC"
COURSE_TEXT = ("helpers", "notebooks", "solutions", "translations")
EXTRA = "“”‘’…—–·•×−→←≈≤≥°±"


def characters() -> set[str]:
    """The characters the subset keeps (see the module's docstring)."""
    chars = {chr(code) for code in range(0x20, 0x7F)}
    chars |= {chr(code) for code in range(0x3000, 0x3040)} | {chr(code) for code in range(0xFF01, 0xFF5F)}
    chars |= set(EXTRA)
    for row in range(0xB0, 0xD8):  # GB 2312 level 1: rows 16 to 55
        for column in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, column]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for folder in COURSE_TEXT:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".py", ".ipynb", ".md") and path.is_file():
                chars |= {c for c in path.read_text(encoding="utf-8") if "\u2e80" <= c <= "\u9fff"
                          or "\uff00" <= c <= "\uffef"}
    return chars


def source_font(path: Path) -> TTFont:
    """The Regular SC face of ``path``: a collection (``.ttc``, the face named Noto Sans CJK SC) or one font."""
    if path.suffix.lower() == ".ttc":
        from fontTools.ttLib import TTCollection

        for number, font in enumerate(TTCollection(path).fonts):
            if font["name"].getDebugName(1) == SOURCE_FAMILY:
                return TTFont(path, fontNumber=number, recalcTimestamp=False)
        raise SystemExit(f"{path} holds no face named {SOURCE_FAMILY!r}.")
    return TTFont(path, recalcTimestamp=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEBIAN_SOURCE,
                        help=f"Noto Sans CJK SC Regular, .otf or .ttc (default {DEBIAN_SOURCE}, fonts-noto-cjk)")
    args = parser.parse_args(argv)
    font = source_font(args.source)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters()))
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18):
            names.removeNames(nameID=record.nameID)
    names.setName(fonts.FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{fonts.FAMILY} Regular", 4, 3, 1, 0x409)
    names.setName(fonts.FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)
    names.setName(f"{fonts.FAMILY}; subset of {SOURCE_FAMILY} by scripts/build_cjk_font.py", 3, 3, 1, 0x409)
    fonts.FONT_FILE.parent.mkdir(parents=True, exist_ok=True)
    font.save(fonts.FONT_FILE)
    digest = hashlib.sha256(fonts.FONT_FILE.read_bytes()).hexdigest()
    print(f"{fonts.FONT_FILE.relative_to(ROOT)}: {len(font.getBestCmap())} characters, "
          f"{fonts.FONT_FILE.stat().st_size:,} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
