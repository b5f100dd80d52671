"""Failure detection (page 4.2): heartbeat detectors on the kernel (:mod:`.detectors`) and their closed forms (:mod:`.theory`)."""
