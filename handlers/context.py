"""What a listener gets from the composition root through bolt's context."""

import re
from collections.abc import Iterable
from typing import Any

from services.ports import Deps


def deps_of(context: Any) -> Deps:
    deps: Deps = context["deps"]
    return deps


def one_of(identifiers: Iterable[str]) -> re.Pattern[str]:
    """A bolt constraint matching exactly these action or callback ids: one listener for a group."""
    return re.compile("^(?:" + "|".join(re.escape(str(identifier)) for identifier in identifiers) + ")$")
