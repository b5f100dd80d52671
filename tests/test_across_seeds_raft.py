"""The reference Raft keeps every invariant on 200 seeded random nemesis schedules (issue 16's "Done when").

The same runs as tests/agreement/test_raft_nemesis.py, whose 20 seeds run in the unit stage; these 200 take
about a minute, so they run with the other across-seeds checks (`make test`, not `make check`).
"""

import pytest

from agreement.test_raft_nemesis import sweep_run

SEEDS = range(1000, 1200)  # 200 schedules, none of them the unit stage's 0..19


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_keeps_every_invariant_on_200_schedules(seed):
    verdict, _ = sweep_run(seed)
    assert verdict.ok, f"seed {seed}: {verdict.explain()}"
