#!/usr/bin/env python3
"""Ingest benchmark for hedui (called by scripts/bench ingest; stdlib only, DuckDB runs in .venv-bench).

  bench_ingest.py run --data DIR --records N [--reps K] [--engine BIN] [--duckdb-python PY] [--md FILE]
  bench_ingest.py duckdb-query FILE [--threads T]      (run by the venv's python: one timed query, one JSON line)

For bank-bench.csv.gz and bank-bench.xml.gz in DIR it times, K times each after one untimed warm-up:
the inflate floors (igzip -dc, pigz -dc, zcat, output to /dev/null), the engine (HeduiBench ingest FILE,
one thread, --backend isal and --backend zlib) and, for the CSV, DuckDB's read_csv with 1 and 2 threads.
Each repetition is a fresh process. "time" is the in-process time where the contender reports one
(HeduiBench's "seconds", DuckDB's query time) and the wall time of the process otherwise; the wall time
of every process is reported too.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess

import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import describe, md_table, sh, text_table, uncompressed_size  # noqa: E402

# Every column is read as VARCHAR (so the ~0.5% messy values such as `¥1,234.50` or odd date forms
# do not abort the scan) and every column is used, so DuckDB has to tokenize and materialize all of them
# (projection pushdown cannot skip any); balance and as_of are converted as the engine converts them.
DUCKDB_QUERY = """
SELECT count(*),
       sum(TRY_CAST(balance AS DECIMAL(18,2))),
       max(TRY_CAST(as_of AS DATE)),
       sum(length(id_number) + length(name) + length(bank_code) + length(account_no)
           + length(account_type) + length(currency))
FROM read_csv('{file}', header = true, delim = ',', quote = '"', escape = '"',
              compression = 'gzip', ignore_errors = true,
              columns = {{'id_number': 'VARCHAR', 'name': 'VARCHAR', 'bank_code': 'VARCHAR',
                         'account_no': 'VARCHAR', 'account_type': 'VARCHAR', 'balance': 'VARCHAR',
                         'currency': 'VARCHAR', 'as_of': 'VARCHAR'}})
"""
DUCKDB_QUERY_SHORT = ("count(*), sum(TRY_CAST(balance AS DECIMAL(18,2))), max(TRY_CAST(as_of AS DATE)), "
                      "sum(length(...)) of the other 6 columns; read_csv with explicit all-VARCHAR columns, "
                      "header=true, ignore_errors=true")


# ---------------------------------------------------------------------------
# DuckDB child (runs inside .venv-bench)

def duckdb_query(argv):
    ap = argparse.ArgumentParser(prog="bench_ingest.py duckdb-query")
    ap.add_argument("file")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    import duckdb  # noqa: PLC0415 (only inside the venv)
    con = duckdb.connect(":memory:")
    con.execute(f"PRAGMA threads={a.threads}")
    sql = DUCKDB_QUERY.format(file=a.file.replace("'", "''"))
    t0 = time.perf_counter()
    row = con.execute(sql).fetchall()[0]
    secs = time.perf_counter() - t0
    print(json.dumps({"file": a.file, "threads": a.threads, "duckdb": duckdb.__version__,
                      "records": row[0], "balance_sum": str(row[1]), "max_as_of": str(row[2]),
                      "text_chars": row[3], "seconds": secs}))
    return 0


# ---------------------------------------------------------------------------
# Timing

class Failed(Exception):
    pass


def run_once(cmd, want_json):
    """Runs cmd once; returns (time_s, wall_s, json_or_None). time_s is the in-process 'seconds' if want_json."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if want_json else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        lines = p.stderr.decode(errors="replace").strip().splitlines()
        err = [ln.strip() for ln in lines if "error" in ln.lower() or "HeduiBench:" in ln][:2] or lines[:3]
        raise Failed(f"{' '.join(cmd)} exited {p.returncode}: " + " | ".join(err))
    if not want_json:
        return wall, wall, None
    lines = [ln for ln in p.stdout.decode(errors="replace").splitlines() if ln.strip().startswith("{")]
    if not lines:
        raise Failed(f"{' '.join(cmd)} printed no JSON line")
    j = json.loads(lines[-1])
    if "seconds" not in j:
        raise Failed(f"{' '.join(cmd)}: JSON has no 'seconds': {lines[-1]}")
    return float(j["seconds"]), wall, j


def measure(name, cmd, reps, warmup, want_json, log):
    res = {"name": name, "cmd": " ".join(cmd), "times": [], "walls": [], "json": None, "error": None}
    try:
        for _ in range(warmup):
            run_once(cmd, want_json)
        for _ in range(reps):
            t, w, j = run_once(cmd, want_json)
            res["times"].append(t)
            res["walls"].append(w)
            res["json"] = j
    except (Failed, OSError, ValueError) as e:
        res["error"] = str(e)
    if res["error"]:
        log(f"  {name:34s} ERROR {res['error']}")
    else:
        log(f"  {name:34s} min {min(res['times']):8.3f}s  median {statistics.median(res['times']):8.3f}s"
            f"  (wall min {min(res['walls']):.3f}s)")
    return res




# ---------------------------------------------------------------------------
# Machine description



def machine(duckdb_version):
    return describe([
        ("DuckDB", duckdb_version or "?"),
        ("igzip / pigz / gzip", " / ".join([
            sh("igzip --version 2>&1 | head -1") or "?", sh("pigz --version 2>&1 | head -1") or "?",
            sh("gzip --version 2>&1 | head -1") or "?"])),
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
    ])


# ---------------------------------------------------------------------------
# Report

def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def build_tables(files, n_records):
    """Returns (header, rows per file, goals)."""
    header = ["contender", "min s", "median s", "wall min s", "wall med s", "MB/s", "records/s",
              "×pigz", "×igzip", "×DuckDB 1t"]
    out = []
    goals = []
    for f in files:
        by = {r["name"]: r for r in f["results"]}

        def tmin(name):
            r = by.get(name)
            return None if (r is None or r["error"]) else min(r["times"])

        pigz, igzip, duck1 = tmin("pigz -dc"), tmin("igzip -dc"), tmin("duckdb read_csv, 1 thread")

        def wmin(name):
            r = by.get(name)
            return None if (r is None or r["error"]) else min(r["walls"])
        rows = []
        for r in f["results"]:
            if r["error"]:
                rows.append([r["name"], "error", "", "", "", "", "", "", "", ""])
                continue
            t = min(r["times"])
            is_engine = r["name"].startswith("engine")
            rows.append([
                r["name"], fmt(t, ".3f"), fmt(statistics.median(r["times"]), ".3f"),
                fmt(min(r["walls"]), ".3f"), fmt(statistics.median(r["walls"]), ".3f"),
                fmt(f["usize"] / 1e6 / t, ",.0f"), fmt(n_records / t, ",.0f"),
                fmt(t / pigz, ".2f") if (is_engine and pigz) else "",
                fmt(t / igzip, ".2f") if (is_engine and igzip) else "",
                fmt(t / duck1, ".2f") if (is_engine and duck1) else "",
            ])
        out.append((f, rows))
        for backend in ("isal", "zlib"):
            r = by.get(f"engine --backend {backend}")
            if r is None:
                continue
            label = f"{f['kind']} path, --backend {backend}"
            if r["error"]:
                goals.append((label, "engine did not run", None, "FAIL"))
                continue
            t = min(r["times"])
            w = min(r["walls"])
            wduck, wpigz = wmin("duckdb read_csv, 1 thread"), wmin("pigz -dc")
            wd = f"; whole processes {w / wduck:.2f}×" if wduck else ""
            wp = f"; whole process {w / wpigz:.2f}×" if wpigz else ""
            if f["kind"] == "CSV":
                if duck1:
                    goals.append((label, "≤ 0.5 × DuckDB 1-thread scan",
                                  f"{t:.3f}s vs {0.5 * duck1:.3f}s ({t / duck1:.2f}×{wd})",
                                  "PASS" if t <= 0.5 * duck1 else "FAIL"))
                else:
                    goals.append((label, "≤ 0.5 × DuckDB 1-thread scan", "DuckDB did not run", "n/a"))
                if pigz:
                    goals.append((label, "≤ pigz -dc", f"{t:.3f}s vs {pigz:.3f}s ({t / pigz:.2f}×{wp})",
                                  "PASS" if t <= pigz else "FAIL"))
            else:
                if pigz:
                    goals.append((label, "≤ 3 × pigz -dc", f"{t:.3f}s vs {3 * pigz:.3f}s ({t / pigz:.2f}×{wp})",
                                  "PASS" if t <= 3 * pigz else "FAIL"))
    return header, out, goals




NOTES = [
    "min s / median s: in-process time for the engine (HeduiBench's `seconds`, start-up excluded) and DuckDB "
    "(query time on a fresh in-memory connection in a fresh process); wall time of the process for the command-line "
    "tools. wall min / wall med: the whole process, start-up included, for every contender.",
    "MB/s: uncompressed bytes (from `igzip -dc FILE | wc -c`) / min s, in 10^6 bytes. records/s: N / min s.",
    "×pigz, ×igzip, ×DuckDB 1t: engine min s divided by that contender's min s on the same file (lower is better).",
    "Every repetition is a fresh process after one untimed warm-up run per contender; files are in the page cache.",
]


def run(argv):
    ap = argparse.ArgumentParser(prog="bench_ingest.py run")
    ap.add_argument("--data", required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--engine", default="", help="HeduiBench binary ('' = skip the engine)")
    ap.add_argument("--duckdb-python", default="", help="python of .venv-bench ('' = skip DuckDB)")
    ap.add_argument("--md", default="")
    a = ap.parse_args(argv)

    def log(m):
        print(m, file=sys.stderr, flush=True)

    for tool in ("igzip", "pigz", "zcat"):
        if not shutil.which(tool):
            raise SystemExit(f"bench: {tool} not found (run scripts/setup)")
    me = os.path.abspath(__file__)
    duck_version = ""
    if a.duckdb_python:
        duck_version = subprocess.run([a.duckdb_python, "-c", "import duckdb; print(duckdb.__version__)"],
                                      capture_output=True, text=True, check=True).stdout.strip()
    busy = sh("pgrep -f swift-build")
    if busy:
        log(f"bench: WARNING: swift-build processes are running ({busy.split()}); timings will be noisy")

    files = []
    for kind, name in (("CSV", "bank-bench.csv.gz"), ("XML", "bank-bench.xml.gz")):
        path = os.path.abspath(os.path.join(a.data, name))
        usize = uncompressed_size(path)
        log(f"{name}: {os.path.getsize(path) / 1e6:.1f} MB gzip, {usize / 1e6:.1f} MB uncompressed, {a.records} records")
        cons = [
            ("igzip -dc", ["igzip", "-dc", path], False),
            ("pigz -dc", ["pigz", "-dc", path], False),
            ("zcat", ["zcat", path], False),
        ]
        if a.engine:
            for backend in ("isal", "zlib"):
                cons.append((f"engine --backend {backend}", [a.engine, "ingest", path, "--backend", backend], True))
        if a.duckdb_python and kind == "CSV":
            for t in (1, 2):
                cons.append((f"duckdb read_csv, {t} thread{'s' if t > 1 else ''}",
                             [a.duckdb_python, me, "duckdb-query", path, "--threads", str(t)], True))
        results = [measure(n, c, a.reps, a.warmup, j, log) for n, c, j in cons]
        for r in results:
            j = r["json"]
            if r["error"] or not j:
                continue
            got = j.get("records")
            if got is not None and int(got) != a.records:
                log(f"bench: WARNING: {r['name']} on {name} counted {got} records, expected {a.records}")
                r["note"] = f"counted {got} records"
        files.append({"kind": kind, "name": name, "path": path, "gz": os.path.getsize(path), "usize": usize,
                      "results": results})

    header, tables, goals = build_tables(files, a.records)
    mach = machine(duck_version)
    out = [f"\nhedui ingest benchmark: {a.records:,} bank records, {a.reps} repetitions (min and median), 1 engine thread"]
    md = ["## Ingest benchmark", "", f"{a.records:,} bank records (`scripts/gen bank-bench --records {a.records}`), "
          f"{a.reps} repetitions, min and median; the engine on 1 thread (`HeduiBench ingest FILE --backend B`).", "",
          "| machine | |", "| --- | --- |"]
    md += [f"| {k} | {v} |" for k, v in mach]
    md.append("")
    for f, rows in tables:
        title = (f"{f['name']}: {f['gz'] / 1e6:.1f} MB gzip, {f['usize'] / 1e6:.1f} MB uncompressed")
        out += ["", title, text_table(header, rows)]
        md += [f"### {title}", "", md_table(header, rows), ""]
        for r in f["results"]:
            if r.get("note"):
                out.append(f"  note: {r['name']}: {r['note']}")
                md.append(f"Note: {r['name']}: {r['note']}.  ")
            if r["error"]:
                out.append(f"  error: {r['name']}: {r['error']}")
                md.append(f"Error: {r['name']}: `{r['error']}`  ")
            j = r["json"]
            if r["name"].startswith("engine") and j and not r["error"]:
                s = (f"  {r['name']}: records {j.get('records')}, accepted {j.get('accepted')}, "
                     f"quarantined {j.get('quarantined')}, content_bytes {j.get('content_bytes')}"
                     + (f", REJECTED {j.get('rejected')}" if j.get("rejected") else ""))
                out.append(s)
                md.append(s.strip() + "  ")
        md.append("")
    if a.duckdb_python:
        q = f"DuckDB {duck_version} query (PRAGMA threads=1 and 2): SELECT {DUCKDB_QUERY_SHORT}"
        out += ["", q]
        md += [q, ""]
    out += ["", "Goals (engine min s, in-process; the ratio of whole-process wall times beside):"]
    md += ["### Goals", "", "| path | goal | measured | result |", "| --- | --- | --- | --- |"]
    if not goals:
        out.append("  (engine not run: no goal can be judged)")
        md.append("| — | engine not run | — | — |")
    for label, goal, measured, verdict in goals:
        out.append(f"  {verdict:4s}  {label}: {goal}: {measured or ''}")
        md.append(f"| {label} | {goal} | {measured or ''} | **{verdict}** |")
    md += [""] + [f"- {n}" for n in NOTES]
    out += [""] + [f"  {n}" for n in NOTES]
    out += ["", "machine: " + "; ".join(f"{k} {v}" for k, v in mach)]
    print("\n".join(out))
    if a.md:
        os.makedirs(os.path.dirname(os.path.abspath(a.md)), exist_ok=True)
        with open(a.md, "w") as fh:
            fh.write("\n".join(md) + "\n")
        print(f"\nmarkdown: {a.md}")
    failed = any(r["error"] for f in files for r in f["results"])
    return 1 if failed else 0


def main(argv):
    if argv and argv[0] == "duckdb-query":
        return duckdb_query(argv[1:])
    if argv and argv[0] == "run":
        return run(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
