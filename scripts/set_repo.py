"""Point every link at another GitHub repository: ``python scripts/set_repo.py owner/name``.

The repository is named once, in pyproject.toml's [project.urls]; the README's Binder and Colab
links and each notebook's Colab set-up cell repeat it, and tests/test_notebooks.py checks that
they agree. This script rewrites pyproject.toml, the README, notebooks/ and solutions/ from the current
name to the new one; exercises/ are generated from solutions/, so `make set-repo` regenerates them after.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")


def current_slug() -> str:
    match = re.search(r'Repository = "https://github.com/([^"]+)"', (ROOT / "pyproject.toml").read_text())
    if not match:
        raise SystemExit("pyproject.toml has no Repository URL under [project.urls].")
    return match.group(1)


def main(argv: list[str]) -> None:
    if len(argv) != 1 or not SLUG.match(argv[0]):
        raise SystemExit("usage: make set-repo REPO=owner/name   (a GitHub owner and repository name)")
    old, new = current_slug(), argv[0]
    files = [ROOT / "pyproject.toml", ROOT / "README.md"]
    files += sorted(p for folder in ("notebooks", "solutions") for p in (ROOT / folder).glob("*.ipynb"))
    for path in files:
        text = path.read_text()
        if old in text:
            path.write_text(text.replace(old, new))
            print(f"updated {path.relative_to(ROOT)}")
    print(f"repository: {old} -> {new}")


if __name__ == "__main__":
    main(sys.argv[1:])
