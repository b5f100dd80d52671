"""Lab kits: what only a lab needs (scaffolding, drills, generated cases), kept apart from the mechanisms.

==========================  ==========================================================
Lab                         Module
==========================  ==========================================================
Lab 2 (hashing)             :mod:`~labsupport.labkits.placement` (a ring's answers, for the tests)
Lab 3 (quorums)             :mod:`~labsupport.labkits.quorums` (coordinator stubs)
Lab 5 (failover)            :mod:`~labsupport.labkits.failover` (the fault drill)
Lab 6 (IAM)                 :mod:`~labsupport.labkits.iam` (generated reference cases)
Lab 8 (commitments)         :mod:`~labsupport.labkits.commitments` (plans bought in two steps),
                            :mod:`~labsupport.labkits.plan_pair` (two plans at once)
Lab 9 (capstone)            :mod:`~labsupport.labkits.capstone`
Lab 10 (broadcast)          :mod:`~labsupport.labkits.broadcast` (client, runs, checks)
Labs 10 and 11              :mod:`~labsupport.labkits.protocol` (the protocol-lab harness)
Lab 11 (Raft)               :mod:`~labsupport.labkits.raftlab` (messages, node plumbing),
                            :mod:`~labsupport.labkits.raftlab_runs` (clients, schedules, runs),
                            :mod:`~labsupport.labkits.raftlab_scenes` (staged scenes)
==========================  ==========================================================

Whether an answer calls the library instead of doing the work is judged by
:mod:`labsupport.grading.reuse`, not here.
"""
