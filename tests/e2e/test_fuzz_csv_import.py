"""Hostile spreadsheets for `wrench import` (property tests on a real database, and the command itself):
every file imports whole, with each cell stored as written, or not at all, with every problem naming its
line; never a crash."""

import csv
import io
import re
from functools import partial
from pathlib import Path

from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import select

from models.db import Database
from models.parts import Part
from models.places import Asset, Location
from models.vendors import Vendor
from services import csv_import
from services.contracting.vendor_import import VENDORS
from services.inventory.register_import import ASSETS, LOCATIONS, PARTS
from services.maintenance.pm_import import PM
from services.organisation.org import Organisation
from tests.conftest import FrozenClock
from tests.support import hostile
from tests.support.fake_slack import FakeSlack
from tests.support.fuzz import E2E, row_counts
from tests.support.process import wrench_env, wrench_in_process

PROBLEM = re.compile(r"^line (\d+): ")

words = hostile.storable_text
SENSIBLE: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "locations": {"path": st.lists(words(max_size=20), min_size=1, max_size=3).map(" / ".join)},
    "assets": {
        "tag": st.from_regex(r"[A-Z]{2,4}-[0-9]{1,3}", fullmatch=True),
        "name": words(),
        "location": st.sampled_from(("", "HQ / Plant room", "HQ / Roof")),
        "category": words(max_size=20),
        "manufacturer": words(max_size=30),
        "model": words(max_size=30),
        "serial": words(max_size=30),
        "installed_on": st.dates().map(str),
        "criticality": st.sampled_from(("low", "medium", "High", "critical")),
    },
    "parts": {
        "sku": st.from_regex(r"[A-Z]{2,4}-[0-9]{1,3}", fullmatch=True),
        "name": words(),
        "unit": st.sampled_from(("each", "box", "m")),
        "unit_cost": st.decimals(0, 10_000, places=2).map(str),
        "on_hand": st.integers(0, 500).map(str),
        "reorder_point": st.integers(0, 50).map(str),
        "location": words(max_size=30),
    },
    "pm": {
        "key": st.from_regex(r"[a-z]{3,8}", fullmatch=True),
        "title": words(),
        "team": st.just("facilities"),
        "description": words(),
        "priority": st.sampled_from(("low", "high")),
        "checklist": st.sampled_from(("", "Check flue | Pressure [number bar 1..2]")),
        "repeat": st.just("weeks"),
        "every": st.integers(1, 4).map(str),
        "weekdays": st.sampled_from(("", "mon,thu")),
        "starts_on": st.just("2026-03-02"),
        "anchor": st.sampled_from(("fixed", "floating")),
        "estimated_minutes": st.integers(1, 120).map(str),
    },
    "vendors": {
        "key": st.from_regex(r"[a-z]{3,8}", fullmatch=True),
        "name": words(),
        "trades": st.sampled_from(("", "hvac", "plumbing,hvac")),
        "contact_name": words(max_size=30),
        "email": st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True),
        "phone": st.sampled_from(("", "+44 20 7946 0000", "(555) 010-0199 x12")),
        "hourly_rate": st.decimals(0, 10_000, places=2).map(str),
        "currency": st.sampled_from(("", "EUR", "gbp", "KWD")),
        "expires_on": st.dates().map(str),
        "notes": words(),
    },
}
KINDS = {kind.name: kind for kind in (LOCATIONS, ASSETS, PARTS, VENDORS, PM)}


def wild() -> st.SearchStrategy[str]:
    """What a careless export or a hostile sender puts in a cell."""
    return st.one_of(hostile.text(), hostile.numberish(), hostile.huge(longest=3001)).map(
        hostile.without_surrogates  # a file on disk is UTF-8 (`wrench import` refuses what is not)
    )


@st.composite
def spreadsheet(draw: st.DrawFn, kind: csv_import.Kind) -> list[dict[str, str]]:
    """Rows of sensible cells, each with up to two wild ones; columns left out are empty."""
    sensible = SENSIBLE[kind.name]
    rows = []
    for _ in range(draw(st.integers(1, 4))):
        odd = draw(st.sets(st.sampled_from(kind.columns), max_size=2))
        row = {}
        for column in kind.columns:
            if column in odd:
                row[column] = draw(wild())
            elif column in sensible:
                row[column] = draw(sensible[column])
        rows.append(row)
    return rows


def as_csv(kind: csv_import.Kind, rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=kind.columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@E2E
@given(sheet=st.sampled_from(sorted(KINDS)).flatmap(lambda kind: st.tuples(st.just(kind), spreadsheet(KINDS[kind]))))
@example(sheet=("assets", [{"tag": "PMP-1", "name": "Feed pump"}, {"tag": "PMP-2", "name": "Nul\x00pump"}]))
@example(sheet=("assets", [{"tag": "PMP-1", "name": "Pump", "location": "HQ / " + "x" * 130}]))
@example(sheet=("locations", [{"path": "HQ / " + "/".join(["level"] * 100)}]))
@example(sheet=("parts", [{"sku": "FLT-1", "name": "Filter", "unit_cost": "30000000"}]))
@example(sheet=("parts", [{"sku": "FLT-1", "name": "Filter", "on_hand": "1e300", "reorder_point": "1e300"}]))
@example(sheet=("assets", [{"tag": "PMP-1", "name": "x" * 151}]))
async def test_a_hostile_spreadsheet_imports_whole_or_names_each_wrong_line(
    db: Database, org: Organisation, clock: FrozenClock, sheet: tuple[str, list[dict[str, str]]]
) -> None:
    kind, rows = sheet
    before = await row_counts(db)
    try:
        read = csv_import.read_rows(KINDS[kind], as_csv(KINDS[kind], rows))
        lines = {1, *(line for line, _ in read)}
        report = await db.run(partial(csv_import.run, kind=KINDS[kind], org=org, now=clock(), rows=read))
    except csv_import.ImportFailed as refused:
        event(f"{kind} refused")
        for problem in refused.problems:
            found = PROBLEM.match(problem)
            assert found and int(found.group(1)) in lines, problem
            assert problem.removeprefix(found.group(0)).strip(), problem
        assert await row_counts(db) == before, "a refused import wrote something"
        return
    event(f"{kind} imported")
    assert sum(len(done) for done in report.done.values()) == len(read)
    await stored_as_written(db, kind, [cells for _, cells in read])


async def stored_as_written(db: Database, kind: str, rows: list[dict[str, str]]) -> None:
    """Every imported cell is stored exactly (stripped), not cut short."""
    async with db.unit_of_work() as session:
        for cells in rows:
            if kind == "assets":
                asset = await session.scalar(select(Asset).where(Asset.tag == cells["tag"]))
                assert asset is not None and asset.name == cells["name"]
                for column in ("category", "manufacturer", "model", "serial"):
                    assert getattr(asset, column) == (cells.get(column) or None), column
            elif kind == "parts":
                part = await session.scalar(select(Part).where(Part.sku == cells["sku"]))
                assert part is not None and part.name == cells["name"]
                assert part.location == cells.get("location", "")
            elif kind == "vendors":
                vendor = await session.scalar(select(Vendor).where(Vendor.key == cells["key"]))
                assert vendor is not None and vendor.name == cells["name"]
                for column in ("contact_name", "email", "phone", "notes"):
                    assert getattr(vendor, column) == cells.get(column, ""), column
            elif kind == "locations":
                levels = [level.strip() for level in cells["path"].split("/") if level.strip()]
                found = await session.scalar(select(Location).where(Location.name == levels[-1]))
                assert found is not None, levels


async def test_the_command_names_the_line_of_each_hostile_cell_and_imports_nothing(
    tmp_path: Path, database_url: str, fake_slack: FakeSlack, db: Database
) -> None:
    env = wrench_env(tmp_path, database_url, fake_slack)
    before = await row_counts(db)
    sheet = tmp_path / "assets.csv"
    sheet.write_text(
        "tag,name,location,model\n"
        "PMP-1,Feed pump,,CR5\n"
        "PMP-2,Nul\x00pump,,CR5\n"  # PostgreSQL cannot store a NUL
        f"PMP-3,Pump,HQ / {'x' * 130},CR5\n"  # a location level longer than its column
        f"PMP-4,Pump,,{'y' * 101}\n",  # a model longer than its column (it used to be cut short)
        encoding="utf-8",
    )
    code, output = await wrench_in_process("import", "assets", str(sheet), env=env)
    assert code == 1 and "Traceback" not in output, output
    assert f"{sheet}: line 3: name: Remove the character" in output
    assert f"{sheet}: line 4: location: A level of a location has at most 120 characters" in output
    assert f"{sheet}: line 5: model: use at most 100 characters (this has 101)" in output
    assert "3 problems; nothing was imported" in output
    assert await row_counts(db) == before
