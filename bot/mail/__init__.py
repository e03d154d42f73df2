"""Sending the mail queue over SMTP."""
