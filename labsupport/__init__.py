"""Mechanisms, a deterministic simulation kernel and figures for *Distributed Systems on AWS*.

The folders read like the book's table of contents:

==================  ======================================================================
Folder              What lives there
==================  ======================================================================
``sim/``            the deterministic simulation kernel (nodes, network, faults, traces, histories)
``foundations/``    Chapter 1: availability arithmetic, scalability laws, clocks, a racing key-value store,
                    redundancy, queueing closed forms
``services/``       Chapter 2: models of S3, EC2 placement, DynamoDB partitions, RDS
``data/``           Chapter 3: consistent hashing, replication, quorums, linearizability, durability
``availability/``   Chapter 4: load balancing, failure detection, failover, auto scaling, retries,
                    isolation, cross-Region replication, correlated failures
``security/``       Chapter 5: IAM policy evaluation, VPC reachability, encryption, DDoS defence
``monitoring/``     Chapter 6: CloudWatch metrics and alarms, AWS Config, Systems Manager, Trusted Advisor
``cost/``           Chapter 7: prices, purchase models, commitments, budgets, Spot
``usecases/``       Chapter 8: web application, MapReduce and Dask, disaster recovery, IoT
``agreement/``      Chapter 9: consistency models, consensus (Raft), leases, transactions, gossip
``labkits/``        what only a lab needs: Lab 3's stubs, Lab 5's drill, Lab 6's cases, Lab 9's capstone
``viz/``            figures and widgets; nothing else imports matplotlib or ipywidgets
``grading/``        ``labgrade`` and everything that judges student work
==================  ======================================================================

Beside them, the shared helpers every part may use: :mod:`labsupport.checks`
(argument checking), :mod:`labsupport.seeds` (the one randomness convention),
:mod:`labsupport.stable_hash` (hashing that does not depend on ``PYTHONHASHSEED``)
and :mod:`labsupport.report` (the tables pages print).

The direction of imports is the architecture: a part imports only ``sim``,
the shared helpers and earlier parts; ``viz`` may import any part but no part
imports ``viz``; ``labkits`` and ``grading`` sit on top. Each part's
``__init__`` maps its book pages to modules.
"""

__version__ = "0.1.0"
