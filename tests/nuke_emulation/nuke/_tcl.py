"""The TCL and expression subset the emulation understands (reference B3).

Supported in string evaluation: ``[value Node.knob]``, ``[file dirname|tail|rootname|extension
x]``, ``[python {...}]``, ``[getenv X]``, ``$env(X)``. Supported expressions on numeric knobs:
numbers, ``frame``, ``knob``, ``Node.knob``, ``parent.knob``, ``root.knob``. Anything else raises
``NotImplementedError`` so a test notices it is leaning on behaviour nobody emulated.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import Any

from ._session import SESSION

_ENV = re.compile(r"\$env\(([^)]+)\)")
_REF = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def expand(text: str, node: Any = None) -> str:
    """TCL substitution of ``text`` in the context of ``node``."""
    text = _ENV.sub(lambda m: os.environ.get(m.group(1), ""), text)
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "[]{}$\\\"":
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "[":
            end = _matching(text, i, "[", "]")
            out.append(run(text[i + 1:end], node))
            i = end + 1
            continue
        if ch == "$":
            raise NotImplementedError(f"fake nuke: TCL variable in {text!r} is not emulated")
        out.append(ch)
        i += 1
    return "".join(out)


def _matching(text: str, start: int, open_ch: str, close_ch: str) -> int:
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError(f"unbalanced {open_ch} in {text!r}")


def split_words(cmd: str) -> list[str]:
    """TCL word splitting: whitespace, ``{...}`` groups (verbatim) and ``"..."`` strings."""
    words: list[str] = []
    i = 0
    cmd = cmd.strip()
    while i < len(cmd):
        if cmd[i].isspace():
            i += 1
            continue
        if cmd[i] == "{":
            end = _matching(cmd, i, "{", "}")
            words.append(cmd[i + 1:end])
            i = end + 1
        elif cmd[i] == '"':
            j = i + 1
            buf = []
            while j < len(cmd) and cmd[j] != '"':
                if cmd[j] == "\\" and j + 1 < len(cmd):
                    buf.append(unescape_char(cmd[j + 1]))
                    j += 2
                    continue
                buf.append(cmd[j])
                j += 1
            words.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < len(cmd) and not cmd[j].isspace():
                if cmd[j] == "[":
                    j = _matching(cmd, j, "[", "]") + 1
                    continue
                j += 1
            words.append(cmd[i:j])
            i = j
    return words


def unescape_char(ch: str) -> str:
    return {"n": "\n", "t": "\t", "r": "\r"}.get(ch, ch)


def run(cmd: str, node: Any = None) -> str:
    """Run one TCL command from the supported subset; returns its string result."""
    words = split_words(cmd)
    if not words:
        return ""
    name, args = words[0], words[1:]
    if name == "value" and len(args) == 1:
        return knob_text(resolve_knob(expand(args[0], node), node))
    if name == "file" and len(args) == 2:
        path = expand(args[1], node)
        op = args[0]
        if op == "dirname":
            return posixpath.dirname(path)
        if op == "tail":
            return posixpath.basename(path)
        if op == "rootname":
            return posixpath.splitext(path)[0]
        if op == "extension":
            return posixpath.splitext(path)[1]
    if name == "getenv" and len(args) == 1:
        return os.environ.get(args[0], "")
    if name == "python" and len(args) == 1:
        import nuke  # the emulated module itself

        return str(eval(args[0], {"nuke": nuke}))  # noqa: S307 - emulating [python]
    raise NotImplementedError(f"fake nuke: TCL command {cmd!r} is not emulated")


def knob_text(knob: Any) -> str:
    value = knob.value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "name") and callable(value.name):
        return str(value.name())
    return str(value)


def resolve_knob(ref: str, node: Any = None) -> Any:
    """``knob`` (on ``node``), ``Node.knob``, ``parent.knob``, ``root.knob``, ``Group.Node.knob``."""
    if not _REF.match(ref):
        raise NotImplementedError(f"fake nuke: reference {ref!r} is not emulated")
    parts = ref.split(".")
    if len(parts) == 1:
        if node is None:
            raise NameError(f"{ref}: no node context")
        return node[parts[0]]
    owner_path, knob_name = parts[:-1], parts[-1]
    owner = _resolve_owner(owner_path, node)
    return owner[knob_name]


def _resolve_owner(path: list[str], node: Any) -> Any:
    first = path[0]
    if first == "root":
        owner = SESSION.root
    elif first == "parent":
        if node is None:
            raise NameError("parent: no node context")
        owner = node.parent()
    elif first == "this":
        owner = node
    else:
        group = node.parent() if node is not None else SESSION.root
        owner = group.node(first) if group is not None else None
        if owner is None:
            owner = SESSION.root.node(first)
    for name in path[1:]:
        owner = owner.node(name) if owner is not None else None
    if owner is None:
        raise NameError(f"{'.'.join(path)}: no such node")
    return owner


def evaluate_expression(expr: str, node: Any) -> float:
    """A numeric knob's expression (the subset named in the module docstring)."""
    text = expr.strip()
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("frame", "t"):
        return float(SESSION.frame)
    knob = resolve_knob(text, node)
    getter = getattr(knob, "getValue", None)
    value = getter() if getter is not None else knob.value()
    return float(value)
