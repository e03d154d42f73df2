"""The organisation most tests run with: facilities and IT teams, categories (one needing approval,
one with custom fields), SLA targets."""

from services.organisation.config_file import parse_organisation
from services.organisation.org import Organisation

TEAM_CHANNEL = "C0FACILITY"
ESCALATION_CHANNEL = "C0ESCALATE"
TECH_1 = "U0TECH1"
TECH_2 = "U0TECH2"
MANAGER = "U0MANAGER"
ADMIN = "U0ADMIN"
STAFF = "U0STAFF"
OUTSIDER = "U0OUTSIDER"
OTHER_TECH = "U0ITTECH"

CONFIG = f"""
timezone: Europe/London
admins: [{ADMIN}]
teams:
  - key: facilities
    name: Facilities
    channel: {TEAM_CHANNEL}
    escalation_channel: {ESCALATION_CHANNEL}
    managers: [{MANAGER}]
    technicians: [{TECH_1}, {TECH_2}]
  - key: it
    name: IT
    channel: C0ITDESK
    technicians: [{OTHER_TECH}]
categories:
  - key: plumbing
    name: Plumbing
    team: facilities
    default_priority: medium
  - key: electrical
    name: Electrical
    team: facilities
    default_priority: high
  - key: laptops
    name: Laptops
    team: it
  - key: keys
    name: Keys and access
    team: facilities
    requires_approval: true
    default_priority: low
  - key: hvac
    name: Heating and cooling
    team: facilities
    fields:
      - {{key: floor, label: Floor, type: number, min: -2, max: 40, required: true}}
      - {{key: kind, label: What is wrong, type: select, options: [Too hot, Too cold, Noisy]}}
      - {{key: noticed, label: First noticed, type: date}}
      - {{key: contact, label: Who to ask on site, type: user}}
      - {{key: safe, label: Nobody is at risk, type: checkbox}}
sla:
  urgent: {{respond: 15m, resolve: 4h}}
  high: {{respond: 1h, resolve: 1d}}
  medium: {{respond: 4h, resolve: 3d}}
  low: {{respond: 1d, resolve: 2w}}
"""


def organisation() -> Organisation:
    return parse_organisation(CONFIG)
