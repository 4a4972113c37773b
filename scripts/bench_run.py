#!/usr/bin/env python3
"""Assessment-run benchmark for hedui (called by scripts/bench run; stdlib only).

  bench_run.py run --hedui BIN --inbox DIR --policy FILE --out DIR --households N
                   [--reps K] [--threads T] [--md FILE]

Times the whole nightly batch, `hedui run --inbox DIR --policy FILE --out DIR --threads T`, K times
(each a fresh process under `/usr/bin/time -v`), then once more with `--threads 1` for scaling.
Wall time is /usr/bin/time's "Elapsed (wall clock) time", peak memory its "Maximum resident set size".
Exit 0 and exit 3 (completed, records quarantined: the generator makes bad records on purpose) count as
success, anything else as failure. Input records are the sum of files[].records_read in the manifest.json
that hedui writes; units are the data rows of assessments.csv.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess

import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import describe, md_table, sh, text_table, uncompressed_size  # noqa: E402

OK_EXIT = (0, 3)


class Failed(Exception):
    pass


# ---------------------------------------------------------------------------
# Helpers



def load1():
    return os.getloadavg()[0]


def swift_builds():
    """Pids of running swift-build / swift-frontend processes (other builds make timings noisy).

    By process name (pgrep -x), not -f through a shell: `sh -c "pgrep -f swift-build"` matches its own shell."""
    pids = []
    for name in ("swift-build", "swift-frontend"):
        try:
            p = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True, timeout=10)
            pids += p.stdout.split()
        except (OSError, subprocess.SubprocessError):
            pass
    return pids




def inbox_files(inbox):
    return sorted(f for f in os.listdir(inbox) if not f.startswith(".") and os.path.isfile(os.path.join(inbox, f)))


def parse_elapsed(s):
    """'h:mm:ss' or 'm:ss.ss' -> seconds."""
    secs = 0.0
    for part in s.strip().split(":"):
        secs = secs * 60 + float(part)
    return secs


def parse_time_v(text):
    out = {}
    for ln in text.splitlines():
        ln = ln.strip()
        if ln.startswith("Elapsed (wall clock) time"):
            out["wall"] = parse_elapsed(ln.rsplit(": ", 1)[1])
        elif ln.startswith("Maximum resident set size (kbytes):"):
            out["rss_kib"] = int(ln.rsplit(":", 1)[1])
        elif ln.startswith("User time (seconds):"):
            out["user"] = float(ln.rsplit(":", 1)[1])
        elif ln.startswith("System time (seconds):"):
            out["sys"] = float(ln.rsplit(":", 1)[1])
        elif ln.startswith("Percent of CPU this job got:"):
            out["cpu"] = ln.rsplit(":", 1)[1].strip()
        elif ln.startswith("Exit status:"):
            out["exit"] = int(ln.rsplit(":", 1)[1])
        elif ln.startswith("Command terminated by signal"):
            out["signal"] = ln
    return out


def count_units(path):
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


# ---------------------------------------------------------------------------
# A command under /usr/bin/time -v

def time_command(cmd, time_bin="/usr/bin/time", cwd=None):
    """Runs cmd (a list) under `time -v`. Returns (the parsed -v fields, exit code, wall seconds by perf_counter,
    stdout, stderr, {"load1": before, "build_overlap": share of 0.5 s samples while a swift build ran})."""
    before = {"load1": load1()}
    samples = []  # every 0.5 s while it runs: is another build compiling on the machine?
    with tempfile.NamedTemporaryFile("r", prefix="bench-time-", suffix=".txt") as tf, \
            tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        p = subprocess.Popen([time_bin, "-v", "-o", tf.name] + cmd, cwd=cwd, stdin=subprocess.DEVNULL,
                             stdout=out_f, stderr=err_f)
        while True:
            samples.append(bool(swift_builds()))
            try:
                p.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                pass
        perf = time.perf_counter() - t0
        tv = parse_time_v(open(tf.name).read())
        out_f.seek(0)
        err_f.seek(0)
        stdout = out_f.read().decode(errors="replace").strip()
        stderr = err_f.read().decode(errors="replace").strip()
    before["build_overlap"] = sum(samples) / len(samples)
    return tv, tv.get("exit", p.returncode), perf, stdout, stderr, before


# ---------------------------------------------------------------------------
# One run

def run_once(time_bin, hedui, inbox, policy, out, threads, log):
    # A fresh run ledger each time: with the ledger of an earlier repetition, hedui would find this very
    # run already done (idempotent reruns) and publish nothing, which is not what is measured here.
    ledger = os.path.join(os.path.dirname(os.path.abspath(out)), "bench-run.sqlite")
    for stale in (ledger, ledger + "-wal", ledger + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    cmd = [hedui, "run", "--inbox", inbox, "--policy", policy, "--out", out, "--threads", str(threads), "--db", ledger]
    tv, rc, perf, stdout, stderr, before = time_command(cmd, time_bin)
    res = {"cmd": " ".join(cmd), "threads": threads, "rc": rc, "perf_wall": perf, "stdout": stdout,
           "stderr": stderr, **before, **tv}
    if "signal" in tv or rc not in OK_EXIT or "wall" not in tv:
        tail = " | ".join((stderr.splitlines() or stdout.splitlines() or ["(no output)"])[-5:])
        raise Failed(f"{' '.join(cmd)} exited {tv.get('signal') or rc} after {perf:.1f}s: {tail}")
    man_path = os.path.join(out, "manifest.json")
    try:
        with open(man_path) as f:
            man = json.load(f)
    except (OSError, ValueError) as e:
        raise Failed(f"no readable {man_path} after exit {rc}: {e}") from e
    files = man.get("files") or []
    res["records"] = sum(int(f.get("records_read") or 0) for f in files)
    res["quarantined"] = sum(int(f.get("quarantined") or 0) for f in files)
    res["duplicate"] = sum(int(f.get("duplicate") or 0) for f in files)
    res["rejected_files"] = [f.get("name") for f in files if f.get("rejected")]
    res["manifest_units"] = man.get("units")
    res["manifest_threads"] = man.get("threads")
    res["files"] = files
    res["units"] = count_units(os.path.join(out, "assessments.csv"))
    log(f"  threads {threads}: wall {tv['wall']:8.2f}s  peak RSS {tv['rss_kib'] * 1024 / 1e6:8.1f} MB  "
        f"user {tv.get('user', 0):.1f}s sys {tv.get('sys', 0):.1f}s CPU {tv.get('cpu', '?')}  exit {rc}  "
        f"(load1 before {before['load1']:.2f}, another swift build running {before['build_overlap']:.0%} of the time)")
    return res


def measure(label, reps, threads, a, log):
    r = {"label": label, "threads": threads, "runs": [], "error": None}
    try:
        for _ in range(reps):
            r["runs"].append(run_once(a.time, a.hedui, a.inbox, a.policy, a.out, threads, log))
    except (Failed, OSError) as e:
        r["error"] = str(e)
        log(f"  {label}: ERROR {e}")
    return r


# ---------------------------------------------------------------------------
# Machine description

def machine(hedui):
    return describe([
        ("hedui", (sh(f"'{hedui}' --version 2>&1 | head -1") or "?")
         + f", binary sha256 {sh(f'sha256sum {chr(39)}{hedui}{chr(39)}')[:16] or '?'}"),
        ("igzip", sh("igzip --version 2>&1 | head -1") or "?"),
    ])


# ---------------------------------------------------------------------------
# Report



NOTES = [
    "wall: /usr/bin/time -v \"Elapsed (wall clock) time\" of the whole `hedui run` process (start-up, reading the "
    "inbox, matching, assessing, writing and publishing the four output files). Every repetition is a fresh process; "
    "no untimed warm-up, but the inbox is in the page cache (it was just read to measure its uncompressed size).",
    "records/s: input records (sum of `files[].records_read` in manifest.json, roster and inspector rows included) / "
    "min wall.",
    "peak RSS: /usr/bin/time -v \"Maximum resident set size\" (KiB × 1024), max over the repetitions, in 10^6 bytes; "
    "RSS B/household: that peak / households.",
    "scaling: 1-thread min wall / T-thread min wall (the 1-thread configuration is run once, unless T is 1).",
    "load1 before: the 1-minute load average just before each run; other build running: the share of 0.5 s samples "
    "during the run in which a swift-build or swift-frontend process was running. The machine is shared, so read "
    "the figures with these.",
]


def run(argv):
    ap = argparse.ArgumentParser(prog="bench_run.py run")
    ap.add_argument("--hedui", required=True)
    ap.add_argument("--inbox", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--time", default="/usr/bin/time")
    ap.add_argument("--md", default="")
    a = ap.parse_args(argv)

    def log(m):
        print(m, file=sys.stderr, flush=True)

    for p in (a.hedui, a.time):
        if not os.access(p, os.X_OK):
            raise SystemExit(f"bench: {p} is not executable")
    mach = machine(a.hedui)
    load_start = os.getloadavg()
    busy = swift_builds()
    if busy:
        log(f"bench: WARNING: swift-build processes are running ({busy}); timings will be noisy")

    # The inbox: sizes (this also brings every file into the page cache).
    names = inbox_files(a.inbox)
    if not names:
        raise SystemExit(f"bench: {a.inbox} is empty")
    sizes = {n: (os.path.getsize(os.path.join(a.inbox, n)), uncompressed_size(os.path.join(a.inbox, n))) for n in names}
    gz_total = sum(s[0] for s in sizes.values())
    raw_total = sum(s[1] for s in sizes.values())
    log(f"inbox {a.inbox}: {len(names)} files, {gz_total / 1e6:.1f} MB on disk, {raw_total / 1e6:.1f} MB uncompressed")

    log(f"hedui run, {a.reps} × --threads {a.threads}:")
    configs = [measure(f"--threads {a.threads}", a.reps, a.threads, a, log)]
    if a.threads != 1:
        log("hedui run, 1 × --threads 1:")
        configs.append(measure("--threads 1", 1, 1, a, log))
    load_end = os.getloadavg()

    ok_runs = [r for c in configs for r in c["runs"]]
    first = ok_runs[0] if ok_runs else None
    warnings = []
    for r in ok_runs:
        for key in ("records", "units", "quarantined"):
            if r[key] != first[key]:
                warnings.append(f"{key} differs between runs: {first[key]} (threads {first['threads']}) vs "
                                f"{r[key]} (threads {r['threads']})")
        if r["manifest_units"] is not None and r["manifest_units"] != r["units"]:
            warnings.append(f"manifest.json says {r['manifest_units']} units, assessments.csv has {r['units']} rows")
        if r["manifest_threads"] is not None and r["manifest_threads"] != r["threads"]:
            warnings.append(f"asked for --threads {r['threads']}, manifest.json says {r['manifest_threads']}")
        if r["rejected_files"]:
            warnings.append(f"files rejected: {', '.join(map(str, r['rejected_files']))}")
    warnings = list(dict.fromkeys(warnings))

    # Dataset table
    n = a.households
    ds = [("households", f"{n:,}")]
    if first:
        ds += [("units (assessments.csv rows)", f"{first['units']:,}"),
               ("input records (records_read)", f"{first['records']:,}"),
               ("  quarantined / duplicate", f"{first['quarantined']:,} / {first['duplicate']:,}")]
    ds += [("input files", str(len(names))),
           ("input bytes, on disk (gzip)", f"{gz_total:,} ({gz_total / 1e6:.1f} MB)"),
           ("input bytes, uncompressed", f"{raw_total:,} ({raw_total / 1e6:.1f} MB)"),
           ("exit code", ", ".join(sorted({str(r["rc"]) for r in ok_runs})) or "—")]

    # Results table
    header = ["threads", "runs", "min wall s", "median wall s", "records/s", "households/s", "peak RSS MB",
              "RSS B/household", "CPU (user+sys) s", "scaling"]
    rows = []
    mins = {}
    for c in configs:
        if c["error"] and not c["runs"]:
            rows.append([str(c["threads"]), "error", "", "", "", "", "", "", "", ""])
            continue
        walls = [r["wall"] for r in c["runs"]]
        mins[c["threads"]] = min(walls)
    for c in configs:
        if not c["runs"]:
            continue
        walls = [r["wall"] for r in c["runs"]]
        wmin = min(walls)
        rss = max(r["rss_kib"] for r in c["runs"]) * 1024
        cpu = min(r.get("user", 0) + r.get("sys", 0) for r in c["runs"])
        scaling = ""
        if c["threads"] != 1 and 1 in mins:
            scaling = f"{mins[1] / wmin:.2f}×"
        elif c["threads"] == 1 and len(mins) > 1:
            scaling = "1.00× (base)"
        rows.append([str(c["threads"]) + (" (error)" if c["error"] else ""), str(len(walls)), f"{wmin:.2f}",
                     f"{statistics.median(walls):.2f}", f"{first['records'] / wmin:,.0f}", f"{n / wmin:,.0f}",
                     f"{rss / 1e6:,.1f}", f"{rss / n:,.0f}", f"{cpu:.1f}", scaling])

    # Per-run detail
    dheader = ["threads", "wall s", "peak RSS MB", "user s", "sys s", "CPU", "exit", "load1 before", "other build running"]
    drows = [[str(r["threads"]), f"{r['wall']:.2f}", f"{r['rss_kib'] * 1024 / 1e6:.1f}", f"{r.get('user', 0):.2f}",
              f"{r.get('sys', 0):.2f}", r.get("cpu", "?"), str(r["rc"]), f"{r['load1']:.2f}",
              f"{r['build_overlap']:.0%} of the run"] for r in ok_runs]

    # Per-file table (from the first good manifest)
    fheader = ["file", "gzip bytes", "uncompressed bytes", "records_read", "quarantined"]
    by_name = {f.get("name"): f for f in (first["files"] if first else [])}
    frows = [[nm, f"{sizes[nm][0]:,}", f"{sizes[nm][1]:,}",
              f"{int(by_name[nm].get('records_read') or 0):,}" if nm in by_name else "(not read)",
              f"{int(by_name[nm].get('quarantined') or 0):,}" if nm in by_name else ""] for nm in names]

    la = lambda t: " ".join(f"{x:.2f}" for x in t)  # noqa: E731
    mach = mach + [("load average at start", la(load_start)), ("load average at end", la(load_end))]
    title = (f"hedui run benchmark: {n:,} households (`scripts/gen --households {n}`), "
             f"{a.reps} × --threads {a.threads}" + (", 1 × --threads 1" if a.threads != 1 else ""))
    out = ["", title, "", text_table(["dataset", ""], ds), "", text_table(header, rows), "",
           "per run:", text_table(dheader, drows), "", "per file:", text_table(fheader, frows)]
    md = ["## Assessment run benchmark", "",
          f"{n:,} households (`scripts/gen --households {n}`), `hedui run --inbox … --policy {os.path.relpath(a.policy)} "
          f"--out … --threads T`: {a.reps} repetitions with T = {a.threads}"
          + (", one with T = 1" if a.threads != 1 else "") + "; min and median wall time.", "",
          "| machine | |", "| --- | --- |"] + [f"| {k} | {v} |" for k, v in mach] + [""]
    md += ["### Dataset", "", "| | |", "| --- | ---: |"] + [f"| {k.strip()} | {v} |" for k, v in ds] + [""]
    md += ["### Results", "", md_table(header, rows), ""]
    for c in configs:
        if c["error"]:
            out.append(f"error: {c['label']}: {c['error']}")
            md.append(f"Error: {c['label']}: `{c['error']}`  ")
    for w in warnings:
        out.append(f"warning: {w}")
        md.append(f"Warning: {w}  ")
    if first:
        out += ["", "hedui said: " + first["stdout"]]
        md += ["", f"hedui said (first run): `{first['stdout']}`", ""]
    md += ["### Per run", "", md_table(dheader, drows), "", "### Per file", "", md_table(fheader, frows), ""]
    md += [f"- {x}" for x in NOTES]
    out += [""] + [f"  {x}" for x in NOTES]
    out += ["", "machine: " + "; ".join(f"{k} {v}" for k, v in mach)]
    print("\n".join(out))
    if a.md:
        os.makedirs(os.path.dirname(os.path.abspath(a.md)), exist_ok=True)
        with open(a.md, "w") as fh:
            fh.write("\n".join(md) + "\n")
        print(f"\nmarkdown: {a.md}")
    return 1 if any(c["error"] for c in configs) else 0


def main(argv):
    if argv and argv[0] == "run":
        return run(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
