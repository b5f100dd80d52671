"""Epidemic dissemination: spreading a rumour by telling one random peer per round.

News in a village spreads without a town crier: each morning everyone who
has heard it tells one neighbour picked at random (**push**), or everyone who
has not asks one neighbour (**pull**), or every pair that meets swaps what
they know (**push-pull**). Nobody knows the whole village, nobody is in
charge, and losing a few conversations only slows the news down. Databases
use this for anti-entropy and membership (Demers et al., "Epidemic
algorithms for replicated database maintenance", PODC 1987).

The rounds are synchronous: in round ``r`` (at time ``r * round_s``) each
node contacts one peer chosen uniformly from the others, and a node informed
during round ``r`` passes the rumour on from round ``r + 1``, as in the
analyses. The known results for the number of rounds until all ``n`` nodes
know (with high probability, leading terms):

* push: ``log2 n + ln n + O(1)`` (Frieze and Grimmett 1985; Pittel, "On
  spreading a rumor", SIAM J. Appl. Math. 1987);
* push-pull: ``log3 n + O(log log n)`` (Karp, Schindelhauer, Shenker and
  Vöcking, "Randomized rumor spreading", FOCS 2000);
* pull: the informed set doubles while it is small and the uninformed
  fraction squares once it is large, so ``log2 n + O(log log n)`` (the same
  paper's argument).

For pull and push-pull :func:`rounds_estimate` adds ``log2 log2 n`` for the
``O(log log n)`` term: our own estimate, the rounds that squaring takes to
bring the uninformed fraction from one half below ``1/n``; it is not a
published constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from labsupport.checks import check_choice, check_int, check_number, check_probability
from labsupport.seeds import Seed
from labsupport.sim import Node, Simulation

__all__ = ["MODES", "Rumour", "Exchange", "GossipNode", "GossipRun", "run_gossip", "rounds_estimate"]

#: The three ways of spreading.
MODES = ("push", "pull", "push-pull")


class Rumour(NamedTuple):
    """A push (or the answer to a pull): the rumour itself."""

    value: str


class Exchange(NamedTuple):
    """A push-pull contact: what the caller knows (``None``: nothing yet)."""

    value: str | None


class GossipNode(Node):
    """One villager: every ``round_s`` it contacts one random peer, as ``mode`` says.

    ``informed_round`` is the round in which it first heard the rumour
    (``None``: not yet); it passes the rumour on only in later rounds.

    Examples
    --------
    >>> from labsupport.sim import Simulation
    >>> sim = Simulation(seed=1, latency=0.01)
    >>> a, b = (sim.add(GossipNode(x, ["a", "b"], mode="push", round_s=1.0, max_rounds=3)) for x in "ab")
    >>> a.hear("news")
    >>> sim.run()
    >>> b.value, b.informed_round
    ('news', 1)
    """

    def __init__(self, name: str, peers: list[str], *, mode: str, round_s: float, max_rounds: int):
        super().__init__(name)
        self.peers = [p for p in peers if p != name]
        self.mode = check_choice("mode", mode, MODES)
        self.round_s = check_number("round_s", round_s, low=0, low_open=True)
        self.max_rounds = check_int("max_rounds", max_rounds, low=1)
        self.value: str | None = None
        self.informed_round: int | None = None
        self.round = 0

    def start(self) -> None:
        self._rng = self.sim.rng(f"gossip/{self.name}")
        self.set_timer(self.round_s, self._tick)

    def knows(self) -> bool:
        """Whether it may pass the rumour on in the current round."""
        return self.informed_round is not None and self.informed_round < self.round

    def hear(self, value: str | None) -> None:
        if value is not None and self.value is None:
            self.value, self.informed_round = value, self.round

    def _tick(self) -> None:
        self.round += 1
        peer = self._rng.choice(self.peers)
        if self.mode == "push" and self.knows():
            self.send(peer, "rumour", Rumour(self.value))
        elif self.mode == "pull" and self.value is None:
            self.send(peer, "pull")
        elif self.mode == "push-pull":
            self.send(peer, "exchange", Exchange(self.value if self.knows() else None))
        if self.round < self.max_rounds:
            self.set_timer(self.round_s, self._tick)

    def on_rumour(self, msg) -> None:
        self.hear(msg.payload.value)

    def on_pull(self, msg) -> None:
        if self.knows():
            self.send(msg.src, "rumour", Rumour(self.value))

    def on_exchange(self, msg) -> None:
        mine = self.value if self.knows() else None
        self.hear(msg.payload.value)
        if msg.reply_to is None and mine is not None:  # answer a call, never an answer
            self.reply(msg, "exchange", Exchange(mine))


@dataclass(frozen=True)
class GossipRun:
    """What one dissemination run measured.

    Attributes
    ----------
    n, mode : int, str
        The group size and the way of spreading.
    rounds : int or None
        The round in which the last node heard the rumour (None: not all did within ``max_rounds``).
    informed : tuple of int
        How many nodes knew the rumour after each round 0, 1, 2, ...
    messages : int
        Messages sent until the last node heard it (or until the end).
    """

    n: int
    mode: str
    rounds: int | None
    informed: tuple[int, ...]
    messages: int


def run_gossip(n: int, mode: str = "push", *, loss: float = 0.0, round_s: float = 1.0,
               max_rounds: int = 200, seed: Seed = None) -> GossipRun:
    """Spread one rumour from node ``g0`` to ``n`` nodes and count the rounds.

    Each message is lost with probability ``loss``; the one-way delay is a
    hundredth of a round, so every contact completes within its round.

    Examples
    --------
    >>> run = run_gossip(64, "push", seed=1)
    >>> run.rounds, run.informed[:6]
    (13, (1, 2, 4, 7, 13, 24))
    >>> run_gossip(64, "push-pull", seed=1).rounds
    5
    >>> run_gossip(1, "pull", seed=1).rounds
    0
    """
    check_int("n", n, low=1)
    check_choice("mode", mode, MODES)
    check_probability("loss", loss, open_high=True)
    check_number("round_s", round_s, low=0, low_open=True)
    check_int("max_rounds", max_rounds, low=1)
    names = [f"g{i}" for i in range(n)]
    sim = Simulation(seed=seed, latency=round_s / 100, loss=loss)
    nodes = [sim.add(GossipNode(name, names, mode=mode, round_s=round_s, max_rounds=max_rounds))
             for name in names]
    nodes[0].hear("news")
    informed = [1]
    sends = 0
    for r in range(1, max_rounds + 1):
        if informed[-1] == n:
            break
        sim.run(until=(r + 0.5) * round_s)
        informed.append(sum(node.value is not None for node in nodes))
    sends = len(sim.events("send"))
    done = informed[-1] == n
    return GossipRun(n, mode, max(nd.informed_round for nd in nodes) if done else None, tuple(informed), sends)


def rounds_estimate(n: int, mode: str = "push") -> float:
    """Rounds until all ``n`` know: Pittel's ``log2 n + ln n`` for push; for pull and
    push-pull the leading term (``log2 n``, ``log3 n``) plus our ``log2 log2 n``.

    Examples
    --------
    >>> round(rounds_estimate(1024, "push"), 2)  # log2 1024 + ln 1024
    16.93
    >>> round(rounds_estimate(1024, "push-pull"), 2)  # log3 1024 + log2 10
    9.63
    """
    check_int("n", n, low=1)
    check_choice("mode", mode, MODES)
    if mode == "push":
        return math.log2(n) + math.log(n)
    squaring = math.log2(math.log2(n)) if n > 2 else 0.0
    return (math.log2(n) if mode == "pull" else math.log(n, 3)) + squaring
