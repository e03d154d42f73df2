"""The vendors register from the command line: `wrench vendors add|list|edit`."""

from typing import Annotated, Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.support import now, organisation, run_in_database
from models.vendors import Vendor
from services.contracting import vendors

vendors_cli = typer.Typer(help="The vendors register (outside contractors): add, list, edit.", no_args_is_help=True)

Trades = Annotated[str | None, typer.Option(help="Category keys they serve, comma-separated: hvac,plumbing.")]
Contact = Annotated[str | None, typer.Option("--contact", help="The person to ask for.")]
Email = Annotated[str | None, typer.Option()]
Phone = Annotated[str | None, typer.Option()]
Rate = Annotated[str | None, typer.Option(help="Hourly rate, a decimal such as 85.50 (in --currency).")]
Currency = Annotated[str | None, typer.Option(help="ISO 4217 code; default: `currency` of wrench.yml.")]
Expires = Annotated[
    str | None, typer.Option("--expires", help="When their insurance or contract runs out, YYYY-MM-DD.")
]
Notes = Annotated[str | None, typer.Option()]


def _values(**given: str | None) -> dict[str, str]:
    names = {"contact": "contact_name", "rate": "hourly_rate", "expires": "expires_on"}
    return {names.get(option, option): value for option, value in given.items() if value is not None}


@vendors_cli.command("add")
def vendors_add(
    key: Annotated[str, typer.Argument(help="How the register names it: letters, digits, . _ - (acme-hvac).")],
    name: Annotated[str, typer.Argument(help="The company's name.")],
    trades: Trades = None,
    contact: Contact = None,
    email: Email = None,
    phone: Phone = None,
    rate: Rate = None,
    currency: Currency = None,
    expires: Expires = None,
    notes: Notes = None,
) -> None:
    """Add a vendor. Every wrong value is named at once, and nothing is stored then."""
    values = {"key": key, "name": name} | _values(
        trades=trades,
        contact=contact,
        email=email,
        phone=phone,
        rate=rate,
        currency=currency,
        expires=expires,
        notes=notes,
    )
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> Vendor:
        return await vendors.add_vendor(session, org=org, now=moment, values=values)

    vendor = run_in_database(work)
    typer.echo(f"added {vendor.key} {vendor.name}")


@vendors_cli.command("edit")
def vendors_edit(
    key: Annotated[str, typer.Argument(help="The vendor's key.")],
    name: Annotated[str | None, typer.Option()] = None,
    trades: Trades = None,
    contact: Contact = None,
    email: Email = None,
    phone: Phone = None,
    rate: Rate = None,
    currency: Currency = None,
    expires: Expires = None,
    notes: Notes = None,
) -> None:
    """Change the values given; an empty value ("") clears an optional one."""
    values = _values(
        name=name,
        trades=trades,
        contact=contact,
        email=email,
        phone=phone,
        rate=rate,
        currency=currency,
        expires=expires,
        notes=notes,
    )
    org, moment = organisation(), now()

    async def work(session: AsyncSession) -> tuple[Vendor, bool]:
        return await vendors.edit_vendor(session, org=org, now=moment, key=key, values=values)

    vendor, changed = run_in_database(work)
    typer.echo(f"{'changed' if changed else 'unchanged'} {vendor.key} {vendor.name}")


@vendors_cli.command("list")
def vendors_list() -> None:
    """Every vendor with its trades, rate and expiry; EXPIRED or EXPIRES SOON (within a week) when so."""
    org = organisation()
    found: list[Vendor] = run_in_database(vendors.listing)
    today = org.local_date(now())
    typer.echo(f"{'key':<20} {'name':<28} {'trades':<24} {'hourly rate':>14} {'expires':<10} contact")
    for vendor in found:
        typer.echo(_row(vendor, today))


def _row(vendor: Vendor, today: Any) -> str:
    state = vendors.expiry(vendor.expires_on, today)
    flag = (
        {vendors.Expiry.EXPIRED: "  EXPIRED", vendors.Expiry.EXPIRING: "  EXPIRES SOON"}.get(state, "") if state else ""
    )
    contact = " · ".join(part for part in (vendor.contact_name, vendor.phone, vendor.email) if part)
    expires = vendor.expires_on.isoformat() if vendor.expires_on else "-"
    row = (
        f"{vendor.key[:20]:<20} {vendor.name[:28]:<28} {','.join(vendor.trades)[:24]:<24} "
        f"{vendors.rate_text(vendor) or '-':>14} {expires:<10} {contact}"
    )
    return f"{row.rstrip()}{flag}"
