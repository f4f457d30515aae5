"""When a fault fires: at a seeded rate, at chosen call numbers, or both."""

from __future__ import annotations

import random

import attrs
from zswaplab.errors import OptionError


def parse_calls(option: str, text: str | None) -> frozenset[int]:
    """``"3+7+12"`` → {3, 7, 12}: 1-based numbers of the wrapped call that fails (``+`` because ``,``
    separates options on the command line)."""
    if not text:
        return frozenset()
    try:
        calls = frozenset(int(item) for item in text.split("+"))
    except ValueError:
        raise OptionError(f"faulty: option {option}={text!r}: expected call numbers joined by '+', e.g. 3+7") from None
    if min(calls) < 1:
        raise OptionError(f"faulty: option {option}={text!r}: call numbers start at 1")
    return calls


@attrs.define(slots=True)
class FaultSchedule:
    """Decides, call by call, whether one kind of fault fires; counts calls and injected faults.

    The random stream is drawn only when ``rate > 0``, one number per call, so a seeded schedule fires
    at the same call numbers in every run.
    """

    rate: float = 0.0
    at: frozenset[int] = frozenset()
    seed: int = 1
    calls: int = 0
    injected: int = 0
    rng: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def fires(self) -> bool:
        self.calls += 1
        hit = self.calls in self.at
        if self.rate > 0.0 and self.rng.random() < self.rate:
            hit = True
        if hit:
            self.injected += 1
        return hit


def schedule(rate: float, at: str | None, seed: int, salt: int, option: str) -> FaultSchedule:
    """One schedule per fault kind; ``salt`` keeps kinds with the same seed independent."""
    return FaultSchedule(rate, parse_calls(option, at), seed * 1_000_003 + salt)
