"""The configuration family: pydantic sections that refuse unknown keys, and one error that
lists every problem.

``cst-ref run``'s TOML config (``cst_ref.experiment.config``) and Flower's run config
(``cst_ref.flower.spec``) are both built from :class:`Section`s and validated once, where
they come in, by :func:`validated`: a bad value is reported with its place and what was
given, never as a traceback from deep inside.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

S = TypeVar("S", bound=BaseModel)


class ConfigError(ValueError):
    """A config that cannot run; ``messages`` has one line per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class Section(BaseModel):
    """A part of a config: unknown keys, wrong types and later changes are all refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _message(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if not where:  # a cross-field check names its own fields
        return message
    return f"{where}: {message} (got {error['input']!r})" if error["type"] != "missing" else f"{where}: {message}"


def validated(section: type[S], data: Mapping[str, Any]) -> S:
    """``data`` as a ``section``; a ``ConfigError`` listing every problem otherwise."""
    try:
        return section.model_validate(data)
    except ValidationError as error:
        messages: list[str] = []
        for item in error.errors():
            messages += _message(item).split("\n")
        raise ConfigError(messages) from None
