"""The organisation an admin describes once in `wrench.yml`: teams, categories, SLA targets.

`services.organisation.config_file` reads the file into it, with every problem found at once.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from models.enums import Priority
from services.organisation.business_time import WEEKDAYS, BusinessHours
from services.organisation.custom_fields import MAX_FIELDS, CustomField, FieldType
from services.organisation.durations import parse_duration
from services.organisation.integrations import EmailIntake, Portal, Smtp, Webhook
from services.organisation.public_holidays import Holidays

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
KEY = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


def _user_id(value: str) -> str:
    if not isinstance(value, str) or not USER_ID.match(value):
        raise ValueError(f"'{value}' is not a Slack user id (like U012AB3CD)")
    return value


def _channel_id(value: str) -> str:
    if not isinstance(value, str) or not CHANNEL_ID.match(value):
        raise ValueError(f"'{value}' is not a Slack channel id (like C012AB3CD); names can change, ids do not")
    return value


def _key(value: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise ValueError(f"'{value}' is not a key: lowercase letters, digits, - and _, starting with a letter")
    return value


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value))


def _duration_or_zero(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(str(value), allow_zero=True)


UserId = Annotated[str, BeforeValidator(_user_id)]
ChannelId = Annotated[str, BeforeValidator(_channel_id)]
Key = Annotated[str, BeforeValidator(_key)]
Duration = Annotated[timedelta, BeforeValidator(_duration)]
DurationOrZero = Annotated[timedelta, BeforeValidator(_duration_or_zero)]  # zero means "never"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=80)
    channel: ChannelId
    escalation_channel: ChannelId | None = None
    managers: tuple[UserId, ...] = ()
    technicians: tuple[UserId, ...] = ()
    # SLA clocks of this team's work run only in these hours (None: around the clock).
    business_hours: BusinessHours | None = None
    # What an hour of this team's labor costs (in `currency`), unless a person has their own rate.
    hourly_rate: float | None = Field(default=None, ge=0, le=100_000)


class Category(Strict):
    key: Key
    name: str = Field(min_length=1, max_length=75)
    team: Key
    default_priority: Priority = Priority.MEDIUM
    requires_approval: bool = False
    # Who may approve; empty means the team's managers.
    approvers: tuple[UserId, ...] = ()
    fields: tuple[CustomField, ...] = Field(default=(), max_length=MAX_FIELDS)

    def field(self, key: str) -> CustomField | None:
        return next((f for f in self.fields if f.key == key), None)

    def needs_slack_user(self) -> bool:
        """A required field asks for a Slack user, whom nobody on the web portal can pick."""
        return any(custom.required and custom.type is FieldType.USER for custom in self.fields)


class Escalation(Strict):
    """When the scheduler warns about and escalates work running late against its SLA."""

    warn_at: float = Field(default=0.75, gt=0, lt=1)  # fraction of the resolution time
    level_2_after: Duration = timedelta(hours=4)  # after level 1, if still not resolved
    # Escalated work nobody claims or acknowledges is reminded about this often (0s: never).
    remind_every: DurationOrZero = timedelta(hours=2)


class Digest(Strict):
    """A daily backlog digest of `team`'s work, posted at `at` local time on `weekdays`."""

    team: Key
    channel: ChannelId | None = None  # default: the team's channel
    at: time = time(7, 30)
    weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    skip_when_quiet: bool = False  # nothing open, nothing new: post nothing instead of one line

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [day for day in value if day not in WEEKDAYS]
        if unknown or not value:
            raise ValueError(f"weekdays must be some of {', '.join(WEEKDAYS)}")
        return value

    @property
    def key(self) -> str:
        """Stable name of this digest (one run per key and local date)."""
        return f"{self.team}@{self.at.strftime('%H:%M')}"


class MorningDm(Strict):
    """When people who opted in (on the Home tab) get their own open work by DM, local time."""

    at: time = time(7, 0)
    weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")

    @field_validator("weekdays")
    @classmethod
    def _days(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value or any(day not in WEEKDAYS for day in value):
            raise ValueError(f"weekdays must be some of {', '.join(WEEKDAYS)}")
        return value


class EmojiIntake(Strict):
    """Reacting with `emoji` to a message files a request from it, in `category` (default: the first)."""

    enabled: bool = True
    emoji: str = Field(default="ticket", pattern=r"^[a-z0-9_+'-]{1,100}$")
    category: Key | None = None


class SlaTarget(Strict):
    respond: Duration
    resolve: Duration

    @model_validator(mode="after")
    def _respond_before_resolve(self) -> "SlaTarget":
        if self.respond > self.resolve:
            raise ValueError("respond must not be longer than resolve")
        return self


class Recurring(Strict):
    """When an asset, location or category counts as failing again and again: at least `threshold`
    corrective work orders in the last `window_days` days."""

    threshold: int = Field(default=3, ge=2, le=100)
    window_days: int = Field(default=90, ge=1, le=366)


class Threshold(Strict):
    """An amount of money: `amount` (a decimal, never a float) in `currency` (default: the organisation's)."""

    amount: Decimal = Field(ge=0, le=100_000, decimal_places=4)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @field_validator("amount", mode="before")
    @classmethod
    def _exact(cls, value: Any) -> Any:
        """YAML reads 250.10 as a float: its shortest text is what the person wrote."""
        return str(value) if isinstance(value, float) else value


class Purchasing(Strict):
    """Purchase requests for parts: who approves them, what needs no approval, where orders are posted."""

    # Who may approve; empty means the managers of the order's team (admins always may).
    approvers: tuple[UserId, ...] = ()
    # Requests whose total is below this are approved at once (0: every request waits for an approver).
    auto_approve_below: Threshold = Threshold(amount=Decimal(0))
    channel: ChannelId | None = None  # where purchase orders are posted; default: the order's team's channel
    buyer: str = Field(default="", max_length=120)  # the name on the PDF; default: the team's name
    address: str = Field(default="", max_length=400)  # printed under it (lines as written)


def _person(value: Any) -> Any:
    """`U0000TECH1: Sam Ortiz` is short for `U0000TECH1: {name: Sam Ortiz}`."""
    return {"name": value} if isinstance(value, str) else value


class Person(Strict):
    """Who a Slack user id is, for places that have no Slack to ask (`wrench sandbox`)."""

    name: str = Field(min_length=1, max_length=80)
    title: str | None = Field(default=None, min_length=1, max_length=80)


class Organisation(Strict):
    timezone: str = "UTC"
    admins: tuple[UserId, ...] = ()
    teams: tuple[Team, ...] = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1, max_length=100)
    sla: dict[Priority, SlaTarget] = {}
    # Completed work the requester neither confirms nor reopens closes itself after this many days (0: never).
    auto_close_days: int = Field(default=7, ge=0, le=365)
    emoji_intake: EmojiIntake = EmojiIntake()
    escalation: Escalation = Escalation()
    digests: tuple[Digest, ...] = ()
    morning_dm: MorningDm = MorningDm()
    # Costs: the currency they are in, and hourly rates of people that differ from their team's.
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    hourly_rates: dict[UserId, Annotated[float, Field(ge=0, le=100_000)]] = {}
    # Time on hold does not count against the SLA: due times move on by it when work resumes.
    pause_sla_on_hold: bool = True
    # Days nobody works (every team): PM schedules skip them or move to the next working day.
    holidays: Holidays = Holidays()
    # Where events go (an ERP, a data warehouse...): see docs/webhooks.md.
    webhooks: tuple[Webhook, ...] = Field(default=(), max_length=20)
    # The web request portal for people without Slack: see docs/portal.md.
    portal: Portal = Portal()
    # The mail server for email to people outside Slack (contractors, vendors): see docs/email.md.
    smtp: Smtp | None = None
    # Requests by email: the shared mailbox read over IMAP, see docs/email.md.
    email: EmailIntake | None = None
    # Recurring failures (report, digest, asset card): see docs/kpis.md.
    recurring: Recurring = Recurring()
    # Purchase requests and orders for parts: see docs/purchasing.md.
    purchasing: Purchasing = Purchasing()
    # Names (and titles) of the people the ids above stand for; Slack has its own, `wrench sandbox` uses these.
    people: dict[UserId, Annotated[Person, BeforeValidator(_person)]] = Field(default={}, max_length=10_000)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"'{value}' is not an IANA time zone (like Europe/London)") from None
        return value

    def team(self, key: str) -> Team:
        return next(t for t in self.teams if t.key == key)

    def category(self, key: str) -> Category | None:
        return next((c for c in self.categories if c.key == key), None)

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, now: datetime) -> date:
        """The organisation's date at the moment `now` (its `timezone`)."""
        return now.astimezone(self.zone()).date()

    def status_pages_served(self) -> bool:
        """Requesters' status pages (`/portal/status/…`): with the portal's form, or for the requests
        mailbox's senders even when the form is off."""
        return self.portal.enabled or self.email is not None

    def status_page_url(self, key: str) -> str | None:
        """The address of a request's status page, for an email; None when none is served or the address
        people reach Wrench at (`portal.public_url`) is not known."""
        if not (self.status_pages_served() and self.portal.public_url):
            return None
        return f"{self.portal.public_url.rstrip('/')}/portal/status/{key}"

    def approvers(self, category: Category) -> tuple[str, ...]:
        """Who decides on requests in `category`: its approvers, else its team's managers."""
        return category.approvers or self.team(category.team).managers

    def intake_category(self) -> Category:
        """The category of requests filed by emoji reaction."""
        key = self.emoji_intake.category
        return (self.category(key) if key else None) or self.categories[0]

    def hourly_rate_cents(self, user_id: str, team: str) -> int | None:
        """What an hour of `user_id`'s work on `team`'s work costs, in cents: their own rate, else the
        team's; None when neither is configured."""
        rate = self.hourly_rates.get(user_id)
        if rate is None:
            rate = self.team(team).hourly_rate
        return None if rate is None else round(rate * 100)

    def purchase_approvers(self, team: str) -> tuple[str, ...]:
        """Who decides on purchase requests of `team`: `purchasing.approvers`, else the team's managers."""
        return self.purchasing.approvers or self.team(team).managers

    def portal_categories(self) -> tuple[Category, ...]:
        """The categories the web portal offers: those `portal.categories` names (all when it names none),
        less those asking for a Slack user, whom nobody on the web can pick."""
        chosen = [self.category(key) for key in self.portal.categories] or list(self.categories)
        return tuple(c for c in chosen if c is not None and not c.needs_slack_user())

    def category_name(self, key: str) -> str:
        """The category's display name; the bare key if it was removed from the config since."""
        found = self.category(key)
        return found.name if found else key
