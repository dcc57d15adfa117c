"""The campaign's table of figures (plain text, one stream)."""
from __future__ import annotations

from typing import IO, Any

from .badinput import Outcome
from .faultplan import FAULT_MODES
from .phases import AccessFigures, FaultFigures

__all__ = ["print_report"]


def _line(out: IO[str], text: str = "") -> None:
    out.write(text + "\n")


def print_report(out: IO[str], *, faults: FaultFigures, bad: list[Outcome], access: AccessFigures,
                 integrity: list[str], scanned: int, hits: list[str], service_stats: dict[str, Any],
                 tiny: bool) -> bool:
    """Print the tables; True when anything was lost, corrupted, leaked or refused wrongly."""
    bad_run = [o for o in bad if not o.skipped]
    bad_wrong = [o for o in bad_run if not o.ok]
    bad_changed = [o for o in bad_wrong if "changed on disk" in o.detail or "create" in o.detail
                   or "took" in o.detail]
    _line(out)
    _line(out, f"{'':28}{'count':>8}{'lost':>7}{'corrupted':>11}  notes")
    _line(out, "-" * 92)
    _line(out, f"{'jobs run':28}{faults.jobs:>8}{faults.lost:>7}{faults.corrupted:>11}  "
               f"{faults.batches} batches; repeated creates: {faults.extra_creates}; "
               f"duplicate bodies at the service: {faults.duplicate_creates}")
    _line(out, f"{'faults injected':28}{faults.faults_injected:>8}{faults.lost:>7}{faults.corrupted:>11}  "
               f"{len(FAULT_MODES)} modes; by kind: {_kinds(service_stats)}")
    _line(out, f"{'agent kills (SIGKILL)':28}{faults.kills:>8}{faults.lost:>7}{faults.corrupted:>11}  "
               f"restarts: {faults.restarts}; ledger integrity problems: {len(integrity)}")
    _line(out, f"{'bad inputs tried':28}{len(bad_run):>8}{0:>7}{len(bad_changed):>11}  "
               f"wrong or unclear error: {len(bad_wrong) - len(bad_changed)}; "
               f"skipped: {len(bad) - len(bad_run)}{'' if tiny else ' (no tiny filesystem)'}")
    _line(out, f"{'secret scan (files)':28}{scanned:>8}{'-':>7}{'-':>11}  key found in: {len(hits)}")
    _line(out, f"{'access checks':28}{access.checks:>8}{'-':>7}{'-':>11}  failed: {len(access.failures)}")
    _line(out)
    _line(out, f"{'fault mode':24}{'jobs':>6}{'as planned':>11}{'killed in create':>17}"
               f"{'other':>7}{'lost':>6}{'corrupt':>8}{'extra creates':>14}  expected")
    _line(out, "-" * 130)
    for mode in FAULT_MODES:
        m = faults.modes[mode.name]
        _line(out, f"{mode.name:24}{m.jobs:>6}{m.as_expected:>11}{m.killed_mid_create:>17}"
                   f"{len(m.other):>7}{m.lost:>6}{m.corrupted:>8}{m.extra_creates:>14}  {mode.expected}")
    details = [*faults.problems, *integrity, *hits, *access.failures,
               *(f"bad input {o.name}: {o.detail}" for o in bad_wrong),
               *(o for m in faults.modes.values() for o in m.other)]
    if details:
        _line(out)
        _line(out, "details:")
        for text in details[:60]:
            _line(out, f"  {text}")
    out.flush()
    return bool(faults.lost or faults.corrupted or faults.extra_creates or faults.duplicate_creates
                or integrity or hits or access.failures or bad_wrong)


def _kinds(stats: dict[str, Any]) -> str:
    fired = stats.get("faults_fired", {})
    return ", ".join(f"{k} {v}" for k, v in sorted(fired.items()))
