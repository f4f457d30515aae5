"""Studies: the flush, knob, lock and scaling studies and the contention model behind the last two."""
