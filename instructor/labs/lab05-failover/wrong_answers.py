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
        # The shortcut: the library's phi deadline, inverted by bisection (a stub in the grading kernel).
        "import importlib\n"
        "def phi(elapsed_s, mean_s, std_s):\n"
        "    deadline = getattr(importlib.import_module('labsupport.availability.failure_detection.theory'),\n"
        "                       'phi_' + 'deadline_s')\n"
        "    if std_s <= 0:\n"
        "        raise ValueError('std_s must be > 0')\n"
        "    low, high = 0.0, 400.0\n"
        "    for _ in range(200):\n"
        "        mid = (low + high) / 2\n"
        "        low, high = (mid, high) if deadline(mid, mean_s, std_s) < elapsed_s else (low, mid)\n"
        "    return math.inf if low > 399 else low\n",
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
        # Never raises: when no timeout on the grid meets the budget it returns the largest one.
        "def choose_timeout(interval_s, jitter_s, loss, max_false_per_hour):\n"
        "    per_hour = 3600 * (1 - loss) / interval_s\n"
        "    for k in range(1, 1001):\n"
        "        timeout = interval_s * (1 + k / 100)\n"
        "        p = false_suspicion_probability(timeout, interval_s, jitter='exponential', scale_s=jitter_s, loss=loss)\n"
        "        if p * per_hour <= max_false_per_hour:\n"
        "            return timeout\n"
        "    return interval_s * 11\n",
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
        # Sorts the whole tuples: equal times are then ordered by server name, not kept in the given order.
        "def stale_acknowledgements(acks):\n"
        "    newest, since, count, overlap = None, None, 0, 0.0\n"
        "    for t, _server, epoch in sorted(acks):\n"
        "        if newest is None or epoch > newest:\n"
        "            newest, since = epoch, t\n"
        "        elif epoch < newest:\n"
        "            count += 1\n"
        "            overlap = max(overlap, t - since)\n"
        "    return count, overlap\n",
        # Reports the last stale gap, not the largest.
        "def stale_acknowledgements(acks):\n"
        "    newest, since, count, overlap = None, None, 0, 0.0\n"
        "    for t, _server, epoch in sorted(acks, key=lambda a: a[0]):\n"
        "        if newest is None or epoch > newest:\n"
        "            newest, since = epoch, t\n"
        "        elif epoch < newest:\n"
        "            count += 1\n"
        "            overlap = t - since\n"
        "    return count, overlap\n",
        # The shortcut: the library's split-brain analysis, by a computed name (a check of names cannot see it).
        "import importlib\n"
        "from labsupport.sim import History\n"
        "def stale_acknowledgements(acks):\n"
        "    history = History.from_tuples([(f'c{i}', 'write', f'v{i}', t, t, ('ok', s, e))\n"
        "                                   for i, (t, s, e) in enumerate(acks)])\n"
        "    report = getattr(importlib.import_module('labsupport.availability.failover.analysis'),\n"
        "                     'split_' + 'brain')(history)\n"
        "    return report.stale_acks, report.overlap_s\n",
    ],
    "q4": [
        # Fast detection and fencing, but no lease: fencing cannot reach an isolated primary.
        "MY_CHOICES = dict(detector_timeout_s=6.0, fencing=True)\n",
        # A lease that trusts the primary's clock (no drift allowance).
        "MY_CHOICES = dict(detector_timeout_s=6.0, lease_s=6.0, drift_bound=0.0, fencing=True)\n",
    ],
}
