"""Preventive maintenance: PM schedules and their recurrence, generation of due work orders, checklists,
meter readings, and schedules imported from CSV."""
