"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

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
    ],
    "q2": [
        # Commits to the average hour.
        "my_commitment = (1 - DISCOUNT) * float(history.mean())\n",
        # Commits to the quietest hour.
        "my_commitment = (1 - DISCOUNT) * float(history.min())\n",
    ],
    "q3": [
        # Commits to the average hour.
        "def choose_commitment(usage, discount):\n"
        "    return (1 - discount) * float(np.mean(usage))\n",
        # Commits to the median hour, whatever the discount.
        "def choose_commitment(usage, discount):\n"
        "    return (1 - discount) * float(np.median(usage))\n",
        # Takes the (1 - d)-quantile instead of the d-quantile.
        "def choose_commitment(usage, discount):\n"
        "    u = np.sort(np.asarray(usage, dtype=float))\n"
        "    k = math.ceil(u.size * (1 - discount))\n"
        "    return 0.0 if k == 0 else (1 - discount) * float(u[k - 1])\n",
        # Borrows the library's answer.
        "from labsupport.cost.commitments import optimal_commitment\n"
        "def choose_commitment(usage, discount):\n"
        "    return optimal_commitment(usage, discount)\n",
    ],
}
