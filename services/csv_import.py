"""`wrench import KIND FILE.csv`, whatever the kind: columns named by the header row, every row checked,
all or nothing (one wrong row imports nothing, and each problem names its line and column), a row whose
key exists updates that record, and a dry run that writes nothing."""

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import DomainError, InvalidFields
from services.inputs import UNSTORABLE, unstorable_at
from services.organisation.org import Organisation


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


# (session, org, now, cells) → what the row did and how to name the record; raises InvalidFields
# (column → message) or another DomainError for a wrong row.
Upsert = Callable[[AsyncSession, Organisation, datetime, dict[str, str]], Awaitable[tuple[Outcome, str]]]


@dataclass(frozen=True)
class Kind:
    """One kind of record the CSV import knows."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]  # columns the header must have
    key: str  # the column that names a record: a repeat in one file is refused
    example: dict[str, str]
    upsert: Upsert


class ImportFailed(DomainError):
    """Some rows are wrong: `problems` lists each as "line N: column: message"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was imported")
        self.problems = problems


@dataclass
class Report:
    """What each row did, as "line N: label"."""

    done: dict[Outcome, list[str]] = field(default_factory=lambda: {outcome: [] for outcome in Outcome})


def template(kind: Kind) -> str:
    """The header row and one example row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=kind.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerow(kind.example)
    return out.getvalue()


def read_rows(kind: Kind, text: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, cells) per row; an unknown or missing column fails the whole file."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        return _rows(kind, reader)
    except csv.Error as error:  # a cell over csv's field limit (128 KiB), a stray carriage return...
        raise ImportFailed([f"line {max(reader.line_num, 1)}: cannot read this line as CSV ({error})"]) from None


def _rows(kind: Kind, reader: "csv.DictReader[str]") -> list[tuple[int, dict[str, str]]]:
    header = [name.strip().lower() for name in reader.fieldnames or []]
    unknown = [name for name in header if name not in kind.columns]
    missing = [name for name in kind.required if name not in header]
    if unknown or missing:
        problems = [f"line 1: unknown column '{name}' (columns: {', '.join(kind.columns)})" for name in unknown]
        problems += [f"line 1: missing column '{name}'" for name in missing]
        raise ImportFailed(problems)
    reader.fieldnames = header
    rows, line = [], 1
    for cells in reader:
        rows.append((line + 1, {k: (v or "").strip() for k, v in cells.items() if k is not None}))
        line = reader.line_num
    return rows


async def run(
    session: AsyncSession,
    kind: Kind,
    *,
    org: Organisation,
    now: datetime,
    rows: list[tuple[int, dict[str, str]]],
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Apply every row (from `read_rows`) in one savepoint: kept only when no row failed and not a dry run."""
    problems: list[str] = []
    report = Report()
    async with session.begin_nested() as savepoint:
        seen: dict[str, int] = {}
        for line, cells in rows:
            key = cells.get(kind.key, "").lower()
            try:
                unstorable = {column: UNSTORABLE for column, text in cells.items() if unstorable_at(text) is not None}
                if unstorable:
                    raise InvalidFields(unstorable)
                if key and key in seen:
                    raise InvalidFields({kind.key: f"'{cells[kind.key]}' is also on line {seen[key]}"})
                seen[key] = line
                outcome, label = await kind.upsert(session, org, now, cells)
                report.done[outcome].append(f"line {line}: {label}")
            except InvalidFields as error:
                problems += [f"line {line}: {column}: {message}" for column, message in error.errors.items()]
            except DomainError as error:
                problems.append(f"line {line}: {error}")
            if progress is not None:
                progress(1)
        if problems:
            await savepoint.rollback()
            raise ImportFailed(problems)
        if dry_run:
            await savepoint.rollback()
    return report
