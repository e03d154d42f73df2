"""Contracting: the vendors register (outside contractors, their trades, rates and when their insurance
or contract runs out) and its CSV import."""
