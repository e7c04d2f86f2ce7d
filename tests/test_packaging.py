"""What `pip install` gives a student outside a checkout (Colab): every module and data file the notebooks need."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from scripts.course_files import ROOT


def test_the_wheel_holds_every_module_sample_and_record(tmp_path: Path):
    source = tmp_path / "source"  # a copy: building in place would write into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(source)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("everything_is_a_mapping-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "helpers").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert sources <= names, f"missing from the wheel: {sorted(sources - names)}"
