"""`/vendors`: the vendors register (outside contractors) listed, read, added and changed, through the same
checks as `wrench vendors` and the CSV import."""

from datetime import date
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.api.routing import Call, Endpoint
from bot.api.schemas import RegisterQuery, VendorBody, VendorPatch
from models.public import Page, VendorOut
from services.contracting import vendors
from services.organisation.api_tokens import Scope
from services.reporting import records


def _today(call: Call) -> date:
    return call.deps.org.local_date(call.deps.clock())


async def list_vendors(call: Call) -> Page[VendorOut]:
    q = call.query
    return await call.deps.db.run(
        partial(records.list_vendors, today=_today(call), updated_since=q.updated_since, cursor=q.cursor, limit=q.limit)
    )


async def get_vendor(call: Call) -> VendorOut:
    return await call.deps.db.run(partial(records.vendor_by_key, key=call.path["key"], today=_today(call)))


async def create_vendor(call: Call) -> VendorOut:
    body: VendorBody = call.body
    actor = call.actor(body.actor)
    values = body.model_dump(exclude_none=True, exclude={"actor"})

    async def work(session: AsyncSession) -> VendorOut:
        vendor = await vendors.add_vendor(
            session, org=call.deps.org, now=call.deps.clock(), values=values, actor_id=actor
        )
        return records.vendor_out(vendor, today=_today(call))

    return await call.deps.db.run(work)


async def update_vendor(call: Call) -> VendorOut:
    body: VendorPatch = call.body
    actor = call.actor(body.actor)
    sent = body.model_dump(include=body.model_fields_set - {"actor"})
    values = {field: "" if value is None else value for field, value in sent.items()}

    async def work(session: AsyncSession) -> VendorOut:
        vendor, _ = await vendors.edit_vendor(
            session, org=call.deps.org, now=call.deps.clock(), key=call.path["key"], values=values, actor_id=actor
        )
        return records.vendor_out(vendor, today=_today(call))

    return await call.deps.db.run(work)


KEY = "/vendors/{key:[A-Za-z0-9][A-Za-z0-9._-]{0,63}}"
ENDPOINTS = (
    Endpoint("GET", "/vendors", "List vendors", "registers", list_vendors, Page[VendorOut], query=RegisterQuery),
    Endpoint(
        "POST",
        "/vendors",
        "Add a vendor",
        "registers",
        create_vendor,
        VendorOut,
        scope=Scope.WRITE,
        body=VendorBody,
        status=201,
        description="The actor must be a manager or an admin. Every wrong value is named in the problem's "
        "`errors`; nothing is stored then.",
    ),
    Endpoint("GET", KEY, "Get a vendor by key", "registers", get_vendor, VendorOut),
    Endpoint(
        "PATCH",
        KEY,
        "Change a vendor",
        "registers",
        update_vendor,
        VendorOut,
        scope=Scope.WRITE,
        body=VendorPatch,
        description="The actor must be a manager or an admin. Only the values sent change; null or an empty "
        "string clears an optional one. "
        "Changing `currency` alone keeps the rate's figure (refused if the new currency cannot hold it).",
    ),
)
