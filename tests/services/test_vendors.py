"""The vendors register on a real database: every value checked (all problems named at once, nothing
stored, nothing cut short or rounded), rates kept exact in the currency's minor units, edits that clear,
the asset a vendor services, expiry within a week, and the `vendors` CSV import."""

from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from models.db import Database
from models.places import Asset
from models.vendors import Vendor
from services import csv_import
from services.contracting import money, vendors
from services.contracting.vendor_import import VENDORS
from services.errors import InvalidInput, InvalidValues, NotFound
from services.inventory import places
from services.inventory.register_import import ASSETS
from services.organisation.org import Organisation
from services.reporting import assets as asset_reports
from services.reporting import records
from tests.conftest import FrozenClock

ACME = {
    "key": "acme-hvac",
    "name": "Acme Heating & Cooling",
    "trades": "hvac, Plumbing",
    "contact_name": "Jo Smith",
    "email": "jo@acme.example",
    "phone": "+44 20 7946 0000 ext 12",
    "hourly_rate": "85.50",
    "currency": "eur",
    "expires_on": "2026-03-06",
    "notes": "Out of hours: same number",
}


async def add(db: Database, org: Organisation, clock: FrozenClock, **values: Any) -> Vendor:
    return await db.run(partial(vendors.add_vendor, org=org, now=clock(), values=values))


async def count(db: Database) -> int:
    return int(await db.run(lambda session: session.scalar(select(func.count()).select_from(Vendor))))


async def test_a_vendor_keeps_every_value_as_given(db: Database, org: Organisation, clock: FrozenClock) -> None:
    vendor = await add(db, org, clock, **ACME)
    assert (vendor.key, vendor.name, vendor.trades) == ("acme-hvac", "Acme Heating & Cooling", ["hvac", "plumbing"])
    assert (vendor.contact_name, vendor.email, vendor.phone) == (
        "Jo Smith",
        "jo@acme.example",
        "+44 20 7946 0000 ext 12",
    )
    assert (vendor.hourly_rate_minor, vendor.currency, vendor.expires_on) == (8550, "EUR", date(2026, 3, 6))
    shown = await db.run(partial(records.vendor_by_key, key="ACME-HVAC", today=date(2026, 3, 2)))
    assert (shown.hourly_rate, shown.currency, shown.expired, shown.trades) == (
        "85.50",
        "EUR",
        False,
        ["hvac", "plumbing"],
    )
    plain = await add(db, org, clock, key="bob", name="Bob's Plumbing")
    assert (plain.currency, plain.hourly_rate_minor, plain.trades, plain.expires_on) == (org.currency, None, [], None)


async def test_every_wrong_value_is_named_at_once_and_nothing_is_stored(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    wrong = {
        **ACME,
        "email": "jo at acme",
        "trades": "hvac,roofing",
        "hourly_rate": "-5",
        "currency": "EURO",
        "expires_on": "31/03/2027",
        "phone": "call Jo",
    }
    with pytest.raises(InvalidValues) as refused:
        await add(db, org, clock, **wrong)
    assert refused.value.errors == {
        "email": "“jo at acme” is not an email address, like jo@example.com",
        "phone": "“call Jo” is not a phone number: digits, spaces, + ( ) - . / and an ext",
        "trades": "no category “roofing” in wrench.yml (trades are category keys: plumbing, electrical, laptops, "
        "keys, hvac)",
        "currency": "“EURO” is not a currency: write its ISO 4217 code, like EUR, USD or GBP",
        "hourly_rate": "an hourly rate cannot be negative",
        "expires_on": "“31/03/2027” is not a date: write it as YYYY-MM-DD, like 2027-03-31",
    }
    assert str(refused.value).startswith("email: “jo at acme” is not an email address")
    assert await count(db) == 0


@pytest.mark.parametrize(
    ("rate", "currency", "stored", "problem"),
    [
        ("12", "JPY", 12, None),
        ("12.5", "JPY", None, "JPY has no decimal places: 12.5 cannot be stored without losing part of it"),
        ("85.505", "EUR", None, "EUR has 2 decimal places: 85.505 cannot be stored without losing part of it"),
        ("1.234", "KWD", 1234, None),
        ("0.1", "USD", 10, None),  # 0.1 is exact here: never a float
        ("1e3", "USD", None, "“1e3” is not an hourly rate: write it like 85 or 85.50"),
        ("1,200", "USD", None, "“1,200” is not an hourly rate: write it like 85 or 85.50"),
        ("100001", "USD", None, "an hourly rate is at most 100,000"),
    ],
)
async def test_rates_are_exact_in_the_currency_or_refused(
    db: Database,
    org: Organisation,
    clock: FrozenClock,
    rate: str,
    currency: str,
    stored: int | None,
    problem: str | None,
) -> None:
    if problem is None:
        vendor = await add(db, org, clock, key="v", name="V", hourly_rate=rate, currency=currency)
        assert vendor.hourly_rate_minor == stored
        assert vendors.hourly_rate(vendor) == str(money.from_minor(stored, currency))
        return
    with pytest.raises(InvalidValues) as refused:
        await add(db, org, clock, key="v", name="V", hourly_rate=rate, currency=currency)
    assert refused.value.errors == {"hourly_rate": problem}


async def test_keys_are_unique_regardless_of_case(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await add(db, org, clock, key="acme", name="Acme")
    with pytest.raises(InvalidValues) as refused:
        await add(db, org, clock, key="ACME", name="")
    assert refused.value.errors == {"key": "there is already a vendor acme", "name": "a vendor needs a name"}
    with pytest.raises(InvalidValues) as refused:
        await add(db, org, clock, key="acme hvac", name="x" * 151)
    assert refused.value.errors["key"].startswith("“acme hvac” is not a vendor key")
    assert refused.value.errors["name"] == "use at most 150 characters (this has 151)"  # refused, not cut short


async def test_an_edit_changes_what_is_given_and_clears_what_is_emptied(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await add(db, org, clock, **ACME)
    clock.advance(days=1)
    edit = partial(vendors.edit_vendor, org=org, now=clock(), key="acme-hvac")
    vendor, changed = await db.run(partial(edit, values={"phone": "", "expires_on": "2027-01-31", "trades": "hvac"}))
    assert changed and (vendor.phone, vendor.expires_on, vendor.trades) == ("", date(2027, 1, 31), ["hvac"])
    assert vendor.email == "jo@acme.example" and vendor.updated_at == clock()
    _, changed = await db.run(partial(edit, values={"trades": "hvac", "name": None}))
    assert not changed
    # a new currency alone keeps the rate's figure, when the currency can hold it
    vendor, _ = await db.run(partial(edit, values={"currency": "GBP"}))
    assert (vendor.hourly_rate_minor, vendor.currency) == (8550, "GBP")
    with pytest.raises(InvalidValues) as refused:
        await db.run(partial(edit, values={"currency": "JPY"}))
    assert refused.value.errors == {
        "hourly_rate": "give the rate in JPY too: JPY has no decimal places: 85.50 cannot be stored without losing "
        "part of it"
    }
    vendor, _ = await db.run(partial(edit, values={"currency": "JPY", "hourly_rate": "12000"}))
    assert (vendor.hourly_rate_minor, vendor.currency, vendors.rate_text(vendor)) == (12000, "JPY", "12000 JPY")
    with pytest.raises(InvalidValues) as refused:
        await db.run(partial(edit, values={"name": "", "key": "other", "colour": "red"}))
    assert set(refused.value.errors) == {"name", "key", "colour"}
    with pytest.raises(NotFound):
        await db.run(partial(vendors.edit_vendor, org=org, now=clock(), key="nobody", values={"name": "N"}))


def test_expiry_is_good_through_its_day_and_shown_a_week_before() -> None:
    today = date(2026, 3, 2)
    assert vendors.expiry(None, today) is None
    assert vendors.expiry(date(2026, 3, 10), today) is None
    assert vendors.expiry(date(2026, 3, 9), today) is vendors.Expiry.EXPIRING
    assert vendors.expiry(date(2026, 3, 2), today) is vendors.Expiry.EXPIRING
    assert vendors.expiry(date(2026, 3, 1), today) is vendors.Expiry.EXPIRED


async def test_expiring_vendors_are_those_of_the_trades_asked(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    await add(db, org, clock, key="late", name="Late", trades="hvac", expires_on="2026-02-01")
    await add(db, org, clock, key="soon", name="Soon", trades="plumbing,hvac", expires_on="2026-03-09")
    await add(db, org, clock, key="later", name="Later", trades="hvac", expires_on="2026-03-10")
    await add(db, org, clock, key="it", name="IT", trades="laptops", expires_on="2026-03-03")
    await add(db, org, clock, key="none", name="None", trades="hvac")
    found = await db.run(partial(vendors.expiring, trades={"hvac", "electrical"}, today=date(2026, 3, 2)))
    assert [vendor.key for vendor in found] == ["late", "soon"]


async def test_an_asset_names_the_vendor_that_services_it(db: Database, org: Organisation, clock: FrozenClock) -> None:
    await add(db, org, clock, **ACME)
    asset_id = await db.run(
        partial(
            places.add_asset, tag="AHU-1", name="Air handler", location=None, now=clock(), service_vendor="ACME-hvac"
        )
    )
    card = await db.run(partial(asset_reports.asset_card, org=org, tag="AHU-1", now=clock()))
    assert card.id == asset_id and card.vendor is not None
    assert (card.vendor.name, card.vendor.phone, card.vendor.expiry) == (
        "Acme Heating & Cooling",
        "+44 20 7946 0000 ext 12",
        "expiring",
    )
    assert (await db.run(partial(records.asset_out, tag="AHU-1"))).service_vendor == "acme-hvac"
    with pytest.raises(InvalidInput) as refused:
        await db.run(partial(places.add_asset, tag="AHU-2", name="AHU", location=None, now=clock(), service_vendor="x"))
    assert refused.value.field == "service_vendor" and str(refused.value).startswith("There is no vendor “x”.")


async def import_rows(db: Database, org: Organisation, clock: FrozenClock, kind: csv_import.Kind, text: str):
    rows = csv_import.read_rows(kind, text)
    return await db.run(partial(csv_import.run, kind=kind, org=org, now=clock(), rows=rows))


async def test_the_vendors_import_creates_updates_and_names_each_wrong_cell(
    db: Database, org: Organisation, clock: FrozenClock
) -> None:
    sheet = (
        "key,name,trades,email,hourly_rate,currency,expires_on\n"
        "acme,Acme,hvac,jo@acme.example,85.50,EUR,2027-03-31\n"
        "bolt,Bolt Electric,electrical,,60,,\n"
    )
    report = await import_rows(db, org, clock, VENDORS, sheet)
    assert report.done[csv_import.Outcome.CREATED] == ["line 2: acme Acme", "line 3: bolt Bolt Electric"]
    update = "key,name,hourly_rate,email\nacme,,90.25,\nbolt,Bolt Electric,,\n"
    report = await import_rows(db, org, clock, VENDORS, update)
    assert report.done[csv_import.Outcome.UPDATED] == ["line 2: acme Acme"]
    assert report.done[csv_import.Outcome.UNCHANGED] == ["line 3: bolt Bolt Electric"]
    acme = await db.run(partial(vendors.by_key, key="acme"))
    assert (acme.hourly_rate_minor, acme.email, acme.currency) == (9025, "jo@acme.example", "EUR")  # empty kept

    wrong = "key,name,trades,email,hourly_rate\ncarl,Carl,roofing,carl@x.example,12.5\ndave,,hvac,dave@,-1\n"
    with pytest.raises(csv_import.ImportFailed) as failed:
        await import_rows(db, org, clock, VENDORS, wrong)
    assert failed.value.problems == [
        "line 2: trades: no category “roofing” in wrench.yml (trades are category keys: plumbing, electrical, "
        "laptops, keys, hvac)",
        "line 3: name: a vendor needs a name",
        "line 3: email: “dave@” is not an email address, like jo@example.com",
        "line 3: hourly_rate: an hourly rate cannot be negative",
    ]
    assert await count(db) == 2  # nothing of the file was imported

    assets = "tag,name,service_vendor\nAHU-1,Air handler,acme\nAHU-2,Air handler,nobody\n"
    with pytest.raises(csv_import.ImportFailed) as failed:
        await import_rows(db, org, clock, ASSETS, assets)
    assert failed.value.problems == [
        "line 3: service_vendor: There is no vendor “nobody”. Vendors are added by `wrench vendors add`."
    ]
    await import_rows(db, org, clock, ASSETS, "tag,name,service_vendor\nAHU-1,Air handler,acme\n")
    await import_rows(db, org, clock, ASSETS, "tag,service_vendor\nAHU-1,bolt\n")
    vendor_id = await db.run(lambda s: s.scalar(select(Asset.service_vendor_id).where(Asset.tag == "AHU-1")))
    bolt = await db.run(partial(vendors.by_key, key="bolt"))
    assert vendor_id == bolt.id
