"""An MQTT-style broker on a lossy network: QoS 0 and QoS 1 delivery, and a fleet reconnecting at once.

A parcel service with two tariffs. **QoS 0** ("at most once") is a postcard:
sent once, lost if the van crashes. **QoS 1** ("at least once") is a
registered letter: the sender keeps a copy and sends it again until a signed
receipt (PUBACK) comes back. If the *receipt* is lost, the letter was
delivered but is sent again, so the receiver sees it twice: duplicates are
the price of never losing a message. A broker relays every message twice
(device -> broker -> subscriber), each hop with its own receipts.

Per hop, with acknowledgements lost with probability ``b`` (and publications
with any probability), the expected number of copies delivered is
``1 / (1 - b)``: each attempt that fails only because its receipt was lost
delivers a copy. Two hops relay every copy, so the subscriber expects
``1 / (1 - b)**2`` copies (MQTT 3.1.1, 4.3.2: after sending PUBACK, a
QoS 1 receiver treats a re-sent PUBLISH as a new publication). AWS IoT Core
supports QoS 0 and 1 but not QoS 2 (AWS IoT Core Developer Guide, "MQTT").

QoS 1 protects publications only; a client must first be *connected* and
*subscribed*, and those steps cross the same lossy links. Each is a request
with its own receipt: CONNECT is answered by CONNACK (MQTT 3.1.1, 3.2) and
SUBSCRIBE by SUBACK ([MQTT-3.8.4-1]), and a client that hears nothing sends
the request again every ``retry_s``. A repeated SUBSCRIBE with the same
filter replaces the subscription instead of adding a second one
([MQTT-3.8.4-3]), so retrying is safe. Messages published before any
subscription matches go nowhere (MQTT keeps nothing for topics without
subscribers, retained messages aside), so :func:`run_delivery` starts the
fleet once the app holds its SUBACK.

The second scenario is a **reconnect storm**: after a broker restart every
device of a fleet reconnects at the same moment. CONNECTs queue at the
broker; devices that time out retry and add to the queue; the broker then
spends its time on requests whose senders have already given up.
Throttling at the broker (a token bucket, :class:`labsupport.security.ratelimit.TokenBucket`,
rejecting the excess cheaply) and exponential backoff with jitter at the
devices (:func:`labsupport.availability.retries.full_jitter_delay_s`) end it; AWS IoT
Device Advisor tests that devices reconnect with jittered backoff ("Device
re-connect with jitter backoff"), and AWS IoT Core limits connection
requests per second per account (see its quotas page for current values).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import simpy

from labsupport.seeds import Seed
from labsupport.checks import check_choice, check_int, check_number, check_probability
from labsupport.security.ratelimit import TokenBucket
from labsupport.availability.retries import full_jitter_delay_s
from labsupport.sim import Constant, Node, Simulation

from labsupport.usecases.shadow import Shadow, VersionConflict, delta
from labsupport.usecases.streams import (Firing, Reading, WindowRun, expected_drop_fraction, run_windows, sliding, synthetic_readings,
                      tumbling)
from labsupport.usecases.topics import TopicError, topic_matches, validate_topic_filter, validate_topic_name

__all__ = [
    "Publish", "Subscribe", "Broker", "Device", "App", "DeliveryResult", "run_delivery", "expected_copies",
    "StormResult", "run_reconnect_storm",
    "TopicError", "validate_topic_name", "validate_topic_filter", "topic_matches",
    "Shadow", "VersionConflict", "delta",
    "Reading", "Firing", "WindowRun", "run_windows", "tumbling", "sliding", "expected_drop_fraction",
    "synthetic_readings",
]


class Publish(NamedTuple):
    """Payload of ``publish`` (an MQTT PUBLISH packet): id, topic, the application's payload, QoS."""

    packet_id: int
    topic: str
    payload: Any
    qos: int


class Subscribe(NamedTuple):
    """Payload of ``subscribe``: a topic filter and the highest QoS wanted."""

    topic_filter: str
    qos: int


def _until_acknowledged(node, kind, payload):
    """Generator: send ``kind`` to the broker every ``node.retry_s`` until a reply comes; count the attempts."""
    while True:
        node.attempts[kind] += 1
        reply = yield from node.wait(node.request("broker", kind, payload), node.retry_s)
        if reply is not None:
            return reply


class _QoS1Sender:
    """Keep unacknowledged QoS 1 publications and send each again every ``retry_s`` until acknowledged."""

    def publish(self, dst, topic, payload, qos):
        self.next_id = getattr(self, "next_id", 0) + 1
        packet = Publish(self.next_id, topic, payload, qos)
        self.send(dst, "publish", packet)
        if qos == 1:
            self.unacked[(dst, self.next_id)] = packet
            self.set_timer(self.retry_s, self._resend, dst, self.next_id)

    def _resend(self, dst, packet_id):
        packet = self.unacked.get((dst, packet_id))
        if packet is not None:
            self.resent += 1
            self.send(dst, "publish", packet)
            self.set_timer(self.retry_s, self._resend, dst, packet_id)

    def on_puback(self, msg):
        self.unacked.pop((msg.src, msg.payload), None)


class Broker(_QoS1Sender, Node):
    """Routes each publication to every subscription whose filter matches, at ``min(publish QoS, subscription QoS)``.

    Examples
    --------
    >>> Broker("broker", retry_s=0.5).retry_s
    0.5
    """

    def __init__(self, name, *, retry_s=1.0):
        check_number("retry_s", retry_s, low=0, low_open=True)
        super().__init__(name)
        self.retry_s, self.unacked, self.resent = retry_s, {}, 0
        self.sessions: set[str] = set()  # clients that have sent CONNECT
        self.subscriptions: list[tuple[str, str, int]] = []  # (client, filter, qos)

    def on_connect(self, msg):
        session_present = msg.src in self.sessions
        self.sessions.add(msg.src)
        self.reply(msg, "connack", session_present)

    def on_subscribe(self, msg):
        if msg.src not in self.sessions:
            return  # the first packet of a client must be CONNECT (MQTT 3.1.1, 3.1)
        sub = msg.payload
        topic_filter = validate_topic_filter(sub.topic_filter)
        self.subscriptions = [s for s in self.subscriptions if s[:2] != (msg.src, topic_filter)]
        self.subscriptions.append((msg.src, topic_filter, sub.qos))  # an identical filter replaces the old one
        self.reply(msg, "suback", sub.qos)

    def on_publish(self, msg):
        packet = msg.payload
        if packet.qos == 1:
            self.send(msg.src, "puback", packet.packet_id)
        for client, topic_filter, sub_qos in self.subscriptions:
            if topic_matches(topic_filter, validate_topic_name(packet.topic)):
                self.publish(client, packet.topic, packet.payload, min(packet.qos, sub_qos))


class Device(_QoS1Sender, Node):
    """Publishes ``count`` readings to ``topic`` every ``period_s`` at ``qos``.

    Examples
    --------
    >>> Device("dev000", topic="fleet/dev000/temp", qos=1, count=3, period_s=1.0).count
    3
    """

    def __init__(self, name, *, topic, qos, count, period_s, retry_s=1.0, start_after=None):
        check_choice("qos", qos, (0, 1))
        check_int("count", count, low=0)
        check_number("period_s", period_s, low=0)
        check_number("retry_s", retry_s, low=0, low_open=True)
        super().__init__(name)
        self.topic, self.qos, self.count, self.period_s = validate_topic_name(topic), qos, count, period_s
        self.retry_s, self.unacked, self.resent, self.attempts = retry_s, {}, 0, Counter()
        self.start_after = start_after  # an event (the app's SUBACK) to wait for before publishing

    def start(self):
        yield from _until_acknowledged(self, "connect", None)
        if self.start_after is not None:
            yield self.start_after
        for seq in range(self.count):
            yield self.sleep(self.period_s)
            self.publish("broker", self.topic, (self.name, seq), self.qos)


class App(Node):
    """A subscriber: CONNECT until CONNACK, SUBSCRIBE until SUBACK, then count how often each message arrives.

    Examples
    --------
    >>> App("app", topic_filter="fleet/+/temp", qos=1).topic_filter
    'fleet/+/temp'
    """

    def __init__(self, name, *, topic_filter, qos, retry_s=1.0, subscribed=None):
        check_choice("qos", qos, (0, 1))
        check_number("retry_s", retry_s, low=0, low_open=True)
        super().__init__(name)
        self.topic_filter, self.qos, self.copies = topic_filter, qos, Counter()
        self.retry_s, self.attempts, self.subscribed = retry_s, Counter(), subscribed

    def start(self):
        yield from _until_acknowledged(self, "connect", None)
        yield from _until_acknowledged(self, "subscribe", Subscribe(self.topic_filter, self.qos))
        if self.subscribed is not None:
            self.subscribed.succeed(self.now)

    def on_publish(self, msg):
        packet = msg.payload
        self.copies[packet.payload] += 1
        if packet.qos == 1:
            self.send(msg.src, "puback", packet.packet_id)


@dataclass(frozen=True)
class DeliveryResult:
    qos: int
    sent: int
    delivered: int  # distinct messages that arrived at least once
    copies: int  # deliveries, duplicates included
    resent: int  # re-sent PUBLISH packets (devices and broker)
    handshakes: int = 0  # CONNECT and SUBSCRIBE packets sent by the app and the devices, retries included

    @property
    def duplicates(self) -> int:
        return self.copies - self.delivered

    @property
    def lost(self) -> int:
        return self.sent - self.delivered


def expected_copies(qos: int, *, loss: float, ack_loss: float, hops: int = 2) -> float:
    """Expected deliveries per message: ``(1 - loss)**hops`` for QoS 0, ``(1 / (1 - ack_loss))**hops`` for QoS 1.

    Examples
    --------
    >>> expected_copies(0, loss=0.1, ack_loss=0.2), round(expected_copies(1, loss=0.1, ack_loss=0.2), 4)
    (0.81, 1.5625)
    """
    if qos not in (0, 1):
        raise ValueError(f"qos={qos!r}; this broker offers QoS 0 and 1 (as AWS IoT Core does)")
    check_probability("loss", loss, open_high=True)
    check_probability("ack_loss", ack_loss, open_high=True)
    check_int("hops", hops, low=1)
    return (1 - loss) ** hops if qos == 0 else (1 / (1 - ack_loss)) ** hops


def run_delivery(qos: int, *, devices: int = 5, messages: int = 200, loss: float = 0.1, ack_loss: float = 0.1,
                 subscription: str = "fleet/+/temp", period_s: float = 1.0, retry_s: float = 0.5,
                 seed: Seed = None) -> DeliveryResult:
    """``devices`` devices publish ``messages`` readings each on ``fleet/<device>/temp``; an app subscribes.

    Publications are lost with probability ``loss`` on both hops, PUBACKs with ``ack_loss``;
    packets towards the broker (CONNECT, SUBSCRIBE, the app's PUBACKs) share their link's loss, and so do
    CONNACK and SUBACK. The app and every device retry CONNECT and SUBSCRIBE every ``retry_s`` until
    acknowledged, and the devices start publishing once the app's subscription is acknowledged, so with
    QoS 1 no message is lost for any seed.

    Examples
    --------
    >>> r = run_delivery(1, devices=2, messages=50, loss=0.2, ack_loss=0.3, seed=1)
    >>> r.lost, r.duplicates > 0
    (0, True)
    >>> run_delivery(0, devices=2, messages=50, loss=0.2, ack_loss=0.3, seed=1).lost > 0
    True
    """
    expected_copies(qos, loss=loss, ack_loss=ack_loss)
    check_int("devices", devices, low=1)
    check_int("messages", messages, low=0)
    check_number("period_s", period_s, low=0)
    check_number("retry_s", retry_s, low=0, low_open=True)
    validate_topic_filter(subscription)
    sim = Simulation(seed=seed, latency=Constant(0.01))
    broker = sim.add(Broker("broker", retry_s=retry_s))
    subscribed = sim.env.event()
    app = sim.add(App("app", topic_filter=subscription, qos=1, retry_s=retry_s, subscribed=subscribed))
    names = [f"dev{i:03d}" for i in range(devices)]
    for name in names:
        sim.add(Device(name, topic=f"fleet/{name}/temp", qos=qos, count=messages, period_s=period_s, retry_s=retry_s,
                       start_after=subscribed))
        sim.network.configure(name, "broker", both_ways=False, loss=loss)
        sim.network.configure("broker", name, both_ways=False, loss=ack_loss)
    sim.network.configure("broker", "app", both_ways=False, loss=loss)
    sim.network.configure("app", "broker", both_ways=False, loss=ack_loss)
    sim.run()
    matching = [n for n in names if topic_matches(subscription, f"fleet/{n}/temp")]
    resent = broker.resent + sum(sim.nodes[n].resent for n in names)
    handshakes = sum(app.attempts.values()) + sum(sum(sim.nodes[n].attempts.values()) for n in names)
    return DeliveryResult(qos, len(matching) * messages, len(app.copies), sum(app.copies.values()), resent, handshakes)


class _Gateway(Node):
    """The broker's front door for CONNECTs: optional token bucket, then one FIFO queue served at a fixed rate."""

    def __init__(self, name, *, capacity_per_s, bucket):
        super().__init__(name)
        self.service_s, self.bucket, self.queue, self.rejected, self.served = 1 / capacity_per_s, bucket, None, 0, 0

    def start(self):
        self.queue = simpy.Store(self.env)
        while True:
            msg = yield self.queue.get()
            yield self.sleep(self.service_s)
            self.served += 1
            self.send(msg.src, "connack", msg.payload)

    def on_connect(self, msg):
        if self.bucket is not None and not self.bucket.allow(self.now):
            self.rejected += 1
            self.send(msg.src, "throttled", msg.payload)
        else:
            self.queue.put(msg)


class _Client(Node):
    def __init__(self, name, *, timeout_s, backoff, base_s, cap_s, retry_s, start_s, rng):
        super().__init__(name)
        self.timeout_s, self.backoff, self.base_s, self.cap_s, self.retry_s = timeout_s, backoff, base_s, cap_s, retry_s
        self.start_s, self.rng = start_s, rng
        self.attempt, self.answer, self.connected_s, self.wasted, self.attempt_times = 0, None, None, 0, []

    def start(self):
        yield self.sleep(self.start_s)
        while self.connected_s is None:
            self.attempt += 1
            self.attempt_times.append(self.now)
            self.answer = self.env.event()
            self.send("broker", "connect", self.attempt)
            reply = yield from self.wait(self.answer, self.timeout_s)
            if reply == "connack":
                self.connected_s = self.now
                return
            pause = self.retry_s if self.backoff == "none" else \
                full_jitter_delay_s(min(self.attempt, 30), self.base_s, self.cap_s, seed=self.rng)
            yield self.sleep(pause)

    def _answer(self, msg, kind):
        if msg.payload == self.attempt and self.answer is not None and not self.answer.triggered:
            self.answer.succeed(kind)
        elif kind == "connack":
            self.wasted += 1  # the broker did the work for an attempt this device had given up on

    def on_connack(self, msg):
        self._answer(msg, "connack")

    def on_throttled(self, msg):
        self._answer(msg, "throttled")


@dataclass(frozen=True)
class StormResult:
    devices: int
    connected: int
    connect_times_s: tuple[float, ...] = field(repr=False)  # sorted
    attempts: int
    wasted: int  # CONNACKs for attempts already abandoned: work the broker did for nothing
    rejected: int
    attempts_per_s: tuple[int, ...] = field(repr=False)  # per second of the run

    def time_to_connect_s(self, share: float = 1.0) -> float:
        """Seconds until ``share`` of the fleet was connected (inf if it never was)."""
        need = max(1, round(share * self.devices))
        return self.connect_times_s[need - 1] if len(self.connect_times_s) >= need else float("inf")


def run_reconnect_storm(devices: int = 1000, *, capacity_per_s: float = 100.0, throttle_per_s: float | None = None,
                        burst: float = 20.0, backoff: str = "none", timeout_s: float = 2.0, retry_s: float = 1.0,
                        base_s: float = 0.5, cap_s: float = 16.0, spread_s: float = 1.0, duration_s: float = 60.0,
                        seed: Seed = None) -> StormResult:
    """Every device reconnects within ``spread_s`` of time 0; follow the fleet for ``duration_s``.

    ``throttle_per_s`` puts a token bucket (that rate, ``burst``) in front of
    the broker's queue; ``backoff`` is ``"none"`` (retry after ``retry_s``)
    or ``"full_jitter"`` (capped exponential backoff with full jitter).

    Examples
    --------
    >>> calm = run_reconnect_storm(100, throttle_per_s=150, backoff="full_jitter", duration_s=30, seed=1)
    >>> calm.connected, calm.wasted
    (100, 0)
    """
    check_int("devices", devices, low=1)
    check_choice("backoff", backoff, ("none", "full_jitter"))
    for name, value in (("capacity_per_s", capacity_per_s), ("timeout_s", timeout_s), ("duration_s", duration_s)):
        check_number(name, value, low=0, low_open=True)
    if throttle_per_s is not None:
        check_number("throttle_per_s", throttle_per_s, low=0, low_open=True)
    check_number("burst", burst, low=1)  # at least one request, as TokenBucket needs
    for name, value in (("retry_s", retry_s), ("base_s", base_s), ("cap_s", cap_s)):
        check_number(name, value, low=0, low_open=True)
    check_number("spread_s", spread_s, low=0)
    bucket = None if throttle_per_s is None else TokenBucket(rate_per_s=throttle_per_s, burst=burst)
    sim = Simulation(seed=seed, latency=Constant(0.02))
    gateway = sim.add(_Gateway("broker", capacity_per_s=capacity_per_s, bucket=bucket))
    start_rng = sim.rng("starts")
    clients = [sim.add(_Client(f"dev{i:04d}", timeout_s=timeout_s, backoff=backoff, base_s=base_s, cap_s=cap_s,
                               retry_s=retry_s, start_s=start_rng.uniform(0, spread_s), rng=sim.rng(f"backoff:{i}")))
               for i in range(devices)]
    sim.run(until=duration_s)
    times = sorted(c.connected_s for c in clients if c.connected_s is not None)
    per_second = Counter(int(t) for c in clients for t in c.attempt_times)
    return StormResult(devices, len(times), tuple(times), sum(c.attempt for c in clients), sum(c.wasted for c in clients),
                       gateway.rejected, tuple(per_second.get(s, 0) for s in range(int(duration_s))))
