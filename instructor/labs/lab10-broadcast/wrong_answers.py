"""Plausible wrong answers, one or more per question: each must lose points (checked by tests/test_labs.py).

Each entry is code appended to the solved notebook, redefining the answer wrongly. The last entry of every
question is the same shortcut, a node that answers reads from the client's own records through the simulation
object instead of from what it was sent: it must lose the points of every question (the property "derived").
"""

SHORTCUT = (
    # Knows every value without being told: reads the client's records through self.sim.
    "class SingleNode(Node):\n"
    "    def __init__(self, name, peers):\n"
    "        super().__init__(name)\n"
    "        self.peers = peers\n"
    "    def on_broadcast(self, msg):\n"
    "        self.reply(msg, 'broadcast_ok')\n"
    "    def on_read(self, msg):\n"
    "        self.reply(msg, 'read_ok', sorted(self.sim.nodes[CLIENT].sent))\n"
    "class Flood(SingleNode):\n"
    "    pass\n"
    "class Reliable(SingleNode):\n"
    "    pass\n"
    "class Frugal(SingleNode):\n"
    "    pass\n"
)

FLOOD_WITHOUT_BOUND = (
    # Passes on every gossip it receives, even a value it already had: the messages never stop.
    "class {name}(Base):\n"
    "    def on_broadcast(self, msg):\n"
    "        self.values.add(msg.payload)\n"
    "        for peer in self.peers:\n"
    "            self.send(peer, 'gossip', msg.payload)\n"
    "        self.reply(msg, 'broadcast_ok')\n"
    "    def on_gossip(self, msg):\n"
    "        self.values.add(msg.payload)\n"
    "        for peer in self.peers:\n"
    "            if peer != msg.src:\n"
    "                self.send(peer, 'gossip', msg.payload)\n"
)

FORWARD_ONCE = (
    # Forwards each new value once, to every peer, and relays what it hears once: nothing crosses a partition.
    "class {name}(Base):\n"
    "    def on_broadcast(self, msg):\n"
    "        self.on_gossip(msg)\n"
    "        self.reply(msg, 'broadcast_ok')\n"
    "    def on_gossip(self, msg):\n"
    "        if msg.payload not in self.values:\n"
    "            self.values.add(msg.payload)\n"
    "            for peer in self.peers:\n"
    "                if peer != msg.src:\n"
    "                    self.send(peer, 'gossip', msg.payload)\n"
)

WRONG = {
    "q1": [
        # Never acknowledges: the client keeps retrying and is never told the value was taken.
        "class SingleNode(Node):\n"
        "    def __init__(self, name, peers):\n"
        "        super().__init__(name)\n"
        "        self.peers, self.values = peers, set()\n"
        "    def on_broadcast(self, msg):\n"
        "        self.values.add(msg.payload)\n"
        "    def on_read(self, msg):\n"
        "        self.reply(msg, 'read_ok', sorted(self.values))\n",
        # Keeps only the latest value.
        "class SingleNode(Node):\n"
        "    def __init__(self, name, peers):\n"
        "        super().__init__(name)\n"
        "        self.peers, self.values = peers, set()\n"
        "    def on_broadcast(self, msg):\n"
        "        self.values = {msg.payload}\n"
        "        self.reply(msg, 'broadcast_ok')\n"
        "    def on_read(self, msg):\n"
        "        self.reply(msg, 'read_ok', sorted(self.values))\n",
        SHORTCUT,
    ],
    "q2": [
        FLOOD_WITHOUT_BOUND.format(name="Flood"),
        SHORTCUT,
    ],
    "q3": [
        FORWARD_ONCE.format(name="Reliable"),
        SHORTCUT,
    ],
    "q4": [
        # No retransmission: sends each value once to every peer and never again, so loss loses values.
        "class Frugal(Base):\n"
        "    def on_broadcast(self, msg):\n"
        "        if msg.payload not in self.values:\n"
        "            self.values.add(msg.payload)\n"
        "            for peer in self.peers:\n"
        "                self.send(peer, 'gossip', [msg.payload])\n"
        "        self.reply(msg, 'broadcast_ok')\n"
        "    def on_gossip(self, msg):\n"
        "        self.values.update(msg.payload)\n"
        "        self.reply(msg, 'gossip_ok', msg.payload)\n",
        # Reliable, but every node relays every new value to every peer, with acknowledgements: over budget.
        "class Frugal(Reliable):\n"
        "    def on_gossip(self, msg):\n"
        "        new = set(msg.payload) - self.values\n"
        "        self.values |= new\n"
        "        for peer in self.peers:\n"
        "            if peer != msg.src and new:\n"
        "                self.owed[peer] |= new\n"
        "                self.send(peer, 'gossip', sorted(new))\n"
        "        self.reply(msg, 'gossip_ok', msg.payload)\n",
        FLOOD_WITHOUT_BOUND.format(name="Frugal"),
        SHORTCUT,
    ],
}
