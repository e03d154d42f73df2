"""The SLA watch: warn about work running late, mark breaches, escalate and remind, and the team's
acknowledgement. Due times themselves come from `services.organisation.sla_targets`."""
