"""Independent work on Dask distributed: documents to extract, what-if values to sweep.

    with Runner(workers=2) as run:          # a local cluster, started and stopped here
        for result in run.map(extract_document, documents):   # results in input order
            ...

`Runner()` with neither `workers` nor `scheduler` runs in this process and never imports Dask, so
the default stays a single process. `scheduler="tcp://host:8786"` uses a running cluster. Items go
out in batches (one task per batch, to keep the scheduler's per-task cost small against the work),
results come back in the order given whatever order they finish in, and a task whose worker dies is
run again elsewhere (Dask reschedules the tasks of a lost worker; `retries` covers errors raised
while a worker goes away), so a killed worker neither loses nor duplicates work. Each worker process
keeps what the function loads (spaCy, the gazetteer) for all of its tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["Runner", "check_parallel_options"]

T = TypeVar("T")
R = TypeVar("R")

_RETRIES = 3
_TASKS_PER_WORKER = 8  # batches per worker: enough to balance uneven documents, few enough to be cheap


def check_parallel_options(workers: int | None, scheduler: str | None) -> None:
    """One-line errors for --workers/--scheduler, before any work starts."""
    from truce.errors import UserError

    if workers is not None and scheduler is not None:
        raise UserError(None, None, "--workers and --scheduler: give one or the other")
    if workers is not None and not 1 <= workers <= 512:
        raise UserError(None, None, f"--workers: expected a number from 1 to 512, got {workers}")
    if scheduler is not None and not scheduler.strip():
        raise UserError(None, None, "--scheduler: expected an address such as tcp://10.0.0.5:8786")


class Runner:
    """Maps a function over items in this process or on a Dask cluster; a context manager."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        check_parallel_options(workers, scheduler)
        self.workers, self.scheduler = workers, scheduler
        self._client: Any = None
        self._cluster: Any = None

    @property
    def distributed(self) -> bool:
        return self.workers is not None or self.scheduler is not None

    def __enter__(self) -> Runner:
        if not self.distributed:
            return self
        import dask
        from distributed import Client, LocalCluster

        dask.config.set({"distributed.scheduler.allowed-failures": _RETRIES})
        if self.scheduler:
            self._client = Client(self.scheduler, timeout="30s")
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,  # extraction holds the GIL: one process per core
                processes=True,
                dashboard_address="127.0.0.1:0",  # a free port: never a fixed one another run holds
                host="127.0.0.1",
            )
            self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    @property
    def dashboard(self) -> str | None:
        """Dask's dashboard address, when the cluster serves one (it needs bokeh installed)."""
        import importlib.util

        if self._client is None or importlib.util.find_spec("bokeh") is None and not self.scheduler:
            return None
        if "dashboard" not in self._client.scheduler_info().get("services", {}):
            return None
        return str(self._client.dashboard_link)

    @property
    def size(self) -> int:
        """Workers doing the work (1 in this process)."""
        if self._client is None:
            return 1
        return max(1, len(self._client.scheduler_info().get("workers", {})))

    def map(
        self,
        function: Callable[[T], R],
        items: Iterable[T],
        progress: Callable[[int, int], None] | None = None,
        batch: int | None = None,
    ) -> Iterator[R]:
        """function(item) for each item, in the items' order; progress(done, total) as items finish."""
        items = list(items)
        if not self.distributed:
            yield from _local(function, items, progress)
            return
        yield from self._remote(function, items, progress, batch or self._batch_size(len(items)))

    def _batch_size(self, count: int) -> int:
        return max(1, -(-count // (self.size * _TASKS_PER_WORKER)))

    def _remote(
        self,
        function: Callable[[T], R],
        items: list[T],
        progress: Callable[[int, int], None] | None,
        batch: int,
    ) -> Iterator[R]:
        from distributed import as_completed

        batches = [items[i : i + batch] for i in range(0, len(items), batch)]
        futures = self._client.map(
            _apply, batches, function=function, retries=_RETRIES, pure=False, key=_keys(len(batches))
        )
        position = {future.key: index for index, future in enumerate(futures)}
        ready: dict[int, list[R]] = {}
        done = next_out = 0
        for future in as_completed(futures):
            index = position[future.key]
            ready[index] = future.result()
            done += len(batches[index])
            if progress is not None:
                progress(done, len(items))
            while next_out in ready:  # hand results on in order, as soon as they can be
                yield from ready.pop(next_out)
                next_out += 1


def _local(
    function: Callable[[T], R], items: Sequence[T], progress: Callable[[int, int], None] | None
) -> Iterator[R]:
    for done, item in enumerate(items, start=1):
        yield function(item)
        if progress is not None:
            progress(done, len(items))


def _apply(batch: list[T], function: Callable[[T], R]) -> list[R]:
    return [function(item) for item in batch]


def _keys(count: int) -> list[str]:
    import uuid

    run = uuid.uuid4().hex[:12]  # unique per run, so two runs on one scheduler never share results
    return [f"truce-{run}-{index}" for index in range(count)]
