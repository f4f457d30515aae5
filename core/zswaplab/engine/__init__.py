"""The engine: the frontswap ops (orchestrator, the 6.12 engine, concurrency) and the swap layer around them."""
