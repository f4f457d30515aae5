"""The dask executor on LocalClusters bound to loopback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from zswaplab.engine.executors import Executor, build_executor
from zswaplab.errors import OptionError
from zswaplab.hookspecs import hookimpl
from zswaplab.parts import PartSpec
from zswaplab.plugins import PluginHost
from zswaplab.sweep.results import ResultsDB
from zswaplab.sweep.runner import run_sweep
from zswaplab.sweep.spec import SweepSpec
from zswaplab_dask import DaskExecutor, check_host

# a cluster that fails to start or a future that never completes fails the test instead of hanging the run
pytestmark = pytest.mark.timeout(240)

# core parts only, so the test passes in a tox cell that installs just this distribution
SETS = ["allocator=ideal", "compressor=deflate:level=1,deflate:level=9", "workload=fixed:700,mix", "pages=128"]


def _results(path: Path) -> dict[str, object]:
    return {r.key: (r.report, r.series) for r in ResultsDB(str(path)).rows()}


def test_local_cluster_listens_on_loopback_and_matches_serial(tmp_path: Path) -> None:
    executor = build_executor("dask:workers=2")
    try:
        assert isinstance(executor, DaskExecutor) and isinstance(executor, Executor)
        assert executor.scheduler_address.startswith("tls://127.0.0.1:")
        summary = run_sweep(SweepSpec("d").with_sets(SETS), str(tmp_path / "d.db"), executor=executor)
    finally:
        executor.close()
    run_sweep(SweepSpec("d").with_sets(SETS), str(tmp_path / "s.db"), executor="serial")
    assert (summary.done, summary.failed) == (4, 0)
    assert _results(tmp_path / "d.db") == _results(tmp_path / "s.db")


def test_local_cluster_refuses_clients_without_its_certificate() -> None:
    from dask.distributed import Client, Security

    executor = build_executor("dask:workers=1")
    try:
        address = executor.scheduler_address
        # the error type depends on where the handshake fails (OSError, TimeoutError, TypeError...)
        with pytest.raises(Exception):  # noqa: B017 - plain TCP to a TLS listener
            Client(address.replace("tls://", "tcp://"), timeout="3s")
        with pytest.raises(Exception):  # noqa: B017 - TLS with another sweep's certificate
            Client(address, security=Security.temporary(), timeout="3s")
        assert list(executor.map_unordered(abs, [-3])) == [(0, 3)]  # its own client still works
    finally:
        executor.close()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1"])
def test_listening_beyond_loopback_needs_expose(host: str) -> None:
    with pytest.raises(OptionError, match="expose=true"):
        build_executor(f"dask:host={host}")
    check_host(host, expose=True)  # asked for explicitly: allowed
    check_host("127.0.0.1", expose=False)


def test_sweep_on_an_unsafe_host_is_one_line_and_leaves_no_database(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "zswaplab",
            "sweep",
            "--set",
            "allocator=ideal",
            "--set",
            "pages=16",
            "--executor",
            "dask:host=0.0.0.0",
            "--db",
            "n.db",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "expose=true" in proc.stderr, proc.stderr
    assert list(tmp_path.iterdir()) == []


class _Only:
    name = "only-here"

    def compress(self, page: bytes) -> bytes:
        return page[:100]

    def decompress(self, data: bytes) -> bytes:
        return data


class _OnlyHerePlugin:
    @hookimpl
    def zswaplab_compressors(self) -> list[PartSpec]:
        return [PartSpec("only-here", _Only, "registered in the planning process only")]


@pytest.fixture
def cluster() -> Iterator[str]:
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as c:
        yield c.scheduler_address


def test_worker_missing_a_plugin_reports_it(tmp_path: Path, cluster: str) -> None:
    host = PluginHost()
    host.register(_OnlyHerePlugin(), "only-here-plugin")
    spec = SweepSpec("m").with_sets(["compressor=only-here,deflate", "allocator=ideal", "pages=32"])
    summary = run_sweep(spec, str(tmp_path / "m.db"), executor=f"dask:address={cluster}", host=host)
    assert (summary.done, summary.failed) == (1, 1)
    [error] = summary.errors.values()
    assert "missing plugin part(s): compressor only-here" in error
