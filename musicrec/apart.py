"""Heavy fits in a child process of their own, so one person's upload does not stall the others.

A served app runs every visitor's script in a thread of one Python process: a fit of one
person's data (matching to the catalog, the recommender, the prompt lookups: seconds of pure
Python) held the interpreter's lock, and every other visitor's slider waited for it (bench_load:
slider moves of 1.5-4 s on the demo while three others uploaded). :func:`run` sends such a fit
to a worker process at a lower CPU priority and waits for its result; the waiting thread holds
no lock, so the other visitors' reruns go on, and take the CPU first.

One worker serves the whole server, one fit at a time (a fit's memory is bounded by one fit, not
by how many people upload at once). It is started on the first fit, kept while fits follow each
other, and stopped once idle for :data:`IDLE_SECONDS`, so the memory a fit used goes back to the
system. Arguments and results cross as pickles (a person's workspace and model: tens of MB).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from musicrec.errors import FitFailedError

__all__ = ["IDLE_SECONDS", "NICENESS", "run", "shutdown", "worker_pid"]

T = TypeVar("T")

IDLE_SECONDS = 20.0
"""The worker stops this long after its last fit ended (an upload's fits follow each other
within seconds; the next person's upload starts a new worker)."""
NICENESS = 10
"""How much lower the worker's CPU priority is than the server's: the visitors' reruns first."""


def _lower_priority() -> None:
    os.nice(NICENESS)


class _Worker:
    """The one worker process, started on demand and stopped when idle (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._busy = 0
        self._timer: threading.Timer | None = None

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._pool is None:
                # spawn, not fork: the server has threads (and their locks) a fork would copy
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=mp.get_context("spawn"), initializer=_lower_priority
                )
            pool = self._pool
            self._busy += 1
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except BrokenProcessPool as exc:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise FitFailedError(
                "The fit stopped before it ended (the server may be short of memory): try again,"
                " or with fewer files."
            ) from exc
        finally:
            with self._lock:
                self._busy -= 1
                if self._busy == 0 and self._pool is not None:
                    self._timer = threading.Timer(IDLE_SECONDS, self._stop_if_idle)
                    self._timer.daemon = True
                    self._timer.start()

    def _stop_if_idle(self) -> None:
        with self._lock:
            if self._busy or self._pool is None:
                return
            pool, self._pool, self._timer = self._pool, None, None
        pool.shutdown(wait=True)

    def pid(self) -> int | None:
        """The worker process's id while one runs (tests), else None."""
        with self._lock:
            procs = getattr(self._pool, "_processes", None) or {}
            return next(iter(procs), None)

    def shutdown(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            pool, self._pool, self._timer = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=True)


_WORKER = _Worker()


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the worker process; its result (or exception) comes back
    pickled. ``fn`` must pickle: a module-level function, or a method of a picklable object.

    Raises:
        FitFailedError: the worker died before the fit ended (a new one serves the next fit).
    """
    return _WORKER.run(fn, *args, **kwargs)


def worker_pid() -> int | None:
    """The worker's process id while one runs, else None."""
    return _WORKER.pid()


def shutdown() -> None:
    """Stop the worker now (it is also stopped when idle)."""
    _WORKER.shutdown()
