"""`wrench import locations|assets|parts FILE.csv`: the registers from a spreadsheet (the rules every
import follows are in `csv_import`). On an update an empty cell keeps what is stored; a part's
`on_hand` on an update is a stock count, recorded as a movement of the difference. Only a locations
import creates locations: an asset's location must be in the register (a typo must not make a site).
A part's location is free text (a store and shelf), not a place in the register. An asset's
`service_vendor` is the key of a vendor in the vendors register (`wrench import vendors`)."""

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Criticality
from models.parts import Part
from models.places import Asset, Location
from services import csv_import
from services.csv_import import Outcome
from services.errors import DomainError, InvalidFields, InvalidInput
from services.inventory import parts, places
from services.organisation.org import Organisation

IMPORT_ACTOR = "import"  # who stock movements made by an import are recorded as


async def upsert_location(
    session: AsyncSession, org: Organisation, now: datetime, cells: dict[str, str]
) -> tuple[Outcome, str]:
    path = places.PATH_SEPARATOR.join(part.strip() for part in cells.get("path", "").split("/") if part.strip())
    if not path:
        raise InvalidFields({"path": "write the location's path, like HQ / Building A / Room 204"})
    existed = await session.scalar(select(Location.path).where(func.lower(Location.path) == path.lower()))
    if existed is not None:
        return Outcome.UNCHANGED, existed
    await places.add_location(session, path, now=now)
    return Outcome.CREATED, path


async def upsert_asset(
    session: AsyncSession, org: Organisation, now: datetime, cells: dict[str, str]
) -> tuple[Outcome, str]:
    """A new asset, or the asset with that tag updated with every non-empty cell."""
    tag, errors = cells.get("tag", ""), _too_long(cells, ASSET_LENGTHS)
    details: dict[str, Any] = {
        name: cells[name] for name in ("category", "manufacturer", "model", "serial") if cells.get(name)
    }
    installed = _parsed(cells, "installed_on", date.fromisoformat, "write a date as YYYY-MM-DD", errors)
    if installed is not None:
        details["installed_on"] = installed
    criticality = _parsed(cells, "criticality", Criticality, f"one of {', '.join(Criticality)}", errors)
    if criticality is not None:
        details["criticality"] = criticality
    location_id = None
    if cells.get("location"):
        try:
            location_id = await places.existing_location(session, cells["location"])
        except InvalidInput as error:
            errors["location"] = (
                f"{error} Locations are created by `wrench import locations` (or `wrench locations add`)."
            )
    vendor_id = None
    if cells.get("service_vendor"):
        try:
            vendor_id = await places.service_vendor_id(session, cells["service_vendor"])
        except InvalidInput as error:
            errors["service_vendor"] = str(error)
    if errors:
        raise InvalidFields(errors)
    existing = (await session.execute(select(Asset).where(func.lower(Asset.tag) == tag.lower()))).scalar_one_or_none()
    if existing is None:
        if not cells.get("name"):
            raise InvalidFields({"name": "a new asset needs a name"})
        await _refused_as(
            "tag",
            places.add_asset(
                session,
                tag=tag,
                name=cells["name"],
                location=cells.get("location") or None,
                now=now,
                parent=cells.get("parent", ""),
                create_location=False,
                service_vendor=cells.get("service_vendor", ""),
                **details,
            ),
        )
        return Outcome.CREATED, f"{tag} {cells['name']}"
    if cells.get("name"):
        existing.name = cells["name"][:150]
    if cells.get("location"):
        existing.location_id = location_id
    if cells.get("parent"):
        parent = await _refused_as("parent", places.asset_by_tag(session, cells["parent"]))
        if parent.id == existing.id:
            raise InvalidFields({"parent": "an asset cannot be a component of itself"})
        existing.parent_id = parent.id
    if vendor_id is not None:
        existing.service_vendor_id = vendor_id
    for name, value in details.items():
        setattr(existing, name, value[:100] if isinstance(value, str) else value)
    existing.updated_at = now
    return Outcome.UPDATED, f"{existing.tag} {existing.name}"


async def upsert_part(
    session: AsyncSession, org: Organisation, now: datetime, cells: dict[str, str]
) -> tuple[Outcome, str]:
    """A new part (its `on_hand` the opening stock), or the part with that SKU updated."""
    errors = _too_long(cells, PART_LENGTHS)
    amounts = {
        name: _parsed(cells, name, parse, hint, errors)
        for name, parse, hint in (
            ("unit_cost", _cost, f"write a number, 0 or more (at most {parts.MAX_UNIT_COST:,})"),
            ("on_hand", _amount, "write a number, 0 or more"),
            ("reorder_point", _amount, "write a number, 0 or more"),
        )
    }
    if errors:
        raise InvalidFields(errors)
    sku = cells.get("sku", "")
    existing = (await session.execute(select(Part).where(func.lower(Part.sku) == sku.lower()))).scalar_one_or_none()
    if existing is None:
        part = await _refused_as(
            "sku",
            parts.add_part(
                session,
                now=now,
                actor_id=IMPORT_ACTOR,
                sku=sku,
                name=cells.get("name", ""),
                unit=cells.get("unit") or "each",
                unit_cost=amounts["unit_cost"] or 0,
                on_hand=amounts["on_hand"] or 0,
                reorder_point=amounts["reorder_point"] or 0,
                location=cells.get("location", ""),
            ),
        )
        return Outcome.CREATED, f"{part.sku} {part.name}"
    changed = False
    for column, attribute, value in (
        ("name", "name", cells.get("name", "")[:150]),
        ("unit", "unit", cells.get("unit", "")[:20]),
        ("location", "location", cells.get("location", "")[:200]),
        ("unit_cost", "unit_cost_cents", round((amounts["unit_cost"] or 0) * 100)),
        ("reorder_point", "reorder_point", amounts["reorder_point"]),
    ):
        if cells.get(column) and getattr(existing, attribute) != value:
            setattr(existing, attribute, value)
            changed = True
    if amounts["on_hand"] is not None:
        counted = await parts.count(
            session, now=now, actor_id=IMPORT_ACTOR, part=existing, on_hand=amounts["on_hand"], note="imported count"
        )
        changed = changed or counted
    if changed:
        existing.updated_at = now
    return (Outcome.UPDATED if changed else Outcome.UNCHANGED), f"{existing.sku} {existing.name}"


def _amount(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def _cost(text: str) -> float:
    value = _amount(text)
    if value > parts.MAX_UNIT_COST:
        raise ValueError(text)
    return value


# What the columns hold: a longer cell is refused rather than cut short.
ASSET_LENGTHS = {"name": 150, "category": 64, "manufacturer": 100, "model": 100, "serial": 100}
PART_LENGTHS = {"name": 150, "unit": 20, "location": 200}


def _too_long(cells: dict[str, str], limits: dict[str, int]) -> dict[str, str]:
    return {
        column: f"use at most {limit} characters (this has {len(cells[column])})"
        for column, limit in limits.items()
        if len(cells.get(column, "")) > limit
    }


def _parsed(cells: dict[str, str], column: str, parse: Callable[[str], Any], hint: str, errors: dict[str, str]) -> Any:
    """The cell parsed, None when empty; a cell that does not parse adds `hint` to `errors`."""
    text = cells.get(column, "")
    if not text:
        return None
    try:
        return parse(text.lower() if parse is Criticality else text)
    except ValueError:
        errors[column] = f"“{text[:40]}”: {hint}"
        return None


async def _refused_as(column: str, work: Any) -> Any:
    """Await a service call; its refusal is reported under the field it names, else under `column`."""
    try:
        return await work
    except InvalidFields:
        raise
    except DomainError as error:
        field = error.field if isinstance(error, InvalidInput) and error.field else column
        raise InvalidFields({field: str(error)}) from None


LOCATIONS = csv_import.Kind(
    name="locations",
    columns=("path",),
    required=("path",),
    key="path",
    example={"path": "HQ / Building A / Floor 2 / Room 204"},
    upsert=upsert_location,
)
ASSETS = csv_import.Kind(
    name="assets",
    columns=(
        "tag",
        "name",
        "location",
        "category",
        "parent",
        "manufacturer",
        "model",
        "serial",
        "installed_on",
        "criticality",
        "service_vendor",
    ),
    required=("tag",),
    key="tag",
    example={
        "tag": "PMP-1",
        "name": "Boiler feed pump",
        "location": "HQ / Plant room",
        "category": "pumps",
        "parent": "BLR-1",
        "manufacturer": "Grundfos",
        "model": "CR5",
        "serial": "A1234",
        "installed_on": "2019-04-01",
        "criticality": "high",
        "service_vendor": "acme-pumps",
    },
    upsert=upsert_asset,
)
PARTS = csv_import.Kind(
    name="parts",
    columns=("sku", "name", "unit", "unit_cost", "on_hand", "reorder_point", "location"),
    required=("sku",),
    key="sku",
    example={
        "sku": "FLT-20",
        "name": "Air filter 20x20",
        "unit": "each",
        "unit_cost": "12.50",
        "on_hand": "24",
        "reorder_point": "6",
        "location": "Store A, shelf 3",
    },
    upsert=upsert_part,
)
