"""MapReduce on the simulation kernel: always the right answer, never faster than the lower bound."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labsupport.usecases.corpus import generate_corpus, partition_of, split_input, word_count
from labsupport.usecases.mapreduce import makespan_lower_bound, run_mapreduce

DOCS = generate_corpus(120, 50, vocabulary=500, hot_word="the", hot_share=0.2, seed=2026)
SPLITS = split_input(DOCS, 8)
REFERENCE = word_count(DOCS)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), m=st.integers(1, 10), r=st.integers(1, 5), workers=st.integers(1, 5),
       combine=st.booleans(), speculative=st.booleans(), slow=st.floats(0.05, 1.0),
       fail_at=st.one_of(st.none(), st.floats(0.0, 5.0)))
def test_every_configuration_counts_exactly_and_respects_the_lower_bound(seed, m, r, workers, combine, speculative,
                                                                         slow, fail_at):
    docs = generate_corpus(20, 20, vocabulary=50, hot_word="hot", hot_share=0.3, seed=seed)
    speeds = [1.0] * (workers - 1) + [slow]
    fail = None if fail_at is None or workers == 1 else (seed % workers, fail_at)
    result = run_mapreduce(split_input(docs, m), reducers=r, workers=workers, speeds=speeds, combine=combine,
                           speculative=speculative, fail=fail, seed=seed)
    assert result.counts == word_count(docs)
    assert result.makespan_s >= result.lower_bound_s - 1e-9
    assert sum(result.partition_records) == result.map_output_records
    winners = [t.task for t in result.tasks if t.outcome == "won"]
    assert set(winners) == {f"map-{i}" for i in range(m)} | {f"reduce-{i}" for i in range(r)}
    assert sorted(w for w in winners if w.startswith("reduce")) == sorted(f"reduce-{i}" for i in range(r))
    assert m + r <= len(winners) <= m + r + result.reexecuted_maps  # a redone map task may win again


def test_same_seed_same_timeline():
    a = run_mapreduce(SPLITS, speeds=[1, 1, 1, 0.2], seed=3)
    assert a == run_mapreduce(SPLITS, speeds=[1, 1, 1, 0.2], seed=3)
    assert a.tasks == run_mapreduce(SPLITS, speeds=[1, 1, 1, 0.2], seed=3).tasks


def test_backup_tasks_cut_the_tail_a_straggler_causes():
    without = run_mapreduce(SPLITS, speeds=[1, 1, 1, 0.1], speculative=False, seed=0)
    with_backups = run_mapreduce(SPLITS, speeds=[1, 1, 1, 0.1], speculative=True, seed=0)
    assert with_backups.makespan_s < 0.6 * without.makespan_s
    assert with_backups.backups > 0 and without.backups == 0
    assert any(t.backup and t.outcome == "won" for t in with_backups.tasks)
    assert any(t.outcome == "killed" for t in with_backups.tasks)


def test_the_combiner_shrinks_the_shuffle_and_evens_the_partitions():
    raw = run_mapreduce(SPLITS, combine=False, seed=0)
    combined = run_mapreduce(SPLITS, combine=True, seed=0)
    assert raw.map_output_records == sum(len(d) for d in DOCS)
    assert combined.map_output_records < raw.map_output_records / 3
    assert max(raw.partition_records) / min(raw.partition_records) > 1.5
    assert max(combined.partition_records) / min(combined.partition_records) < 1.5
    assert combined.counts == raw.counts == REFERENCE


def test_a_failed_worker_loses_its_map_output_and_the_master_redoes_it():
    late = run_mapreduce(SPLITS, fail=(1, 1.5), seed=0)  # after its first map task (1.25 s), before the job ends
    assert late.counts == REFERENCE and late.reexecuted_maps >= 1
    assert any(t.outcome == "lost" and t.worker == "worker2" for t in late.tasks)
    early = run_mapreduce(SPLITS, fail=(1, 0.2), seed=0)
    assert early.counts == REFERENCE and early.reexecuted_maps == 0


def test_a_job_whose_every_worker_fails_says_so():
    with pytest.raises(RuntimeError, match="every worker failed"):
        run_mapreduce(SPLITS, workers=1, fail=(0, 1.0), seed=0)


def test_lower_bound_by_hand():
    assert makespan_lower_bound({"map": [2.0] * 4}, [1.0, 1.0]) == 4.0
    assert makespan_lower_bound({"map": [1.0, 9.0]}, [1.0, 3.0]) == 3.0  # the big task on the fast worker
    with pytest.raises(ValueError, match="speeds"):
        makespan_lower_bound({"map": [1.0]}, [])


@pytest.mark.parametrize("kwargs, message", [(dict(reducers=0), "reducers=0"), (dict(speeds=[1, 1]), "speeds"),
                                             (dict(fail=(9, 1.0)), "fail="), (dict(map_cost_s=-1), "map_cost_s")])
def test_bad_jobs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        run_mapreduce(SPLITS, **kwargs)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 60), m=st.integers(1, 60))
def test_splits_cover_the_input_in_order(n, m):
    docs = [(f"w{i}",) for i in range(n)]
    if m > n:
        with pytest.raises(ValueError, match="m=.* is out of range"):
            split_input(docs, m)
        return
    parts = split_input(docs, m)
    assert [d for p in parts for d in p] == docs
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@given(key=st.text(max_size=20), r=st.integers(1, 50))
def test_partitioning_is_stable_and_in_range(key, r):
    assert 0 <= partition_of(key, r) < r and partition_of(key, r) == partition_of(key, r)


def test_the_hot_word_has_its_share():
    words = sum(len(d) for d in DOCS)
    assert abs(REFERENCE["the"] / words - 0.2) < 0.02
