"""Same seed, same run -- whatever ``PYTHONHASHSEED`` is.

A determinism test that runs a scenario twice in one process cannot see a
dependence on Python's string hashing: both runs share one hash seed, so a
loop over a set of node names visits them in the same order twice. Here one
seeded scenario per part of the book that simulates runs in two fresh
interpreters with different ``PYTHONHASHSEED`` values, and their complete
outputs (traces, histories, placements, tables) must be identical.

Run this file as a script to print the outputs it compares.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys

SEED = 2026
HASH_SEEDS = ("0", "4242")


def canonical(x):
    """A printable form of ``x`` that keeps every value and every order that can matter.

    Sets become sorted lists (their iteration order is the one thing allowed to
    differ); dict and sequence orders are kept, since code reads them in order.
    """
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"<" + type(x).__name__ + ">": {f.name: canonical(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    if isinstance(x, dict):
        return [[canonical(k), canonical(v)] for k, v in x.items()]
    if isinstance(x, (set, frozenset)):
        return sorted((canonical(v) for v in x), key=repr)
    if isinstance(x, (list, tuple)):
        return [canonical(v) for v in x]
    if hasattr(x, "tolist"):             # numpy arrays and scalars
        return canonical(x.tolist())
    if isinstance(x, float):
        return repr(x)
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if hasattr(x, "__dict__"):           # plain objects, e.g. a History
        return {"<" + type(x).__name__ + ">": canonical(vars(x))}
    return repr(x)


def scenarios():
    """name -> a function returning one complete seeded result."""
    from labsupport.availability.failover.config import FailoverConfig, Faults
    from labsupport.availability.failover.procedure import run_failover
    from labsupport.availability.load_balancing.farm import run_farm
    from labsupport.availability.metastable import run_metastable_failure
    from labsupport.cost.explorer import generate_cost_records
    from labsupport.data.hashing.jump import jump_hash
    from labsupport.data.hashing.rendezvous import RendezvousHash
    from labsupport.data.hashing.ring import HashRing
    from labsupport.data.quorum.scenarios import run_new_old_inversion, run_sloppy_quorum
    from labsupport.data.replication import run_replica_reads
    from labsupport.foundations.kvstore import run_lost_update
    from labsupport.labkits.capstone import evaluate
    from labsupport.monitoring.incident import run_incident
    from labsupport.security.ddos import run_request_flood
    from labsupport.services.s3 import run_read_after_write
    from labsupport.usecases.corpus import generate_corpus, split_input
    from labsupport.usecases.iot import run_delivery
    from labsupport.usecases.mapreduce import run_mapreduce
    from labsupport.usecases.webapp import run_webapp
    from labsupport.usecases.webapp_parts import Scenario, WebAppConfig

    names = [f"cache-{c}" for c in "abcdefgh"]
    keys = [f"user:{i}" for i in range(300)]

    def placements():
        ring, hrw = HashRing(names, vnodes=20), RendezvousHash(names)
        return {"ring": [ring.lookup(k) for k in keys], "ring-pref": [ring.preference_list(k, 3) for k in keys[:50]],
                "ring-shares": ring.ownership(), "ring-after-join": [ring.add_node("cache-z").lookup(k) for k in keys],
                "rendezvous": [hrw.preference_list(k, 3) for k in keys], "jump": [jump_hash(i, 8) for i in range(300)]}

    docs = generate_corpus(60, 40, seed=SEED)

    def nemesis_run():
        """Every fault kind, shapes drawn from the seed, on five nodes that keep talking."""
        from labsupport.sim import Node, Simulation, Uniform
        from labsupport.sim.nemesis import Nemesis, Partition

        class Sink(Node):
            def on_num(self, msg):
                self.persist(last=msg.payload)

        sim = Simulation(seed=SEED, latency=Uniform(0.001, 0.02), storage_latency=0.001, clock_offset_s=0.1,
                         clock_drift=0.01)
        servers = [sim.add(Sink(f"n{i}")) for i in range(5)]

        def say(i):
            if servers[i % 5].alive:  # a crashed node sends nothing
                servers[i % 5].send(f"n{(i % 5 + 1 + i % 4) % 5}", "num", i)

        for i in range(400):
            sim.at(i * 0.05, say, i)
        schedule = Nemesis.random([n.name for n in servers], 20.0, seed=SEED, n_faults=14) + Nemesis(
            [Partition(start_s=20.5, end_s=21.0, shape="bridge")])
        schedule.apply(sim)
        sim.run()
        return {"trace": sim.trace, "clocks": [round(n.clock(), 9) for n in servers], "schedule": str(schedule)}

    return {
        "kernel: a nemesis run with every fault kind": nemesis_run,
        "kernel: lost update, full trace and history": lambda: run_lost_update(3, 3, seed=SEED),
        "services: S3 read after write": lambda: run_read_after_write("eventual", n_writes=40, seed=SEED),
        "data: hashing placements": placements,
        "data: quorum new-old inversion": lambda: run_new_old_inversion(seed=SEED),
        "data: sloppy quorum with hinted handoff": lambda: run_sloppy_quorum(True, seed=SEED),
        "data: replica reads": lambda: run_replica_reads("random_follower", writes=30, seed=SEED),
        "availability: load balancer farm": lambda: run_farm("power_of_two", 8, 6.0, service_rate_per_s=1.0,
                                                             n_requests=3000, seed=SEED),
        "availability: failover procedure": lambda: run_failover(FailoverConfig(replication="async"),
                                                                 Faults(crash_s=40.0), duration_s=100, seed=SEED),
        "availability: metastable failure": lambda: run_metastable_failure("none", seed=SEED),
        "security: request flood": lambda: run_request_flood("waf_rate_rule", duration_s=40, seed=SEED),
        "monitoring: incident": lambda: run_incident(duration_s=600.0, crash_at_s=200.0, recover_at_s=400.0,
                                                     seed=SEED),
        "cost: cost records": lambda: generate_cost_records(14, {"EC2": 100.0, "S3": 20.0}, seed=SEED),
        "usecases: web application": lambda: run_webapp(WebAppConfig(), Scenario(duration_s=1800, spike=None,
                                                                                  zone_loss=None), seed=SEED),
        "usecases: IoT delivery": lambda: run_delivery(1, messages=100, seed=SEED),
        "usecases: MapReduce job": lambda: run_mapreduce(split_input(docs, 6), reducers=3, workers=3,
                                                         speeds=[1, 1, 0.2], seed=SEED),
        "labkits: capstone evaluation": lambda: evaluate({"dr_strategy": "warm_standby"}, seed=SEED),
    }


def outputs() -> dict[str, str]:
    return {name: json.dumps(canonical(run())) for name, run in scenarios().items()}


def _run_under(hash_seed: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.Popen([sys.executable, __file__], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_seeded_runs_do_not_depend_on_the_hash_seed():
    procs = [_run_under(h) for h in HASH_SEEDS]     # both at once: two interpreters, two cores
    results = []
    for h, proc in zip(HASH_SEEDS, procs):
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"PYTHONHASHSEED={h} failed:\n{err[-3000:]}"
        results.append(json.loads(out))
    first, second = results
    assert first.keys() == second.keys() and len(first) == len(scenarios())
    differ = [name for name in first if first[name] != second[name]]
    assert differ == [], f"outputs differ between PYTHONHASHSEED={HASH_SEEDS[0]} and {HASH_SEEDS[1]}: {differ}"


def test_the_comparison_sees_set_order_only_as_sets():
    assert canonical({"b", "a"}) == canonical({"a", "b"}) == ["a", "b"]
    assert canonical({"b": 1, "a": 2}) != canonical({"a": 2, "b": 1})     # dict order is kept
    assert canonical((0.1, 0.30000000000000004)) != canonical((0.1, 0.3))


if __name__ == "__main__":
    json.dump(outputs(), sys.stdout)
