"""Failover (page 4.3): the procedure and split brain (:mod:`.procedure`), its knobs and faults (:mod:`.config`), and reading a failover from the clients' view (:mod:`.analysis`)."""
