"""The demo organisation of `wrench sandbox` and its data.

`demo_organisation()` is `demo.yml` (a wrench.yml like any other, with a `people:` section);
`people_of(org)` names the people of any organisation (from its `people:`, else generated names).
`seed(db, org, now=...)` fills an empty database with six weeks of a plausible Facilities and IT desk,
made through the services exactly as clicks and the scheduler would make it, at the times it would have
happened: locations, assets with meters, parts, PM schedules with checklists, and work requested, claimed,
put on hold, completed, confirmed, escalated, with parts, labor and downtime. The same `now` always gives
the same data (no randomness but a seeded one).

What Slack is told: the history is not replayed. The notices the services queued on the way (weeks of
cards, thread lines, DMs, warnings, escalations) are marked delivered without a Slack call, and only what
a person would still act on is queued afresh: a card for every work order not closed or cancelled (drawn
as it stands now, with the requester's DM), the requester's "please confirm" DM for work completed and
awaiting confirmation, and the approvers' DM for the request awaiting approval. Closed history is in the
database (reports, Home, digest, `/wo asset`) but has no card.
"""

from bot.sandbox.demo.organisation import demo_organisation, demo_people, demo_text, people_of
from bot.sandbox.demo.seeding import needs_demo, seed
from bot.sandbox.demo.summary import SeedSummary

__all__ = ["SeedSummary", "demo_organisation", "demo_people", "demo_text", "needs_demo", "people_of", "seed"]
