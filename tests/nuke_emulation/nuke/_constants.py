"""Constant values of the ``nuke`` module (reference/nuke.md A4, SRC15 Nuke 15.0v1)."""
from __future__ import annotations

# Knob flags.
DISABLED = 128
NO_ANIMATION = 256
DO_NOT_WRITE = 512
INVISIBLE = 1024
STARTLINE = 4096
ENDLINE = 8192
KNOB_CHANGED_ALWAYS = 65536
NO_UNDO = 524288
ALWAYS_SAVE = 1048576
READ_ONLY = 268435456

# Tab_Knob flags.
TABBEGINGROUP = 1
TABBEGINCLOSEDGROUP = 2
TABENDGROUP = -1

# Node.writeKnobs flags.
TO_SCRIPT = 1
TO_VALUE = 2
WRITE_USER_KNOB_DEFS = 4
WRITE_ALL = 8
WRITE_NON_DEFAULT_ONLY = 16

# nuke.filename flag.
REPLACE = 1

# Node.dependencies / dependent flags.
EXPRESSIONS = 1
INPUTS = 2
HIDDEN_INPUTS = 4
LINKINPUTS = 8

# Flag names as they appear in .nk addUserKnob definitions.
FLAG_NAMES = {
    INVISIBLE: "INVISIBLE",
    DISABLED: "DISABLED",
    READ_ONLY: "READ_ONLY",
    DO_NOT_WRITE: "DO_NOT_WRITE",
    NO_ANIMATION: "NO_ANIMATION",
    ALWAYS_SAVE: "ALWAYS_SAVE",
    KNOB_CHANGED_ALWAYS: "KNOB_CHANGED_ALWAYS",
}
