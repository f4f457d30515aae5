"""Import paths of modules that moved into the layer subpackages (issue 22), kept for one release.

``import zswaplab.orchestrator`` still works: a finder on ``sys.meta_path`` answers each old name with the
module at its new path (the same module object, so patches and ``isinstance`` checks still agree) and a
``DeprecationWarning`` naming the new path. The modules whose old name is now a package (``zswaplab.cli``,
``zswaplab.sweep``, ``zswaplab.traces``, ``zswaplab.workloads``) need no alias: the package re-exports the old
module's public names. The finder is installed when ``zswaplab`` is imported; it costs nothing for other names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

# old dotted name -> new dotted name; removed in the release after 0.x
MOVED: dict[str, str] = {
    "zswaplab.backing": "zswaplab.engine.backing",
    "zswaplab.capture": "zswaplab.workloads.capture",
    "zswaplab.cli_capture": "zswaplab.cli.capture",
    "zswaplab.cli_classes": "zswaplab.cli.classes",
    "zswaplab.cli_knob": "zswaplab.cli.knob",
    "zswaplab.cli_pages": "zswaplab.cli.pages",
    "zswaplab.cli_plugins": "zswaplab.cli.plugins",
    "zswaplab.cli_replay": "zswaplab.cli.replay",
    "zswaplab.cli_report": "zswaplab.cli.report",
    "zswaplab.cli_scaling": "zswaplab.cli.scaling",
    "zswaplab.cli_study": "zswaplab.cli.study",
    "zswaplab.cli_sweep": "zswaplab.cli.sweep",
    "zswaplab.cli_tier": "zswaplab.cli.tier",
    "zswaplab.cli_trace": "zswaplab.cli.trace",
    "zswaplab.codec_costs": "zswaplab.studies.codec_costs",
    "zswaplab.concurrent": "zswaplab.engine.concurrent",
    "zswaplab.concurrent612": "zswaplab.engine.concurrent612",
    "zswaplab.config": "zswaplab.engine.config",
    "zswaplab.contention": "zswaplab.studies.contention",
    "zswaplab.contracts": "zswaplab.testing.contracts",
    "zswaplab.cpu_streams": "zswaplab.studies.cpu_streams",
    "zswaplab.executors": "zswaplab.engine.executors",
    "zswaplab.handle_map": "zswaplab.engine.handle_map",
    "zswaplab.interleave": "zswaplab.traces.interleave",
    "zswaplab.kernel_locks": "zswaplab.studies.kernel_locks",
    "zswaplab.kernel_trace": "zswaplab.traces.reader",  # folded into the one reader (issue 22 point 2)
    "zswaplab.memcg": "zswaplab.engine.memcg",
    "zswaplab.memmodel": "zswaplab.workloads.memmodel",
    "zswaplab.memo": "zswaplab.engine.memo",
    "zswaplab.observers": "zswaplab.engine.observers",
    "zswaplab.offset_table": "zswaplab.engine.offset_table",
    "zswaplab.opstreams": "zswaplab.workloads.opstreams",
    "zswaplab.orchestrator": "zswaplab.engine.orchestrator",
    "zswaplab.pages": "zswaplab.workloads.pages",
    "zswaplab.pageset": "zswaplab.workloads.pageset",
    "zswaplab.pagesource": "zswaplab.workloads.pagesource",
    "zswaplab.pagestats": "zswaplab.workloads.pagestats",
    "zswaplab.part_table": "zswaplab.cli.part_table",
    "zswaplab.partcheck": "zswaplab.engine.partcheck",
    "zswaplab.plugin_template": "zswaplab.cli.plugin_template",
    "zswaplab.replay": "zswaplab.traces.replay",
    "zswaplab.replay612": "zswaplab.traces.replay612",
    "zswaplab.replayworkloads": "zswaplab.workloads.realdata",
    "zswaplab.report": "zswaplab.sweep.report",
    "zswaplab.results": "zswaplab.sweep.results",
    "zswaplab.runner": "zswaplab.engine.runner",
    "zswaplab.scaling_report": "zswaplab.studies.scaling_report",
    "zswaplab.scaling_study": "zswaplab.studies.scaling",
    "zswaplab.shared_lengths": "zswaplab.sweep.shared_lengths",
    "zswaplab.shrink_slab": "zswaplab.engine.shrink_slab",
    "zswaplab.study_flush": "zswaplab.studies.flush",
    "zswaplab.study_flush_report": "zswaplab.studies.flush_report",
    "zswaplab.study_flush_robust": "zswaplab.studies.flush_robust",
    "zswaplab.study_knob": "zswaplab.studies.knob",
    "zswaplab.study_locks": "zswaplab.studies.locks",
    "zswaplab.study_plots": "zswaplab.studies.plots",
    "zswaplab.swap": "zswaplab.engine.swap",
    "zswaplab.swapmodel": "zswaplab.testing.swapmodel",
    "zswaplab.sweep_runner": "zswaplab.sweep.runner",
    "zswaplab.sweep_worker": "zswaplab.sweep.worker",
    "zswaplab.tracestats": "zswaplab.traces.stats",
    "zswaplab.tunables": "zswaplab.engine.tunables",
    "zswaplab.verify": "zswaplab.engine.verify",
    "zswaplab.zswap612": "zswaplab.engine.zswap612",
}


class _Alias(importlib.abc.Loader):
    """Loads an old name as the module at its new path."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        # importlib returns what sys.modules holds under the old name once this returns: the real module
        warnings.warn(f"{module.__name__} moved to {self.new}", DeprecationWarning, stacklevel=2)
        sys.modules[module.__name__] = importlib.import_module(self.new)


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds the old names of moved modules, and nothing else."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        return None if new is None else importlib.util.spec_from_loader(fullname, _Alias(new))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedFinder())
