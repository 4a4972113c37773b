#!/usr/bin/env python3
"""hedui against its peers (called by scripts/bench compare; stdlib + PyYAML, DuckDB only in duckdb-exec).

  bench_compare.py run --hedui BIN --mixed DIR --csv DIR --policy FILE --work DIR --households N
                       --duckdb-python PY --sql FILE --as-of YYYY-MM-DD [--reps K] [--max-disagree D] [--md FILE]
  bench_compare.py scaling --hedui BIN --policy FILE --work DIR --inbox N=DIR [--inbox N=DIR ...] [--md FILE]
  bench_compare.py duckdb-exec --sql FILE --threads T     (run by the venv python, under /usr/bin/time -v)

run: on the mixed (CSV + XML) and the csv-only inbox of N households, times K repetitions each (min and
median wall, peak RSS, all under /usr/bin/time -v, every repetition a fresh process), in K rounds (one
repetition of every configuration per round, so that the machine's drift falls on all alike), of
  1. the floors: every .gz file of the inbox decompressed to /dev/null, one file per process, nproc processes
     at a time (`ls *.gz | xargs -P nproc -n1 sh -c 'TOOL "$0" > /dev/null'`) with igzip -dc, pigz -dc, zcat;
  2. `hedui run --inbox DIR --policy FILE --out DIR --db <fresh file> --threads T`, T = 1 and T = nproc
     (the csv-only inbox has no XML roster to take the as-of date from, so it gets --as-of);
     and `hedui validate --inbox DIR --threads nproc`: ingestion alone (inflate, parse, validate every record,
     count duplicates; no matching, no assessment, no output but the lines it prints), the part of the run
     that the floors bound;
  3. on the csv-only inbox, DuckDB running scripts/duckdb-job.sql (the core of the same job as one query;
     see the header of that file) with SET threads = 1 and = nproc.
Then it checks that DuckDB's figures agree with hedui's assessments.csv of the csv-only run, prints a table and
writes it as markdown (--md). Exit 1 when a run failed or more than --max-disagree units disagree.

scaling: hedui with all cores, once per inbox: wall, records, peak RSS, RSS bytes per household.
"""
import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import describe, md_table, sh, text_table, uncompressed_size  # noqa: E402
from bench_run import time_command  # noqa: E402

OK_EXIT = (0, 3)   # hedui: 3 = completed with records quarantined (the generator makes bad records on purpose)
FLOOR_TOOLS = [("igzip", "igzip -dc"), ("pigz", "pigz -dc"), ("zcat", "zcat")]
# Figures are compared for every unit; status only where hedui does not say needs_review (the query has no
# review reasons, so there it gives the level the other reasons would give).
FIGURES = ["members", "monthly_income", "financial_assets", "vehicles", "homes", "housing_area", "standard"]


class Failed(Exception):
    pass


def log(m):
    print(m, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Timing: any command under /usr/bin/time -v

def timed(cmd, cwd=None, ok=(0,)):
    """Runs cmd (a list) under /usr/bin/time -v; returns wall, peak RSS (KiB), user, sys, exit, stdout, stderr."""
    tv, rc, perf, stdout, stderr, state = time_command(cmd, "/usr/bin/time", cwd)
    if "signal" in tv or rc not in ok or "wall" not in tv:
        tail = " | ".join((stderr.splitlines() or stdout.splitlines() or ["(no output)"])[-5:])
        raise Failed(f"{' '.join(cmd)} exited {tv.get('signal') or rc} after {perf:.1f}s: {tail}")
    return {"wall": tv["wall"], "rss_kib": tv.get("rss_kib", 0), "user": tv.get("user", 0.0),
            "sys": tv.get("sys", 0.0), "cpu": tv.get("cpu", "?"), "rc": rc, "stdout": stdout, "stderr": stderr,
            "load1": state["load1"], "build_overlap": state["build_overlap"]}


def measure_once(c, rep, fn):
    """One repetition of a configuration: fn(rep) -> run dict; a failure ends the configuration and is kept as its error."""
    label = c["label"]
    try:
        r = fn(rep)
    except (Failed, OSError) as e:
        c["error"] = str(e)
        log(f"  {label}: ERROR {e}")
        return
    c["runs"].append(r)
    extra = f"  ({r['note']})" if r.get("note") else ""
    log(f"  {label:32s} rep {rep + 1}: wall {r['wall']:8.2f}s  peak RSS {r['rss_kib'] * 1024 / 1e6:8.1f} MB  "
        f"user {r['user']:.1f}s sys {r['sys']:.1f}s CPU {r['cpu']}  load1 before {r['load1']:.2f}  "
        f"swift build running {r['build_overlap']:.0%}{extra}")


def measure(label, reps, fn):
    """K repetitions of fn(rep) -> run dict, one after the other."""
    c = {"label": label, "runs": [], "error": None}
    for rep in range(reps):
        measure_once(c, rep, fn)
        if c["error"]:
            break
    return c


def measure_rounds(configs, jobs, reps):
    """K rounds over [(key, label, fn)] into configs[key]: repetition k of every configuration before repetition
    k + 1 of any. This machine's speed drifts by a quarter within minutes; measured in rounds, the drift falls on
    every contender alike instead of favouring whichever ran its repetitions in a quick phase."""
    for rep in range(reps):
        log(f"round {rep + 1} of {reps}")
        for key, _, fn in jobs:
            if not configs[key]["error"]:
                measure_once(configs[key], rep, fn)
    return configs


def summary(c):
    """min, median wall and max peak RSS (bytes) of a configuration, or None when it has no run."""
    if not c["runs"]:
        return None
    walls = [r["wall"] for r in c["runs"]]
    return min(walls), statistics.median(walls), max(r["rss_kib"] for r in c["runs"]) * 1024


# ---------------------------------------------------------------------------
# The contenders

def floor_run(inbox, tool_cmd, procs):
    # One process per file, nproc of them at a time: the files are inflated in parallel, each on one core.
    script = f"ls *.gz | xargs -P {procs} -n1 sh -c '{tool_cmd} \"$0\" > /dev/null'"
    return lambda rep: timed(["sh", "-c", script], cwd=inbox)


def hedui_run(a, inbox, out, threads, as_of):
    def go(rep):
        # A fresh run ledger each time: with an earlier repetition's ledger hedui would find this very run
        # already done (idempotent reruns) and publish nothing.
        ledger = os.path.join(a.work, f"bench-compare-{os.getpid()}.sqlite")
        for stale in (ledger, ledger + "-wal", ledger + "-shm"):
            if os.path.exists(stale):
                os.remove(stale)
        cmd = [a.hedui, "run", "--inbox", inbox, "--policy", a.policy, "--out", out, "--db", ledger,
               "--threads", str(threads)] + (["--as-of", as_of] if as_of else [])
        r = timed(cmd, ok=OK_EXIT)
        for stale in (ledger, ledger + "-wal", ledger + "-shm"):
            if os.path.exists(stale):
                os.remove(stale)
        try:
            with open(os.path.join(out, "manifest.json")) as f:
                man = json.load(f)
        except (OSError, ValueError) as e:
            raise Failed(f"no readable manifest.json in {out} after exit {r['rc']}: {e}") from e
        files = man.get("files") or []
        r["records"] = sum(int(x.get("records_read") or 0) for x in files)
        r["as_of"] = man.get("as_of")
        r["units"] = man.get("units")
        r["rejected"] = [x.get("name") for x in files if x.get("rejected")]
        with open(os.path.join(out, "assessments.csv"), "rb") as f:
            r["assessments_sha"] = hashlib.sha256(f.read()).hexdigest()[:16]
        r["note"] = f"exit {r['rc']}, {r['records']:,} records, as-of {r['as_of']}"
        return r
    return go


def validate_run(a, inbox, threads):
    def go(rep):
        r = timed([a.hedui, "validate", "--inbox", inbox, "--threads", str(threads)], ok=OK_EXIT)
        r["note"] = f"exit {r['rc']}"
        return r
    return go


def duckdb_run(a, rendered, threads):
    def go(rep):
        r = timed([a.duckdb_python, os.path.abspath(__file__), "duckdb-exec", "--sql", rendered,
                   "--threads", str(threads)])
        try:
            r["query_s"] = json.loads(r["stdout"].splitlines()[-1])["query_s"]
        except (ValueError, KeyError, IndexError):
            r["query_s"] = None
        r["note"] = f"query alone {r['query_s']:.2f}s" if r["query_s"] is not None else ""
        return r
    return go


# ---------------------------------------------------------------------------
# DuckDB: the policy as VALUES rows, the rendered query, and its executor

def sql_str(s):
    return "'" + str(s).replace("'", "''") + "'"


def sql_list(xs):
    return "[" + ", ".join(sql_str(x) for x in xs) + "]"


def policy_values(policy_path, as_of):
    """(POLICY rows, RATES rows) for duckdb-job.sql: the parameters in force on as_of per region and area type.

    Uses the generator's policy helpers (scripts/hedui_gen.py), which follow rules.md: S = standard in yuan ×
    100 rounded half-up, L = round_half_up(S × low_income_multiplier), defaults with the region's overrides.
    A region without a standard in force is left out (the query then says needs_review, like POLICY_MISSING)."""
    import hedui_gen as hg

    policy = hg.load_policy(policy_path)
    day = dt.date.fromisoformat(as_of)
    rows, rates = [], []
    for code in sorted((policy.get("regions") or {}), key=str):
        prm = hg.region_params(policy, code)
        for area in ("urban", "rural"):
            s = hg.standard_fen(policy, code, area, day)
            if s is None:
                continue
            area_max = prm.get("housing_area_per_capita_max")
            rows.append("(" + ", ".join([
                sql_str(code), sql_str(area), str(s), str(hg.low_income_line(policy, code, s)),
                str(prm["assets_months_dibao"]), str(prm["assets_months_low_income"]), str(prm["max_homes"]),
                "NULL" if area_max is None else f"CAST({area_max} AS DECIMAL(18, 2))",
                str(hg.yuan_to_fen(prm.get("vehicle_value_exempt_below") or 0)),
                sql_list(prm.get("vehicle_exempt_types") or []),
                sql_list(prm.get("counted_income_types") or []),
                str(prm.get("income_window_months", 12)),
                "true" if prm.get("deduct_rigid_expense", True) else "false"]) + ")")
        for cur, rate in sorted((prm.get("currency_rates") or {}).items()):
            rates.append(f"({sql_str(code)}, {sql_str(str(cur).upper())}, CAST({sql_str(rate)} AS DECIMAL(18, 6)))")
    if not rows:  # VALUES needs a row; this one matches nothing (every unit: POLICY_MISSING)
        rows.append("(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)")
    if not rates:  # VALUES needs a row; this one matches nothing
        rates.append("(CAST(NULL AS VARCHAR), CAST(NULL AS VARCHAR), CAST(NULL AS DECIMAL(18, 6)))")
    return rows, rates


def render_sql(template, inbox, as_of, out, policy_path):
    rows, rates = policy_values(policy_path, as_of)
    sql = open(template, encoding="utf-8").read()
    for key, val in (("{{POLICY}}", ",\n    ".join(rows)), ("{{RATES}}", ",\n    ".join(rates)),
                     ("{{INBOX}}", os.path.abspath(inbox).replace("'", "''")), ("{{AS_OF}}", as_of),
                     ("{{OUT}}", os.path.abspath(out).replace("'", "''"))):
        sql = sql.replace(key, val)
    return sql


def duckdb_exec(argv):
    ap = argparse.ArgumentParser(prog="bench_compare.py duckdb-exec")
    ap.add_argument("--sql", required=True)
    ap.add_argument("--threads", type=int, required=True)
    a = ap.parse_args(argv)
    import duckdb  # only here: the venv python of scripts/bench

    con = duckdb.connect()   # in memory
    con.execute(f"SET threads = {a.threads}")
    sql = open(a.sql, encoding="utf-8").read()
    t0 = time.perf_counter()
    con.execute(sql)
    print(json.dumps({"query_s": time.perf_counter() - t0, "duckdb": duckdb.__version__}))
    return 0


# ---------------------------------------------------------------------------
# Agreement: DuckDB's rows against hedui's assessments.csv

def agreement(hedui_csv, duck_csv, max_examples=5):
    """Compares FIGURES for every unit of hedui's assessments.csv, and status for those not needs_review."""
    with open(hedui_csv, newline="", encoding="utf-8") as f:
        h = {r["unit_id"]: r for r in csv.DictReader(f)}
    with open(duck_csv, newline="", encoding="utf-8") as f:
        d = {r["unit_id"]: r for r in csv.DictReader(f)}
    res = {"hedui_units": len(h), "duckdb_units": len(d), "compared": 0, "separate": 0, "status_compared": 0,
           "needs_review": 0, "disagree": 0, "by_field": {}, "examples": [], "missing_in_duckdb": 0,
           "only_in_duckdb": len(set(d) - set(h))}
    for u, r in sorted(h.items()):
        res["compared"] += 1
        res["separate"] += "/" in u
        review = r["status"] == "needs_review"
        res["needs_review"] += review
        res["status_compared"] += not review
        o = d.get(u)
        if o is None:
            res["missing_in_duckdb"] += 1
            res["disagree"] += 1
            if len(res["examples"]) < max_examples:
                res["examples"].append(f"{u}: no DuckDB row (hedui: {r['status']})")
            continue
        diff = [k for k in FIGURES + ([] if review else ["status"]) if r[k] != o[k]]
        if diff:
            res["disagree"] += 1
            for k in diff:
                res["by_field"][k] = res["by_field"].get(k, 0) + 1
            if len(res["examples"]) < max_examples:
                res["examples"].append(f"{u}: " + ", ".join(f"{k} hedui {r[k]} / DuckDB {o[k]}" for k in diff)
                                       + f" (hedui {r['status']}, reasons {r['reasons'] or '-'})")
    for u in sorted(set(d) - set(h)):  # a unit hedui does not have is a disagreement too
        res["disagree"] += 1
        if len(res["examples"]) < max_examples:
            res["examples"].append(f"{u}: no hedui unit (DuckDB: {d[u]['status']})")
    return res


def agreement_lines(g, max_disagree):
    lines = [
        f"hedui units {g['hedui_units']:,}, DuckDB rows {g['duckdb_units']:,}.",
        f"compared: {g['compared']:,} units ({g['separate']:,} of them separate units HH/ID) on "
        f"{', '.join(FIGURES)}; status too for the {g['status_compared']:,} that hedui does not mark needs_review "
        f"(for the other {g['needs_review']:,} hedui's review reasons decide, which the query does not model).",
        f"disagree: {g['disagree']:,} units"
        + (f" (by field: {', '.join(f'{k} {v}' for k, v in sorted(g['by_field'].items()))})" if g["by_field"] else "")
        + (f"; no DuckDB row for {g['missing_in_duckdb']}" if g["missing_in_duckdb"] else "")
        + (f"; no hedui unit for {g['only_in_duckdb']} DuckDB rows" if g["only_in_duckdb"] else "")
        + f"; allowed: {max_disagree}.",
    ]
    lines += [f"  e.g. {x}" for x in g["examples"]]
    return lines


# ---------------------------------------------------------------------------
# Reports

def inbox_bytes(inbox):
    """(files, gzip bytes, uncompressed bytes); reading them also puts the inbox in the page cache."""
    names = sorted(n for n in os.listdir(inbox) if not n.startswith(".") and os.path.isfile(os.path.join(inbox, n)))
    gz = sum(os.path.getsize(os.path.join(inbox, n)) for n in names)
    raw = sum(uncompressed_size(os.path.join(inbox, n)) for n in names)
    return len(names), gz, raw


def machine_rows(hedui):
    return describe([
        ("hedui", (sh(f"'{hedui}' --version 2>&1 | head -1") or "?")
         + f", binary sha256 {sh(f'sha256sum {chr(39)}{hedui}{chr(39)}')[:16] or '?'}"),
        ("igzip / pigz / zcat", " / ".join(sh(f"{t} --version 2>&1 | head -1") or "?" for t in ("igzip", "pigz", "gzip"))),
    ])


def mem_available():
    """MemAvailable from /proc/meminfo in bytes (0 when unknown)."""
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemAvailable:"):
                    return int(ln.split()[1]) * 1024
    except OSError:
        pass
    return 0


def fmt_ratio(x, y):
    return f"{x / y:.2f}×" if x and y else "—"


def run(argv):
    ap = argparse.ArgumentParser(prog="bench_compare.py run")
    ap.add_argument("--hedui", required=True)
    ap.add_argument("--mixed", required=True, help="inbox made by scripts/gen --households N")
    ap.add_argument("--csv", required=True, help="inbox made by scripts/gen --households N --csv-only")
    ap.add_argument("--policy", required=True)
    ap.add_argument("--work", required=True, help="folder for outputs (bench-data/compare-N)")
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duckdb-python", required=True)
    ap.add_argument("--sql", required=True)
    ap.add_argument("--as-of", required=True, help="the generator's as-of date (given to hedui for the csv inbox)")
    ap.add_argument("--max-disagree", type=int, default=5)
    ap.add_argument("--md", default="")
    a = ap.parse_args(argv)
    nproc = os.cpu_count() or 1
    os.makedirs(a.work, exist_ok=True)
    mach = machine_rows(a.hedui)
    load_start = os.getloadavg()

    inboxes = [("mixed", a.mixed), ("csv", a.csv)]
    sizes = {}
    for name, inbox in inboxes:
        sizes[name] = inbox_bytes(inbox)
        log(f"inbox {name} {inbox}: {sizes[name][0]} files, {sizes[name][1] / 1e6:.1f} MB gzip, "
            f"{sizes[name][2] / 1e6:.1f} MB uncompressed")

    jobs = []   # (inbox, contender, threads), label, fn: measured in rounds (measure_rounds)
    for name, inbox in inboxes:
        for tool, tool_cmd in FLOOR_TOOLS:
            jobs.append(((name, f"{tool} floor", nproc), f"{name} {tool_cmd}", floor_run(inbox, tool_cmd, nproc)))
        out = os.path.join(a.work, f"out-{name}")
        as_of = a.as_of if name == "csv" else None
        for t in sorted({1, nproc}):
            jobs.append(((name, "hedui", t), f"{name} hedui --threads {t}", hedui_run(a, inbox, out, t, as_of)))
        jobs.append(((name, "hedui validate (ingestion alone)", nproc), f"{name} hedui validate",
                     validate_run(a, inbox, nproc)))

    # DuckDB on the csv inbox, with the as-of date hedui used there (known once hedui has run on it, earlier
    # in the same round).
    duck_out = os.path.join(a.work, "duckdb-assessments.csv")
    rendered = os.path.join(a.work, "duckdb-job.rendered.sql")
    state = {"rendered": False}

    def duckdb_job(t):
        run = duckdb_run(a, rendered, t)

        def go(rep):
            if not state["rendered"]:
                hruns = [r for t2 in sorted({1, nproc}) for r in configs[("csv", "hedui", t2)]["runs"]]
                duck_as_of = hruns[-1]["as_of"] if hruns else a.as_of
                with open(rendered, "w", encoding="utf-8") as f:
                    f.write(render_sql(a.sql, a.csv, duck_as_of, duck_out, a.policy))
                state["rendered"] = True
            return run(rep)
        return go

    for t in sorted({1, nproc}):
        jobs.append((("csv", "DuckDB", t), f"csv DuckDB threads {t}", duckdb_job(t)))
    configs = {key: {"label": label, "runs": [], "error": None} for key, label, _ in jobs}
    measure_rounds(configs, jobs, a.reps)
    load_end = os.getloadavg()

    # Consistency of hedui's runs: the same records and the same assessments.csv for any thread count.
    warnings = []
    for name, _ in inboxes:
        runs = [r for t in sorted({1, nproc}) for r in configs[(name, "hedui", t)]["runs"]]
        for key in ("records", "assessments_sha", "as_of"):
            vals = sorted({str(r[key]) for r in runs})
            if len(vals) > 1:
                warnings.append(f"{name} inbox: hedui's {key} differs between runs: {', '.join(vals)}")
        if runs and runs[0]["as_of"] != a.as_of:
            warnings.append(f"{name} inbox: hedui's as-of is {runs[0]['as_of']}, the generator's {a.as_of}")
        for r in runs:
            if r["rejected"]:
                warnings.append(f"{name} inbox: files rejected: {', '.join(map(str, r['rejected']))}")
    warnings = list(dict.fromkeys(warnings))

    # Agreement of DuckDB with hedui on the csv inbox.
    hruns = [r for t in sorted({1, nproc}) for r in configs[("csv", "hedui", t)]["runs"]]
    agree = None
    if hruns and configs[("csv", "DuckDB", nproc)]["runs"]:
        agree = agreement(os.path.join(a.work, "out-csv", "assessments.csv"), duck_out)
    agree_text = agreement_lines(agree, a.max_disagree) if agree else ["agreement: not checked (a run failed)"]

    # The table.
    header = ["inbox", "contender", "threads", "runs", "min s", "median s", "records/s", "peak RSS MB",
              "hedui/DuckDB", "hedui/pigz floor", "hedui/igzip floor", "other build"]
    rows = []
    for name, _ in inboxes:
        hr = [r for t in sorted({1, nproc}) for r in configs[(name, "hedui", t)]["runs"]]
        records = hr[0]["records"] if hr else 0
        mins = {k: summary(c)[0] for k, c in configs.items() if summary(c)}
        for (iname, contender, t), c in configs.items():
            if iname != name:
                continue
            s = summary(c)
            if s is None:
                rows.append([name, contender, str(t), "error", "", "", "", "", "", "", "", ""])
                continue
            wmin, wmed, rss = s
            ratios = ["", "", ""]
            if contender.startswith("hedui"):
                ratios = [fmt_ratio(wmin, mins.get((name, "DuckDB", t))) if contender == "hedui" else "",
                          fmt_ratio(wmin, mins.get((name, "pigz floor", nproc))),
                          fmt_ratio(wmin, mins.get((name, "igzip floor", nproc)))]
            rows.append([name, contender + (" (error)" if c["error"] else ""), str(t), str(len(c["runs"])),
                         f"{wmin:.2f}", f"{wmed:.2f}", f"{records / wmin:,.0f}" if records else "?",
                         f"{rss / 1e6:,.1f}"] + ratios
                        + [f"{statistics.mean(r['build_overlap'] for r in c['runs']):.0%}"])

    dheader = ["inbox", "files", "gzip MB", "uncompressed MB", "records (records_read)", "units", "hedui exit"]
    drows = []
    for name, _ in inboxes:
        hr = [r for t in sorted({1, nproc}) for r in configs[(name, "hedui", t)]["runs"]]
        drows.append([name, str(sizes[name][0]), f"{sizes[name][1] / 1e6:,.1f}", f"{sizes[name][2] / 1e6:,.1f}",
                      f"{hr[0]['records']:,}" if hr else "?", f"{hr[0]['units']:,}" if hr and hr[0]["units"] else "?",
                      ", ".join(sorted({str(r["rc"]) for r in hr})) or "?"])

    notes = [
        f"Every figure is a fresh process under /usr/bin/time -v; min and median of {a.reps} repetitions, measured in rounds (one of each configuration per round); peak RSS "
        "is the largest \"Maximum resident set size\" (of the largest process for the floors). The inboxes are in the "
        "page cache (read once before timing).",
        f"Floors: `ls *.gz | xargs -P {nproc} -n1 sh -c 'TOOL \"$0\" > /dev/null'` in the inbox: every gzip input "
        "decompressed, one file per process, all cores; no parsing at all. pigz inflates on one thread per file.",
        f"hedui: `hedui run --inbox … --policy {os.path.relpath(a.policy)} --out … --db <fresh file> --threads T`; "
        f"the csv-only inbox has no XML roster (the as-of date's source), so it gets `--as-of {a.as_of}`. Exit 0 or 3.",
        f"hedui validate (ingestion alone): `hedui validate --inbox … --threads {nproc}`: every file inflated, parsed "
        "and every record validated against Schemas/, duplicates counted; no roster, matching, assessment or output "
        "files. It is the part of the run the floors bound: the whole run cannot be nearer the floor than this.",
        "DuckDB: `scripts/duckdb-job.sql` (read the CSVs, normalize, match by ID number and name, latest balances, "
        "windowed net income, vehicles, homes and housing area, status against the policy; COPY one row per unit to "
        "CSV) on the csv-only inbox, in an in-memory database, `SET threads = T`. Wall is the whole python process "
        "(start-up and import included, like hedui's); per run, the query alone is logged. The sample policy's "
        "parameters in force on the as-of date are inlined as a VALUES table, generated from the policy file by "
        "scripts/bench_compare.py. DuckDB does less than hedui: no quarantine/manifest/spot-check/report files, no "
        "review reasons, no run ledger.",
        "records/s: input records of that inbox (sum of `files[].records_read` in hedui's manifest.json) / min wall, "
        "for every contender on that inbox. Ratios: hedui's min wall / the other's min wall (DuckDB at the same "
        "thread count; floors at all cores); above 1 means hedui is slower.",
        "other build: the share of 0.5 s samples during the runs in which a swift-build or swift-frontend process "
        "was running (the machine is shared; read the figures with it and with the load average).",
    ]
    la = lambda t: " ".join(f"{x:.2f}" for x in t)  # noqa: E731
    mach = mach + [("load average at start", la(load_start)), ("load average at end", la(load_end))]
    n = a.households
    title = f"hedui against its peers: {n:,} households (`scripts/gen --households {n}` and `--csv-only`), {a.reps} repetitions"
    out = ["", title, "", text_table(dheader, drows), "", text_table(header, rows), "", "agreement (csv-only inbox):"]
    out += ["  " + x for x in agree_text]
    md = ["## Against the peers", "", title + ".", "", "| machine | |", "| --- | --- |"]
    md += [f"| {k} | {v} |" for k, v in mach] + ["", "### Inputs", "", md_table(dheader, drows), ""]
    md += ["### Results", "", md_table(header, rows), "", "### Agreement with DuckDB (csv-only inbox)", ""]
    md += [x.strip() + "  " for x in agree_text] + [""]
    pheader = ["run", "wall s", "peak RSS MB", "user s", "sys s", "CPU", "load1 before", "other build", "note"]
    prows = [[c["label"], f"{r['wall']:.2f}", f"{r['rss_kib'] * 1024 / 1e6:,.1f}", f"{r['user']:.2f}", f"{r['sys']:.2f}",
              r["cpu"], f"{r['load1']:.2f}", f"{r['build_overlap']:.0%}", r.get("note", "")]
             for c in configs.values() for r in c["runs"]]
    md += ["### Per run", "", md_table(pheader, prows), ""]
    errors = [f"{c['label']}: {c['error']}" for c in configs.values() if c["error"]]
    for e in errors:
        out.append(f"error: {e}")
        md.append(f"Error: `{e}`  ")
    for w in warnings:
        out.append(f"warning: {w}")
        md.append(f"Warning: {w}  ")
    md += [""] + [f"- {x}" for x in notes]
    out += [""] + [f"  {x}" for x in notes] + ["", "machine: " + "; ".join(f"{k} {v}" for k, v in mach)]
    print("\n".join(out))
    if a.md:
        os.makedirs(os.path.dirname(os.path.abspath(a.md)), exist_ok=True)
        with open(a.md, "w") as fh:
            fh.write("\n".join(md) + "\n")
        print(f"\nmarkdown: {a.md}")
    if errors:
        return 1
    if agree is None or agree["disagree"] > a.max_disagree:
        print(f"FAIL: DuckDB and hedui disagree on {agree['disagree'] if agree else '?'} units "
              f"(allowed {a.max_disagree})", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------
# Scaling

def scaling(argv):
    ap = argparse.ArgumentParser(prog="bench_compare.py scaling")
    ap.add_argument("--hedui", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--inbox", action="append", required=True, metavar="N=DIR")
    ap.add_argument("--md", default="")
    a = ap.parse_args(argv)
    nproc = os.cpu_count() or 1
    os.makedirs(a.work, exist_ok=True)
    mach = machine_rows(a.hedui)
    header = ["households", "records", "wall s", "records/s", "peak RSS MB", "RSS B/household", "CPU (user+sys) s",
              "exit", "load1 before", "other build"]
    rows, errors, skipped = [], [], []
    per_household = 0.0   # the largest peak RSS per household so far, to project the next size's need
    for spec in sorted(a.inbox, key=lambda x: int(x.split("=", 1)[0])):
        n_s, inbox = spec.split("=", 1)
        n = int(n_s)
        # The machine is shared: a run that would not fit in memory is skipped, not left to the OOM killer
        # (which might pick another developer's process).
        need, avail = per_household * n * 1.1, mem_available()
        if need and avail and need > 0.85 * avail:
            msg = (f"{n:,} households skipped: projected peak RSS {need / 1e9:.1f} GB (the largest "
                   f"{per_household:,.0f} B/household so far, +10%) is over 85% of the {avail / 1e9:.1f} GB available")
            log(msg)
            skipped.append(msg)
            rows.append([f"{n:,}", "skipped", "", "", f"~{need / 1e6:,.0f} (projected)", "", "", "", "", ""])
            continue
        files, gz, raw = inbox_bytes(inbox)
        log(f"{n:,} households: {files} files, {gz / 1e6:.1f} MB gzip, {raw / 1e6:.1f} MB uncompressed")
        c = measure(f"hedui {n:,} --threads {nproc}", 1,
                    hedui_run(a, inbox, os.path.join(a.work, f"out-scaling-{n}"), nproc, None))
        if not c["runs"]:
            rows.append([f"{n:,}", "error", "", "", "", "", "", "", "", ""])
            errors.append(c["error"])
            continue
        r = c["runs"][0]
        rss = r["rss_kib"] * 1024
        per_household = max(per_household, rss / n)
        rows.append([f"{n:,}", f"{r['records']:,}", f"{r['wall']:.2f}", f"{r['records'] / r['wall']:,.0f}",
                     f"{rss / 1e6:,.1f}", f"{rss / n:,.0f}", f"{r['user'] + r['sys']:.1f}", str(r["rc"]),
                     f"{r['load1']:.2f}", f"{r['build_overlap']:.0%}"])
    title = f"hedui scaling: `hedui run` with --threads {nproc}, one run per size (`scripts/gen --households N`, mixed inbox)"
    print("\n" + title + "\n\n" + text_table(header, rows))
    for e in errors:
        print(f"error: {e}")
    for m in skipped:
        print(f"note: {m}")
    la = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("\nmachine: " + "; ".join(f"{k} {v}" for k, v in mach) + f"; load average at end {la}")
    if a.md:
        md = ["## Scaling", "", title + ".", "", "| machine | |", "| --- | --- |"]
        md += [f"| {k} | {v} |" for k, v in mach] + [f"| load average at end | {la} |", "", md_table(header, rows), ""]
        md += [f"Error: `{e}`  " for e in errors] + [f"Note: {m}  " for m in skipped]
        with open(a.md, "w") as fh:
            fh.write("\n".join(md) + "\n")
        print(f"\nmarkdown: {a.md}")
    return 1 if errors else 0


def main(argv):
    if argv and argv[0] == "run":
        return run(argv[1:])
    if argv and argv[0] == "scaling":
        return scaling(argv[1:])
    if argv and argv[0] == "duckdb-exec":
        return duckdb_exec(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
