"""The README's pictures and the script that makes them stay in step: every picture the README (or
docs/sandbox.md) shows exists, is one `python -m scripts.screenshots` writes, and every one it writes is
shown. The script itself needs a browser and is not run here."""

import re
import tomllib
from pathlib import Path

from PIL import Image

from scripts import screenshots

ROOT = Path(__file__).resolve().parents[2]
PICTURE = re.compile(r"""(?:src="|\]\()((?:docs/)?screenshots/[^")]+)""")


def shown(document: str) -> set[Path]:
    """The screenshots a Markdown file shows (as images or links), as paths in the repository."""
    path = ROOT / document
    return {(path.parent / found).resolve() for found in PICTURE.findall(path.read_text(encoding="utf-8"))}


def test_the_readme_shows_every_screenshot_the_script_makes() -> None:
    made = {(screenshots.OUT / name).resolve() for name in screenshots.SHOTS}
    in_readme = shown("README.md")
    assert in_readme == made
    assert shown("docs/sandbox.md") <= made
    assert "python -m scripts.screenshots" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_screenshot_is_in_the_repository_and_small() -> None:
    total = 0
    for name in screenshots.SHOTS:
        path = screenshots.OUT / name
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run python -m scripts.screenshots"
        with Image.open(path) as image:
            assert image.format == "PNG"
        total += path.stat().st_size
    assert total < 600_000, "keep the pictures small: the script writes 256-colour optimised PNGs"


def test_the_script_makes_what_it_names() -> None:
    assert screenshots.OUT == ROOT / "docs" / "screenshots"
    assert set(screenshots.STEPS) == set(screenshots.SHOTS)
    assert all(name.endswith(".png") for name in screenshots.SHOTS)
    packaged = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert not any(pattern.startswith("scripts") for pattern in packaged), "the script is not installed with Wrench"
