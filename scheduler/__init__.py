"""Timed work: plain job functions (`jobs.py`) and the APScheduler that runs them (`setup.py`).

Issue 4 adds preventive maintenance, SLA escalations and digests here.
"""
