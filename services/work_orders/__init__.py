"""A work order's life: its rules (statuses and who may do what), creation, claim and assignment, status
changes, notes, time, timers, parts used, other costs and asset downtime."""
