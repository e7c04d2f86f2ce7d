"""The font the course's figures write Chinese with, found or shipped, and told to matplotlib.

Stock Colab and Binder images have no font with Chinese glyphs. The course ships one in ``helpers/fonts/``: a
subset of Noto Sans CJK SC Regular (SIL Open Font License 1.1, ``helpers/fonts/OFL.txt``; provenance and the
command that rebuilds it in ``helpers/fonts/README.md``) holding the 3,755 most common hanzi (level 1 of GB 2312),
punctuation and every character of the course's own text. :func:`cjk_font_name` prefers a complete CJK font
installed on the machine and falls back to that subset, which it registers with matplotlib's font manager.

A text needing a glyph that the font lacks gets :func:`font_for`'s one-line notice, and the figure keeps its
English labels, instead of matplotlib's warning per missing glyph. Nothing here changes matplotlib's settings; a
notebook that wants Chinese in its own titles calls :func:`use_cjk_font`.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib import font_manager

from helpers.messages import Catalog

#: Font families with CJK glyphs, in order of preference (Linux, macOS and Windows names), before the shipped one.
CJK_FONT_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Microsoft YaHei",
    "SimHei",
    "Arial Unicode MS",
)
#: The shipped subset (``scripts/build_cjk_font.py`` writes it) and its family name, distinct from the full font's.
FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular-subset.otf"
FAMILY = "Noto Sans CJK SC Course Subset"

msg = Catalog(__name__, {
    "missing_glyphs": (
        "note: no font here has the characters {characters}, so this figure keeps its English labels (to draw them, "
        "install a complete CJK font, e.g. Debian's fonts-noto-cjk, then delete ~/.cache/matplotlib).",
        "提示：这里没有字体包含字符 {characters}，所以这张图只用英文标签（要显示它们，请安装完整的中日韩字体，"
        "例如 Debian 的 fonts-noto-cjk，然后删除 ~/.cache/matplotlib）。"),
})


def shipped_font() -> str | None:
    """Register the shipped subset with matplotlib's font manager (once: by its path) and return its family name.

    Returns None when the file is missing or unreadable (a damaged installation).
    """
    if any(Path(entry.fname) == FONT_FILE for entry in font_manager.fontManager.ttflist):
        return FAMILY
    try:
        font_manager.fontManager.addfont(str(FONT_FILE))
    except (OSError, RuntimeError, ValueError):
        return None
    return FAMILY


def cjk_font_name() -> str | None:
    """The name of a font family with Chinese glyphs: the first installed of :data:`CJK_FONT_CANDIDATES` (matplotlib
    sees a font installed later once ``~/.cache/matplotlib`` is deleted), else the shipped subset (:data:`FAMILY`);
    None only when neither can be had."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for name in CJK_FONT_CANDIDATES:
        if name in installed:
            return name
    return shipped_font()


def missing_glyphs(family: str, text: str) -> str:
    """The characters of ``text`` (but whitespace) that the installed font ``family`` lacks, in order, each once.

    Raises:
        ValueError: matplotlib knows no font of that family.
    """
    from matplotlib import ft2font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    charmap = ft2font.FT2Font(path).get_charmap()
    return "".join(dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in charmap))


def font_for(text: str, family: str | None) -> str | None:
    """``family`` (a CJK font's, from :func:`cjk_font_name`) when it draws every character of ``text``, else None.

    None comes with one printed line, in the student's language, naming the characters that cannot be drawn, so
    that a figure falls back to English labels rather than draw empty boxes under one warning per glyph.
    """
    missing = missing_glyphs(family, text) if family is not None else "".join(
        dict.fromkeys(c for c in text if ord(c) >= 0x2e80))
    if not missing:
        return family
    print(msg("missing_glyphs", characters=missing))
    return None


def use_cjk_font() -> str | None:
    """Let every later figure write Chinese: put :func:`cjk_font_name`'s family after matplotlib's font families
    (matplotlib then takes from it only the glyphs the others lack). Returns the family, or None.

    This changes matplotlib's settings (``rcParams["font.family"]``) for the session; helpers' own figures
    never call it.
    """
    import matplotlib

    family = cjk_font_name()
    if family is not None and family not in matplotlib.rcParams["font.family"]:
        matplotlib.rcParams["font.family"] = [*matplotlib.rcParams["font.family"], family]
    return family
