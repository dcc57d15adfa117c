"""JSON round trip for the frozen dataclasses in ``shotloop.model``.

Dataclasses become plain dicts (enums by value, tuples as lists) and are rebuilt from their
type hints, so a value sent to the agent, stored in the ledger or written into
version.json comes back as the same typed value.
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from typing import Any, TypeVar

T = TypeVar("T")

def to_data(value: Any) -> Any:
    """Turn a dataclass tree into JSON-ready data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def from_data(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from data made by ``to_data``."""
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(options) == 1:
            return from_data(options[0], data)
        for option in options:
            try:
                return from_data(option, data)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"{data!r} matches none of {options}")
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_data(args[0], v) for v in data)
        return tuple(from_data(a, v) for a, v in zip(args, data))
    if origin is list:
        (arg,) = typing.get_args(kind)
        return [from_data(arg, v) for v in data]
    if origin in (dict, typing.Mapping) or kind is dict:
        args = typing.get_args(kind)
        value_kind = args[1] if args else Any
        return {k: from_data(value_kind, v) for k, v in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise TypeError(f"{kind.__name__} needs an object, got {type(data).__name__}")
        hints = _hints(kind)
        kwargs = {}
        for f in dataclasses.fields(kind):
            if f.name in data:
                kwargs[f.name] = from_data(hints[f.name], data[f.name])
        return kind(**kwargs)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data


@functools.lru_cache(maxsize=None)
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)
