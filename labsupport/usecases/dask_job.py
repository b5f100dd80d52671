"""The same word count on Dask: a local cluster by default, or any running Dask scheduler.

The census office of :mod:`labsupport.usecases.mapreduce` was a model; Dask
is a real one. ``dask.bag`` holds the input splits as partitions;
``Bag.foldby`` is MapReduce with a combiner: it folds each partition into
per-key totals (the map and combine steps), then merges the partial totals
of every partition by key (the shuffle and reduce). A ``dask.distributed``
scheduler plays the master, handing tasks to workers and re-running the
tasks of a worker that dies.

Without an address the job starts a :class:`distributed.LocalCluster` inside
this Python process (threads, no dashboard) and closes it afterwards. Given
``scheduler_address`` (``"tcp://host:8786"``) it connects to a cluster that
is already running, which is how one would use a managed cluster: Amazon EMR
runs clusters of EC2 instances for Hadoop, Spark and similar frameworks and
lets you install further software with bootstrap actions (Amazon EMR
Management Guide, "Create bootstrap actions to install additional software");
EMR does not list Dask among its applications, but the Dask-Yarn project
publishes an EMR bootstrap action that installs Dask on the cluster.
"""

from __future__ import annotations

import logging
import operator
import time
from dataclasses import dataclass, field
from typing import Sequence

from labsupport.checks import check_int, check_number, check_type, out_of_range
from labsupport.usecases.corpus import Document

__all__ = ["DaskRun", "run_dask_wordcount"]


@dataclass(frozen=True)
class DaskRun:
    """The answer, the wall-clock seconds the computation took, and where it ran."""

    counts: dict[str, int] = field(repr=False)
    wall_s: float
    workers: int
    where: str  # "LocalCluster" or the scheduler address


def _word(word: str) -> str:
    return word


def _count(total: int, _word: str) -> int:
    return total + 1


# Closing a LocalCluster stops its workers' and scheduler's comms while a batched send may still be in flight;
# distributed then logs "Batched Comm Closed" with a traceback at INFO. silence_logs covers only the cluster's
# lifetime and restores the old level as it closes, so that late note reached a page's output now and then
# (once in about thirty builds). It reports an expected event, never an error, so this logger stays at WARNING.
logging.getLogger("distributed.batched").setLevel(logging.WARNING)


def _connect(address: str, timeout_s: float):
    from distributed import Client

    try:
        return Client(address, timeout=f"{timeout_s}s")
    except (OSError, TimeoutError) as error:
        raise ConnectionError(
            f"could not reach a Dask scheduler at {address!r} within {timeout_s:g} s ({error}); check that the "
            "scheduler is running and the address is right (for example 'tcp://10.0.0.5:8786'), or call "
            "run_dask_wordcount without scheduler_address to start a LocalCluster on this machine"
        ) from None


def run_dask_wordcount(splits: Sequence[Sequence[Document]], *, scheduler_address: str | None = None,
                       n_workers: int = 2, threads_per_worker: int = 1, timeout_s: float = 5.0) -> DaskRun:
    """Count the words of ``splits`` (one Dask partition each) on a Dask cluster.

    Parameters
    ----------
    splits : sequence of input splits (each a sequence of documents)
    scheduler_address : str, optional
        A running scheduler, e.g. ``"tcp://10.0.0.5:8786"``. Without it a
        ``LocalCluster(processes=False, dashboard_address=None)`` with
        ``n_workers`` workers is started here and closed afterwards.
    timeout_s : float
        How long to try to reach ``scheduler_address`` before giving up.

    Examples
    --------
    >>> from labsupport.usecases.corpus import generate_corpus, split_input, word_count
    >>> docs = generate_corpus(20, 30, seed=3)
    >>> run = run_dask_wordcount(split_input(docs, 4))
    >>> run.counts == word_count(docs), run.where
    (True, 'LocalCluster')
    >>> run_dask_wordcount(split_input(docs, 4), scheduler_address="tcp://127.0.0.1:9", timeout_s=0.5)
    Traceback (most recent call last):
    ...
    ConnectionError: could not reach a Dask scheduler at 'tcp://127.0.0.1:9' within 0.5 s ...
    """
    if not splits:
        raise ValueError("splits is empty; give at least one input split")
    for name, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
        check_int(name, value, low=1)
    check_number("timeout_s", timeout_s, low=0, low_open=True)
    if scheduler_address is not None and ":" not in check_type("scheduler_address", scheduler_address, str):
        raise out_of_range("scheduler_address", scheduler_address, "an address like 'tcp://host:8786', or omit it "
                           "to start a LocalCluster on this machine", why="is not an address")
    import dask.bag as db
    from distributed import Client, LocalCluster

    bag = db.from_sequence([tuple(s) for s in splits], npartitions=len(splits))
    words = bag.flatten().flatten()  # splits -> documents -> words
    totals = words.foldby(_word, _count, 0, operator.add, 0)
    if scheduler_address is None:
        # No dashboard, and the scheduler's HTTP endpoint on a free port: with dashboard_address=None distributed
        # still binds port 8787 and warns (into the page) when another cluster on the machine holds it.
        with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=False,
                          dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            started = time.perf_counter()
            pairs = client.compute(totals).result()
            wall = time.perf_counter() - started
            workers = len(client.scheduler_info()["workers"])
        where = "LocalCluster"
    else:
        with _connect(scheduler_address, timeout_s) as client:
            started = time.perf_counter()
            pairs = client.compute(totals).result()
            wall = time.perf_counter() - started
            workers = len(client.scheduler_info()["workers"])
        where = scheduler_address
    return DaskRun(dict(sorted(pairs)), wall, workers, where)
