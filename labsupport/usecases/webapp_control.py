"""The web application's control plane: target tracking, launches, health checks, zone loss and failover.

Beside the customers' requests runs the machinery that operators rarely
see: every minute the scaling policy reads the fleet's CPU and may change
the Auto Scaling group's desired capacity; the group launches instances
into the healthy zone with the fewest (they serve after the launch delay)
and terminates the newest of the fullest zone; when a zone is lost, the
load balancer's health checks take :func:`~labsupport.availability.load_balancing.detection_delay_s`
to stop routing there, the group replaces the lost instances elsewhere, and
the database fails over: to the Multi-AZ standby in 60-120 s (Amazon RDS
User Guide, "Failing over a Multi-AZ DB instance"), else to a read replica
after a promotion of minutes, else not at all until the zone returns.

:class:`ControlPlane` is a mixin of the simulation in :mod:`.webapp`,
which owns the state these methods change.
"""

from __future__ import annotations

import math

from labsupport.availability.load_balancing import HealthCheckConfig, detection_delay_s

from labsupport.usecases.webapp_parts import ZONES, Pool

__all__ = ["ControlPlane"]


class ControlPlane:
    """Scaling, health checks and failover, as simpy processes and callbacks of the web application's run."""

    def launch(self, count: int) -> None:
        wl = self.wl
        for _ in range(count):
            healthy = [z for z in self.zones if self.up[z]]
            if not healthy:
                return
            zone = min(healthy, key=lambda z: (sum(1 for i in self.instances if i[0] == z), self.zones.index(z)))
            self.instances.append([zone, self.env.now + wl.launch_delay_s + wl.init_s])

    def set_desired(self, new: int) -> None:
        new = max(self.cfg.min_instances, min(self.cfg.max_instances, new))
        if new != self.desired:
            self.note(f"desired capacity {self.desired} -> {new}")
            self.desired = new

    def reconcile(self) -> None:
        """The Auto Scaling group launches or terminates until it runs ``desired`` instances."""
        surplus = len(self.instances) - self.desired
        if surplus > 0:
            for _ in range(surplus):
                counts = {z: sum(1 for i in self.instances if i[0] == z) for z in self.zones}
                zone = max(self.zones, key=lambda z: (counts[z], -self.zones.index(z)))
                last = max(k for k, i in enumerate(self.instances) if i[0] == zone)
                del self.instances[last]
        elif surplus < 0:
            self.launch(-surplus)

    def controller(self):
        policy = self.cfg.tracking() if self.cfg.target_cpu is not None else None
        while True:
            yield self.env.timeout(60.0)
            metric = 100 * sum(self.util_minute) / max(1, len(self.util_minute))
            self.util_minute = []
            serving = len(self.serving())
            if policy is not None and serving:
                self.high = self.high + 1 if metric > policy.target_cpu else 0
                self.low = self.low + 1 if metric < policy.target_cpu * (1 - policy.scale_in_margin) else 0
                needed = math.ceil(serving * metric / policy.target_cpu - 1e-9)
                warming = serving < len(self.instances)
                if self.high >= policy.scale_out_periods and needed > self.desired:
                    self.set_desired(needed)
                elif self.low >= policy.scale_in_periods and not warming and needed < self.desired:
                    self.set_desired(max(needed, self.desired - max(1, math.floor(self.desired * policy.max_scale_in))))
                    self.low = 0
            self.reconcile()

    # -- faults ------------------------------------------------------------------------
    def schedule_faults(self) -> None:
        sc = self.sc
        if sc.spike is not None:
            self.env.timeout(sc.spike[0]).callbacks.append(lambda _: self.note(f"traffic spike x{sc.spike[2]:g}"))
        if sc.zone_loss is not None:
            zone, start, length = ZONES[sc.zone_loss[0]], sc.zone_loss[1], sc.zone_loss[2]
            self.env.timeout(start).callbacks.append(lambda _: self.lose_zone(zone))
            if start + length < sc.duration_s:
                self.env.timeout(start + length).callbacks.append(lambda _: self.restore_zone(zone))

    def lose_zone(self, zone: str) -> None:
        self.up[zone] = False
        self.note(f"{zone} lost")
        lo, hi = detection_delay_s(HealthCheckConfig(interval_s=self.wl.health_interval_s), hangs=True)
        self.env.timeout(self.faults.uniform(lo, hi)).callbacks.append(lambda _: self.detected(zone))
        if zone in self.cache_nodes:
            self.dips.append((self.env.now, 1 / len(self.cache_nodes)))
            self.cache_nodes.remove(zone)
        for name in [n for n, d in self.db.items() if d["zone"] == zone]:
            del self.db[name]
            self.note(f"database {name} lost")
            if name == self.primary:
                self.primary = None
                self.fail_over()

    def fail_over(self) -> None:
        wl, rest = self.wl, sorted(self.db)
        if "standby" in self.db:
            who, delay = "standby", self.faults.uniform(*wl.failover_s)
        elif any(n.startswith("replica") for n in rest):
            who, delay = [n for n in rest if n.startswith("replica")][0], self.faults.uniform(*wl.promotion_s)
        else:
            self.note("no standby and no replica: the database is down until its zone returns")
            return
        self.note(f"failover to {who} starts")

        def done(_):
            self.primary = who
            self.db[who]["readable"] = True
            self.note(f"{who} is the primary")
        self.env.timeout(delay).callbacks.append(done)

    def detected(self, zone: str) -> None:
        if self.up[zone]:
            return
        self.excluded.add(zone)
        self.note(f"load balancer stops routing to {zone}")
        self.instances = [i for i in self.instances if i[0] != zone]
        self.reconcile()

    def restore_zone(self, zone: str) -> None:
        self.up[zone] = True
        self.excluded.discard(zone)
        self.note(f"{zone} back")
        if zone in self.zones and self.cfg.cache and zone not in self.cache_nodes:
            self.cache_nodes.append(zone)
            self.dips.append((self.env.now, 1 / len(self.cache_nodes)))
        if self.primary is None and not self.db:  # nothing left to fail over to: restart in the returned zone
            def restarted(_):
                self.db["primary"] = {"zone": "az-a", "readable": True}
                self.db_pools["primary"] = Pool(1 / self.wl.db_service_s, self.wl.timeout_s)
                self.primary = "primary"
                self.note("database primary restarted")
            self.env.timeout(self.wl.restart_s).callbacks.append(restarted)
