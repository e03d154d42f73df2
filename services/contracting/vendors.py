"""The vendors register: adding, editing, finding and listing outside contractors, every value checked with
all its problems named at once and nothing cut short or rounded; and whose insurance or contract runs out
soon (the asset card and the team's digest say so)."""

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.vendors import CONTACT_MAX, EMAIL_MAX, NAME_MAX, NOTES_MAX, PHONE_MAX, Vendor
from services.contracting import money
from services.errors import Forbidden, InvalidValues, NotFound
from services.inputs import searchable
from services.organisation.org import Organisation

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,63}$")
PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]*( ?(ext\.?|x) ?[0-9]{1,6})?$", re.IGNORECASE)
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FIELDS = ("key", "name", "trades", "contact_name", "email", "phone", "hourly_rate", "currency", "expires_on", "notes")
LIMITS = {"name": NAME_MAX, "contact_name": CONTACT_MAX, "email": EMAIL_MAX, "phone": PHONE_MAX, "notes": NOTES_MAX}
EXPIRY_WARNING = timedelta(days=7)  # how long before it an expiry is shown

# A value as it arrives: text (the CLI, a CSV cell, the API), trades also as a list; None leaves it as it is.
Value = str | Sequence[str] | None


class Expiry(StrEnum):
    EXPIRED = "expired"  # the day after `expires_on` and later
    EXPIRING = "expiring"  # within EXPIRY_WARNING of it


def expiry(expires_on: date | None, today: date) -> Expiry | None:
    """Whether a vendor's insurance or contract has run out (it is good through `expires_on`), or will
    within a week."""
    if expires_on is None:
        return None
    if expires_on < today:
        return Expiry.EXPIRED
    return Expiry.EXPIRING if expires_on <= today + EXPIRY_WARNING else None


def rate_text(vendor: Vendor) -> str | None:
    """ "85.50 EUR", or None when no rate is recorded."""
    if vendor.hourly_rate_minor is None:
        return None
    return money.shown(vendor.hourly_rate_minor, vendor.currency)


def hourly_rate(vendor: Vendor) -> str | None:
    """The rate as a decimal string ("85.50"), as the API and exports give it."""
    if vendor.hourly_rate_minor is None:
        return None
    return str(money.from_minor(vendor.hourly_rate_minor, vendor.currency))


async def by_key(session: AsyncSession, key: str) -> Vendor:
    wanted = searchable(key).strip().lower()
    found = (await session.execute(select(Vendor).where(func.lower(Vendor.key) == wanted))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"There is no vendor “{key.strip()[:64]}”.")
    return found


async def listing(session: AsyncSession) -> list[Vendor]:
    return list((await session.execute(select(Vendor).order_by(Vendor.key))).scalars())


def check_may_change(org: Organisation, actor_id: str | None) -> None:
    """The register is changed by managers (of any team) and admins; `None` is the command line, run by
    whoever operates Wrench."""
    if actor_id is not None and actor_id not in org.admins and not any(actor_id in t.managers for t in org.teams):
        raise Forbidden("Only managers and admins can change the vendors register.")


async def add_vendor(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    values: Mapping[str, Value],
    actor_id: str | None = None,
) -> Vendor:
    """A new vendor from `values` (field → text; `key` and `name` required, `currency` defaults to the
    organisation's). Every wrong value is named in one `InvalidValues`."""
    check_may_change(org, actor_id)
    errors: dict[str, str] = {}
    key = _text(values.get("key"))
    if not KEY.match(key):
        errors["key"] = f"“{key[:64]}” is not a vendor key: letters, digits and . _ - (at most 64), like acme-hvac"
    elif (
        existing := await session.scalar(select(Vendor.key).where(func.lower(Vendor.key) == key.lower()))
    ) is not None:
        errors["key"] = f"there is already a vendor {existing}"
    if not _text(values.get("name")):
        errors["name"] = "a vendor needs a name"
    given = {field: value for field, value in values.items() if field != "key" and value is not None}
    changes = _checked(org, given, current=None, errors=errors)
    if errors:
        raise InvalidValues(errors)
    vendor = Vendor(
        key=key,
        name=changes["name"],
        trades=changes.get("trades", []),
        contact_name=changes.get("contact_name", ""),
        email=changes.get("email", ""),
        phone=changes.get("phone", ""),
        hourly_rate_minor=changes.get("hourly_rate_minor"),
        currency=changes.get("currency") or org.currency,
        expires_on=changes.get("expires_on"),
        notes=changes.get("notes", ""),
        created_at=now,
        updated_at=now,
    )
    session.add(vendor)
    await session.flush()
    return vendor


async def edit_vendor(
    session: AsyncSession,
    *,
    org: Organisation,
    now: datetime,
    key: str,
    values: Mapping[str, Value],
    actor_id: str | None = None,
) -> tuple[Vendor, bool]:
    """The vendor `key` with each value given (not None) changed; an empty text clears an optional value.
    Returns the vendor and whether anything changed."""
    check_may_change(org, actor_id)
    vendor = await by_key(session, key)
    errors: dict[str, str] = {}
    if "key" in values and values["key"] is not None and _text(values["key"]).lower() != vendor.key.lower():
        errors["key"] = "a vendor's key cannot be changed (it is how the register names it)"
    given = {field: value for field, value in values.items() if field != "key" and value is not None}
    changes = _checked(org, given, current=vendor, errors=errors)
    if errors:
        raise InvalidValues(errors)
    changed = False
    for column, value in changes.items():
        if getattr(vendor, column) != value:
            setattr(vendor, column, value)
            changed = True
    if changed:
        vendor.updated_at = now
        await session.flush()
    return vendor, changed


async def expiring(session: AsyncSession, *, trades: set[str], today: date) -> list[Vendor]:
    """Vendors serving any of `trades` whose insurance or contract has run out or runs out within a week,
    soonest first."""
    found = await session.execute(
        select(Vendor)
        .where(Vendor.expires_on.is_not(None), Vendor.expires_on <= today + EXPIRY_WARNING)
        .order_by(Vendor.expires_on, Vendor.key)
    )
    return [vendor for vendor in found.scalars() if trades.intersection(vendor.trades)]


def _text(value: Value) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else ",".join(value).strip()


def _checked(
    org: Organisation, values: Mapping[str, Value], *, current: Vendor | None, errors: dict[str, str]
) -> dict[str, Any]:
    """The columns `values` set, each checked; a problem is added to `errors` under the field's name."""
    changes: dict[str, Any] = {}
    for field in values:
        if field not in FIELDS:
            errors[field] = f"not a vendor's field (fields: {', '.join(FIELDS)})"
    for field, limit in LIMITS.items():
        if field in values:
            text = _text(values[field])
            if len(text) > limit:
                errors[field] = f"use at most {limit} characters (this has {len(text)})"
            else:
                changes[field] = text
    if "name" in changes and not changes["name"]:
        errors["name"] = "a vendor needs a name"
    if changes.get("email") and not EMAIL.match(changes["email"]):
        errors["email"] = f"“{changes['email'][:80]}” is not an email address, like jo@example.com"
    phone = changes.get("phone", "")
    if phone and (not PHONE.match(phone) or sum(c.isdigit() for c in phone) < 3):
        errors["phone"] = f"“{phone[:40]}” is not a phone number: digits, spaces, + ( ) - . / and an ext"
    if "trades" in values:
        trades = _trades(org, values["trades"], errors)
        if trades is not None:
            changes["trades"] = trades
    currency = current.currency if current is not None else org.currency
    if "currency" in values and (_text(values["currency"]) or current is not None):  # empty on add: the default
        try:
            currency = changes["currency"] = money.currency_of(_text(values["currency"]))
        except money.AmountError as error:
            errors["currency"] = str(error) if _text(values["currency"]) else "a vendor's rate needs a currency"
            currency = ""
    if "hourly_rate" in values:
        rate = _text(values["hourly_rate"])
        try:
            value = money.parse_decimal(rate) if rate else None
            if value is not None and currency:
                changes["hourly_rate_minor"] = money.to_minor(value, currency)
            elif value is None:
                changes["hourly_rate_minor"] = None
        except money.AmountError as error:
            errors["hourly_rate"] = str(error).replace("an amount", "an hourly rate", 1)
    elif currency and current is not None and current.hourly_rate_minor is not None and currency != current.currency:
        figure = money.from_minor(current.hourly_rate_minor, current.currency)
        try:  # the same figure in the new currency, as a person reads "85.50 EUR" changed to GBP
            changes["hourly_rate_minor"] = money.to_minor(figure, currency)
        except money.AmountError as error:
            errors["hourly_rate"] = f"give the rate in {currency} too: {error}"
    if "expires_on" in values:
        written = _text(values["expires_on"])
        try:
            if written and not DATE.match(written):
                raise ValueError(written)
            changes["expires_on"] = date.fromisoformat(written) if written else None
        except ValueError:
            errors["expires_on"] = f"“{written[:40]}” is not a date: write it as YYYY-MM-DD, like 2027-03-31"
    return changes


def _trades(org: Organisation, value: Value, errors: dict[str, str]) -> list[str] | None:
    """The category keys `value` names (comma-separated text or a list), each once, in order."""
    names = value.split(",") if isinstance(value, str) else list(value or [])
    keys = list(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
    known = [category.key for category in org.categories]
    unknown = [key for key in keys if key not in known]
    if unknown:
        listed = ", ".join(f"“{key[:64]}”" for key in unknown)
        errors["trades"] = f"no category {listed} in wrench.yml (trades are category keys: {', '.join(known)})"
        return None
    return keys
