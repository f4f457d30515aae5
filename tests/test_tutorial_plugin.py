"""The tutorial's plugin installs with pip, appears in `zswaplab plugins`, and runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "zswaplab-onepage"


def test_pip_installed_third_party_allocator_appears_beside_ours(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(target), str(EXAMPLE)], check=True, capture_output=True)
    env = dict(os.environ, PYTHONPATH=str(target))
    listing = subprocess.run([sys.executable, "-m", "zswaplab.cli", "plugins", "--json"], env=env,
                             capture_output=True, text=True, check=True)
    parts = {(p["kind"], p["name"]): p["distribution"] for p in json.loads(listing.stdout)["parts"]}
    assert parts[("allocator", "onepage")] == "zswaplab-onepage"
    assert parts[("allocator", "ideal")] == "zswaplab"
    run = subprocess.run([sys.executable, "-m", "zswaplab.cli", "run", "--allocator", "onepage", "--compressor",
                          "deflate", "--policy", "none", "--workload", "text", "--pages", "50", "--json"],
                         env=env, capture_output=True, text=True, check=True)
    report = json.loads(run.stdout)
    assert report["allocator"] == "onepage" and report["pool_pages"] == report["stored_pages"] == 50
