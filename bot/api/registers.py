"""`/assets`, `/locations`, `/parts`, `/pm-schedules` and `/kpis`: what an ERP reads to stay in step."""

from functools import partial

from bot.api.routing import Call, Endpoint
from bot.api.schemas import KpiQuery, Paging, RegisterQuery, ScheduleQuery
from models.public import AssetOut, KpisOut, LocationOut, Page, PartOut, PmScheduleOut
from services.reporting import records


async def list_assets(call: Call) -> Page[AssetOut]:
    q = call.query
    return await call.deps.db.run(
        partial(records.list_assets, updated_since=q.updated_since, cursor=q.cursor, limit=q.limit)
    )


async def get_asset(call: Call) -> AssetOut:
    return await call.deps.db.run(partial(records.asset_out, tag=call.path["tag"]))


async def list_locations(call: Call) -> Page[LocationOut]:
    return await call.deps.db.run(partial(records.list_locations, cursor=call.query.cursor, limit=call.query.limit))


async def list_parts(call: Call) -> Page[PartOut]:
    q = call.query
    return await call.deps.db.run(
        partial(records.list_parts, updated_since=q.updated_since, cursor=q.cursor, limit=q.limit)
    )


async def get_part(call: Call) -> PartOut:
    return await call.deps.db.run(partial(records.part_by_sku, sku=call.path["sku"]))


async def list_pm_schedules(call: Call) -> Page[PmScheduleOut]:
    q = call.query
    return await call.deps.db.run(partial(records.list_pm_schedules, team=q.team, cursor=q.cursor, limit=q.limit))


async def get_kpis(call: Call) -> KpisOut:
    q = call.query
    return await call.deps.db.run(
        partial(records.team_kpis, org=call.deps.org, team=q.team, now=call.deps.clock(), days=q.days)
    )


CODE = "{%s:[A-Za-z0-9][A-Za-z0-9._/-]{0,63}}"  # tags and SKUs may hold a slash (HQ/AHU-3)
ENDPOINTS = (
    Endpoint("GET", "/assets", "List assets", "registers", list_assets, Page[AssetOut], query=RegisterQuery),
    Endpoint("GET", "/assets/" + CODE % "tag", "Get an asset by tag", "registers", get_asset, AssetOut),
    Endpoint("GET", "/locations", "List locations", "registers", list_locations, Page[LocationOut], query=Paging),
    Endpoint("GET", "/parts", "List parts with stock", "registers", list_parts, Page[PartOut], query=RegisterQuery),
    Endpoint("GET", "/parts/" + CODE % "sku", "Get a part by SKU", "registers", get_part, PartOut),
    Endpoint(
        "GET",
        "/pm-schedules",
        "List PM schedules",
        "maintenance",
        list_pm_schedules,
        Page[PmScheduleOut],
        query=ScheduleQuery,
    ),
    Endpoint(
        "GET",
        "/kpis",
        "A team's KPIs",
        "reports",
        get_kpis,
        KpisOut,
        query=KpiQuery,
        description="Backlog as it stands; the rest over the last `days` days. Formulas: docs/kpis.md.",
    ),
)
