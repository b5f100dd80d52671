"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

WRONG = {
    "q1": [
        # Off by one: treats R + W = N as enough.
        "def always_intersect(n, r, w):\n"
        "    return r + w >= n\n",
        # The shortcut: the library's closed form, reached through importlib (only a stub of it is in the kernel).
        "import importlib\n"
        "def always_intersect(n, r, w):\n"
        "    return importlib.import_module('labsupport.data.quorum.config').quorums_intersect(n, r, w)\n",
    ],
    "q2": [
        # Trusts the first reply instead of the newest, and repairs nothing.
        "class Coordinator(LabCoordinator):\n"
        "    def write(self, key, value):\n"
        "        self.counter += 1\n"
        "        events = self.multicast(self.replicas, 'write', TagWrite(key, (self.counter, self.name), value))\n"
        "        yield from self.collect(events, self.w, self.timeout_s)\n"
        "        return 'ok'\n"
        "    def read(self, key):\n"
        "        replies = yield from self.collect(self.multicast(self.replicas, 'read', key), self.r, self.timeout_s)\n"
        "        return replies[0].payload.value\n",
        # Waits for every replica instead of a quorum.
        "class Coordinator(LabCoordinator):\n"
        "    def write(self, key, value):\n"
        "        self.counter += 1\n"
        "        events = self.multicast(self.replicas, 'write', TagWrite(key, (self.counter, self.name), value))\n"
        "        yield from self.collect(events, len(self.replicas), self.timeout_s)\n"
        "        return 'ok'\n"
        "    def read(self, key):\n"
        "        replies = yield from self.collect(self.multicast(self.replicas, 'read', key), len(self.replicas),\n"
        "                                          self.timeout_s)\n"
        "        latest = newest([m.payload for m in replies])\n"
        "        for m in replies:\n"
        "            if m.payload.tag < latest.tag:\n"
        "                self.send(m.src, 'write', TagWrite(key, latest.tag, latest.value))\n"
        "        return latest.value\n",
        # Reports "ok" however few acknowledgements arrived before the timeout (reads are right).
        "class Coordinator(Coordinator):\n"
        "    def write(self, key, value):\n"
        "        self.counter += 1\n"
        "        events = self.multicast(self.replicas, 'write', TagWrite(key, (self.counter, self.name), value))\n"
        "        yield from self.collect(events, self.w, self.timeout_s)\n"
        "        return 'ok'\n",
        # Trusts the reply that arrived first, not the newest (writes and unavailability are right).
        "class Coordinator(Coordinator):\n"
        "    def read(self, key):\n"
        "        replies = yield from self.collect(self.multicast(self.replicas, 'read', key), self.r, self.timeout_s)\n"
        "        if len(replies) < self.r:\n"
        "            return 'unavailable'\n"
        "        latest = replies[0].payload\n"
        "        for m in replies:\n"
        "            if m.payload.tag < latest.tag:\n"
        "                self.send(m.src, 'write', TagWrite(key, latest.tag, latest.value))\n"
        "        return latest.value\n",
        # Waits for the read repair's acknowledgements before returning.
        "class Coordinator(Coordinator):\n"
        "    def read(self, key):\n"
        "        replies = yield from self.collect(self.multicast(self.replicas, 'read', key), self.r, self.timeout_s)\n"
        "        if len(replies) < self.r:\n"
        "            return 'unavailable'\n"
        "        latest = newest([m.payload for m in replies])\n"
        "        old = [m.src for m in replies if m.payload.tag < latest.tag]\n"
        "        repairs = self.multicast(old, 'write', TagWrite(key, latest.tag, latest.value))\n"
        "        yield from self.collect(repairs, len(old), self.timeout_s)\n"
        "        return latest.value\n",
    ],
    "q3": [
        # Tests the result object's truth value, which is always true, so it never finds anything.
        "def find_inversion(coordinator, seeds):\n"
        "    for seed in seeds:\n"
        "        if not check_linearizable(run_workload(coordinator, seed=seed).history):\n"
        "            return seed\n"
        "    return None\n"
        "first_bad = find_inversion(Coordinator, range(500))\n",
        # Tries the seeds in increasing order, not in the order given.
        "def find_inversion(coordinator, seeds):\n"
        "    for seed in sorted(seeds):\n"
        "        if not check_linearizable(run_workload(coordinator, seed=seed).history).linearizable:\n"
        "            return seed\n"
        "    return None\n"
        "first_bad = find_inversion(Coordinator, range(500))\n",
    ],
    "q4": [
        # Writes back without waiting for the acknowledgements.
        "class AbdCoordinator(Coordinator):\n"
        "    def read(self, key):\n"
        "        replies = yield from self.collect(self.multicast(self.replicas, 'read', key), self.r, self.timeout_s)\n"
        "        latest = newest([m.payload for m in replies])\n"
        "        self.multicast(self.replicas, 'write', TagWrite(key, latest.tag, latest.value))\n"
        "        return latest.value\n",
    ],
}
