"""The .nk subset written and read by the emulation (reference A4 "Persistence", A6, B5).

Writer: ``version``, a ``Root {}`` block, then nodes depth-first so inputs are on the stack
(``inputs N``, input 0 = last pushed, ``set``/``push`` for fan-out, ``push 0`` for gaps), groups
as ``Group {}`` ... ``end_group``. Only non-default knobs, plus ``name``/``xpos``/``ypos`` and
user knobs (``addUserKnob {id name l label T text M {items} +FLAGS}`` then a value line).
"""
from __future__ import annotations

import re
from typing import Any

from . import _knobs as k
from . import _nodes
from ._classes import Color_Knob
from ._constants import DO_NOT_WRITE, FLAG_NAMES, WRITE_USER_KNOB_DEFS
from ._session import SESSION
from ._tcl import split_words, unescape_char

_BARE = re.compile(r"^[A-Za-z0-9_./:+\-%#@,=]+$")
_ALWAYS = ("name", "xpos", "ypos")
_SKIP_CLASSES = (k.Tab_Knob, k.PyScript_Knob, k.Text_Knob)


def quote(text: str) -> str:
    if text and _BARE.match(text):
        return text
    out = []
    for ch in text:
        if ch in '\\"[]{}$':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value_text(knob: k.Knob) -> str:
    text = knob.toScript()
    if isinstance(knob, (k.Array_Knob, Color_Knob)):
        return text
    return quote(text)


def _user_def(knob: k.Knob) -> str:
    parts = [str(knob.type_id), knob.name() or '""']
    if knob._label is not None and knob._label != knob.name():
        parts += ["l", quote(knob._label)]
    if knob._tooltip:
        parts += ["t", quote(knob._tooltip)]
    if isinstance(knob, k.Tab_Knob) and knob._tab_flags:
        parts += ["n", str(knob._tab_flags)]
    if isinstance(knob, (k.Text_Knob, k.PyScript_Knob)) and knob._value:
        parts += ["T", quote(knob._value)]
    if isinstance(knob, k.Enumeration_Knob):
        parts += ["M", "{" + " ".join(quote(i) for i in knob._items) + "}"]
    for flag, name in FLAG_NAMES.items():
        if knob._flags & flag and flag != DO_NOT_WRITE:
            parts.append("+" + name)
    return " ".join(parts)


def knob_lines(node: Any, user_defs: bool = True, always: bool = True) -> list[str]:
    lines = []
    user = set(map(id, node._user))
    for knob in node._all:
        name = knob.name()
        if id(knob) in user or not name or knob.getFlag(DO_NOT_WRITE) or name in _ALWAYS:
            continue
        if isinstance(knob, _SKIP_CLASSES) or knob._is_default():
            continue
        lines.append(f"{name} {_value_text(knob)}")
    lines += [f"{name} {text}" for name, text in node._raw]
    if always and node._class != "Root":
        lines += [f"name {quote(node._knobs['name']._value)}"]
        lines += [f"{n} {node._knobs[n]._value}" for n in ("xpos", "ypos")]
    for knob in node._user:
        if knob.getFlag(DO_NOT_WRITE):
            continue
        if user_defs:
            lines.append("addUserKnob {" + _user_def(knob) + "}")
        if not isinstance(knob, _SKIP_CLASSES) and not knob._is_default():
            lines.append(f"{knob.name()} {_value_text(knob)}")
    return lines


def write_knobs(node: Any, flags: int) -> str:
    return "\n".join(knob_lines(node, user_defs=bool(flags & WRITE_USER_KNOB_DEFS), always=False))


def write_script(root: Any) -> str:
    major, minor, release = SESSION.version
    out = [f"#! nuke-{major}.{minor}.{release} -nx", f"version {major}.{minor} v{release}", "Root {", " inputs 0"]
    out += [" " + line for line in knob_lines(root)]
    out.append("}")
    _write_group(root, out)
    return "\n".join(out) + "\n"


def _write_group(group: Any, out: list[str]) -> None:
    done: set[int] = set()
    names: dict[int, str] = {}
    members = {id(n) for n in group.nodes()}

    def var(node: Any) -> str:
        return names.setdefault(id(node), f"N{node._serial:x}")

    def emit(node: Any) -> None:
        if id(node) in done:
            return
        done.add(id(node))
        count = node.inputs() if not node._deleted else 0
        sources = [node.input(i) for i in range(count)]
        sources = [s if s is not None and id(s) in members else None for s in sources]
        while sources and sources[-1] is None:
            sources.pop()
        count = len(sources)
        for source in sources:
            if source is not None:
                emit(source)
        for source in reversed(sources):
            out.append(f"push ${var(source)}" if source is not None else "push 0")
        out.append(f"{node._class} {{")
        if count != 1:
            out.append(f" inputs {count}")
        out.extend(" " + line for line in knob_lines(node))
        out.append("}")
        if isinstance(node, _nodes.Group):
            _write_group(node, out)
            out.append("end_group")
        out.append(f"set {var(node)} [stack 0]")

    for child in group.nodes():
        emit(child)


# ---------------------------------------------------------------------- reading


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) with kinds word / quoted / brace / nl."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            tokens.append(("nl", ""))
            i += 1
        elif ch.isspace():
            i += 1
        elif ch == "#" and (not tokens or tokens[-1][0] == "nl"):
            while i < n and text[i] != "\n":
                i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    buf.append(unescape_char(text[j + 1]))
                    j += 2
                    continue
                buf.append(text[j])
                j += 1
            tokens.append(("quoted", "".join(buf)))
            i = j + 1
        elif ch == "{" and not _opens_block(tokens, text, i):
            depth, j = 0, i
            while j < n:
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "{":
                    depth += 1
                elif text[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            tokens.append(("brace", text[i + 1:j]))
            i = j + 1
        elif ch in "{}":
            tokens.append(("word", ch))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace():
                if text[j] == "[":
                    depth = 0
                    while j < n:
                        depth += text[j] == "["
                        depth -= text[j] == "]"
                        j += 1
                        if depth == 0:
                            break
                    continue
                j += 1
            tokens.append(("word", text[i:j]))
            i = j
    return tokens


def _opens_block(tokens: list[tuple[str, str]], text: str, at: int) -> bool:
    """``Class {`` alone on a line opens a node block; any other ``{`` starts a value."""
    first_on_line = len(tokens) == 1 or (len(tokens) >= 2 and tokens[-2][0] == "nl")
    if not tokens or tokens[-1][0] != "word" or not first_on_line:
        return False
    end = text.find("\n", at)
    rest = text[at + 1:] if end < 0 else text[at + 1:end]
    return not rest.strip()


def _lines(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    lines, cur = [], []
    for tok in tokens:
        if tok[0] == "nl":
            if cur:
                lines.append(cur)
            cur = []
        else:
            cur.append(tok)
    if cur:
        lines.append(cur)
    return lines


def _apply(node: Any, name: str, tok: tuple[str, str]) -> None:
    knob = node._knobs.get(name)
    if knob is None:
        node._raw.append((name, tok[1] if tok[0] == "word" else quote(tok[1]) if tok[0] == "quoted" else "{" + tok[1] + "}"))
        return
    text = "{" + tok[1] + "}" if tok[0] == "brace" and isinstance(knob, k.Array_Knob) else tok[1]
    if isinstance(knob, k.Array_Knob):
        try:
            knob._set_quietly(float(text))
        except ValueError:
            knob._expression = text[1:-1] if text.startswith("{") else text
        return
    if isinstance(knob, k.Format_Knob):
        knob._set_quietly(text)
        return
    knob._set_quietly(knob._from_text(text))


def _user_knob(node: Any, spec: str) -> None:
    words = split_words(spec)
    type_id, name, rest = int(words[0]), words[1], words[2:]
    opts: dict[str, str] = {}
    flags = 0
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("+") and word[1:] in FLAG_NAMES.values():
            flags |= next(f for f, n in FLAG_NAMES.items() if n == word[1:])
        elif word in ("l", "t", "T", "M", "n") and i + 1 < len(rest):
            opts[word] = rest[i + 1]
            i += 1
        i += 1
    klass = k.USER_KNOB_CLASSES.get(type_id, k.EvalString_Knob)
    label = opts.get("l")
    if klass is k.Enumeration_Knob:
        knob: k.Knob = klass(name, label, split_words(opts.get("M", "")))
    elif klass in (k.Text_Knob, k.PyScript_Knob, k.Script_Knob):
        knob = klass(name, label, opts.get("T", ""))
    elif klass is k.Tab_Knob:
        knob = klass(name, label, int(opts.get("n", "0")))
    else:
        knob = klass(name, label)
    if "t" in opts:
        knob._tooltip = opts["t"]
    knob._flags = flags
    node._attach(knob, user=True)


def read_body(node: Any, lines: list[list[tuple[str, str]]]) -> int:
    """Apply knob lines to ``node``; returns the ``inputs`` count (default 1)."""
    inputs = 1
    for line in lines:
        name = line[0][1]
        if name == "addUserKnob" and len(line) > 1:
            _user_knob(node, line[1][1])
        elif name == "inputs" and len(line) > 1:
            inputs = int(line[1][1])
        elif name == "name" and len(line) > 1 and node._class != "Root":
            wanted = line[1][1]
            clash = any(c is not node and c._knobs["name"]._value == wanted
                        for c in node._parent._children if not c._deleted)
            node._knobs["name"]._set_quietly(
                _nodes.unique_name(re.sub(r"\d+$", "", wanted) or wanted, node._parent) if clash else wanted)
        elif len(line) > 1:
            _apply(node, name, line[1])
    return inputs


def read_knobs(node: Any, text: str) -> None:
    SESSION.loading = True
    try:
        read_body(node, _lines(_tokens(text)))
    finally:
        SESSION.loading = False


def read_script(text: str, group: Any, into_root: bool) -> list[Any]:
    """Create the nodes of ``text`` inside ``group``; returns them in onCreate order."""
    lines = _lines(_tokens(text))
    created: list[Any] = []
    contexts: list[tuple[Any, list, dict]] = [(group, [], {})]
    i = 0
    SESSION.loading = True
    try:
        while i < len(lines):
            line = lines[i]
            head = line[0][1]
            current, stack, variables = contexts[-1]
            if head == "version":
                i += 1
                continue
            if head == "set" and len(line) >= 2:
                variables[line[1][1]] = stack[-1] if stack else None
            elif head == "push" and len(line) >= 2:
                ref = line[1][1]
                stack.append(None if ref == "0" else variables.get(ref.lstrip("$")))
            elif head == "end_group":
                finished = contexts.pop()[0]
                created.append(finished)
                contexts[-1][1].append(finished)
            elif len(line) >= 2 and line[1] == ("word", "{"):
                body, i = _block(lines, i + 1)
                if head == "Root":
                    if into_root:
                        read_body(SESSION.root, body)
                    i += 1
                    continue
                try:
                    node = _nodes.make(head, current)
                except RuntimeError:
                    node = _nodes.make_unknown(head, current)
                count = read_body(node, body)
                sources = [stack.pop() if stack else None for _ in range(count)]
                for index, source in enumerate(sources):
                    if source is not None:
                        node._inputs += [None] * (index + 1 - len(node._inputs))
                        node._inputs[index] = source
                if isinstance(node, _nodes.Group):
                    contexts.append((node, [], variables))
                else:
                    created.append(node)
                    stack.append(node)
            i += 1
    finally:
        SESSION.loading = False
    return created


def _block(lines: list[list[tuple[str, str]]], start: int) -> tuple[list, int]:
    body = []
    i = start
    while i < len(lines) and lines[i] != [("word", "}")]:
        body.append(lines[i])
        i += 1
    return body, i
