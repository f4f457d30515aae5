"""Each injected fault, and zswap's answer to it (the kernel's answer, plus verify mode)."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.engine.orchestrator import Zswap
from zswaplab.engine.swap import SwapSystem
from zswaplab.errors import CorruptDataError, OptionError
from zswaplab.testing import hypothesis_examples, make_page
from zswaplab.testing.swapmodel import Combo, machine_for
from zswaplab_faults import FaultyAllocator, FaultyBackingDevice, FaultyCompressor, parse_calls

PAGES = [make_page("head", 500 + 97 * n, n) for n in range(12)]


def swap(compressor=None, allocator=None, backing=None, verify=False, policy=None) -> SwapSystem:
    zswap = Zswap(
        compressor or DeflateCompressor(),
        allocator or IdealAllocator(),
        MappingIndex,
        policy or NonePolicy(),
        ram_pages=1 << 16,
        backing=backing,
        verify=verify,
    )
    system = SwapSystem(zswap)
    system.swapon(0, 64)
    return system


def fill(system: SwapSystem) -> list[bool]:
    return [system.swap_out(0, n, page) for n, page in enumerate(PAGES)]


# ---- allocation failures: the page goes to the backing device ----------------------------------
def test_failed_allocation_leaves_the_page_to_the_backing_device():
    system = swap(allocator=FaultyAllocator(IdealAllocator(), fail_at="2+5"))
    kept = fill(system)
    assert [n for n, k in enumerate(kept) if not k] == [1, 4]
    assert system.zswap.counters.reject_alloc_fail == 2
    assert system.backing.holds(0, 1) and system.backing.holds(0, 4)
    assert [system.swap_in(0, n) for n in range(len(PAGES))] == PAGES


# ---- compressor raises: rejected, reject_compress_fail -----------------------------------------
def test_compression_failure_is_a_reject_and_nothing_is_lost():
    system = swap(FaultyCompressor(DeflateCompressor(), raise_at="1+12"))
    kept = fill(system)
    assert not kept[0] and not kept[11] and all(kept[1:11])
    assert system.zswap.counters.reject_compress_fail == 2
    assert [system.swap_in(0, n) for n in range(len(PAGES))] == PAGES


# ---- silent corruption: only verify mode catches it ---------------------------------------------
def test_corrupt_compressed_data_is_detected_by_verify_and_never_returned():
    system = swap(FaultyCompressor(DeflateCompressor(), corrupt_at="3"), verify=True)
    fill(system)
    with pytest.raises(CorruptDataError, match="failed verification"):
        system.swap_in(0, 2)
    assert system.zswap.counters.verify_fail == 1
    assert [system.swap_in(0, n) for n in range(len(PAGES)) if n != 2] == PAGES[:2] + PAGES[3:]


def test_without_verify_silent_corruption_goes_unnoticed():
    # why verify mode exists: the kernel trusts its compressor, and so does zswaplab by default
    system = swap(FaultyCompressor(DeflateCompressor(), corrupt_at="3"))
    fill(system)
    assert system.swap_in(0, 2) != PAGES[2]
    assert system.zswap.counters.verify_fail == 0


def test_a_workload_run_counts_corrupt_loads_and_goes_on():
    from zswaplab.ops import Op, OpKind

    system = swap(FaultyCompressor(DeflateCompressor(), corrupt_rate=0.5, seed=3), verify=True)
    fill(system)
    results = [system.apply(Op(OpKind.LOAD, 0, n)) for n in range(len(PAGES))]
    bad = [n for n, page in enumerate(results) if page is None]
    assert bad and system.corrupt_loads == len(bad) == system.zswap.counters.verify_fail
    assert all(results[n] == PAGES[n] for n in range(len(PAGES)) if n not in bad)


def test_memory_corruption_in_the_pool_is_caught_on_load():
    system = swap(allocator=FaultyAllocator(IdealAllocator(), corrupt_at="1"), verify=True)
    fill(system)
    with pytest.raises(CorruptDataError):
        system.swap_in(0, 0)
    c = system.zswap.counters
    assert c.decompress_fail + c.verify_fail == 1


# ---- decompression fails ------------------------------------------------------------------------
def test_decompression_failure_raises_and_counts():
    system = swap(FaultyCompressor(DeflateCompressor(), decompress_fail_at="1"))
    fill(system)
    with pytest.raises(CorruptDataError, match="injected decompression failure"):
        system.swap_in(0, 5)
    assert system.zswap.counters.decompress_fail == 1
    assert system.swap_in(0, 5) == PAGES[5]  # the entry is intact; only that decompression failed


# ---- backing-device writes fail -----------------------------------------------------------------
def test_failed_writeback_keeps_the_entry():
    system = swap(backing=FaultyBackingDevice(write_fail_at="1"))
    fill(system)
    entry = system.zswap.entry(0, 4)
    assert system.zswap.writeback_entry(entry) is False
    assert system.zswap.entry(0, 4) is entry and system.zswap.counters.writeback_fail == 1
    assert system.zswap.writeback_entry(entry) is True  # the next write succeeds
    assert system.zswap.counters.written_back_pages == 1
    assert system.swap_in(0, 4) == PAGES[4]


def test_corrupt_entry_is_not_written_back():
    system = swap(FaultyCompressor(DeflateCompressor(), corrupt_at="2"), verify=True)
    fill(system)
    entry = system.zswap.entry(0, 1)
    assert system.zswap.writeback_entry(entry) is False
    assert not system.backing.holds(0, 1) and system.zswap.counters.writeback_fail == 1


def test_failed_swap_out_write_keeps_the_page_in_ram():
    system = swap(FaultyCompressor(DeflateCompressor(), raise_rate=1.0), backing=FaultyBackingDevice(write_fail_at="2"))
    fill(system)
    assert system.write_errors == 1 and not system.backing.holds(0, 1)
    assert [system.swap_in(0, n) for n in range(len(PAGES))] == PAGES
    system.swap_free(0, 1)
    system.swap_out(0, 1, PAGES[0])  # the slot is rewritten: the resident copy is dropped
    assert system.swap_in(0, 1) == PAGES[0]


# ---- schedules -----------------------------------------------------------------------------------
def test_seeded_rates_fire_at_the_same_calls_every_run():
    def fired(seed):
        comp = FaultyCompressor(DeflateCompressor(), raise_rate=0.3, seed=seed)
        out = []
        for n, page in enumerate(PAGES * 3):
            try:
                comp.compress(page)
            except Exception:
                out.append(n)
        return out

    assert fired(7) == fired(7) and fired(7) != fired(8) and 0 < len(fired(7)) < 36


@pytest.mark.parametrize("text", ["x", "3+", "0", "1+-2"])
def test_bad_call_lists_are_option_errors(text):
    with pytest.raises(OptionError, match="call numbers"):
        parse_calls("raise_at", text)


@pytest.mark.parametrize(
    "spec,fragment",
    [
        ("faulty:raise_at=x", "raise_at='x'"),
        ("faulty:inner=nope", "unknown compressor 'nope'"),
        ("faulty:corrupt_rate=2", "above the maximum 1"),
    ],
)
def test_bad_fault_options_are_one_line_errors(capsys, spec, fragment):
    from zswaplab.cli.app import main

    code = main(["run", "--compressor", spec, "--allocator", "ideal", "--pages", "8"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and fragment in err and "Traceback" not in err


def test_cli_run_with_faults_reports_the_counters(capsys):
    import json

    from zswaplab.cli.app import main

    code = main(
        [
            "run",
            "--compressor",
            "faulty:inner=deflate,corrupt_rate=0.2,seed=2",
            "--allocator",
            "faulty:fail_rate=0.1",
            "--workload",
            "text",
            "--pages",
            "200",
            "--verify",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["verify_fail"] > 0 and report["corrupt_loads"] == report["verify_fail"]
    assert report["reject_alloc_fail"] > 0


# ---- the model check with faults: wrong bytes never come back -----------------------------------
@pytest.mark.parametrize(
    "compressor,allocator",
    [
        ("faulty:inner=deflate,corrupt_rate=0.3,decompress_fail_rate=0.2,raise_rate=0.1,seed=5", "ideal"),
        ("deflate", "faulty:inner=ideal,fail_rate=0.2,corrupt_rate=0.3,seed=5"),
    ],
)
def test_with_verify_no_wrong_bytes_are_ever_returned(compressor, allocator):
    combo = Combo(compressor, allocator, "mapping", "none", ("6.1",))
    run_state_machine_as_test(
        machine_for(combo, verify=True),
        settings=settings(max_examples=hypothesis_examples(10), deadline=None, stateful_step_count=60),
    )


def test_all_leaves_the_wrappers_out() -> None:
    """`--compressor all` (and sweeps' `all`) mean the parts that stand alone: faulty wraps another part."""
    from zswaplab.plugins import get_plugin_host

    host = get_plugin_host()
    for kind in ("compressor", "allocator"):
        assert "faulty" in host.names(kind)
        assert "faulty" not in host.names(kind, wrappers=False)
