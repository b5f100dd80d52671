"""A Dynamo-style quorum store on the simulation kernel, and the theory of partial quorums.

N copies of every key, a write that waits for W of them, a read that waits
for R: the design of Amazon's Dynamo (DeCandia et al., SOSP 2007) and of
Cassandra and Riak after it. The modules:

- :mod:`~labsupport.data.quorum.config`: validating N, R, W and checking that quorums intersect;
- :mod:`~labsupport.data.quorum.versions`: vector-clock versions and siblings;
- :mod:`~labsupport.data.quorum.replica`: the storage node (hinted handoff, anti-entropy);
- :mod:`~labsupport.data.quorum.coordinator`: the client-side coordinator (read repair,
  sloppy quorums, the ABD write-back read);
- :mod:`~labsupport.data.quorum.merkle`: Merkle trees;
- :mod:`~labsupport.data.quorum.staleness`: probabilistically bounded staleness (Bailis et al., VLDB 2012);
- :mod:`~labsupport.data.quorum.scenarios`: building blocks for a run (replicas on a ring, a preloaded
  key, the record of the run) and the seeded runs the chapter shows.

Examples
--------
>>> from labsupport.data.quorum import quorums_intersect, p_stale
>>> quorums_intersect(3, 2, 2), round(p_stale(3, 1, 2), 3)
(True, 0.333)
"""

from labsupport.data.quorum.config import check_quorum, min_overlap, quorums_intersect, tolerated_failures
from labsupport.data.quorum.coordinator import UNAVAILABLE, Op, OpRecord, QuorumClient, read_result
from labsupport.data.quorum.merkle import MerkleTree, TreeDiff, bucket_of, build_tree, diff_trees, expected_hashes_exchanged
from labsupport.data.quorum.replica import StorageNode, SyncStats, digest
from labsupport.data.quorum.scenarios import (AntiEntropyResult, QuorumRun, add_replicas, preload, StalenessRun, run_anti_entropy, run_new_old_inversion,
                        run_read_repair, run_register, run_siblings, run_sloppy_quorum, run_staleness)
from labsupport.data.quorum.staleness import WarsResult, expected_order_statistic, p_stale, simulate_random_quorums, simulate_wars
from labsupport.data.quorum.versions import Clock, Version, advance, as_clock, descends, merge_clocks, reconcile

__all__ = [
    # config
    "check_quorum", "quorums_intersect", "min_overlap", "tolerated_failures",
    # versions
    "Clock", "Version", "as_clock", "descends", "merge_clocks", "advance", "reconcile",
    # nodes
    "StorageNode", "SyncStats", "digest", "QuorumClient", "Op", "OpRecord", "UNAVAILABLE", "read_result",
    # merkle
    "MerkleTree", "TreeDiff", "bucket_of", "build_tree", "diff_trees", "expected_hashes_exchanged",
    # staleness
    "p_stale", "simulate_random_quorums", "simulate_wars", "WarsResult", "expected_order_statistic",
    # scenarios: building blocks, then the seeded runs
    "add_replicas", "preload", "QuorumRun", "run_register", "run_new_old_inversion", "run_sloppy_quorum", "run_siblings",
    "run_read_repair", "AntiEntropyResult", "run_anti_entropy", "StalenessRun", "run_staleness",
]
