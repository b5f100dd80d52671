"""Chapter 9: how machines agree under partitions, crashes, pauses and clock drift.

Each module is one mechanism of the chapter; the list grows with the chapter's pages.

============================  ================================================================
Book page                     Module
============================  ================================================================
9.1 Consistency models, CAP   :mod:`~labsupport.agreement.consistency` (the checkers are in
                              :mod:`labsupport.data`: linearizability, sequential, causal, eventual)
9.2 Consensus with Raft       :mod:`~labsupport.agreement.raft` (servers, on ``raft_durable``),
                              ``raft_kv`` (key-value store, clients), ``raft_invariants`` (the
                              referee), ``raft_figure8``, ``raft_election``
9.3 Leases and fencing        :mod:`~labsupport.agreement.leases`
9.4 Transactions              :mod:`~labsupport.agreement.transactions` (two-phase commit),
                              :mod:`~labsupport.agreement.transactions_isolation` (isolation anomalies)
9.5 Gossip and membership     :mod:`~labsupport.agreement.gossip` (push, pull, push-pull),
                              :mod:`~labsupport.agreement.gossip_swim` (SWIM with suspicion)
============================  ================================================================

Nothing is imported here.
"""

__all__: list[str] = []
