"""Isolation (page 4.6): shuffle sharding (:mod:`.sharding`) and static stability across Availability Zones (:mod:`.static_stability`)."""
