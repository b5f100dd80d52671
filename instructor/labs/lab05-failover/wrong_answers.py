"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

WRONG = {
    "q1": [
        # Forgets the factor 1/2 in the normal tail, so phi is 0 at the mean and the threshold moves.
        "def phi(elapsed_s, mean_s, std_s):\n"
        "    if not std_s > 0:\n"
        "        raise ValueError('std_s must be > 0')\n"
        "    p = math.erfc((elapsed_s - mean_s) / (std_s * math.sqrt(2)))\n"
        "    return math.inf if p <= 0 else -math.log10(min(1.0, p))\n",
    ],
    "q2": [
        # Counts 3600 heartbeats an hour whatever the interval and the loss.
        "def choose_timeout(interval_s, jitter_s, loss, max_false_per_hour):\n"
        "    if max_false_per_hour < 0:\n"
        "        raise ValueError('negative budget')\n"
        "    for k in range(1, 1001):\n"
        "        t = interval_s * (1 + k / 100)\n"
        "        p = false_suspicion_probability(t, interval_s, jitter='exponential', scale_s=jitter_s, loss=loss)\n"
        "        if p * 3600 <= max_false_per_hour:\n"
        "            return t\n"
        "    raise ValueError('none')\n",
    ],
    "q3": [
        # Walks the acknowledgements in the order given instead of in order of time.
        "def stale_acknowledgements(acks):\n"
        "    newest, since, count, overlap = None, None, 0, 0.0\n"
        "    for t, _server, epoch in acks:\n"
        "        if newest is None or epoch > newest:\n"
        "            newest, since = epoch, t\n"
        "        elif epoch < newest:\n"
        "            count += 1\n"
        "            overlap = max(overlap, t - since)\n"
        "    return count, overlap\n",
    ],
    "q4": [
        # Fast detection and fencing, but no lease: fencing cannot reach an isolated primary.
        "MY_CHOICES = dict(detector_timeout_s=6.0, fencing=True)\n",
        # A lease that trusts the primary's clock (no drift allowance).
        "MY_CHOICES = dict(detector_timeout_s=6.0, lease_s=6.0, drift_bound=0.0, fencing=True)\n",
    ],
}
