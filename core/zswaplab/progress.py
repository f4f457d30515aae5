"""The sweep progress bar (tqdm, an optional dependency: ``pip install 'zswaplab[sweep]'``)."""

from __future__ import annotations

from typing import Any

from zswaplab.errors import UserError


def require(module: str, extra: str, feature: str) -> Any:
    """Import an optional dependency or raise a one-line :class:`UserError` saying how to get it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise UserError(f"{feature} needs {module.split('.')[0]}: pip install 'zswaplab[{extra}]'") from None


class SweepProgress:
    """Cells done / failed / skipped, with tqdm's rate and ETA; ``enabled=False`` prints nothing."""

    def __init__(self, total: int, skipped: int, enabled: bool = True) -> None:
        self.done = self.failed = 0
        self.skipped = skipped
        self._bar = None
        if enabled:
            tqdm = require("tqdm", "sweep", "the sweep progress bar (or pass --no-progress)")
            self._bar = tqdm.tqdm(total=total, initial=skipped, unit="cell", dynamic_ncols=True)
            self._show()

    def stage(self, text: str) -> None:
        """Name what the sweep is doing (``compressing`` before the cells, then ``cells``)."""
        if self._bar is not None:
            self._bar.set_description(text, refresh=True)

    def update(self, ok: bool) -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        if self._bar is not None:
            self._bar.update(1)
            self._show()

    def _show(self) -> None:
        assert self._bar is not None
        self._bar.set_postfix(done=self.done, failed=self.failed, skipped=self.skipped, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
