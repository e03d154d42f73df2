"""The layout of docs/architecture.md: `services/` in domain packages, each saying what it owns; imports
between them only in the directions written down here; and no circle of imports anywhere."""

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("models", "services", "blocks", "handlers", "scheduler", "bot")
SERVICES = ROOT / "services"

# What every domain package may use: the modules at the root of `services/`.
SHARED = {"errors", "inputs", "csv_import", "ports"}
# Which domain packages each one may import (besides itself and SHARED). Lower ones never import higher
# ones: the write side (organisation … sla) never reads `reporting`; `delivery` knows work orders only as
# rows (models), and work orders hand it notices and events in their own transaction.
ALLOWED: dict[str, set[str]] = {
    "organisation": set(),
    "mail": {"organisation"},
    "contracting": {"organisation", "mail"},
    "inventory": {"organisation", "contracting"},
    "delivery": {"organisation", "inventory"},
    "work_orders": {"organisation", "contracting", "inventory", "delivery"},
    "requests": {"organisation", "mail", "inventory", "delivery", "work_orders"},
    "maintenance": {"organisation", "inventory", "delivery", "work_orders"},
    "sla": {"organisation", "delivery", "work_orders"},
    "contractor_jobs": {"organisation", "mail", "contracting", "inventory", "delivery", "work_orders", "requests"},
    "purchasing": {"organisation", "contracting", "inventory", "delivery", "work_orders", "mail"},
    "reporting": {
        "organisation",
        "contracting",
        "inventory",
        "delivery",
        "work_orders",
        "requests",
        "maintenance",
        "sla",
        "contractor_jobs",
        "purchasing",
    },
}
# The shared modules may lean on the organisation (for its type), nothing higher.
SHARED_MAY_IMPORT = {"organisation"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for top in OURS for path in sorted((ROOT / top).rglob("*.py"))}


def imported_modules(path: Path, known: Iterable[str]) -> set[str]:
    """The modules of ours that `path` imports (`from pkg import module` counts as that module)."""
    known = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in known:
                    found.add(child)
                elif node.module in known:
                    found.add(node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imported_modules(path, modules) - {name} for name, path in modules.items()}


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def domain_of(module: str) -> str | None:
    """`services.work_orders.lifecycle` → `work_orders`; a shared root module → `shared:<name>`."""
    parts = module.split(".")
    if parts[0] != "services" or len(parts) < 2:
        return None
    if (SERVICES / parts[1]).is_dir():
        return parts[1]
    return f"shared:{parts[1]}"


def test_no_module_imports_itself_round_a_circle() -> None:
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_one() -> None:
    """The control: a circle of three and a circle of two are both reported; a chain is not."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d"}, "f": {"a"}}
    assert sorted(circles(graph)) == [["a", "b", "c"], ["d", "e"]]


def test_every_folder_under_services_is_a_domain_with_its_docstring() -> None:
    folders = sorted(path for path in SERVICES.iterdir() if path.is_dir() and path.name != "__pycache__")
    assert [folder.name for folder in folders] == sorted(ALLOWED)
    for folder in folders:
        init = folder / "__init__.py"
        assert init.exists(), f"{folder.relative_to(ROOT)} is not a package"
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring, f"{init.relative_to(ROOT)} does not say what the package owns"
        assert not [node for node in ast.parse(init.read_text()).body if not isinstance(node, ast.Expr)], (
            f"{init.relative_to(ROOT)} should hold its docstring only"
        )


def test_only_the_shared_modules_sit_at_the_root_of_services() -> None:
    loose = {path.stem for path in SERVICES.glob("*.py")} - {"__init__"}
    assert loose == SHARED


def direction_offences(graph: Mapping[str, set[str]]) -> list[str]:
    offences = []
    for module, imported in sorted(graph.items()):
        source = domain_of(module)
        if source is None:
            continue
        for target_module in sorted(imported):
            target = domain_of(target_module)
            if target is None or target == source or target.startswith("shared:"):
                continue
            allowed = SHARED_MAY_IMPORT if source.startswith("shared:") else ALLOWED[source]
            if target not in allowed:
                offences.append(f"{module} imports {target_module}")
    return offences


def test_domain_packages_import_only_in_the_written_directions() -> None:
    assert direction_offences(import_graph()) == []


@pytest.mark.parametrize("reader", ["reporting"])
def test_the_write_side_never_reads_the_read_side(reader: str) -> None:
    """Reporting reads work orders, requests and maintenance; none of them ever reads reporting."""
    assert not [source for source, targets in ALLOWED.items() if reader in targets]


def test_the_direction_check_sees_a_backwards_import() -> None:
    """The control: work orders reading reporting, or delivery calling the work-order services, is caught."""
    graph = {
        "services.work_orders.lifecycle": {"services.reporting.kpis", "services.errors"},
        "services.delivery.payloads": {"services.work_orders.changes", "services.inventory.places"},
    }
    assert direction_offences(graph) == [
        "services.delivery.payloads imports services.work_orders.changes",
        "services.work_orders.lifecycle imports services.reporting.kpis",
    ]


def test_the_graph_sees_both_forms_of_import() -> None:
    graph = import_graph()
    assert "services.work_orders.changes" in graph["services.work_orders.lifecycle"]  # from pkg import module
    assert "services.organisation.org" in graph["services.work_orders.lifecycle"]  # from module import name
