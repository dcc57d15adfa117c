"""Credits, daily generation counts and usage history of the one organisation.

Credits are prepaid: a create takes the estimate, the final charge is settled when the
task ends and the difference comes back. Usage is kept per UTC day and model (custom
studio ids are reported under the catalogue model they behave like, since the SDK's
usage type only knows catalogue ids).
"""
from __future__ import annotations

import collections
import datetime as dt
import math
import threading
import time
from typing import Any, Callable, Iterable, Mapping

DAY_S = 24 * 3600.0


class Account:
    def __init__(
        self,
        credit_balance: int,
        daily_limit: int | None,
        report_as: Callable[[str], str],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.Lock()
        self._initial = credit_balance
        self._balance = credit_balance
        self._daily_limit = daily_limit
        self._report_as = report_as
        self._clock = clock
        self._creates: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._used: collections.Counter = collections.Counter()  # (date, model) -> credits

    def admit(self, model: str, estimate: int) -> str:
        """Take the estimate for a new task, or say why not ("" when admitted)."""
        now = self._clock()
        with self._lock:
            recent = self._creates[model]
            while recent and recent[0] <= now - DAY_S:
                recent.popleft()
            if self._daily_limit is not None and len(recent) >= self._daily_limit:
                return "daily_limit"
            if estimate > self._balance:
                return "credits"
            recent.append(now)
            self._balance -= estimate
            self._used[(_date(now), self._report_as(model))] += estimate
            return ""

    def settle(self, model: str, created: float, estimate: int, cost: int) -> None:
        """A task ended: give back what was taken beyond its final cost."""
        refund = estimate - cost
        if refund:
            with self._lock:
                self._balance += refund
                self._used[(_date(created), self._report_as(model))] -= refund

    @property
    def balance(self) -> int:
        with self._lock:
            return self._balance

    def daily_generations(self) -> dict[str, int]:
        now = self._clock()
        with self._lock:
            counts = {m: sum(1 for t in q if t > now - DAY_S) for m, q in self._creates.items()}
        return {m: n for m, n in counts.items() if n}

    def usage(self, start: dt.date, before: dt.date) -> dict[str, Any]:
        """The body of POST /v1/organization/usage for [start, before)."""
        with self._lock:
            rows = [(d, m, c) for (d, m), c in self._used.items() if start <= d < before]
        by_date: dict[dt.date, list[dict[str, Any]]] = collections.defaultdict(list)
        for day, model, credits in sorted(rows):
            by_date[day].append({"model": model, "amount": int(credits)})
        results = [{"date": day.isoformat(), "usedCredits": used} for day, used in sorted(by_date.items())]
        return {"models": sorted({m for _, m, _ in rows}), "results": results}

    def reset(self) -> None:
        with self._lock:
            self._balance = self._initial
            self._creates.clear()
            self._used.clear()


def _date(timestamp: float) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc).date()


def estimate_credits(credits_per_s: float, seconds: float) -> int:
    """The estimate the service quotes: rate times whole seconds, in whole credits."""
    return int(math.ceil(credits_per_s * max(1, math.ceil(seconds))))


def limits(models: Iterable[str], concurrency: int, daily: int | None) -> Mapping[str, dict]:
    cap = concurrency if concurrency > 0 else None
    return {m: {"maxConcurrentGenerations": cap, "maxDailyGenerations": daily} for m in models}
