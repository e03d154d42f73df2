"""Timed work: plain job functions (`jobs.py`) and the APScheduler that runs them (`setup.py`).

The jobs: preventive maintenance, the SLA watch (warnings, escalations, reminders), auto-close of
unconfirmed work, daily digests and morning DMs.
"""
