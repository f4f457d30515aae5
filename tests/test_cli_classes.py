"""``zswaplab classes`` with the core alone: formatting, and a one-line error for a part without classes."""

from zswaplab.cli.app import main
from zswaplab.cli.classes import format_debugfs


def test_format_debugfs_aligns_and_totals():
    rows = [
        {"index": 0, "size": 32, "obj_used": 3, "pages_per_zspage": 1},
        {"index": 254, "size": 4096, "obj_used": 10, "pages_per_zspage": 1},
    ]
    lines = format_debugfs(rows, list(rows[0])).splitlines()
    assert lines[0].split() == ["class", "size", "obj_used", "pages_per_zspage"]
    assert lines[2].split() == ["254", "4096", "10", "1"]
    assert lines[-1].split() == ["Total", "13"]
    assert len({len(line) for line in lines if line}) == 1


def test_allocator_without_class_table_is_a_user_error(capsys):
    assert main(["classes", "ideal"]) == 2
    err = capsys.readouterr().err
    assert "no size-class table" in err and len(err.strip().splitlines()) == 1
