"""Nothing an operator reads names the tracker's issues ("issue #4", "later issues"): the numbers mean
nothing outside the project's planning. Comments, docstrings, docs, the manifest, the example config,
benchmarks and tests say what the code does instead."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXT = {".py", ".md", ".yml", ".yaml", ".toml", ".txt", ".cfg", ".ini", ".html", ".css", ".js", ".sh", ".csv", ""}
HASH = "#"  # spelled apart so this file does not match its own patterns
PATTERNS = [
    re.compile(rf"\bissues?\s*{HASH}\s*\d+", re.IGNORECASE),  # issue #4, issues #2 to #6
    re.compile(r"\bissues?\s+\d+\b", re.IGNORECASE),  # issue 7
    re.compile(r"\b(?:later|earlier|next|previous|future|coming|other)\s+issues?\b", re.IGNORECASE),
    re.compile(rf"(?<![\w&/]){HASH}\d+'s\b"),  # #7's targets
    re.compile(rf"\b(?:every|in|of|by)\s+{HASH}\d+\b", re.IGNORECASE),  # every #7 target, done in #5
    re.compile(r"\bthe issues\b", re.IGNORECASE),
    re.compile(r"reliability-issue-\d"),  # a heading's anchor that named one
]


def tracked_text_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        paths = [ROOT / line for line in listed.splitlines()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every file but the tooling's
        skip = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        paths = [p for p in ROOT.rglob("*") if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    return [p for p in paths if p.suffix in TEXT and p.is_file() and p != Path(__file__).resolve()]


def test_nothing_names_an_issue_number() -> None:
    found = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if any(pattern.search(line) for pattern in PATTERNS):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert found == [], "say what the code does instead of naming an issue:\n" + "\n".join(found)


def test_the_patterns_catch_what_they_are_for() -> None:
    caught = [
        f"For SLA escalations (issue {HASH}4).",
        f"What works today (issues {HASH}2 to {HASH}6, and {HASH}7's reliability work)",
        "The permissions matrix (issue 7): every action",
        "business hours: later issues",
        f"docs: second round of ack figures (every {HASH}7 target met)",
    ]
    fine = [f"`{HASH}42` means work order 42", "issue['loc']", "chat_postMessage:C0OLD:#1: channel_not_found"]
    assert all(any(p.search(line) for p in PATTERNS) for line in caught)
    assert not any(p.search(line) for p in PATTERNS for line in fine)


def test_docs_point_only_at_files_in_the_repository() -> None:
    """The architecture is described in docs/architecture.md, not in a file the reader does not have."""
    assert (ROOT / "docs/architecture.md").is_file()
    for path in tracked_text_files():
        if path.suffix in (".md", ".py"):
            assert "ARCHITECTURE.md" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)
