"""Mrkdwn has one way in: `blocks/text.py`. Nothing else builds a mrkdwn text object, escapes by hand or
formats mrkdwn with an f-string, so a new message cannot forget to escape what a person typed."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THE_PATH = ROOT / "blocks" / "text.py"
PACKAGES = ("blocks", "handlers", "bot", "services", "scheduler")


def sources() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py")) if path != THE_PATH]


def offences(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values, strict=True)
            if any(_is(key, "type") and _is(value, "mrkdwn") for key, value in pairs):
                found.append(f"{where}: a mrkdwn text object built by hand (use t.mrkdwn)")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "escape" and _name(node.func.value) == "t":
                found.append(f"{where}: t.escape by hand (use t.md, which escapes every value)")
            takes_mrkdwn = node.func.attr in {"mrkdwn", "md", "message"} and _name(node.func.value) == "t"
            if takes_mrkdwn and node.args and isinstance(node.args[0], ast.JoinedStr):
                found.append(f"{where}: an f-string given to t.{node.func.attr} (use t.md with values)")
    return found


def _is(node: ast.AST | None, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


def _name(node: ast.AST) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def test_mrkdwn_is_written_only_through_blocks_text() -> None:
    assert [offence for path in sources() for offence in offences(path)] == []


def test_the_check_sees_the_mistakes_it_is_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'a = {"type": "mrkdwn", "text": title}\nb = t.escape(title)\nc = t.mrkdwn(f"*{title}*")\nd = t.md("{}", x)\n'
    )
    assert len(offences(sample, tmp_path)) == 3
