"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

WRONG = {
    "q1": [
        # Spreads the peak over all zones, forgetting that one of them is the zone being lost.
        "def instances_per_zone(peak_rps, zones, instance_rps, max_util):\n"
        "    if zones < 2:\n"
        "        raise ValueError('need two zones')\n"
        "    return math.ceil(peak_rps / (instance_rps * max_util) / zones)\n",
        # Right formula, but one zone divides by zero instead of being refused.
        "def instances_per_zone(peak_rps, zones, instance_rps, max_util):\n"
        "    return math.ceil(peak_rps / (instance_rps * max_util) / (zones - 1))\n",
    ],
    "q2": [
        # Pools the whole run instead of judging each hour.
        "def hourly_availability(run):\n"
        "    hours = math.ceil(len(run.times_s) / 60)\n"
        "    return [1 - sum(run.errors) / sum(run.requests)] * hours\n",
        # Averages the minutes' success rates: a quiet minute weighs as much as a busy one.
        "def hourly_availability(run):\n"
        "    out = []\n"
        "    for h in range(0, len(run.times_s), 60):\n"
        "        rates = [1 - e / n if n else 1.0 for n, e in zip(run.requests[h:h + 60], run.errors[h:h + 60])]\n"
        "        out.append(sum(rates) / len(rates))\n"
        "    return out\n",
    ],
    "q3": [
        # Judges each strategy by its average outage, not its worst.
        "def choose_dr(rto_s, rpo_s, outcomes):\n"
        "    if rto_s < 0 or rpo_s < 0:\n"
        "        raise ValueError('negative objective')\n"
        "    ok = [(o.monthly_usd, n) for n, o in outcomes.items()\n"
        "          if sum(o.rto_s) / len(o.rto_s) <= rto_s and sum(o.rpo_s) / len(o.rpo_s) <= rpo_s]\n"
        "    return min(ok)[1] if ok else None\n",
        # Hands in the library's recommendation (labsupport.usecases.disaster_recovery.recommend).
        "from labsupport.usecases.disaster_recovery import recommend as _recommend\n"
        "def choose_dr(rto_s, rpo_s, outcomes):\n"
        "    return _recommend(rto_s, rpo_s, outcomes).strategy\n",
        # Forgets that a negative objective must be refused.
        "def choose_dr(rto_s, rpo_s, outcomes):\n"
        "    ok = [(o.monthly_usd, n) for n, o in outcomes.items() if max(o.rto_s) <= rto_s and max(o.rpo_s) <= rpo_s]\n"
        "    return min(ok)[1] if ok else None\n",
        # Picks the fastest strategy that meets the objectives, not the cheapest.
        "def choose_dr(rto_s, rpo_s, outcomes):\n"
        "    if rto_s < 0 or rpo_s < 0:\n"
        "        raise ValueError('negative objective')\n"
        "    ok = [(max(o.rto_s), n) for n, o in outcomes.items() if max(o.rto_s) <= rto_s and max(o.rpo_s) <= rpo_s]\n"
        "    return min(ok)[1] if ok else None\n",
    ],
    "q4": [
        # The book's default design with a warm standby Region: no headroom for the spike.
        "def design():\n"
        "    return {'dr_strategy': 'warm_standby'}\n",
        # The design Chapter 8 repairs for its own brief: over this lab's budget.
        "def design():\n"
        "    return {'zones': 3, 'instances_per_zone': 3, 'target_cpu': 40, 'cache': True, 'db_standby': True,\n"
        "            'db_replicas': 1, 'retries': 2, 'dr_strategy': 'warm_standby'}\n",
        # The chapter's design with the recovery strategy of Question 3: still over budget.
        "def design():\n"
        "    return {'zones': 3, 'instances_per_zone': 3, 'target_cpu': 40, 'cache': True, 'db_standby': True,\n"
        "            'db_replicas': 1, 'retries': 2, 'dr_strategy': 'pilot_light'}\n",
        # No read replica: reads fail while the primary fails over when az-a is lost.
        "def design():\n"
        "    return {'zones': 3, 'instances_per_zone': 4, 'target_cpu': 60, 'cache': True, 'db_standby': True,\n"
        "            'db_replicas': 0, 'retries': 2, 'dr_strategy': 'pilot_light'}\n",
        # A warm standby Region: faster than needed, and over budget in some drills.
        "def design():\n"
        "    return {'zones': 3, 'instances_per_zone': 4, 'target_cpu': 60, 'cache': True, 'db_standby': True,\n"
        "            'db_replicas': 1, 'retries': 2, 'dr_strategy': 'warm_standby'}\n",
        # Active/active in a second Region breaks the budget.
        "def design():\n"
        "    return {'zones': 3, 'instances_per_zone': 4, 'target_cpu': 60, 'cache': True, 'db_standby': True,\n"
        "            'db_replicas': 1, 'retries': 2, 'dr_strategy': 'active_active'}\n",
        # A single zone with a large fixed fleet: the drill that loses az-a takes everything down.
        "def design():\n"
        "    return {'zones': 1, 'instances_per_zone': 12, 'target_cpu': None, 'dr_strategy': 'pilot_light'}\n",
    ],
}
