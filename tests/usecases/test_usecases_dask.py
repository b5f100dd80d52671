"""The word count on Dask gives the teaching engine's answer; an unreachable scheduler fails fast and clearly."""

import pytest

from labsupport.usecases.corpus import generate_corpus, split_input, word_count
from labsupport.usecases.dask_job import run_dask_wordcount
from labsupport.usecases.mapreduce import run_mapreduce

DOCS = generate_corpus(60, 40, vocabulary=300, hot_word="the", hot_share=0.2, seed=7)
SPLITS = split_input(DOCS, 6)


def test_dask_on_a_local_cluster_agrees_with_the_teaching_engine():
    teaching = run_mapreduce(SPLITS, reducers=3, workers=3, speeds=[1, 1, 0.2], seed=1)
    dask_run = run_dask_wordcount(SPLITS, n_workers=2)  # starts and always closes its LocalCluster
    assert dask_run.counts == teaching.counts == word_count(DOCS)
    assert dask_run.where == "LocalCluster" and dask_run.workers == 2 and dask_run.wall_s >= 0


def test_an_unreachable_scheduler_names_the_address_and_the_local_default():
    with pytest.raises(ConnectionError) as info:
        run_dask_wordcount(SPLITS, scheduler_address="tcp://127.0.0.1:9", timeout_s=0.5)
    message = str(info.value)
    assert "'tcp://127.0.0.1:9'" in message and "0.5 s" in message
    assert "without scheduler_address" in message and "LocalCluster" in message


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(scheduler_address="localhost"), ValueError, "scheduler_address="),
    (dict(n_workers=0), ValueError, "n_workers=0"),
    (dict(timeout_s=0), ValueError, "timeout_s=0"),
])
def test_bad_arguments_are_refused_before_any_cluster_starts(kwargs, error, message):
    with pytest.raises(error, match=message):
        run_dask_wordcount(SPLITS, **kwargs)


def test_no_input_is_refused():
    with pytest.raises(ValueError, match="splits is empty"):
        run_dask_wordcount([])


def test_the_note_distributed_logs_when_a_comm_closes_at_shutdown_stays_out_of_pages():
    # It came with a traceback, at INFO, into the big-data page's output in about one build in thirty.
    import io
    import logging

    run_dask_wordcount(SPLITS, n_workers=2)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("distributed").addHandler(handler)
    try:
        logging.getLogger("distributed.batched").info("Batched Comm Closed <InProc (closed)>")
    finally:
        logging.getLogger("distributed").removeHandler(handler)
    assert stream.getvalue() == ""
