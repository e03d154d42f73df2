"""`wrench import vendors FILE.csv`: the vendors register from a spreadsheet (the rules every import follows
are in `csv_import`). A row whose key exists updates that vendor; on an update an empty cell keeps what is
stored. Trades are category keys separated by commas."""

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services import csv_import
from services.contracting import vendors
from services.csv_import import Outcome
from services.errors import NotFound
from services.organisation.org import Organisation


async def upsert_vendor(
    session: AsyncSession, org: Organisation, now: datetime, cells: dict[str, str]
) -> tuple[Outcome, str]:
    """A new vendor, or the vendor with that key updated with every non-empty cell."""
    key = cells.get("key", "")
    try:
        existing = await vendors.by_key(session, key) if key else None
    except NotFound:
        existing = None
    if existing is None:
        vendor = await vendors.add_vendor(session, org=org, now=now, values=cells)
        return Outcome.CREATED, f"{vendor.key} {vendor.name}"
    given = {field: text for field, text in cells.items() if text and field != "key"}
    vendor, changed = await vendors.edit_vendor(session, org=org, now=now, key=existing.key, values=given)
    return (Outcome.UPDATED if changed else Outcome.UNCHANGED), f"{vendor.key} {vendor.name}"


VENDORS = csv_import.Kind(
    name="vendors",
    columns=vendors.FIELDS,
    required=("key",),
    key="key",
    example={
        "key": "acme-hvac",
        "name": "Acme Heating & Cooling",
        "trades": "hvac,plumbing",
        "contact_name": "Jo Smith",
        "email": "jo@acme.example",
        "phone": "+44 20 7946 0000",
        "hourly_rate": "85.50",
        "currency": "GBP",
        "expires_on": "2027-03-31",
        "notes": "Out of hours: call the same number",
    },
    upsert=upsert_vendor,
)
