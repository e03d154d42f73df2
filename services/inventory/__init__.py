"""Inventory and places: the location and asset registers, parts and their stock, and their CSV import."""
