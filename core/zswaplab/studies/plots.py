"""PNG plots for the studies (matplotlib, an optional dependency: ``pip install zswaplab[study]``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from zswaplab.errors import UserError
from zswaplab.outfiles import make_output_dir, write_figure


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or a one-line :class:`UserError` when not installed."""
    try:
        import matplotlib
    except ImportError:
        raise UserError("plots need matplotlib: pip install 'zswaplab[plots]' (or pass --no-plots)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def series_panels(
    path: Path,
    panels: Mapping[str, Mapping[str, Sequence[tuple[int, int]]]],
    limits: Mapping[str, int],
    ylabel: str,
    xlabel: str = "op",
) -> Path:
    """One panel per key of ``panels`` (e.g. an allocator), one line per series (e.g. a policy)."""
    plt = pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.6 * len(panels)), sharex=True, squeeze=False)
    for ax, (title, lines) in zip(axes[:, 0], panels.items()):
        for label, points in lines.items():
            ax.plot([x for x, _ in points], [y for _, y in points], label=label, linewidth=1.2)
        if title in limits:
            ax.axhline(limits[title], color="black", linestyle=":", linewidth=1, label="max_pool_pages")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=7, ncol=2)
    axes[-1, 0].set_xlabel(xlabel)
    return _save(fig, plt, path)


def grouped_bars(
    path: Path, groups: Sequence[str], bars: Mapping[str, Sequence[float | None]], ylabel: str, title: str
) -> Path:
    """Bars per group (e.g. policy) and series (e.g. allocator); None shows as a missing bar."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(groups) * max(1, len(bars)) / 2), 3.6))
    width = 0.8 / max(1, len(bars))
    for i, (label, values) in enumerate(bars.items()):
        xs = [g + i * width for g in range(len(groups))]
        ax.bar(xs, [v if v is not None else 0.0 for v in values], width, label=label)
    ax.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], groups, rotation=20, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return _save(fig, plt, path)


def _save(fig: Any, plt: Any, path: Path) -> Path:
    make_output_dir(path.parent)
    fig.tight_layout()
    write_figure(fig, path, 110)
    plt.close(fig)
    return path
