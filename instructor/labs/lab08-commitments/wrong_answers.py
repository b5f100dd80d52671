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

# Chapter 7's closed form for one plan: the optimal coverage of a history (the head of several wrong answers).
_CLOSED_FORM = (
    "def _q(u, d):\n"
    "    u = np.sort(np.asarray(u, dtype=float))\n"
    "    k = math.ceil(u.size * d - 1e-9)\n"
    "    return 0.0 if u.size == 0 or k == 0 else float(u[k - 1])\n"
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
        # pair_cost applies the Compute plan first (to family a, then b) and the instance plan to what is left of a.
        "def pair_cost(usage, plans, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    instance, compute = plans\n"
        "    on_a = np.minimum(a, compute / (1 - discounts[1]))\n"
        "    left_compute = compute - (1 - discounts[1]) * on_a\n"
        "    left_b = np.maximum(0.0, b - left_compute / (1 - discounts[1]))\n"
        "    left_a = np.maximum(0.0, a - on_a - instance / (1 - discounts[0]))\n"
        "    return float(a.size * (instance + compute) + (left_a + left_b).sum())\n",
        # pair_cost lets the EC2 Instance plan cover both families (it covers only its own family, a).
        "def pair_cost(usage, plans, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    left = np.maximum(0.0, a + b - plans[0] / (1 - discounts[0]))\n"
        "    return float(a.size * plans[0] + commitment_cost(left, plans[1], discounts[1]))\n",
        # pair_cost forgets family b.
        "def pair_cost(usage, plans, discounts):\n"
        "    a = np.asarray(usage[0], dtype=float)\n"
        "    left = np.maximum(0.0, a - plans[0] / (1 - discounts[0]))\n"
        "    return float(a.size * plans[0] + commitment_cost(left, plans[1], discounts[1]))\n",
        # Hands in the lab kit's bill (labsupport.labkits.plan_pair.pair_cost).
        "del pair_cost\n"
        "from labsupport.labkits.plan_pair import pair_cost\n",
    ],
    "q3": [
        # Chapter 7.2's closed form on the total usage of both families: one Compute plan.
        _CLOSED_FORM +
        "def choose_plans(usage, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    return 0.0, (1 - discounts[1]) * _q(a + b, discounts[1])\n",
        # The closed form twice, in AWS's order: the instance plan for a alone, then the compute plan for the rest.
        _CLOSED_FORM +
        "def choose_plans(usage, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    x = _q(a, discounts[0])\n"
        "    return (1 - discounts[0]) * x, (1 - discounts[1]) * _q(np.maximum(0.0, a - x) + b, discounts[1])\n",
        # The plans sized in the wrong order: the compute plan on everything first, the instance plan on what it leaves.
        _CLOSED_FORM +
        "def choose_plans(usage, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    y = _q(a + b, discounts[1])\n"
        "    return (1 - discounts[0]) * _q(np.maximum(0.0, a + b - y), discounts[0]), (1 - discounts[1]) * y\n",
        # Ignores family b: the instance plan for a by the closed form, no compute plan.
        _CLOSED_FORM +
        "def choose_plans(usage, discounts):\n"
        "    return (1 - discounts[0]) * _q(usage[0], discounts[0]), 0.0\n",
        # Hands in the lab kit's search (labsupport.labkits.plan_pair.best_pair).
        "del choose_plans\n"
        "from labsupport.labkits.plan_pair import best_pair as choose_plans\n",
        # The library's closed form (labsupport.cost.commitments.optimal_commitment), twice in AWS's order.
        "from labsupport.cost.commitments import optimal_commitment as _optimum\n"
        "def choose_plans(usage, discounts):\n"
        "    a, b = (np.asarray(u, dtype=float) for u in usage)\n"
        "    first = _optimum(a, discounts[0])\n"
        "    left = np.maximum(0.0, a - first / (1 - discounts[0])) + b\n"
        "    return first, _optimum(left, discounts[1])\n",
    ],
    "q4": [
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
