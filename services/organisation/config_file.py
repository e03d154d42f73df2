"""`wrench.yml` read into an `Organisation`, every problem reported at once, each with the line it is on
(`services.organisation.config_yaml`), so `wrench config check` and `wrench run` point at all of them:
values of the wrong shape, then the checks that relate entries to each other, and (when asked) the secrets
the file says are in the environment."""

from pathlib import Path

from pydantic import ValidationError

from services.organisation import config_yaml
from services.organisation.org import Organisation


def reference_problems(org: Organisation) -> list[tuple[config_yaml.Loc, str]]:
    """Every key used twice and every team or category named but not defined, with where it is in the file."""
    found: list[tuple[config_yaml.Loc, str]] = []
    for name, keys in (("teams", [t.key for t in org.teams]), ("categories", [c.key for c in org.categories])):
        for index, key in enumerate(keys):
            if key in keys[:index]:
                found.append(((name, index, "key"), f"key '{key}' is used twice"))
    webhook_names = [webhook.name for webhook in org.webhooks]
    for index, name in enumerate(webhook_names):
        if name in webhook_names[:index]:
            found.append((("webhooks", index, "name"), f"webhook name '{name}' is used twice"))
    team_keys = {team.key for team in org.teams}
    for index, category in enumerate(org.categories):
        if category.team not in team_keys:
            found.append((("categories", index, "team"), f"team '{category.team}' is not defined under teams"))
        elif category.requires_approval and not org.approvers(category):
            message = "requires_approval needs approvers (or managers on its team)"
            found.append((("categories", index, "requires_approval"), message))
        keys = [field.key for field in category.fields]
        for position, key in enumerate(keys):
            if key in keys[:position]:
                found.append((("categories", index, "fields", position, "key"), f"field key '{key}' is used twice"))
    for index, key in enumerate(org.portal.categories):
        portal_category = org.category(key)
        if portal_category is None:
            found.append((("portal", "categories", index), f"category '{key}' is not defined under categories"))
        elif portal_category.needs_slack_user():
            message = f"category '{key}' asks for a Slack user: the portal cannot"
            found.append((("portal", "categories", index), message))
    for index, digest in enumerate(org.digests):
        if digest.team not in team_keys:
            found.append((("digests", index, "team"), f"team '{digest.team}' is not defined under teams"))
    if org.email is not None:
        wanted: list[tuple[config_yaml.Loc, str]] = [(("email", "default_category"), org.email.default_category)]
        wanted += [(("email", "rules", i, "category"), rule.category) for i, rule in enumerate(org.email.rules)]
        for where, key in wanted:
            if org.category(key) is None:
                found.append((where, f"category '{key}' is not defined under categories"))
        if org.smtp is None:
            found.append((("email",), "reading requests by email needs an smtp: section to answer the senders"))
    threshold = org.purchasing.auto_approve_below.currency
    if threshold is not None and threshold != org.currency:
        message = f"the threshold's currency must be the organisation's ({org.currency}): orders are in it"
        found.append((("purchasing", "auto_approve_below", "currency"), message))
    intake = org.emoji_intake.category
    if intake is not None and org.category(intake) is None:
        found.append((("emoji_intake", "category"), f"category '{intake}' is not defined under categories"))
    return found


def environment_problems(org: Organisation) -> list[tuple[config_yaml.Loc, str]]:
    """Secrets the file says are in the environment but are not (or are too short)."""
    found: list[tuple[config_yaml.Loc, str]] = []
    for index, webhook in enumerate(org.webhooks):
        try:
            webhook.signing_secret()
        except ValueError as error:
            found.append((("webhooks", index, "secret_env"), str(error).removeprefix(f"webhook {webhook.name}: ")))
    if org.smtp is not None:
        try:
            org.smtp.login_password()
        except ValueError as error:
            found.append((("smtp", "password_env"), str(error).removeprefix("smtp: ")))
    if org.email is not None:
        try:
            org.email.imap.login_password()
        except ValueError as error:
            found.append((("email", "imap", "password_env"), str(error).removeprefix("imap: ")))
    return found


class OrgConfigError(ValueError):
    """The config file is wrong: one line per problem, each naming the file, the line and the problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_organisation(path: Path, *, check_environment: bool = False) -> Organisation:
    """The organisation in the file at `path`, as `wrench run` and every command read it.
    `check_environment` (`wrench run`, `wrench scheduler`, `wrench config check`): webhook secrets kept in
    the environment must be there too."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise OrgConfigError([f"{path}: cannot read the config file ({error.strerror})"]) from None
    return parse_organisation(text, source=str(path), check_environment=check_environment)


def parse_organisation(text: str, *, source: str = "wrench.yml", check_environment: bool = False) -> Organisation:
    """Parse `wrench.yml`; OrgConfigError lists every problem found, in the order of the file's lines.

    Keys written twice and values of the wrong shape are all found in one pass; the checks that relate
    entries to each other (a category's team is defined) run once every entry has the right shape."""
    try:
        root, data = config_yaml.compose(text)
    except config_yaml.YamlSyntaxError as error:
        raise OrgConfigError([error.problem.render(source)]) from None
    problems = config_yaml.duplicate_keys(root)
    if not isinstance(data, dict):
        problems.append(config_yaml.Problem(1, "(top level)", "expected a mapping with teams and categories"))
        raise OrgConfigError([problem.render(source) for problem in sorted(problems)])
    org = None
    try:
        org = Organisation.model_validate(data)
    except ValidationError as error:
        problems += config_yaml.validation_problems(root, error, Organisation)
    if org is not None:
        related = reference_problems(org) + (environment_problems(org) if check_environment else [])
        for loc, message in related:
            line, where = config_yaml.locate(root, loc)
            problems.append(config_yaml.Problem(line, where, message))
    if problems:
        raise OrgConfigError([problem.render(source) for problem in sorted(problems)])
    assert org is not None
    return org
