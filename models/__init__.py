"""Database tables, DTOs and the unit of work. Imports nothing else of Wrench."""
