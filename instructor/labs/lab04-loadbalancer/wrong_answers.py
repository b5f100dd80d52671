"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly. Most of them pass
the public tests and are caught only by the hidden ones.
"""

WRONG = {
    "q1": [
        # Breaks ties by taking the first candidate: idle servers do not share the work.
        "class LeastOutstanding:\n"
        "    def choose(self, targets, state, rng):\n"
        "        return min(targets, key=lambda t: state.outstanding[t])\n",
        # Looks at every target in state.outstanding, including unhealthy ones that are not candidates.
        "class LeastOutstanding:\n"
        "    def choose(self, targets, state, rng):\n"
        "        counts = state.outstanding\n"
        "        keys = list(counts.keys()) if hasattr(counts, 'keys') else list(range(len(counts)))\n"
        "        fewest = min(counts[k] for k in keys)\n"
        "        return rng.choice([k for k in keys if counts[k] == fewest])\n",
        # Breaks ties with the module-level random generator: runs are not reproducible.
        "import random as _random_module\n"
        "class LeastOutstanding:\n"
        "    def choose(self, targets, state, rng):\n"
        "        fewest = min(state.outstanding[t] for t in targets)\n"
        "        return _random_module.choice([t for t in targets if state.outstanding[t] == fewest])\n",
        # Breaks ties with rng, but not uniformly: the first tied candidate wins three times in four with two tied.
        "class LeastOutstanding:\n"
        "    def choose(self, targets, state, rng):\n"
        "        fewest = min(state.outstanding[t] for t in targets)\n"
        "        tied = [t for t in targets if state.outstanding[t] == fewest]\n"
        "        return tied[0] if rng.random() < 0.5 else rng.choice(tied)\n",
        # Hands in the library's class instead of writing one.
        "from labsupport.availability.load_balancing import LeastOutstandingRequests as LeastOutstanding\n",
        # The library's class through importlib and getattr: the source check sees only a call's result.
        "import importlib\n"
        "LeastOutstanding = getattr(importlib.import_module('labsupport.availability.load_balancing'),\n"
        "                           'LeastOutstanding' + 'Requests')\n",
    ],
    "q2": [
        # Samples with replacement: the same target can be drawn twice.
        "class PowerOfTwo:\n"
        "    def choose(self, targets, state, rng):\n"
        "        a, b = rng.choice(list(targets)), rng.choice(list(targets))\n"
        "        return b if state.outstanding[b] < state.outstanding[a] else a\n",
        # Compares every candidate: that is least outstanding requests, not two choices.
        "class PowerOfTwo:\n"
        "    def choose(self, targets, state, rng):\n"
        "        fewest = min(state.outstanding[t] for t in targets)\n"
        "        return rng.choice([t for t in targets if state.outstanding[t] == fewest])\n",
        # Samples three candidates instead of two.
        "class PowerOfTwo:\n"
        "    def choose(self, targets, state, rng):\n"
        "        if len(targets) <= 3:\n"
        "            return min(targets, key=lambda t: state.outstanding[t])\n"
        "        return min(rng.sample(list(targets), 3), key=lambda t: state.outstanding[t])\n",
        # Wraps the library's policy.
        "from labsupport.availability.load_balancing import PowerOfChoices as _P\n"
        "class PowerOfTwo:\n"
        "    def __init__(self):\n"
        "        self.inner = _P(2)\n"
        "    def choose(self, targets, state, rng):\n"
        "        return self.inner.choose(targets, state, rng)\n",
        # A subclass of the library's class, found by a computed name.
        "import importlib\n"
        "_lib = importlib.import_module('labsupport.availability.load_balancing')\n"
        "class PowerOfTwo(getattr(_lib, 'PowerOf' + 'Choices')):\n"
        "    pass\n",
    ],
    "q3": [
        # Counts the speed-1 servers as slow too.
        "def tail_report(policies, seed):\n"
        "    out = {}\n"
        "    for name, policy in policies.items():\n"
        "        r = run_farm(policy, seed=seed, **WORKLOAD)\n"
        "        out[name] = (r.p99_s, sum(c for c, s in zip(r.request_counts, SPEEDS) if s <= 1) / r.n_measured)\n"
        "    return out\n",
        # Ignores the seed it is given.
        "def tail_report(policies, seed):\n"
        "    out = {}\n"
        "    for name, policy in policies.items():\n"
        "        r = run_farm(policy, seed=SEED, **WORKLOAD)\n"
        "        out[name] = (r.p99_s, sum(r.request_counts[6:]) / r.n_measured)\n"
        "    return out\n",
    ],
}
