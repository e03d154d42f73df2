"""The domain, one package per part of it; no Slack, no HTTP: async functions over a session. The modules
at this level are what every part shares: errors, checks on typed text, CSV reading, and the ports."""
