"""Model-based check: every installed compressor × allocator × index × policy against a dict of the
last-stored pages, through the swap layer, with tiny pools (limits, rejects and reclaim all the time).

Examples per combination: ``ZSWAPLAB_HYPOTHESIS_EXAMPLES`` if set; otherwise a CI budget of about
``CI_TOTAL_EXAMPLES`` examples shared by all combinations (at most ``CI_MAX_EXAMPLES`` and at least one
each), so the file stays fast on two shared cores however many plugins are installed. A bigger budget on
demand: ``make model-deep`` (300 examples each, the combinations spread over every core);
``ZSWAPLAB_MODEL_SLICE=K/N`` keeps every N-th combination from the K-th (0-based), for a part of that run.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test
from zswaplab.engine.config import build_zswap
from zswaplab.errors import UserError
from zswaplab.plugins import PluginHost
from zswaplab.testing import hypothesis_examples
from zswaplab.testing.swapmodel import Combo, combinations, machine_for, refused_combinations

HOST = PluginHost()
COMBOS = combinations(HOST)
CI_TOTAL_EXAMPLES = 240
CI_MAX_EXAMPLES = 25
STEPS = 100


def model_slice(combos: list[Combo]) -> list[Combo]:
    """``ZSWAPLAB_MODEL_SLICE=K/N``: every N-th combination from the K-th; unset: all of them."""
    raw = os.environ.get("ZSWAPLAB_MODEL_SLICE", "").strip()
    if not raw:
        return combos
    first, _, step = raw.partition("/")
    return combos[int(first) :: int(step)]


def examples_per_combination() -> int:
    shared = max(1, min(CI_MAX_EXAMPLES, CI_TOTAL_EXAMPLES // max(1, len(COMBOS))))
    return hypothesis_examples(shared)


def test_every_installed_part_is_in_some_combination():
    for kind, field in (
        ("compressor", "compressor"),
        ("allocator", "allocator"),
        ("index", "index"),
        ("flush_policy", "policy"),
    ):
        used = {getattr(c, field) for c in COMBOS}
        installed = {n for n, reg in HOST.parts[kind].items() if reg.plugin.distribution != "zswaplab-faults"}
        assert used == installed, f"{kind}s never checked: {sorted(installed - used)}"


@pytest.mark.parametrize("combo", model_slice(COMBOS), ids=str)
def test_no_page_is_lost_or_corrupted(combo):
    run_state_machine_as_test(
        machine_for(combo, HOST),
        settings=settings(max_examples=examples_per_combination(), stateful_step_count=STEPS, deadline=None),
    )


def test_refused_combinations_say_why_in_one_line():
    # parts that cannot work together must refuse at build time with a user error, not fail at run time
    for combo in refused_combinations(HOST):
        with pytest.raises(UserError) as refused:
            build_zswap(combo.config("6.1", 40), HOST)
        assert "\n" not in str(refused.value) and str(refused.value)
