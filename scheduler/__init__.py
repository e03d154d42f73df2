"""Timed work. `jobs.py` says what runs (`JOBS`, every tick) and what each job calls: one service, in one
transaction, that claims its work once across replicas; `setup.py` is the APScheduler that runs them.

- `generate_pm`: PM occurrences whose date or meter reading has come (`services.maintenance.pm_generation`),
  claimed by a unique key per schedule and occurrence.
- `check_sla`: warnings, breaches, escalation levels and reminders (`services.sla.watch`), each claimed by a
  conditional UPDATE of the work order.
- `close_unconfirmed`: completed work nobody confirmed in time (`services.work_orders.lifecycle`), claimed by
  the work order's version.
- `post_digests`: each digest whose local time has come today (`services.reporting.digest`), claimed by a
  digest run per digest and date.
- `send_morning_dms`: opted-in people's DMs on a working morning (`services.reporting.morning`), claimed by
  the date sent, per person.
"""
