"""The organisation an admin describes in wrench.yml: teams and their business hours, categories, SLA
targets and the due times they give, custom fields, integrations (webhooks, the portal), and API tokens."""
