"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly.
"""

WRONG = {
    "q1": [
        # Forgets to take the maximum with the timestamp a message carries.
        "def lamport(events):\n"
        "    clock, stamps = {}, []\n"
        "    for node, kind, message in events:\n"
        "        clock[node] = clock.get(node, 0) + 1\n"
        "        stamps.append(clock[node])\n"
        "    return stamps\n",
    ],
    "q2": [
        # Attaches the sender's vector itself, not a copy: later events change what the message carries.
        "def vector(events):\n"
        "    clock, carried, stamps = {}, {}, []\n"
        "    for node, kind, message in events:\n"
        "        now = clock.setdefault(node, {})\n"
        "        if kind == 'recv':\n"
        "            for other, count in carried[message].items():\n"
        "                now[other] = max(now.get(other, 0), count)\n"
        "        now[node] = now.get(node, 0) + 1\n"
        "        if kind == 'send':\n"
        "            carried[message] = now\n"
        "        stamps.append(dict(now))\n"
        "    return stamps\n",
    ],
    "q3": [
        # Requires every entry to be strictly smaller.
        "def happened_before(u, v):\n"
        "    nodes = set(u) | set(v)\n"
        "    return all(u.get(n, 0) < v.get(n, 0) for n in nodes)\n",
    ],
    "q4": [
        # Keeps drops and crashes as local events.
        "def to_events(trace):\n"
        "    kinds = {'send': 'send', 'deliver': 'recv'}\n"
        "    return [(e.node, kinds.get(e.event, 'local'), e.msg_id if e.event in kinds else None) for e in trace]\n",
    ],
}
