"""The domain: work-order rules and use cases. No Slack, no HTTP; async functions over a session."""
