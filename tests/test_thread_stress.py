"""Issue 19 point 7: ConcurrentZswap under real threads with every compressor, allocator, flush policy
(with and without ``sync=true``) and kernel preset. Every swap-in must be byte-exact, and a watchdog
fails the test (with every thread's stack) instead of letting a livelock hang the run.

Each combination runs four worker threads and a shrink worker thread on a small pool (so writeback
runs all the time) for a bounded number of ops; the whole matrix takes a few seconds.
"""

from __future__ import annotations

import faulthandler
import random
import sys
import threading
import time

import pytest
from zswaplab import Simulator
from zswaplab.errors import UserError
from zswaplab.plugins import get_plugin_host
from zswaplab.presets import PRESETS
from zswaplab.workloads.pages import fixed_page

FAULT_INJECTORS = {"faulty"}  # parts that fail on purpose (zswaplab-faults): not what this test is about
_HOST = get_plugin_host()
COMPRESSORS = sorted(set(_HOST.parts["compressor"]) - FAULT_INJECTORS)
ALLOCATORS = sorted(set(_HOST.parts["allocator"]) - FAULT_INJECTORS)
#: every flush policy, and with ``sync=true`` each one that has that option
POLICIES = sorted(_HOST.parts["flush_policy"]) + [
    f"{name}:sync=true"
    for name in sorted(_HOST.parts["flush_policy"])
    if any(option.name == "sync" for option in _HOST.get("flush_policy", name).spec.options)
]
THREADS, SLOTS, OPS = 4, 32, 90
WATCHDOG_S = 10.0  # per combination; a healthy one takes ~10-50 ms


#: Every preset: the frontswap-era engine runs as ConcurrentZswap (the kernel's locks), 6.12's as
#: SerialZswap612 (each op under one lock).
THREADED_PRESETS = list(PRESETS)


def _combinations() -> list[tuple[str, str, str, str]]:
    """(kernel, allocator, policy, compressor) for every combination the parts accept; the compressor
    rotates so each one meets every allocator and policy."""
    out, turn = [], 0
    for kernel in THREADED_PRESETS:
        for allocator in ALLOCATORS:
            for policy in POLICIES:
                if _accepts(kernel, allocator, policy):
                    out.append((kernel, allocator, policy, COMPRESSORS[turn % len(COMPRESSORS)]))
                    turn += 1
    return out


def _accepts(kernel: str, allocator: str, policy: str) -> bool:
    try:
        Simulator.from_config(kernel=kernel, allocator=allocator, policy=policy, compressor="deflate", threads=True)
    except UserError:  # e.g. zpool-reclaim needs an allocator that can evict
        return False
    return True


def _page(owner: int, offset: int, version: int) -> bytes:
    kind = (offset + version) % 7
    if kind == 0:
        return bytes([owner + 1]) * 4096  # same-filled
    if kind == 1:
        return random.Random(owner * 7919 + offset * 31 + version).randbytes(4096)  # incompressible
    return fixed_page(600 + 400 * kind, owner * 100_000 + offset * 100 + version)


def _worker(sim: Simulator, owner: int, errors: list[str]) -> None:
    rng = random.Random(owner)
    base = owner * SLOTS
    live: dict[int, bytes] = {}
    try:
        for step in range(OPS):
            offset = base + rng.randrange(SLOTS)
            roll = rng.random()
            if offset in live and roll < 0.45:
                if sim.swap_in(0, offset) != live[offset]:
                    errors.append(f"owner {owner} offset {offset} step {step}: wrong bytes")
            elif offset in live and roll < 0.55:
                sim.swap_free(0, offset)
                del live[offset]
            else:
                live[offset] = _page(owner, offset, step)
                sim.swap_out(0, offset, live[offset])
        errors.extend(
            f"owner {owner} offset {o}: wrong bytes at the end" for o, page in live.items() if sim.swap_in(0, o) != page
        )
    except Exception as exc:  # any error in a thread fails the test, with its name
        errors.append(f"owner {owner}: {type(exc).__name__}: {exc}")


def _shrink_worker(sim: Simulator, stop: threading.Event, errors: list[str]) -> None:
    try:
        while not stop.wait(0.001):
            if sim.zswap.shrink_pending:
                sim.shrink()
    except Exception as exc:
        errors.append(f"shrink worker: {type(exc).__name__}: {exc}")


def _run(kernel: str, allocator: str, policy: str, compressor: str) -> None:
    sim = Simulator.from_config(
        kernel=kernel, allocator=allocator, policy=policy, compressor=compressor, ram_pages=200, threads=True
    )  # a 40-page pool: writeback all the time
    sim.swapon(0, THREADS * SLOTS)
    errors: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_worker, args=(sim, owner, errors), daemon=True) for owner in range(THREADS)]
    threads.append(threading.Thread(target=_shrink_worker, args=(sim, stop, errors), daemon=True))
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WATCHDOG_S
    for thread in threads[:-1]:
        thread.join(max(0.0, deadline - time.monotonic()))
    stop.set()
    threads[-1].join(max(0.1, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        faulthandler.dump_traceback(sys.stderr, all_threads=True)
        pytest.fail(
            f"{kernel} {allocator} {policy} {compressor}: threads still running after {WATCHDOG_S}s (livelock?)"
        )
    assert errors == [], (kernel, allocator, policy, compressor)
    assert sim.counters()["stored_pages"] == len([1 for t in sim.zswap._trees.values() for _ in t.offsets()])


def test_every_part_is_installed_and_covered() -> None:
    assert {"brotli", "deflate", "lz4", "lz4hc", "zstd"} <= set(COMPRESSORS)  # the bundled codecs at least
    assert {"ideal", "z3fold", "zbud", "zsmalloc"} <= set(ALLOCATORS)
    assert {"zpool-reclaim:sync=true", "lru:sync=true", "shrinker:sync=true", "class-lru"} <= set(POLICIES)
    combos = _combinations()
    assert {c[3] for c in combos} == set(COMPRESSORS) and {c[1] for c in combos} == set(ALLOCATORS)
    assert {c[2] for c in combos} == set(POLICIES) and {c[0] for c in combos} == set(THREADED_PRESETS)


def test_threads_pick_the_engines_threaded_variant() -> None:
    for version, preset in PRESETS.items():
        zswap = Simulator.from_config(kernel=version, threads=True).zswap
        expected = "SerialZswap612" if preset.engine == "6.12" else "ConcurrentZswap"
        assert zswap.threaded and type(zswap).__name__ == expected


@pytest.mark.parametrize("kernel", THREADED_PRESETS)
def test_threads_lose_and_corrupt_nothing(kernel: str, fast_switching: None) -> None:
    for combination in [c for c in _combinations() if c[0] == kernel]:
        _run(*combination)


@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_each_codec_under_eight_threads(compressor: str, fast_switching: None) -> None:
    # zstd's shared context used to crash or corrupt here: every thread compresses at once
    global THREADS
    saved, THREADS = THREADS, 8
    try:
        _run("6.1", "ideal", "none", compressor)
    finally:
        THREADS = saved


@pytest.mark.parametrize("threads", [False, True])
def test_begin_store_admission_is_kept_by_both_zswaps(threads: bool) -> None:
    sim = Simulator.from_config(
        compressor="deflate", allocator="ideal", policy="none", max_pool_percent=0, threads=threads
    )
    sim.swapon(0, 16)
    sim.store(0, 1, fixed_page(1000, 1))  # the pool is over its limit of 0 pages from now on
    sim.zswap.begin_store(0, 5)  # the limit check happens here, as in the kernel
    sim.invalidate(0, 1)  # room again, but too late for the store that began
    assert sim.store(0, 5, fixed_page(1000, 5)) is False and sim.zswap.last_result == "rej_limit"


def test_concurrent_zswap_adds_locks_around_zswaps_flow() -> None:
    from zswaplab.engine.concurrent import ConcurrentZswap

    own = set(vars(ConcurrentZswap))
    assert not own & {"load", "store", "store_length", "_zswap_store", "_frontswap_store", "begin_store"}
    assert {"_admit_store", "_alloc_phase", "_insert_entry", "_load_get", "_load_put", "_load_hit"} <= own
