"""zswaplab under other simulators: each module here adapts one, and imports it only when used."""
