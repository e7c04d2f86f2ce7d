"""Point every link at another GitHub repository: ``python -m scripts.set_repo owner/name``.

The repository is named once, in pyproject.toml's [project.urls]; the README's Binder and Colab
links and each notebook's Colab set-up cell repeat it, and tests/test_notebooks.py checks that
they agree. This script rewrites pyproject.toml, the README (and README.zh.md), notebooks/ and solutions/
from the current name to the new one; exercises/ are generated from solutions/ and zh/ from notebooks/ and
solutions/, so `make set-repo` regenerates them after.
"""

from __future__ import annotations

import sys

from scripts.course_files import PYPROJECT, ROOT, SLUG_PATTERN, repository_slug, solution_notebooks, teaching_notebooks


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not SLUG_PATTERN.fullmatch(argv[0]):
        raise SystemExit("usage: make set-repo REPO=owner/name   (a GitHub owner and repository name)")
    try:
        old = repository_slug()
    except ValueError as error:
        raise SystemExit(str(error)) from None
    new = argv[0]
    readmes = [path for path in (ROOT / "README.md", ROOT / "README.zh.md") if path.exists()]
    for path in [PYPROJECT, *readmes, *teaching_notebooks(), *solution_notebooks()]:
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new))
            print(f"updated {path.relative_to(ROOT)}")
    print(f"repository: {old} -> {new}")


if __name__ == "__main__":
    main(sys.argv[1:])
