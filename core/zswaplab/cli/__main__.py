"""``python -m zswaplab.cli``, as before the move: the ``zswaplab`` command."""

from zswaplab.cli.app import main

raise SystemExit(main())
