"""The costlier claims of test_across_seeds.py, in a file of their own so that `pytest -n 2 --dist loadfile`
(as `make test` runs it) gives the two halves to different workers."""

import pytest

from test_across_seeds import CLAIMS, _id, check


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.slow], ids=_id)
def test_costly_claim_holds_across_seeds(claim):
    check(claim)
