"""Composition root: settings, the bolt app, the HTTP server, the notifier and the CLI."""
