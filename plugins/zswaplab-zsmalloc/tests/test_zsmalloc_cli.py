"""``zswaplab classes zsmalloc`` and ``zswaplab run --classes``."""

import json

from zswaplab.cli.app import main


def _json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_classes_json_both_chains(capsys):
    for chain, count, huge in ((4, 69, 3257), (8, 119, 3625)):
        data = _json(capsys, ["classes", "zsmalloc", "--chain", str(chain), "--json"])
        assert len(data["classes"]) == count and data["huge_class_size"] == huge
        assert {"index", "size", "pages_per_zspage", "objs_per_zspage"} <= set(data["classes"][0])


def test_classes_text_columns_follow_the_era(capsys):
    assert main(["classes", "zsmalloc"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[:4] == ["class", "size", "almost_full", "almost_empty"] and header[-1] == "freeable"
    assert main(["classes", "zsmalloc", "--kernel", "6.8"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split()
    assert header[2:13] == ["10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "99%", "100%"]


def test_run_classes_reports_the_pool_after_the_run(capsys):
    data = _json(
        capsys,
        [
            "run",
            "--allocator",
            "zsmalloc",
            "--compressor",
            "deflate",
            "--workload",
            "fixed:700",
            "--pages",
            "300",
            "--classes",
            "--json",
        ],
    )
    used = sum(row["pages_used"] for row in data["classes"]["classes"])
    assert used * 4096 == data["pool_total_size"]
    assert sum(row["obj_used"] for row in data["classes"]["classes"]) == data["stored_pages"]
