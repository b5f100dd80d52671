"""Record-and-replay reproduces an honest run exactly, and refuses a log that does not describe one.

Recording here runs in this process (no kernel): the point is the replay's fidelity and strictness;
tests/test_labgrade_integrity.py grades real notebooks whose kernels patch or forge.
"""

import dataclasses

import pytest

from labsupport.availability.load_balancing import LeastOutstandingRequests, PowerOfChoices, run_farm
from labsupport.grading.record import record_farm, record_quorum
from labsupport.grading.replay import FarmReplay, ReplayMismatch, check_farm_log, check_quorum_logs, \
    quorum_replay_class
from labsupport.labkits.quorums import AnyReplicaCoordinator, run_repair, run_workload

FARM = dict(n_servers=4, arrival_rate_per_s=3.0, service_rate_per_s=1.0, n_requests=2000, speeds=[1, 1, 1, 1])


def farm_replay(log):
    replay = FarmReplay(log, FARM["n_servers"])
    result = run_farm(replay, seed=3, **FARM)
    check_farm_log(replay)
    return result


@pytest.mark.parametrize("policy", [LeastOutstandingRequests(), PowerOfChoices(2)])
def test_a_replayed_farm_gives_the_recorded_run_exactly(policy):
    log = record_farm(policy, (), dict(seed=3, **FARM))
    assert dataclasses.asdict(farm_replay(log)) == dataclasses.asdict(run_farm(policy, seed=3, **FARM))


@pytest.mark.parametrize("forge", [
    lambda log: log | {"picks": bytes(len(log["picks"]))},            # other targets than the policy chose
    lambda log: log | {"seen": bytes(len(log["seen"]))},              # states the farm never showed
    lambda log: log | {"picks": log["picks"][:-8]},                   # a choice missing
    lambda log: log | {"seen": log["seen"] + bytes(32), "picks": log["picks"] + bytes(8)},  # one too many
    lambda log: log | {"seen": "not bytes"},
    lambda log: {"name": "x"},
])
def test_a_forged_or_malformed_farm_log_is_refused(forge):
    log = record_farm(LeastOutstandingRequests(), (), dict(seed=3, **FARM))
    with pytest.raises(ReplayMismatch):
        farm_replay(forge(log))


def quorum_replay(function, logs, **kwargs):
    replay = quorum_replay_class(logs)
    run = function(replay, **kwargs)
    check_quorum_logs(replay)
    return run


@pytest.mark.parametrize("function, kwargs", [(run_workload, dict(seed=4)), (run_repair, dict(seed=0))])
def test_a_replayed_quorum_run_gives_the_recorded_history_and_stores(function, kwargs):
    logs = record_quorum(function, AnyReplicaCoordinator, kwargs=kwargs)
    original, replayed = function(AnyReplicaCoordinator, **kwargs), quorum_replay(function, logs, **kwargs)
    assert [(o.client, o.kind, o.arg, o.result, o.invoke_s, o.complete_s) for o in replayed.history] == \
           [(o.client, o.kind, o.arg, o.result, o.invoke_s, o.complete_s) for o in original.history]
    assert replayed.stores == original.stores


def _tamper_result(logs):
    client = sorted(logs)[-1]
    logs[client]["ops"][0][4][2] = "forged"
    return logs


def _tamper_delivery(logs):
    client = sorted(logs)[-1]
    logs[client]["seen"][0][2] = "forged"
    return logs


def _drop_send(logs):
    client = sorted(logs)[0]
    logs[client]["ops"][0][3].pop()
    return logs


@pytest.mark.parametrize("forge", [_tamper_delivery, _drop_send, lambda logs: {}, lambda logs: {"writer": []}])
def test_a_forged_quorum_log_is_refused(forge):
    logs = forge(record_quorum(run_workload, AnyReplicaCoordinator, kwargs=dict(seed=4)))
    with pytest.raises(ReplayMismatch):
        quorum_replay(run_workload, logs, seed=4)


def test_a_forged_result_is_what_the_grader_sees_not_a_pass():
    """Changing a result in the log changes only that operation's result in the grader's history."""
    logs = _tamper_result(record_quorum(run_workload, AnyReplicaCoordinator, kwargs=dict(seed=4)))
    run = quorum_replay(run_workload, logs, seed=4)
    assert "forged" in [o.result for o in run.history]
