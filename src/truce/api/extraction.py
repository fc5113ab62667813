"""Text extraction for `POST /reports/text`, off the request threads: in a worker process, with a
time limit per document. A document that takes longer is refused (422) and its worker is killed
and replaced, so one pathological text cannot hold the server's threads or CPU for minutes. The
worker loads the language model once, before its first document is timed."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from truce.api.problems import ProblemError

__all__ = ["TextExtractor"]

_LOAD_SECONDS = 300  # loading spaCy on a busy machine; not part of any document's time


def _warm() -> bool:
    from truce.extract import extract_text

    extract_text("Warm-up.", doc="warm-up")
    return True


def _extract(text: str, doc: str, published: dt.date | None) -> list[dict]:
    from truce.extract import extract_text

    return [e.incident.model_dump(mode="json") for e in extract_text(text, doc=doc, published=published)]


class TextExtractor:
    """`workers` processes; at most that many documents are extracted at once (others wait their
    turn, untimed), each within `seconds`."""

    def __init__(self, seconds: float, workers: int = 1) -> None:
        self.seconds, self.workers = seconds, workers
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._turns = threading.Semaphore(workers)

    def _ready_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: the server has threads, and a forked copy of them is unsafe.
                pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
                for warm in [pool.submit(_warm) for _ in range(self.workers)]:
                    warm.result(timeout=_LOAD_SECONDS)
                self._pool = pool
            return self._pool

    def extract(self, text: str, doc: str, published: dt.date | None) -> list[dict]:
        """The incidents found in `text`, as JSON; ProblemError 422 if it takes too long."""
        with self._turns:
            pool = self._ready_pool()
            future = pool.submit(_extract, text, doc, published)
            try:
                return future.result(timeout=self.seconds)
            except FutureTimeout:
                self._kill(pool)
                raise ProblemError(
                    422,
                    f"extracting incidents from this text took longer than {self.seconds:g} s; split it "
                    "into shorter reports, or ingest it with `truce ingest --format text`",
                    kind="too-slow",
                ) from None
            except BrokenProcessPool:  # its worker died (another document's time ran out)
                self._kill(pool)
                raise ProblemError(
                    503,
                    "the extraction worker restarted; try again",
                    kind="busy",
                    headers={"Retry-After": "1"},
                ) from None

    def _kill(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        for process in list((pool._processes or {}).values()):  # noqa: SLF001 — no public way to stop a running task
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
