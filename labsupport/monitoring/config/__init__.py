"""AWS Config (page 6.3): rules over a recorded inventory (:mod:`.rules`) and an account drifting over weeks (:mod:`.account`)."""
