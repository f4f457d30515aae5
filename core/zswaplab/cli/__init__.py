"""The ``zswaplab`` command line, one module per command.

The names of the former ``zswaplab.cli`` module (cli.app) stay importable from here."""

from zswaplab.cli.app import *  # noqa: F403
