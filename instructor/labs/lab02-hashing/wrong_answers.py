"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly. Most of them pass
the public tests and are caught only by the hidden ones.
"""

WRONG = {
    "q1": [
        # Removes duplicate marks with a set: marks that collide on one position are lost.
        "def build_ring(nodes, vnodes, hash_fn=stable_hash):\n"
        "    nodes = list(nodes)\n"
        "    if not nodes or len(set(nodes)) != len(nodes) or vnodes < 1:\n"
        "        raise ValueError('bad input')\n"
        "    return sorted({(hash_fn(f'{node}#{i}'), node) for node in nodes for i in range(vnodes)})\n",
        # Numbers the marks from 1, not 0.
        "def build_ring(nodes, vnodes, hash_fn=stable_hash):\n"
        "    nodes = list(nodes)\n"
        "    if not nodes or len(set(nodes)) != len(nodes) or vnodes < 1:\n"
        "        raise ValueError('bad input')\n"
        "    return sorted((hash_fn(f'{node}#{i}'), node) for node in nodes for i in range(1, vnodes + 1))\n",
        # Never checks its input.
        "def build_ring(nodes, vnodes, hash_fn=stable_hash):\n"
        "    return sorted((hash_fn(f'{node}#{i}'), node) for node in nodes for i in range(vnodes))\n",
        # Checks only for an empty node list and vnodes < 1: a node named twice is accepted.
        "def build_ring(nodes, vnodes, hash_fn=stable_hash):\n"
        "    nodes = list(nodes)\n"
        "    if not nodes or vnodes < 1:\n"
        "        raise ValueError('bad input')\n"
        "    return sorted((hash_fn(f'{node}#{i}'), node) for node in nodes for i in range(vnodes))\n",
        # The shortcut: the book's ring, which ignores hash_fn (only stubs of it are in the grading kernel).
        "from labsupport.data.hashing import HashRing\n"
        "def build_ring(nodes, vnodes, hash_fn=stable_hash):\n"
        "    return HashRing(nodes, vnodes).points()\n",
    ],
    "q2": [
        # bisect_right: a key exactly at a mark goes to the next mark.
        "from bisect import bisect_right\n"
        "def lookup(ring, key, hash_fn=stable_hash):\n"
        "    i = bisect_right([p for p, _ in ring], hash_fn(key))\n"
        "    return ring[i % len(ring)][1]\n",
        # No wrap-around: a key past the last mark goes to the last mark.
        "def lookup(ring, key, hash_fn=stable_hash):\n"
        "    i = bisect_left(ring, (hash_fn(key),))\n"
        "    return ring[min(i, len(ring) - 1)][1]\n",
        # A pass over every mark instead of a binary search (right answers, but too slow for a real ring).
        "def lookup(ring, key, hash_fn=stable_hash):\n"
        "    h = hash_fn(key)\n"
        "    for position, node in ring:\n"
        "        if position >= h:\n"
        "            return node\n"
        "    return ring[0][1]\n",
        # Positions in a dictionary: of marks that share a position the last one wins (and every call reads the ring).
        "def lookup(ring, key, hash_fn=stable_hash):\n"
        "    owner = {position: node for position, node in ring}\n"
        "    positions = sorted(owner)\n"
        "    return owner[positions[bisect_left(positions, hash_fn(key)) % len(positions)]]\n",
    ],
    "q3": [
        # Counts only the nodes that received a key.
        "def load_per_node(place, keys, nodes):\n"
        "    loads = {}\n"
        "    for key in keys:\n"
        "        loads[place(key)] = loads.get(place(key), 0) + 1\n"
        "    return loads\n",
        # Averages over the busy nodes only.
        "def max_over_mean(loads):\n"
        "    busy = [v for v in loads.values() if v]\n"
        "    return max(busy) / (sum(busy) / len(busy))\n",
        # The shortcut the docstring example suggests: the library's own measurement.
        "from labsupport.data.hashing import assign, node_loads\n"
        "def load_per_node(place, keys, nodes):\n"
        "    return node_loads(assign(place, keys), nodes)\n",
        # The same through importlib and getattr, which a check of names cannot see.
        "import importlib\n"
        "_lib = importlib.import_module('labsupport.data.' + 'hashing')\n"
        "def load_per_node(place, keys, nodes):\n"
        "    return getattr(_lib, 'node_' + 'loads')(getattr(_lib, 'assign')(place, keys), nodes)\n",
    ],
    "q4": [
        # Records (new, old) instead of (old, new).
        "def moved_keys(before, after, keys):\n"
        "    return {k: (after(k), before(k)) for k in keys if before(k) != after(k)}\n",
        # Says False when nothing moved.
        "def only_moved_to(moves, node):\n"
        "    return bool(moves) and all(new == node for _, new in moves.values())\n",
    ],
}
