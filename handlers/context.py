"""What a listener gets from the composition root through bolt's context."""

from typing import Any

from services.ports import Deps


def deps_of(context: Any) -> Deps:
    deps: Deps = context["deps"]
    return deps
