"""``python -m zswaplab``: the ``zswaplab`` command."""

from zswaplab.cli.app import main

raise SystemExit(main())
