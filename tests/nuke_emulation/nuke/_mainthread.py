"""executeInMainThread(WithResult), the main-thread queue, and ProgressTask (A8, B7)."""
from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from ._session import SESSION, emit

RESULT_TIMEOUT_S = 10.0


def _check_caller(op: str) -> None:
    if threading.current_thread() is SESSION.main_thread:
        raise RuntimeError(f"{op} called from the main thread (real Nuke freezes)")
    if not SESSION.gui:
        raise RuntimeError("Invalid function call in non-gui mode")


def _wrap(args: Any) -> tuple:
    return args if isinstance(args, tuple) else (args,)


def executeInMainThread(call: Callable, args: Any = (), kwargs: dict | None = None) -> None:  # noqa: N802
    """Queue ``call`` for the main thread and return at once."""
    _check_caller("executeInMainThread")
    with SESSION.queue_lock:
        SESSION.queue.append((call, _wrap(args), dict(kwargs or {}), None))


def executeInMainThreadWithResult(call: Callable, args: Any = (), kwargs: dict | None = None) -> Any:  # noqa: N802
    """Queue ``call`` and wait for its result; an exception inside ``call`` gives ``None``."""
    _check_caller("executeInMainThreadWithResult")
    holder: dict[str, Any] = {"event": threading.Event(), "result": None}
    with SESSION.queue_lock:
        SESSION.queue.append((call, _wrap(args), dict(kwargs or {}), holder))
    if not holder["event"].wait(RESULT_TIMEOUT_S):
        raise TimeoutError("fake nuke: nobody ran the main-thread queue (real Nuke would hang)")
    return holder["result"]


def pump(max_calls: int | None = None) -> int:
    """Run queued calls FIFO on the main thread; calls queued meanwhile run in the same pump."""
    if threading.current_thread() is not SESSION.main_thread:
        raise RuntimeError("fake nuke: pump() must run on the main thread")
    if SESSION.main_blocked or SESSION.rendering:
        return 0
    count = 0
    while max_calls is None or count < max_calls:
        with SESSION.queue_lock:
            if not SESSION.queue:
                break
            call, args, kwargs, holder = SESSION.queue.popleft()
        started = time.perf_counter()
        cpu_started = time.thread_time()
        result = None
        try:
            result = call(*args, **kwargs)
        except Exception:  # Nuke prints the traceback; WithResult callers get None
            traceback.print_exc()
            result = None
        finally:
            label = getattr(call, "__qualname__", repr(call))
            SESSION.pump_timings.append((label, time.perf_counter() - started, time.thread_time() - cpu_started))
        if holder is not None:
            holder["result"] = result
            holder["event"].set()
        count += 1
    return count


def pending() -> int:
    with SESSION.queue_lock:
        return len(SESSION.queue)


class ProgressRecord:
    """What the progress dialog showed for one task (kept after the task is dismissed)."""

    def __init__(self, title: str, maximum: int) -> None:
        self.lock = threading.Lock()
        self.title = title
        self.maximum = maximum
        self.messages: list[str] = []
        self.progress: list[int] = []
        self.warnings: list[str] = []
        self.threads: set[str] = set()
        self.cancelled = False
        self.finished = False


class ProgressTask:
    """A progress bar in Nuke's progress dialog; it is dismissed when the object goes away."""

    def __init__(self, name: str = "", maximum: int = 100, flags: Any = None) -> None:
        self._record = ProgressRecord(str(name), int(maximum))
        self._record.threads.add(threading.current_thread().name)
        SESSION.progress_tasks.append(self._record)
        if not SESSION.gui:
            emit(str(name))

    def setMessage(self, message: str) -> None:  # noqa: N802
        rec = self._record
        with rec.lock:
            rec.messages.append(str(message))
            rec.threads.add(threading.current_thread().name)

    def setProgress(self, progress: Any) -> None:  # noqa: N802
        rec = self._record
        with rec.lock:
            if not isinstance(progress, int) or isinstance(progress, bool):
                rec.warnings.append(f"setProgress({progress!r}) is not an int")
            value = int(progress)
            rec.progress.append(value)
            rec.threads.add(threading.current_thread().name)
        if not SESSION.gui:
            emit(f"{rec.title}: {value}%")

    def isCancelled(self) -> bool:  # noqa: N802
        with self._record.lock:
            return self._record.cancelled

    def __del__(self) -> None:
        self._record.finished = True
