"""Amounts of money as exact decimals in a currency: kept as integers of the currency's minor unit (cents;
yen have none, dinars have three), never as floats. What a person writes is refused rather than rounded."""

import re
from decimal import Decimal

# ISO 4217 codes in use and the digits after their decimal point (2 unless listed).
_CODES = re.findall(
    "[A-Z]{3}",
    """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD
KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO
NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS
SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND
VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL
""",
)
_EXPONENTS = {
    **dict.fromkeys(re.findall("[A-Z]{3}", "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0),
    **dict.fromkeys(re.findall("[A-Z]{3}", "BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(re.findall("[A-Z]{3}", "CLF UYW"), 4),
}
CURRENCIES: dict[str, int] = {code: _EXPONENTS.get(code, 2) for code in _CODES}
MAX_AMOUNT = 100_000  # whole units: 10^9 minor units at most, within a 32-bit column in any currency
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class AmountError(ValueError):
    """What is wrong with an amount or a currency, written for the person who typed it."""


def currency_of(text: str) -> str:
    """The ISO 4217 code `text` names (any case)."""
    code = text.strip().upper()
    if code not in CURRENCIES:
        raise AmountError(f"“{text.strip()[:20]}” is not a currency: write its ISO 4217 code, like EUR, USD or GBP")
    return code


def parse_decimal(text: str) -> Decimal:
    """A plain decimal written like 85 or 85.50 (no sign, separators or exponent), 0 up to MAX_AMOUNT."""
    written = text.strip()
    if not _AMOUNT.match(written):
        raise AmountError(f"“{written[:40]}” is not an amount: write it like 85 or 85.50")
    value = Decimal(written)
    if value < 0:
        raise AmountError("an amount cannot be negative")
    if value > MAX_AMOUNT:
        raise AmountError(f"an amount is at most {MAX_AMOUNT:,}")
    return value


def to_minor(value: Decimal, currency: str) -> int:
    """`value` in minor units of `currency`; refused when it has more decimals than the currency has."""
    exponent = CURRENCIES.get(currency, 2)
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        places = f"{exponent} decimal place{'s' if exponent != 1 else ''}" if exponent else "no decimal places"
        raise AmountError(f"{currency} has {places}: {value} cannot be stored without losing part of it")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    """The amount `minor` units of `currency` stand for, with the currency's decimal places (8550 → 85.50)."""
    exponent = CURRENCIES.get(currency, 2)
    return Decimal(minor).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def shown(minor: int, currency: str) -> str:
    """ "85.50 EUR"."""
    return f"{from_minor(minor, currency)} {currency}"
