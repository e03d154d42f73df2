"""Pure Block Kit builders: DTOs in, dicts out. No session, no client, no clock (`now` is passed in)."""
