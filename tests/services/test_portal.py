"""The web portal's domain on a real database: a request filed without Slack goes through the same
rules as /request, keeps who filed it, and its status page follows the work order."""

import io
from functools import partial

import pytest
from PIL import Image
from sqlalchemy import select

from models.enums import HoldReason
from models.requests import RequestPhoto
from services.errors import InvalidFields, NotFound
from services.inventory import places
from services.organisation.integrations import Portal
from services.organisation.org import Organisation
from services.requests import photos, portal
from services.requests import service as requests
from services.work_orders import assignment, lifecycle
from tests.conftest import FrozenClock
from tests.services.test_work_orders import act
from tests.support.org import MANAGER, TECH_1


async def file(db, org: Organisation, clock: FrozenClock, **values):
    form = portal.PortalRequest(**{"category": "plumbing", "title": "Leak in the lobby", **values})
    return await db.run(partial(portal.submit, org=org, now=clock(), form=form))


async def test_a_portal_request_becomes_work_with_its_contact(db, org: Organisation, clock: FrozenClock) -> None:
    await db.run(partial(places.add_asset, now=clock(), tag="WC-1", name="Lobby toilet", location="HQ / Lobby"))
    submission, key = await file(db, org, clock, name="Jane Doe", email="jane@example.com", asset_tag="wc-1")
    assert submission.request.requester_id == portal.PORTAL_REQUESTER and submission.change is not None
    assert submission.change.work_order.asset_id is not None and len(key) >= 40
    async with db.unit_of_work() as session:
        contact = await portal.contact_of(session, submission.request.id)
        shown = await portal.status(session, org=org, key=key)
    assert contact == "Jane Doe <jane@example.com>"
    assert (shown.ref, shown.state, shown.work_order_ref) == (
        f"REQ-{submission.request.id}",
        "Waiting for a technician",
        "WO-1",
    )


async def test_wrong_fields_are_all_named_and_nothing_is_filed(db, org: Organisation, clock: FrozenClock) -> None:
    with pytest.raises(InvalidFields) as refused:
        await file(db, org, clock, title=" ", email="jane@", asset_tag="NOPE", category="boats")
    assert set(refused.value.errors) == {"title", "email", "asset", "category"}
    with pytest.raises(InvalidFields) as refused:
        await file(db, org, clock, category="hvac", custom_fields={"floor": "99"})
    assert refused.value.errors == {"field_floor": "Enter 40 or less."}
    async with db.unit_of_work() as session:
        with pytest.raises(NotFound):
            await portal.status(session, org=org, key="")


async def test_the_status_page_follows_approval_and_the_work(db, org: Organisation, clock: FrozenClock) -> None:
    waiting, key = await file(db, org, clock, category="keys", title="Key for B2")
    assert waiting.change is None

    async def shown():
        async with db.unit_of_work() as session:
            return await portal.status(session, org=org, key=key)

    assert (await shown()).state == "Waiting for approval"
    submission, key = await file(db, org, clock)
    wo_id = submission.change.work_order.id
    await act(db, org, clock, assignment.claim, wo_id, TECH_1)
    clock.advance(minutes=5)
    await act(db, org, clock, lifecycle.hold, wo_id, TECH_1, reason=HoldReason.PARTS, note="Washer ordered")
    page = await shown()
    assert (page.state, page.detail) == ("On hold: waiting for parts", "Washer ordered")
    await act(db, org, clock, lifecycle.resume, wo_id, TECH_1)
    await act(db, org, clock, lifecycle.complete, wo_id, TECH_1, resolution="New washer fitted")
    page = await shown()
    assert (page.state, page.detail) == ("Done", "New washer fitted")
    assert [line.text for line in page.history] == [
        "Request received",
        "A technician took it on",
        "Put on hold",
        "Work started",
        "Completed",
    ]


async def test_a_rejected_request_drops_its_photo(db, org: Organisation, clock: FrozenClock) -> None:
    org = org.model_copy(update={"portal": Portal(enabled=True)})
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, format="PNG")
    photo = photos.prepare(image.getvalue(), max_bytes=1024 * 1024)
    submission, _ = await file(db, org, clock, category="keys", title="Key for B2", photo=photo)
    async with db.unit_of_work() as session:
        assert len(await portal.photos_to_share(session, submission.request.id)) == 1
    reject = partial(requests.reject, org=org, now=clock(), request_id=submission.request.id, user_id=MANAGER)
    await db.run(partial(reject, reason="Ask at reception"))
    async with db.unit_of_work() as session:
        (kept,) = await session.scalars(select(RequestPhoto))
    assert kept.content is None and kept.shared_at is None
