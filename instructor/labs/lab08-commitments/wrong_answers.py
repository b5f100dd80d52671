"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

# Chapter 7's closed form applied to each part of the history separately (the head of two wrong answers).
_PER_PART = (
    "def _q(u, d):\n"
    "    u = np.sort(np.asarray(u, dtype=float))\n"
    "    k = math.ceil(u.size * d - 1e-9)\n"
    "    return 0.0 if u.size == 0 or k == 0 else float((1 - d) * u[k - 1])\n"
    "def choose_plan(usage, discount, switch_hour):\n"
    "    u = np.asarray(usage, dtype=float)\n"
    "    if switch_hour == 0:\n"
    "        return _q(u, discount), 0.0\n"
    "    before = _q(u[:switch_hour], discount)\n"
)

WRONG = {
    "q1": [
        # Forgets that a commitment at the Savings Plans rate covers c / (1 - d) of On-Demand usage.
        "def commitment_cost(usage, commitment, discount):\n"
        "    u = np.asarray(usage, dtype=float)\n"
        "    return float(u.size * commitment + np.maximum(0.0, u - commitment).sum())\n",
        # Pays only for the part of the commitment that is used.
        "def commitment_cost(usage, commitment, discount):\n"
        "    u = np.asarray(usage, dtype=float)\n"
        "    used = np.minimum(commitment, (1 - discount) * u).sum()\n"
        "    return float(used + np.maximum(0.0, u - commitment / (1 - discount)).sum())\n",
        # Hands in the library's bill (labsupport.cost.commitments.savings_plan_cost).
        "del commitment_cost\n"
        "from labsupport.cost.commitments import savings_plan_cost as commitment_cost\n",
    ],
    "q2": [
        # Commits to the average hour.
        "my_commitment = (1 - DISCOUNT) * float(history.mean())\n",
        # Commits to the quietest hour.
        "my_commitment = (1 - DISCOUNT) * float(history.min())\n",
        # Hands in the library's optimum (labsupport.cost.commitments.optimal_commitment).
        "del my_commitment\n"
        "from labsupport.cost.commitments import optimal_commitment as _optimum\n"
        "my_commitment = _optimum(history, DISCOUNT)\n",
    ],
    "q3": [
        # Chapter 7's closed form on the whole history, nothing added: too little once usage has grown.
        "def choose_plan(usage, discount, switch_hour):\n"
        "    u = np.sort(np.asarray(usage, dtype=float))\n"
        "    k = math.ceil(u.size * discount - 1e-9)\n"
        "    return (0.0 if k == 0 else float((1 - discount) * u[k - 1])), 0.0\n",
        # The closed form on each part separately: a negative addition when usage falls.
        _PER_PART +
        "    return before, (_q(u[switch_hour:], discount) - before if switch_hour < u.size else 0.0)\n",
        # The same, with the addition clamped at zero: the first commitment stays too high when usage falls.
        _PER_PART +
        "    return before, (max(0.0, _q(u[switch_hour:], discount) - before) if switch_hour < u.size else 0.0)\n",
        # Commits to the average hour of each part.
        "def choose_plan(usage, discount, switch_hour):\n"
        "    u = np.asarray(usage, dtype=float)\n"
        "    first = (1 - discount) * float(u[:switch_hour].mean()) if switch_hour else 0.0\n"
        "    later = (1 - discount) * float(u[switch_hour:].mean()) if switch_hour < u.size else first\n"
        "    return first, max(0.0, later - first)\n",
        # Borrows the lab kit's brute force.
        "from labsupport.labkits.commitments import best_layered_plan as _best_plan\n"
        "def choose_plan(usage, discount, switch_hour):\n"
        "    return _best_plan(usage, discount, switch_hour=switch_hour)\n",
    ],
}
