"""The registers from the command line: `wrench parts`, `wrench assets`, `wrench locations`."""

from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.support import now, run_in_database
from models.enums import Criticality
from services.errors import InvalidInput
from services.inventory import parts, places

parts_cli = typer.Typer(help="The parts register: add parts, receive stock, list stock.", no_args_is_help=True)
assets_cli = typer.Typer(
    help="The asset register: add assets, list them, name the vendor that services one.", no_args_is_help=True
)
locations_cli = typer.Typer(help="Locations (site / building / floor / room): add, list.", no_args_is_help=True)
CLI_ACTOR = "cli"  # who stock movements made with `wrench parts` are recorded as
T = TypeVar("T")


@parts_cli.command("add")
def parts_add(
    sku: Annotated[str, typer.Argument(help="Stock keeping unit, unique (letters, digits, . _ / -).")],
    name: Annotated[str, typer.Argument(help="What it is.")],
    unit: Annotated[str, typer.Option(help="each, m, l, kg...")] = "each",
    cost: Annotated[float, typer.Option(min=0, help="Unit cost, in the organisation's currency.")] = 0,
    on_hand: Annotated[float, typer.Option(min=0, help="Opening stock (recorded as a movement).")] = 0,
    reorder_point: Annotated[float, typer.Option(min=0, help="Alert the team when stock falls to this.")] = 0,
    location: Annotated[str, typer.Option(help="Where it is kept.")] = "",
) -> None:
    """Add a part to the register."""
    work = partial(
        parts.add_part,
        now=now(),
        actor_id=CLI_ACTOR,
        sku=sku,
        name=name,
        unit=unit,
        unit_cost=cost,
        on_hand=on_hand,
        reorder_point=reorder_point,
        location=location,
    )
    part = run_in_database(work)
    typer.echo(f"added {part.sku} {part.name}: {on_hand:g} {part.unit} in stock")


@parts_cli.command("receive")
def parts_receive(
    sku: Annotated[str, typer.Argument(help="The part's SKU.")],
    quantity: Annotated[float, typer.Argument(help="How many arrived.")],
    note: Annotated[str, typer.Option(help="Delivery note, order number...")] = "",
) -> None:
    """Record stock that arrived (a movement); back above the reorder point, the alert is armed again."""
    part = run_in_database(partial(parts.receive, now=now(), actor_id=CLI_ACTOR, sku=sku, quantity=quantity, note=note))
    typer.echo(f"{part.sku}: {part.on_hand:g} {part.unit} in stock")


@parts_cli.command("list")
def parts_list() -> None:
    """Every part with its stock, reorder point and unit cost."""
    found = run_in_database(parts.listing)
    typer.echo(f"{'SKU':<16} {'name':<32} {'on hand':>10} {'reorder at':>10} {'unit cost':>10}")
    for part in found:
        low = "  LOW" if part.on_hand <= part.reorder_point else ""
        cost = part.unit_cost_cents / 100
        typer.echo(
            f"{part.sku:<16} {part.name[:32]:<32} {part.on_hand:>10g} {part.reorder_point:>10g} {cost:>10.2f}{low}"
        )


@assets_cli.command("add")
def assets_add(
    tag: Annotated[str, typer.Argument(help="What people type: unique (letters, digits, . _ / -).")],
    name: Annotated[str, typer.Argument(help="What it is.")],
    location: Annotated[
        str, typer.Option(help='Where it is: "Site / Building / Floor / Room", a location already in the register.')
    ] = "",
    category: Annotated[str, typer.Option(help="pumps, HVAC, vehicles...")] = "",
    parent: Annotated[str, typer.Option(help="The tag of the asset it is a component of.")] = "",
    manufacturer: Annotated[str, typer.Option()] = "",
    model: Annotated[str, typer.Option()] = "",
    serial: Annotated[str, typer.Option()] = "",
    installed: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Install date, YYYY-MM-DD.")] = None,
    criticality: Annotated[Criticality, typer.Option()] = Criticality.MEDIUM,
    create_location: Annotated[
        bool, typer.Option("--create-location", help="Create --location (and its parents) if it is not registered.")
    ] = False,
    service_vendor: Annotated[str, typer.Option(help="The key of the vendor that services it.")] = "",
) -> None:
    """Add an asset to the register. Its --location must exist (`wrench locations add`), unless
    --create-location: a typo must not create a new site."""
    work = partial(
        _add_asset,
        create_location=create_location,
        now=now(),
        tag=tag,
        name=name,
        location=location or None,
        category=category,
        parent=parent,
        manufacturer=manufacturer,
        model=model,
        serial=serial,
        installed_on=installed.date() if installed else None,
        criticality=criticality,
        service_vendor=service_vendor,
    )
    run_in_database(work)
    typer.echo(f"added {tag.strip()} {name.strip()}" + (f" in {location.strip()}" if location.strip() else ""))


async def _add_asset(session: AsyncSession, *, location: str | None, create_location: bool, **asset: Any) -> int:
    """`places.add_asset`; an unknown location is refused with the two ways to create it."""
    try:
        return await places.add_asset(session, location=location, create_location=create_location, **asset)
    except InvalidInput as error:
        if error.field != "location" or not str(error).startswith("There is no location"):
            raise
        path = places.PATH_SEPARATOR.join(places.location_levels(location or ""))
        hint = f' To add it: wrench locations add "{path}" (or add the asset with --create-location).'
        raise InvalidInput(str(error) + hint, field="location") from None


@assets_cli.command("service-vendor")
def assets_service_vendor(
    tag: Annotated[str, typer.Argument(help="The asset's tag.")],
    vendor: Annotated[str, typer.Argument(help="The key of the vendor that services it (`wrench vendors list`).")] = "",
    none: Annotated[bool, typer.Option("--none", help="No vendor services it any more.")] = False,
) -> None:
    """Name the vendor that services an asset (shown on `/wo asset TAG`), or with --none take it off."""
    if bool(vendor.strip()) == none:
        raise typer.BadParameter("give a vendor's key, or --none to take the asset's vendor off")
    asset = run_in_database(partial(places.set_service_vendor, tag=tag, vendor_key=vendor.strip() or None))
    typer.echo(f"{asset.tag} is serviced by {vendor.strip()}" if vendor.strip() else f"{asset.tag} has no vendor now")


@assets_cli.command("list")
def assets_list() -> None:
    """Every asset with its status, criticality and location."""
    found = run_in_database(places.assets_with_places)
    typer.echo(f"{'tag':<16} {'name':<32} {'status':<8} {'criticality':<11} location")
    for asset, path in found:
        row = f"{asset.tag:<16} {asset.name[:32]:<32} {asset.status.value:<8} {asset.criticality.value:<11}"
        typer.echo(f"{row} {path or ''}".rstrip())


@locations_cli.command("add")
def locations_add(
    path: Annotated[str, typer.Argument(help='"Site / Building / Floor / Room": the parents are created too.')],
) -> None:
    """Add a location (and the ones above it that do not exist yet)."""
    run_in_database(partial(places.add_location, path=path, now=now()))
    typer.echo(f"added {places.PATH_SEPARATOR.join(p.strip() for p in path.split('/') if p.strip())}")


@locations_cli.command("list")
def locations_list() -> None:
    """Every location, each site followed by what is in it."""
    for path in run_in_database(places.location_paths):
        typer.echo(path)
