"""The ``dask`` sweep executor: cells run on a ``dask.distributed`` cluster.

With ``address`` the cells go to that scheduler (``tcp://host:8786``); without, the executor starts a
``LocalCluster`` of worker processes that listens on loopback only (``host``, default 127.0.0.1) and has
no dashboard. Its connections use TLS with a certificate made for this sweep (``Security.temporary()``):
a dask scheduler runs whatever a client sends it, so another user of the machine who finds the port must
not be able to connect. A host other than loopback (``0.0.0.0``) is refused unless ``expose=true`` says
it is meant. Workers import zswaplab and its plugins themselves: a worker lacking a part's distribution
fails that cell with a message naming it, and the sweep goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from zswaplab.errors import OptionError

T = TypeVar("T")
R = TypeVar("R")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_host(host: str, expose: bool) -> None:
    """Refuse to listen beyond this machine unless asked: anyone who reaches a scheduler can run code."""
    if not expose and host not in LOOPBACK and not host.startswith("127."):
        raise OptionError(
            f"dask: host={host!r} would accept connections from other machines; "
            "add expose=true if that is meant (default: host=127.0.0.1)"
        )


class DaskExecutor:
    """Submits each item as one task and yields results as they complete."""

    name = "dask"

    def __init__(
        self, address: str = "", workers: int = 2, threads: int = 1, host: str = "127.0.0.1", expose: bool = False
    ) -> None:
        check_host(host, expose)
        from dask.distributed import (  # imported on use: dask is slow to import
            Client,
            LocalCluster,
            Security,
        )

        self._cluster: Any = None
        if address:
            self._client = Client(address)
        else:
            security = Security.temporary()  # a key pair for this sweep only: TLS, clients must present it
            self._cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=threads,
                processes=True,
                host=host,
                dashboard_address=None,
                security=security,
                protocol="tls://",
            )
            self._client = Client(self._cluster, security=security)
        self.workers = len(self._client.scheduler_info().get("workers", {})) or workers

    @property
    def scheduler_address(self) -> str:
        scheduler = self._client.scheduler
        assert scheduler is not None  # set by Client() on connect
        return str(scheduler.address)

    def map_unordered(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[int, R | BaseException]]:
        from dask.distributed import as_completed

        futures = self._client.map(fn, list(items), pure=False)
        position = {f.key: n for n, f in enumerate(futures)}
        for future in as_completed(futures):
            n = position[future.key]
            if future.status == "error":
                yield n, future.exception()
            else:
                yield n, future.result()
            future.release()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
