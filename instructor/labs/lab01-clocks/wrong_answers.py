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
        # The shortcuts: the book's own functions, imported by name, through importlib and getattr, or read
        # from the library's source file and executed. The grading kernel holds only stubs of them. (Each first
        # removes the solution's functions: a student taking the shortcut has no others to fall back on.)
        "del happened_before, concurrent\n"
        "from labsupport.foundations.clocks import happened_before, concurrent\n",
        "del happened_before, concurrent\n"
        "import importlib\n"
        "_lib = importlib.import_module('labsupport.foundations.' + 'clocks')\n"
        "happened_before, concurrent = getattr(_lib, 'happened_before'), getattr(_lib, 'concurrent')\n",
        "del happened_before, concurrent\n"
        "import labsupport, os\n"
        "_ns = {'__name__': 'mine'}\n"
        "exec(open(os.path.join(os.path.dirname(labsupport.__file__), 'foundations', 'clocks.py')).read(), _ns)\n"
        "happened_before, concurrent = _ns['happened_before'], _ns['concurrent']\n",
    ],
    "q4": [
        # Keeps drops and crashes as local events.
        "def to_events(trace):\n"
        "    kinds = {'send': 'send', 'deliver': 'recv'}\n"
        "    return [(e.node, kinds.get(e.event, 'local'), e.msg_id if e.event in kinds else None) for e in trace]\n",
    ],
}
