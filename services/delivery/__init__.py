"""What leaves Wrench: the Slack outbox, events published to webhooks and their payloads, webhook
deliveries, and the bookkeeping of Slack's own deliveries. Written in the transaction of the change that
calls for it; knows work orders only as rows, never through the work-order services."""
