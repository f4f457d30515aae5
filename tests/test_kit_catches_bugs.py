"""The contract kit and the model machine must fail on broken parts (else they prove nothing)."""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from zswaplab.builtin.deflate import DeflateCompressor
from zswaplab.builtin.ideal import IdealAllocator
from zswaplab.builtin.mapping import MappingIndex
from zswaplab.builtin.none_policy import NonePolicy
from zswaplab.errors import PluginLoadError
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.testing import AllocatorContract, CompressorContract, FlushPolicyContract, IndexContract
from zswaplab.testing.swapmodel import Combo, machine_for


class OverlappingAllocator(IdealAllocator):
    """Every object starts at byte 0 of pageframe 0."""

    def extents(self, handle):
        size, _ = self._sizes[handle]
        return ((0, 0, min(size, 4096)),)

    def pageframes(self, handle):
        return (0,)


class LeakyAllocator(IdealAllocator):
    def free(self, handle):
        self.forget(handle)  # forgets the bytes, keeps counting them


class LossyCompressor(DeflateCompressor):
    name = "lossy"

    def decompress(self, data):
        page = super().decompress(data)
        return page[:-1] + bytes([page[-1] ^ 1]) if page.count(0) < 4000 else page


class ForgetfulIndex(MappingIndex):
    def erase(self, offset):
        return self.get(offset)  # never removes


class StaleLruPolicy(NonePolicy):
    """Remembers entries but never forgets freed ones: writes back entries that are gone."""

    name = "stale-lru"

    def bind(self, zswap):
        self.zswap, self.entries = zswap, []

    def on_store(self, entry):
        self.entries.append(entry)

    def shrink(self):
        return bool(self.entries) and self.zswap.writeback_entry(self.entries.pop(0))


def run_suite(suite: type, names: list[str]) -> None:
    for name in names:
        getattr(suite(), name)()


@pytest.mark.parametrize("allocator", [OverlappingAllocator, LeakyAllocator])
def test_allocator_contract_catches(allocator):
    class Suite(AllocatorContract):
        factory = staticmethod(allocator)
        counts_pageframes = allocator is OverlappingAllocator

    with pytest.raises(AssertionError):
        run_suite(Suite, ["test_a_few_objects_in_and_out"])


def test_compressor_contract_catches_lossy_codec():
    class Suite(CompressorContract):
        factory = staticmethod(LossyCompressor)

    with pytest.raises(AssertionError):
        run_suite(Suite, ["test_sample_pages_round_trip"])


def test_index_contract_catches_a_forgetful_index():
    class Suite(IndexContract):
        factory = staticmethod(ForgetfulIndex)

    with pytest.raises(AssertionError):
        run_suite(Suite, ["test_insert_replace_erase_pop_all"])


def test_policy_contract_catches_writeback_of_freed_entries():
    class Suite(FlushPolicyContract):
        factory = staticmethod(StaleLruPolicy)

    with pytest.raises(AssertionError, match="already freed"):
        run_suite(Suite, ["test_freed_and_replaced_entries_are_never_picked"])


class LossyPlugin:
    @hookimpl
    def zswaplab_compressors(self):
        return [PartSpec("lossy", LossyCompressor, "flips a bit")]


def test_model_machine_catches_a_lossy_codec(register_plugin):
    host = register_plugin(LossyPlugin(), "lossy-plugin")
    machine = machine_for(Combo("lossy", "ideal", "mapping", "none", ("6.1",)), host)
    with pytest.raises(AssertionError, match="different bytes"):
        # derandomize: the same examples every run, so this check of the kit never flakes in CI
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=200,
                deadline=None,
                stateful_step_count=50,
                database=None,
                report_multiple_bugs=False,
                phases=[Phase.generate],
                derandomize=True,
            ),
        )


# ---- and correct parts pass: the kit is not stricter than the kernel ------------------------------
class EntryLruPolicy(NonePolicy):
    """zswap's own LRU (6.5 zswap_reclaim_entry): write back the oldest entry; a pinned one goes back."""

    name = "test-lru"

    def bind(self, zswap):
        self.zswap, self.lru = zswap, {}

    def on_store(self, entry):
        self.lru[id(entry)] = entry

    def on_free(self, entry):
        self.lru.pop(id(entry), None)

    def shrink(self):
        if not self.lru:
            return False
        entry = self.lru.pop(next(iter(self.lru)))
        if self.zswap.writeback_entry(entry):
            return True
        self.lru[id(entry)] = entry  # kept: back to the head
        return False


class PageReclaimPolicy(NonePolicy):
    """zpool reclaim (3.11–6.4): the allocator evicts its LRU pageframe through zswap's evict callback."""

    name = "test-zpool-reclaim"

    def bind(self, zswap):
        self.zswap = zswap

    def shrink(self):
        return self.zswap.allocator.reclaim_page(self.zswap.evict_handle, 8)


class TestEntryLruPasses(FlushPolicyContract):
    factory = staticmethod(EntryLruPolicy)


class TestPageReclaimPasses(FlushPolicyContract):
    factory = staticmethod(PageReclaimPolicy)


def test_a_plugin_that_failed_to_load_fails_the_kit_with_its_load_error(fake_distribution):
    fake_distribution("zswaplab-zblock", "zswaplab_zblock", "import zblock_native_helpers\n", "0.3")

    class TestZblock(AllocatorContract):
        part = "zblock"

    expected = (
        r"allocator 'zblock' is not installed, and plugin zswaplab_zblock \(zswaplab-zblock 0.3\) "
        r"failed \(import\): ModuleNotFoundError"
    )
    with pytest.raises(PluginLoadError, match=expected) as info:
        TestZblock().make()
    assert isinstance(info.value.__cause__, ModuleNotFoundError)  # pytest prints the plugin's own traceback
