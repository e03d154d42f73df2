"""The Slack side: requests received from Slack (signature first), the notifier that implements the domain's
port, the outbox worker that delivers notices, paced Web API calls, and the digest's chart."""
