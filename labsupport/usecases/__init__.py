"""End-to-end use cases: where the mechanisms of the earlier chapters meet.

Each module is a scenario a reader can run, break and repair:

webapp             load balancer, Auto Scaling group, cache and database through a spike and a zone loss
webapp_parts       the design, workload and fault schedule of the web application, and one tier's queue
webapp_control     its control plane: target tracking, launches, health checks, zone loss, failover
webapp_theory      M/M/c latency of the web tier and the expected errors of a zone loss
slo                hourly SLO windows, error budgets and the dashboard's verdict
mapreduce          MapReduce from scratch on the simulation kernel (master, workers, shuffle, backup tasks)
corpus             the seeded word-count input and the reference (single-machine) answer
dask_job           the same job on Dask (a LocalCluster by default, or an existing scheduler)
disaster_recovery  backup and restore, pilot light, warm standby and active/active in a Region outage
dr_plan            the drill's assumptions: strategies, recovery steps and their durations
dr_choice          mean RTO and RPO, monthly prices, and the cheapest strategy that meets the objectives
iot                an MQTT-style broker with QoS 0/1 over a lossy network, and a fleet reconnecting at once
topics             MQTT 3.1.1 topic names, topic filters and wildcard matching
shadow             device shadows: desired, reported and delta state
streams            tumbling and sliding windows with a watermark and allowed lateness
capstone           the workload, targets and fault drills of Lab 9
prices             the example prices these scenarios charge (quoted or illustrative, labelled)

Nothing is imported here: ``dask`` is slow to import, so ``dask_job`` loads it only when used.
"""

__all__: list[str] = []
