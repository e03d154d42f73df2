"""The location and asset registers: adding to them (the CLI), listing them, and finding in them (the
request form's type-ahead pickers, the asset card)."""

import difflib
import re
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import AssetStatus, Criticality
from models.places import LEVEL_MAX, PATH_MAX, Asset, Location
from models.schemas import Choice
from services.contracting import vendors
from services.errors import InvalidInput, NotFound
from services.inputs import searchable

PATH_SEPARATOR = " / "
PICKER_LIMIT = 20  # Slack shows up to 100 options; 20 rows answer a type-ahead quickly
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


async def find_locations(session: AsyncSession, text: str, *, limit: int = PICKER_LIMIT) -> list[Choice]:
    """Locations whose path contains every typed word, shortest path first."""
    query = select(Location.id, Location.path)
    for word in searchable(text).lower().split()[:5]:
        query = query.where(func.lower(Location.path).contains(word, autoescape=True))
    rows = await session.execute(query.order_by(func.length(Location.path), Location.path).limit(limit))
    return [Choice(id=row.id, label=row.path) for row in rows]


async def find_assets(session: AsyncSession, text: str, *, limit: int = PICKER_LIMIT) -> list[Choice]:
    """Assets whose tag or name contains every typed word, by tag."""
    query = select(Asset.id, Asset.tag, Asset.name)
    for word in searchable(text).lower().split()[:5]:
        query = query.where(
            or_(
                func.lower(Asset.tag).contains(word, autoescape=True),
                func.lower(Asset.name).contains(word, autoescape=True),
            )
        )
    rows = await session.execute(query.order_by(Asset.tag).limit(limit))
    return [Choice(id=row.id, label=f"{row.tag} · {row.name}") for row in rows]


async def asset_label(session: AsyncSession, asset_id: int | None, *, with_status: bool = False) -> str | None:
    """The label "TAG · name", and (`with_status`) " · down" while it is down."""
    if asset_id is None:
        return None
    asset = await session.get(Asset, asset_id)
    if asset is None:
        return None
    down = " · down" if with_status and asset.status is AssetStatus.DOWN else ""
    return f"{asset.tag} · {asset.name}{down}"


async def asset_by_tag(session: AsyncSession, tag: str) -> Asset:
    found = await session.execute(select(Asset).where(func.lower(Asset.tag) == searchable(tag).strip().lower()))
    asset = found.scalar_one_or_none()
    if asset is None:
        raise NotFound(f"There is no asset tagged “{tag[:64]}”.")
    return asset


async def tags_of(session: AsyncSession, asset_ids: Iterable[int | None]) -> dict[int, str]:
    """The tag of each asset id given (None and unknown ids are skipped), in one query."""
    wanted = {asset_id for asset_id in asset_ids if asset_id is not None}
    if not wanted:
        return {}
    found = await session.execute(select(Asset.id, Asset.tag).where(Asset.id.in_(wanted)))
    return {asset_id: tag for asset_id, tag in found}


async def location_label(session: AsyncSession, location_id: int | None) -> str | None:
    if location_id is None:
        return None
    location = await session.get(Location, location_id)
    return location.path if location else None


def location_levels(path: str) -> list[str]:
    """The levels of `path` ("Site / Building / Room"), checked: at least one, none and the whole not too long."""
    names = [name.strip() for name in path.split("/") if name.strip()]
    if not names:
        raise InvalidInput("A location needs a name.", field="path")
    longest = max(names, key=len)
    if len(longest) > LEVEL_MAX:
        raise InvalidInput(
            f"A level of a location has at most {LEVEL_MAX} characters (“{longest[:40]}…” has {len(longest)}).",
            field="location",
        )
    if len(PATH_SEPARATOR.join(names)) > PATH_MAX:
        raise InvalidInput(f"A location's whole path has at most {PATH_MAX} characters.", field="location")
    return names


async def existing_location(session: AsyncSession, path: str) -> int:
    """The id of the location at `path` (regardless of case and spacing around `/`); a path not in the
    register is refused, naming the closest existing path when one is close (a typo must not make a site)."""
    full = PATH_SEPARATOR.join(location_levels(path))
    found = await session.scalar(select(Location.id).where(func.lower(Location.path) == full.lower()))
    if found is not None:
        return int(found)
    paths = list((await session.scalars(select(Location.path))).all())
    by_lower = {known.lower(): known for known in paths}
    close = difflib.get_close_matches(full.lower(), list(by_lower), n=1, cutoff=0.75)
    guess = f"; did you mean “{by_lower[close[0]]}”?" if close else "."
    raise InvalidInput(f"There is no location “{full}”{guess}", field="location")


async def add_location(session: AsyncSession, path: str, *, now: datetime) -> int:
    """The id of the location at `path` ("Site / Building / Room"), creating it and its parents. Paths
    match regardless of case: an existing level keeps the spelling it was created with."""
    names = location_levels(path)
    parent_id: int | None = None
    parent_path = ""
    for name in names:
        full = f"{parent_path}{PATH_SEPARATOR}{name}" if parent_path else name
        location = (
            await session.execute(select(Location).where(func.lower(Location.path) == full.lower()))
        ).scalar_one_or_none()
        if location is None:
            location = Location(name=name, parent_id=parent_id, path=full, created_at=now, updated_at=now)
            session.add(location)
            await session.flush()
        parent_id, parent_path = location.id, location.path
    assert parent_id is not None
    return parent_id


async def add_asset(
    session: AsyncSession,
    *,
    tag: str,
    name: str,
    location: str | None,
    now: datetime,
    category: str = "",
    parent: str = "",
    manufacturer: str = "",
    model: str = "",
    serial: str = "",
    installed_on: date | None = None,
    criticality: Criticality = Criticality.MEDIUM,
    create_location: bool = True,
    service_vendor: str = "",
) -> int:
    """A new asset; `location` is a path (created with its parents when new, unless `create_location` is
    False: then it must exist), `parent` another asset's tag, `service_vendor` the key of the vendor that
    services it."""
    tag, name = tag.strip(), name.strip()
    if not TAG.match(tag):
        raise InvalidInput(f"“{tag[:64]}” is not an asset tag: letters, digits and . _ / - (at most 64).", field="tag")
    existing = await session.scalar(select(Asset.tag).where(func.lower(Asset.tag) == tag.lower()))
    if existing is not None:
        raise InvalidInput(f"There is already an asset {existing}.", field="tag")
    if not name:
        raise InvalidInput("An asset needs a name.", field="name")
    parent_id = None
    if parent.strip():
        try:
            parent_id = (await asset_by_tag(session, parent)).id
        except NotFound as error:
            raise InvalidInput(str(error), field="parent") from None
    vendor_id = await service_vendor_id(session, service_vendor) if service_vendor.strip() else None
    location_id = None
    if location:
        location_id = await (
            add_location(session, location, now=now) if create_location else existing_location(session, location)
        )
    asset = Asset(
        tag=tag,
        name=name[:150],
        location_id=location_id,
        category=category.strip()[:64] or None,
        parent_id=parent_id,
        manufacturer=manufacturer.strip()[:100] or None,
        model=model.strip()[:100] or None,
        serial=serial.strip()[:100] or None,
        installed_on=installed_on,
        criticality=criticality,
        service_vendor_id=vendor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(asset)
    await session.flush()
    return asset.id


async def service_vendor_id(session: AsyncSession, key: str) -> int:
    """The id of the vendor `key`, refused on the asset's `service_vendor` field when there is none."""
    try:
        return (await vendors.by_key(session, key)).id
    except NotFound as error:
        raise InvalidInput(f"{error} Vendors are added by `wrench vendors add`.", field="service_vendor") from None


async def set_service_vendor(session: AsyncSession, *, tag: str, vendor_key: str | None) -> Asset:
    """Name the vendor that services the asset `tag` (by its key), or no vendor (`vendor_key` None)."""
    asset = await asset_by_tag(session, tag)
    asset.service_vendor_id = await service_vendor_id(session, vendor_key) if vendor_key else None
    await session.flush()
    return asset


async def assets_with_places(session: AsyncSession) -> list[tuple[Asset, str | None]]:
    """Every asset by tag, with its location's path."""
    rows = await session.execute(
        select(Asset, Location.path).outerjoin(Location, Location.id == Asset.location_id).order_by(Asset.tag)
    )
    return [(asset, path) for asset, path in rows]


async def location_paths(session: AsyncSession) -> list[str]:
    """Every location's path, so that each site's buildings, floors and rooms follow it."""
    return list((await session.execute(select(Location.path).order_by(Location.path))).scalars())
