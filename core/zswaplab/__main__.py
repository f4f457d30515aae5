"""``python -m zswaplab``: the ``zswaplab`` command."""

from zswaplab.cli import main

raise SystemExit(main())
