"""Read YAML while remembering where every value came from, so content errors can name file, line and field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError


@dataclass
class Located:
    """A parsed YAML document plus the line of every value, keyed by its path of keys and indexes."""

    path: Path
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, loc: tuple) -> int:
        """Return the line of the deepest known prefix of `loc` (a pydantic error location)."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1


class ContentError(Exception):
    """One or more problems in content files, each with file, line and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def problem(path: Path, line: int, field_path: str, message: str) -> str:
    """Format one problem the way every content error is reported."""
    return f"{path}:{line}: {field_path or '(top)'}: {message}"


# libyaml's composer is several times faster and reports the same marks; fall back when it is not built in.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _construct(node: yaml.Node, loc: tuple, lines: dict[tuple, int], loader: yaml.SafeLoader) -> Any:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            out[key] = _construct(value_node, loc + (key,), lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(child, loc + (i,), lines, loader) for i, child in enumerate(node.value)]
    return loader.construct_object(node)


def load_located(path: Path) -> Located:
    """Parse one YAML file into plain data plus line numbers; syntax errors become ContentError."""
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ContentError([problem(path, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    lines: dict[tuple, int] = {}
    data = _construct(node, (), lines, yaml.SafeLoader("")) if node is not None else None
    return Located(path=path, data=data, lines=lines)


def field_path(loc: tuple, data) -> str:
    """Render a pydantic location as `questions[3] (backup_location).options[0].level`."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id") or node.get("value"), str):
                out += f" ({node.get('id') or node.get('value')})"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def validate(model: type[BaseModel], doc: Located):
    """Build a pydantic model from a located document; every error names file, line and field."""
    try:
        return model.model_validate(doc.data if doc.data is not None else {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {"function-after", "list"}))
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(problem(doc.path, doc.line_of(loc), field_path(loc, doc.data), msg))
        raise ContentError(problems) from None
