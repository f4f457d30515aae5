"""docs/examples run: the memory-model embedding (with the event-trace observer) and the SimPy model."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from zswaplab.traces.reader import read_trace
from zswaplab.traces.stats import trace_stats

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
LACKEY = Path(__file__).parent / "data" / "lackey-touch.txt.gz"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(EXAMPLES))


def test_memory_model_example_and_event_trace(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    result = _load("memory_model_embed").main([str(LACKEY), "--ram", "64", "--events", str(events)])
    assert result["faults"] > 0 and result["stored_pages"] > 0
    stats = trace_stats(read_trace(str(events)))
    assert stats["ops"]["load"] == result["faults"]
    assert stats["results"]["load:miss"] == result["faults_from_disk"]


def test_memory_model_example_more_ram_fewer_faults() -> None:
    module = _load("memory_model_embed")
    small = module.simulate(str(LACKEY), 32)
    large = module.simulate(str(LACKEY), 256)
    assert small["faults"] > large["faults"]


def test_simpy_example() -> None:
    module = _load("simpy_swap")
    roomy = module.simulate(cpus=2, pages=300, ram=100, accesses=3000, pool_ram="1G")
    tight = module.simulate(cpus=2, pages=300, ram=100, accesses=3000, pool_ram="2M")
    assert roomy["faults"] > 0 and roomy["load_hits"] > 0
    # a tiny pool rejects stores: more faults wait for the swap device (incompressible pages always do)
    assert tight["load_misses"] > roomy["load_misses"]
    assert tight["simulated_us"] > roomy["simulated_us"]


def test_simpy_example_charges_what_the_kernel_would() -> None:
    module = _load("simpy_swap")
    tight = module.simulate(cpus=2, pages=300, ram=100, accesses=3000, pool_ram="2M")
    assert tight["pool_limit_hit"] > 0 and tight["backing_writes"] > 0
    # a store refused at the limit (or by the hysteresis) is not compressed; every other one is
    refused = tight["pool_limit_hit"] + tight["reject_hysteresis"]
    assert tight["compressions"] == tight["stores"] - refused
    # every store zswap did not keep is written to the swap device, and the CPU waits for it
    assert tight["disk_writes"] == tight["backing_writes"]
    assert tight["disk_reads"] == tight["backing_reads"] == tight["load_misses"]


def test_simpy_example_uses_only_the_public_api() -> None:
    source = (EXAMPLES / "simpy_swap.py").read_text()
    assert "sim.zswap" not in source and "sim.swap." not in source and ".backing" not in source
