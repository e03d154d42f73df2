"""What people type on a purchase request or a receipt, checked: whole quantities and exact unit costs in
the order's currency (`services.contracting.money`), each refusal naming the field it is about."""

import re
from decimal import Decimal

from services.contracting import money
from services.errors import InvalidInput

MAX_QUANTITY = 100_000  # of one part on one line
MAX_TOTAL_MINOR = 2_000_000_000  # an order's total within a 32-bit column, in any currency
_WHOLE = re.compile(r"^\s*[0-9]+\s*$")


def quantity_of(value: object, *, field: str, allow_zero: bool = False) -> int:
    """A whole number of the part's units, 1 (or 0 when receiving) up to MAX_QUANTITY."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise InvalidInput("Enter a quantity.", field=field)
    if not _WHOLE.match(text):
        raise InvalidInput(f"“{text[:20]}” is not a quantity: enter a whole number, like 4.", field=field)
    number = int(text) if len(text) <= 9 else MAX_QUANTITY + 1  # more digits: too many, whatever they are
    least = 0 if allow_zero else 1
    if not least <= number <= MAX_QUANTITY:
        raise InvalidInput(f"Enter a quantity from {least} to {MAX_QUANTITY:,}.", field=field)
    return number


def unit_cost_of(value: object, currency: str, *, field: str) -> int:
    """An exact unit cost in `currency`'s minor units; too many decimals are refused, never rounded."""
    text = str(value).strip() if value is not None else ""
    if not text:
        raise InvalidInput("Enter the unit cost, like 12.50.", field=field)
    try:
        return money.to_minor(money.parse_decimal(text), currency)
    except money.AmountError as error:
        raise InvalidInput(f"Unit cost: {error}.", field=field) from None


def to_cents(minor: int, currency: str) -> int:
    """`minor` units of `currency` in hundredths, as the parts register keeps costs (yen times 100, dinars over 10)."""
    exponent = money.CURRENCIES.get(currency, 2)
    return int((Decimal(minor).scaleb(2 - exponent)).to_integral_value())


def from_cents(cents: int, currency: str) -> int:
    """A part's cost (hundredths) as minor units of `currency`, rounded to what the currency can hold."""
    exponent = money.CURRENCIES.get(currency, 2)
    return int((Decimal(cents).scaleb(exponent - 2)).to_integral_value())
