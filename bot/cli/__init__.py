"""The `wrench` command line: run, scheduler, sandbox, doctor, imports and exports, registers, tokens,
webhooks and labels."""
