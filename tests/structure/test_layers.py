"""The dependency direction of docs/architecture.md (models ← services ← blocks, handlers, scheduler ← bot),
checked on every import statement."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"models", "services", "blocks", "handlers", "scheduler", "bot"}
SLACK_AND_HTTP = {"slack_bolt", "slack_sdk", "aiohttp"}

# package → top-level modules (ours or third-party) it must never import
FORBIDDEN: dict[str, set[str]] = {
    "models": (OURS - {"models"}) | SLACK_AND_HTTP,
    "services": (OURS - {"models", "services"}) | SLACK_AND_HTTP,
    "blocks": (OURS - {"models", "blocks"}) | SLACK_AND_HTTP | {"sqlalchemy"},
    "handlers": {"bot", "scheduler", "sqlalchemy", "aiohttp", "slack_sdk"},
    "scheduler": {"bot", "handlers", "blocks", "slack_bolt"},
}
# within `models`, only the DTO-ish modules may be imported by builders and handlers
READ_MODELS = {
    "models.schemas",
    "models.contractor_schemas",
    "models.calendar_schemas",
    "models.views",
    "models.enums",
}
MODELS_ALLOWED_FOR = {"blocks": READ_MODELS, "handlers": READ_MODELS}


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_inward(package: str) -> None:
    offences = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in FORBIDDEN[package]:
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
            allowed_models = MODELS_ALLOWED_FOR.get(package)
            if allowed_models is not None and top == "models" and name.count(".") >= 1:
                module = ".".join(name.split(".")[:2])
                if module not in allowed_models:
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offences == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    """The control: a services module importing slack_sdk is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from slack_sdk.web.async_client import AsyncWebClient\nimport blocks.card\n")
    assert {"slack_sdk.web.async_client", "blocks.card"} <= imports_of(bad)
    assert {name.split(".")[0] for name in imports_of(bad)} & FORBIDDEN["services"] == {"slack_sdk", "blocks"}
