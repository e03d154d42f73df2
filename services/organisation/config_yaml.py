"""Reading an operator's YAML file so that every mistake in it is reported at once, each on the line it
is on, in plain words: keys written twice (PyYAML would silently keep the last), values a pydantic model
refuses, and unknown keys with the known key they are probably a typo of.

Generic: `services.organisation.org` gives it the model of `wrench.yml`.
"""

import difflib
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

Loc = tuple[int | str, ...]
ITEM_NAMES = ("key", "name", "team")  # what names a list item, after its position


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake: the line it is on, where in the file (`categories[2] (key: hvac).team`), and what."""

    line: int
    where: str
    message: str

    def render(self, source: str) -> str:
        return f"{source}:line {self.line}: " + (f"{self.where}: " if self.where else "") + self.message


class YamlSyntaxError(ValueError):
    """The text is not YAML at all: one problem, nothing else can be checked."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class MarkedLoader(yaml.SafeLoader):
    """PyYAML's safe loader; `compose` keeps the node tree, whose marks give every key its line."""


def compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (with line marks) and the plain data of `text`; YamlSyntaxError when it is not YAML."""
    try:
        root = yaml.compose(text, Loader=MarkedLoader)
        data = None
        if root is not None:
            loader = MarkedLoader("")
            try:
                data = loader.construct_document(root)
            finally:
                loader.dispose()
    except yaml.YAMLError as error:
        mark, opened = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        line = mark.line + 1 if mark else 1
        context = f"; it started on line {opened.line + 1}" if opened and mark and opened.line != mark.line else ""
        problem = getattr(error, "problem", None) or error
        raise YamlSyntaxError(Problem(line, "", f"not valid YAML ({problem}{context})")) from None
    return root, data


def duplicate_keys(node: yaml.Node | None, path: str = "") -> list[Problem]:
    """Every key written twice in one mapping, anywhere in the tree."""
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            here = f"{path}.{name}" if path else name
            line = key.start_mark.line + 1
            if name in seen:
                message = f"is written twice in this mapping (first on line {seen[name]}); keep one"
                found.append(Problem(line, here, message))
            else:
                seen[name] = line
            found += duplicate_keys(value, here)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += duplicate_keys(item, path + _item_label(item, index))
    return found


def validation_problems(root: yaml.Node | None, error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Each error pydantic found, located in the file and said plainly."""
    problems = []
    for detail in error.errors():
        loc = tuple(detail["loc"])
        line, where = locate(root, loc)
        problems.append(Problem(line, where, plain(detail, model)))
    return problems


def locate(root: yaml.Node | None, loc: Loc) -> tuple[int, str]:
    """The 1-based line of the deepest node `loc` reaches (a key's own line for a mapping entry), and
    its name with list items counted from 1 and named by their key: `categories[2] (key: hvac).team`."""
    node, line, where = root, (root.start_mark.line + 1 if root is not None else 1), ""
    for part in loc:
        if part == "[key]":  # pydantic's mark for a mapping's key (rather than its value)
            where += " (the key)"
            continue
        if isinstance(part, int):
            item = node.value[part] if isinstance(node, yaml.SequenceNode) and part < len(node.value) else None
            where += _item_label(item, part)
            node = item
            if item is not None:
                line = item.start_mark.line + 1
            continue
        where = f"{where}.{part}" if where else str(part)
        pair = None
        if isinstance(node, yaml.MappingNode):
            # the last of a key written twice: the one YAML keeps (the duplicate is reported on its own)
            pair = next(
                (p for p in reversed(node.value) if isinstance(p[0], yaml.ScalarNode) and p[0].value == part), None
            )
        node = pair[1] if pair else None
        if pair:
            line = pair[0].start_mark.line + 1
    return line, where or "(top level)"


def _item_label(item: yaml.Node | None, index: int) -> str:
    label = f"[{index + 1}]"
    if isinstance(item, yaml.MappingNode):
        for name in ITEM_NAMES:
            value = next((v for k, v in item.value if isinstance(k, yaml.ScalarNode) and k.value == name), None)
            if isinstance(value, yaml.ScalarNode) and value.value:
                return f"{label} ({name}: {value.value})"
    return label


KINDS = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping (key: value lines under it)",
    "model_type": "must be a mapping (key: value lines under it)",
    "model_attributes_type": "must be a mapping (key: value lines under it)",
    "tuple_type": "must be a list",
    "list_type": "must be a list",
    "time_parsing": "must be a time like 07:30",
    "time_type": "must be a time like 07:30",
    "date_parsing": "must be a date like 2026-12-25",
    "date_from_datetime_parsing": "must be a date like 2026-12-25",
    "date_type": "must be a date like 2026-12-25",
}


def plain(detail: ErrorDetails, model: type[BaseModel]) -> str:
    """Pydantic's message for one error, in the words of someone editing the file."""
    kind, ctx, given = detail["type"], detail.get("ctx") or {}, detail.get("input")
    shown = f", not {given!r}" if isinstance(given, str | int | float | bool) and len(str(given)) <= 60 else ""
    if kind == "extra_forbidden":
        return unknown_key(str(detail["loc"][-1]), model_at(model, tuple(detail["loc"])[:-1]))
    if kind == "missing":
        return "is required but missing"
    if kind in KINDS:
        return KINDS[kind] + shown
    if kind in ("enum", "literal_error"):
        return f"must be {ctx.get('expected', 'one of the allowed values')}{shown}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} {'entry' if ctx.get('min_length') == 1 else 'entries'}"
    if kind == "too_long":
        return f"may have at most {ctx.get('max_length')} entries (it has {ctx.get('actual_length')})"
    if kind == "string_too_short":
        return (
            "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')} characters"
        )
    if kind == "string_too_long":
        return f"may have at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"does not have the expected form ({ctx.get('pattern')}){shown}"
    bounds = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than"}
    bounds["less_than_equal"] = "at most"
    if kind in bounds:
        limit = next(iter(ctx.values()), "?")
        return f"must be {bounds[kind]} {limit}{shown}"
    message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message.replace("Input should be", "must be", 1)


def unknown_key(key: str, model: type[BaseModel] | None) -> str:
    """`is not a known key; did you mean `default_priority`?` (or the keys it may be)."""
    if model is None:
        return "is not a known key"
    known = list(model.model_fields)
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"is not a known key; did you mean `{close[0]}`?"
    return f"is not a known key (known here: {', '.join(known)})"


def model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model that validates the mapping at `loc`, following fields, list items and mapping values."""
    current: Any = model
    for part in loc:
        current = _unwrapped(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (tuple, list):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrapped(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrapped(annotation: Any) -> Any:
    """`X` from `Annotated[X, ...]` and from `X | None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = rest[0] if len(rest) == 1 else annotation
            if len(rest) != 1:
                return annotation
        else:
            return annotation
