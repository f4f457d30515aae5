"""Bad input through the real command line: exit 2, one line on stderr, no traceback, no file left behind
and no existing file changed (issue 21).

Each case runs ``python -m zswaplab`` in a subprocess in its own directory: a case cannot change this
process's umask, working directory, signal handlers or logging, and an endless read is killed by the
timeout instead of hanging the suite. The directory is snapshotted (names, modes, contents, link targets)
before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

TIMEOUT = 120
MEMORY_CAP = 3 << 30
HEADER = "seq,op,type,offset,dlen,result,pool_total,stored_pages,full\n"
UNWRITABLE_DIR = "/proc/self"  # an existing directory nobody, root included, may create files in


def zswaplab(
    cwd: Path, *argv: str, timeout: float = TIMEOUT, umask: int | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}
    env.pop("ZSWAPLAB_DEBUG", None)
    # A memory cap in the child: an unbounded read fails there instead of pushing the machine into swap.
    code = f"import os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP})); "
    code += f"os.umask({umask!r}); " if umask is not None else ""
    code += "from zswaplab.cli.app import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under ``root``: kind, mode and content digest (or link target)."""
    out: dict[str, tuple[object, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                out[str(path.relative_to(root))] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                out[str(path.relative_to(root))] = ("file", stat.S_IMODE(info.st_mode), digest)
            else:
                out[str(path.relative_to(root))] = (
                    "dir" if stat.S_ISDIR(info.st_mode) else "other",
                    stat.S_IMODE(info.st_mode),
                )
    return out


def assert_one_line(proc: subprocess.CompletedProcess[str], fragments: tuple[str, ...]) -> None:
    err = proc.stderr
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {err[-2000:]!r}"
    assert "Traceback" not in err and len(lines) == 1, f"not one line: {err[-2000:]!r}"
    assert lines[0].startswith("zswaplab"), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


# ---- inputs the cases build ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def results_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real results database of a small finished sweep (two cells)."""
    where = tmp_path_factory.mktemp("db")
    proc = zswaplab(
        where,
        "sweep",
        "--set",
        "allocator=ideal,zbud",
        "--set",
        "pages=32",
        "--executor",
        "serial",
        "--db",
        "r.db",
        "--no-progress",
        "--name",
        "small",
    )
    assert proc.returncode == 0, proc.stderr
    return where / "r.db"


def trace_file(d: Path, body: str, name: str = "t.ops.csv") -> str:
    (d / name).write_text(HEADER + body, encoding="ascii")
    return name


def corrupt(db: Path) -> None:
    """Overwrite the middle of a database's pages (a torn write or a bad sector)."""
    data = bytearray(db.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = b"\xa5" * 4096
    db.write_bytes(bytes(data))


def foreign_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE users (name TEXT, password TEXT)")
        db.execute("INSERT INTO users VALUES ('alice', 'secret')")
    db.close()


def empty_pageset(d: Path) -> str:
    from zswaplab.workloads.pageset import write_pageset

    write_pageset(str(d / "empty.pageset"), [])
    return "empty.pageset"


Case = tuple[str, Callable[[Path, Path], list[str]], tuple[str, ...]]
CASES: list[Case] = []


Build = Callable[[Path, Path], list[str]]


def case(case_id: str, *fragments: str) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        CASES.append((case_id, build, fragments))
        return build

    return register


def with_db(d: Path, db: Path, name: str = "r.db") -> str:
    shutil.copy(db, d / name)
    return name


def simple(case_id: str, argv: list[str], *fragments: str) -> None:
    CASES.append((case_id, lambda d, db: list(argv), fragments))


# ---- 1. output files: refused before any work, in one line ----------------------------------------
@case("replay-out-onto-directory", "cannot write", "directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "outdir").mkdir()
    return ["replay", trace_file(d, "1,init,0,,,,,,\n"), "--ram", "64M", "--out", "outdir"]


@case("replay-out-in-proc", "cannot write")
def _(d: Path, db: Path) -> list[str]:
    return ["replay", trace_file(d, "1,init,0,,,,,,\n"), "--ram", "64M", "--out", "/proc/self/p.ops.csv"]


@case("report-out-onto-file", "cannot write", "file")
def _(d: Path, db: Path) -> list[str]:
    (d / "taken").write_text("keep me\n")
    return ["report", with_db(d, db), "--out", "taken"]


@case("report-out-under-file", "cannot write", "not a directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "taken").write_text("keep me\n")
    return ["report", with_db(d, db), "--out", "taken/sub"]


@case("report-out-unwritable", "cannot write")
def _(d: Path, db: Path) -> list[str]:
    return ["report", with_db(d, db), "--out", UNWRITABLE_DIR]


@case("report-out-in-proc", "cannot write")
def _(d: Path, db: Path) -> list[str]:
    return ["report", with_db(d, db), "--out", "/proc/zswaplab-report"]


@case("study-flush-out-onto-file", "cannot write", "file")
def _(d: Path, db: Path) -> list[str]:
    (d / "f").write_text("x")
    return ["study", "flush", "--out", "f", "--no-plots", "--pages", "64", "--allocator", "zbud", "--policy", "lru"]


@case("study-flush-docs-unwritable", "cannot write")
def _(d: Path, db: Path) -> list[str]:
    return [
        "study",
        "flush",
        "--out",
        "o",
        "--docs",
        "/proc/self/flush.md",
        "--no-plots",
        "--pages",
        "64",
        "--allocator",
        "zbud",
        "--policy",
        "lru",
    ]


@case("study-flush-docs-onto-directory", "cannot write", "directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "docs").mkdir()
    return [
        "study",
        "flush",
        "--out",
        "o",
        "--docs",
        "docs",
        "--no-plots",
        "--pages",
        "64",
        "--allocator",
        "zbud",
        "--policy",
        "lru",
    ]


@case("study-scaling-out-onto-file", "cannot write", "file")
def _(d: Path, db: Path) -> list[str]:
    (d / "f").write_text("x")
    return [
        "study",
        "scaling",
        "--out",
        "f",
        "--no-plots",
        "--cpus",
        "1",
        "--ops-per-cpu",
        "100",
        "--index",
        "rbtree",
        "--compressor",
        "lz4",
    ]


@case("trace-convert-missing-directory", "cannot write", "no such directory")
def _(d: Path, db: Path) -> list[str]:
    return ["trace", "convert", trace_file(d, "1,init,0,,,,,,\n"), "nodir/out.jsonl"]


@case("trace-convert-onto-directory", "cannot write", "directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "out.jsonl").mkdir()
    return ["trace", "convert", trace_file(d, "1,init,0,,,,,,\n"), "out.jsonl"]


simple("capture-pid-2", ["capture", "--pid", "2", "-o", "c.pageset"], "pid 2")
simple("capture-max-pages-negative", ["capture", "--max-pages", "-1", "-o", "c.pageset"], "--max-pages")


@case("capture-onto-directory", "cannot write", "directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "cap").mkdir()
    return ["capture", "-o", "cap", "--max-pages", "64"]


# ---- 2. databases: checked before use, never changed by report ------------------------------------
@case("report-foreign-db", "not a zswaplab results database")
def _(d: Path, db: Path) -> list[str]:
    foreign_db(d / "app.db")
    return ["report", "app.db"]


@case("report-empty-file", "not a zswaplab results database")
def _(d: Path, db: Path) -> list[str]:
    (d / "empty.db").write_bytes(b"")
    return ["report", "empty.db"]


@case("report-not-sqlite", "not a zswaplab results database")
def _(d: Path, db: Path) -> list[str]:
    (d / "notes.db").write_text("just some text\n" * 100)
    return ["report", "notes.db"]


@case("report-corrupt-db", "r.db")
def _(d: Path, db: Path) -> list[str]:
    corrupt(d / with_db(d, db))
    return ["report", "r.db"]


@case("report-sweep-nosuch", "no sweep named 'nosuch'", "small")
def _(d: Path, db: Path) -> list[str]:
    return ["report", with_db(d, db), "--sweep", "nosuch"]


simple("report-missing-db", ["report", "absent.db"], "absent.db")


@case("sweep-empty-file-db", "empty.db", "empty")
def _(d: Path, db: Path) -> list[str]:
    (d / "empty.db").write_bytes(b"")
    return ["sweep", "--set", "allocator=ideal", "--set", "pages=16", "--executor", "serial", "--db", "empty.db"]


@case("sweep-corrupt-db", "r.db")
def _(d: Path, db: Path) -> list[str]:
    corrupt(d / with_db(d, db))
    return ["sweep", "--set", "allocator=ideal,zbud", "--set", "pages=32", "--executor", "serial", "--db", "r.db"]


@case("sweep-foreign-db", "not a zswaplab results database")
def _(d: Path, db: Path) -> list[str]:
    foreign_db(d / "app.db")
    return ["sweep", "--set", "allocator=ideal", "--set", "pages=16", "--executor", "serial", "--db", "app.db"]


simple(
    "sweep-executor-nope",
    ["sweep", "--set", "allocator=ideal", "--set", "pages=16", "--executor", "nope", "--db", "new.db"],
    "nope",
)


# ---- 3. inputs that used to print tracebacks --------------------------------------------------------
simple("pages-huge-overflow", ["run", "--pages", "1" + "0" * 30], "pages")
simple("pages-huge-memory", ["run", "--pages", "1000000000000"], "pages")
simple("file-dev-zero", ["run", "--workload", "file:/dev/zero", "--pages", "16"], "/dev/zero", "larger than")
simple("lengths-dev-zero", ["run", "--workload", "lengths:/dev/zero"], "/dev/zero", "larger than")
simple("pages-info-dev-zero", ["pages", "info", "/dev/zero"], "/dev/zero", "larger than")
simple("trace-stats-dev-zero", ["trace", "stats", "/dev/zero"], "/dev/zero")
simple("replay-dev-zero", ["replay", "/dev/zero", "--ram", "64M"], "/dev/zero")


@case("jsonl-infinite-number", "t.jsonl", "line 1")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.jsonl").write_text('{"seq": 1, "op": "store", "type": 0, "offset": 1e400, "result": "stored"}\n')
    return ["trace", "stats", "t.jsonl"]


@case("jsonl-deeply-nested", "t.jsonl", "line 1")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.jsonl").write_text('{"seq": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    return ["trace", "stats", "t.jsonl"]


@case("jsonl-infinite-convert", "t.jsonl", "line 1")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.jsonl").write_text('{"seq": 1, "op": "store", "type": 0, "offset": 0, "dlen": 1e400, "result": "stored"}\n')
    return ["trace", "convert", "t.jsonl", "out.csv"]


@case("lengths-infinite-number", "h.json")
def _(d: Path, db: Path) -> list[str]:
    (d / "h.json").write_text('{"100": 1e400}')
    return ["run", "--workload", "lengths:h.json"]


@case("sweep-toml-not-utf8", "s.toml", "UTF-8")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_bytes(b'[sweep]\nname = "\xff\xfe"\n')
    return ["sweep", "s.toml", "--executor", "serial", "--db", "new.db"]


@case("scaling-spec-not-utf8", "s.toml", "UTF-8")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_bytes(b'[axes]\ncpus = "\xff"\n')
    return ["study", "scaling", "--spec", "s.toml", "--no-plots"]


# ---- 4. accepted silently or misleadingly before ----------------------------------------------------
@case("scaling-spec-pages-float", "s.toml", "axes.pages", "integer")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_text("[axes]\npages = 1.5\n")
    return ["study", "scaling", "--spec", "s.toml", "--no-plots", "--cpus", "1", "--ops-per-cpu", "10"]


@case("scaling-spec-pages-text", "s.toml", "axes.pages", "integer")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_text('[axes]\npages = "x"\n')
    return ["study", "scaling", "--spec", "s.toml", "--no-plots", "--cpus", "1", "--ops-per-cpu", "10"]


@case("empty-page-set-run", "empty.pageset", "no pages")
def _(d: Path, db: Path) -> list[str]:
    return ["run", "--workload", f"pages:{empty_pageset(d)}", "--pages", "16", "--allocator", "ideal"]


@case("empty-page-set-info", "empty.pageset", "no pages")
def _(d: Path, db: Path) -> list[str]:
    return ["pages", "info", empty_pageset(d)]


@case("replay-directory", "traces", "directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "traces").mkdir()
    return ["replay", "traces", "--ram", "64M"]


@case("replay-seq-out-of-order", "t.ops.csv", "line 3", "seq")
def _(d: Path, db: Path) -> list[str]:
    return ["replay", trace_file(d, "2,init,0,,,,,,\n1,invalidate_area,0,,,,,,\n"), "--ram", "64M"]


@case("replay-seq-repeated", "t.ops.csv", "line 3", "seq")
def _(d: Path, db: Path) -> list[str]:
    return ["replay", trace_file(d, "1,init,0,,,,,,\n1,invalidate_area,0,,,,,,\n"), "--ram", "64M"]


@case("lengths-empty-object", "h.json", "no lengths")
def _(d: Path, db: Path) -> list[str]:
    (d / "h.json").write_text("{}")
    return ["run", "--workload", "lengths:h.json"]


@case("sweep-toml-pages-float", "s.toml", "pages")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_text('[axes]\nallocator = "ideal"\npages = 1.5\n')
    return ["sweep", "s.toml", "--executor", "serial", "--db", "new.db"]


@case("sweep-toml-pages-bool", "s.toml", "pages")
def _(d: Path, db: Path) -> list[str]:
    (d / "s.toml").write_text('[axes]\nallocator = "ideal"\npages = true\n')
    return ["sweep", "s.toml", "--executor", "serial", "--db", "new.db"]


@case("jsonl-offset-float", "t.jsonl", "line 1", "offset")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.jsonl").write_text('{"seq": 1, "op": "store", "type": 0, "offset": 1.9, "dlen": 10, "result": "stored"}\n')
    return ["trace", "stats", "t.jsonl"]


@case("jsonl-offset-underscores", "t.jsonl", "line 1", "offset")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.jsonl").write_text(
        '{"seq": 1, "op": "store", "type": 0, "offset": "1_0_0", "dlen": 10, "result": "stored"}\n'
    )
    return ["trace", "stats", "t.jsonl"]


@case("csv-offset-underscores", "line 2", "offset")
def _(d: Path, db: Path) -> list[str]:
    (d / "t.csv").write_text("seq,op,type,offset,dlen,result\n1,store,0,1_0_0,10,stored\n")
    return ["trace", "stats", "t.csv"]


@case("replay-offset-underscores", "line 3", "offset")
def _(d: Path, db: Path) -> list[str]:
    return ["replay", trace_file(d, "1,init,0,,,,,,\n2,store,0,1_0,100,stored,,,\n"), "--ram", "64M"]


simple("compressor-empty", ["run", "--pages", "16", "--compressor", ""], "--compressor")
simple("compressor-empty-options", ["run", "--pages", "16", "--compressor", "lz4:"], "lz4:")
simple("ram-huge", ["run", "--pages", "16", "--ram", "99999999999999999999999T"], "99999999999999999999999T")
simple("memo-negative", ["run", "--pages", "16", "--memo", "-5"], "--memo")
simple("zsmalloc-float-option", ["run", "--pages", "16", "--allocator", "zsmalloc:era=99.9"], "era")
simple(
    "sweep-compressor-empty", ["sweep", "--set", "compressor=", "--executor", "serial", "--db", "n.db"], "compressor"
)


@case("pages-info-sample-negative", "--sample")
def _(d: Path, db: Path) -> list[str]:
    (d / "raw.bin").write_bytes(os.urandom(8192))
    return ["pages", "info", "raw.bin", "--sample", "-3"]


simple("replay-missing", ["replay", "absent.ops.csv", "--ram", "64M"], "absent.ops.csv", "no such file")
simple("pages-info-directory", ["pages", "info", "."], "directory")
simple("trace-stats-missing", ["trace", "stats", "absent.csv"], "absent.csv")
simple("sweep-file-missing", ["sweep", "absent.toml", "--db", "n.db"], "absent.toml")


@case("sweep-db-is-directory", "r.db")
def _(d: Path, db: Path) -> list[str]:
    (d / "r.db").mkdir()
    return ["sweep", "--set", "allocator=ideal", "--set", "pages=16", "--executor", "serial", "--db", "r.db"]


@case("study-scaling-out-under-file", "cannot write", "not a directory")
def _(d: Path, db: Path) -> list[str]:
    (d / "f").write_text("x")
    return [
        "study",
        "scaling",
        "--out",
        "f/sub",
        "--no-plots",
        "--cpus",
        "1",
        "--ops-per-cpu",
        "100",
        "--index",
        "rbtree",
        "--compressor",
        "lz4",
    ]


@pytest.mark.parametrize("build,fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_changes_nothing(
    tmp_path: Path, results_db: Path, build: Callable[[Path, Path], list[str]], fragments: tuple[str, ...]
) -> None:
    argv = build(tmp_path, results_db)
    before = snapshot(tmp_path)
    proc = zswaplab(tmp_path, *argv)
    assert_one_line(proc, fragments)
    assert snapshot(tmp_path) == before, "a file was left behind or changed"


def test_case_ids_are_unique() -> None:
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60, len(ids)


# ---- 1. writers never follow a planted link and replace outputs only by rename -----------------------
def plant(link: Path, victim: Path) -> None:
    victim.write_text("precious\n")
    link.symlink_to(victim)


def test_replay_out_never_writes_through_a_planted_link(tmp_path: Path) -> None:
    trace = trace_file(tmp_path, "1,init,0,,,,,,\n2,store,0,5,100,stored,,,\n")
    plant(tmp_path / "p.ops.csv.partial", tmp_path / "victim")  # the old writer's predictable name
    proc = zswaplab(tmp_path, "replay", trace, "--ram", "64M", "--out", "p.ops.csv", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "victim").read_text() == "precious\n"
    out = tmp_path / "p.ops.csv"
    assert out.read_text().startswith("seq,op,") and stat.S_IMODE(out.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.ops.csv", "p.ops.csv.partial", "t.ops.csv", "victim"]


def test_report_replaces_a_linked_output_by_rename_and_is_not_world_writable(tmp_path: Path, results_db: Path) -> None:
    out = tmp_path / "rep"
    out.mkdir()
    plant(out / "report.md", tmp_path / "victim")
    proc = zswaplab(tmp_path, "report", with_db(tmp_path, results_db), "--out", "rep", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "victim").read_text() == "precious\n"
    assert not (out / "report.md").is_symlink() and (out / "report.md").read_text().startswith("# zswaplab sweep")
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()}
    assert set(modes) >= {"report.md", "results.csv", "results.json", "index.html"}
    assert set(modes.values()) == {0o644}, modes


def test_scaling_out_replaces_a_linked_output_by_rename(tmp_path: Path) -> None:
    out = tmp_path / "sc"
    out.mkdir()
    plant(out / "scaling.md", tmp_path / "victim")
    proc = zswaplab(
        tmp_path,
        "study",
        "scaling",
        "--out",
        "sc",
        "--no-plots",
        "--cpus",
        "1",
        "--ops-per-cpu",
        "200",
        "--index",
        "rbtree",
        "--compressor",
        "lz4",
        "--pages",
        "256",
        umask=0,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "victim").read_text() == "precious\n"
    assert not (out / "scaling.md").is_symlink() and "rbtree" in (out / "scaling.md").read_text()
    assert stat.S_IMODE((out / "scaling.json").stat().st_mode) == 0o644


# ---- 2. report reads, sweep checks before it writes ----------------------------------------------------
def test_report_writes_nothing_to_the_database(tmp_path: Path, results_db: Path) -> None:
    db = tmp_path / with_db(tmp_path, results_db)
    before = snapshot(tmp_path)
    proc = zswaplab(tmp_path, "report", db.name, "--format", "json")
    assert proc.returncode == 0 and len(json.loads(proc.stdout)) == 2, proc.stderr
    assert snapshot(tmp_path) == before  # no journal, no new table, same bytes


def test_report_of_an_interrupted_sweep_counts_the_missing_cells(tmp_path: Path, results_db: Path) -> None:
    db = tmp_path / with_db(tmp_path, results_db)
    with sqlite3.connect(db) as conn:  # as if the sweep was killed before its second cell finished
        conn.execute("DELETE FROM cells WHERE key = (SELECT max(key) FROM cells)")
    conn.close()
    proc = zswaplab(tmp_path, "report", db.name, "--sweep", "small")
    assert proc.returncode == 0, proc.stderr
    assert "1 cell(s) of small have no result" in proc.stderr and proc.stdout.count("| done |") == 1


def test_sweep_runs_again_a_cell_whose_row_cannot_be_read(tmp_path: Path, results_db: Path) -> None:
    db = tmp_path / with_db(tmp_path, results_db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE cells SET report = '{\"stored_pa' WHERE key = (SELECT max(key) FROM cells)")
    conn.close()
    proc = zswaplab(
        tmp_path,
        "sweep",
        "--set",
        "allocator=ideal,zbud",
        "--set",
        "pages=32",
        "--executor",
        "serial",
        "--db",
        db.name,
        "--no-progress",
        "--name",
        "small",
    )
    assert proc.returncode == 0, proc.stderr
    assert "2 cells: 1 done, 0 failed, 1 skipped" in proc.stdout
    assert zswaplab(tmp_path, "report", db.name).returncode == 0
