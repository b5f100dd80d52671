"""Part II, Chapter 3 (Data): where data lives, how copies agree, and how likely it is to be lost.

========================  =====================================================================
Book page                 Module
========================  =====================================================================
3.1 Consistent hashing    :mod:`~labsupport.data.hashing`
3.2 Replication           :mod:`~labsupport.data.replication`, :mod:`~labsupport.data.session_guarantees`
3.3 Quorums               :mod:`~labsupport.data.quorum`, :mod:`~labsupport.data.linearizability`
3.4 Durability            :mod:`~labsupport.data.durability`
3.5 Partitioning          :mod:`~labsupport.services.dynamodb`, :mod:`~labsupport.services.rds`
========================  =====================================================================

The checkers of the weaker models, :mod:`~labsupport.data.sequential`, :mod:`~labsupport.data.causal` and
:mod:`~labsupport.data.eventual`, judge the same histories as the linearizability checker; page 9.1
(Consistency models and CAP) uses them.
"""
