"""Text the team wrote, made fit for people outside Slack: Slack's mentions and ids become names."""

import re

from services.organisation.org import Organisation

SLACK_MARKS = re.compile(r"<[@#!]([^<>|]*)(?:\|([^<>]*))?>|@([UW][A-Z0-9]{2,20})\b")


def without_slack_ids(text: str, org: Organisation) -> str:
    """Text with Slack's mentions and ids turned into names (`people:`) or "a colleague"."""

    def named(found: re.Match[str]) -> str:
        target, label, bare = found.group(1), found.group(2), found.group(3)
        person = org.people.get(bare or target or "")
        if person is not None:
            return person.name
        return label or "a colleague"

    return SLACK_MARKS.sub(named, text)
