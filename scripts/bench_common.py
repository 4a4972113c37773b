"""What both benchmark scripts share: the machine description and the table printers (stdlib only)."""
import datetime as dt
import os
import platform
import subprocess


def sh(cmd):
    """A shell command's standard output, stripped; empty when it fails."""
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def describe(extra):
    """(name, value) rows: date, cores, CPU, memory, kernel, Swift, then `extra`."""
    model = ""
    for ln in sh("lscpu").splitlines():
        if ln.lower().startswith("model name"):
            model = ln.split(":", 1)[1].strip()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    mem = f"{int(ln.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    swift = sh("swift --version 2>&1").splitlines()
    return [
        ("date", dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")),
        ("nproc", sh("nproc")),
        ("CPU", model),
        ("memory", mem),
        ("kernel", platform.release()),
        ("Swift", swift[0] if swift else "?"),
    ] + list(extra)


def text_table(header, rows):
    """A plain-text table: first column left-aligned, the others right-aligned."""
    w = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(h).ljust(w[i]) if i == 0 else str(h).rjust(w[i]) for i, h in enumerate(header))]
    lines.append("  ".join("-" * x for x in w))
    for r in rows:
        lines.append("  ".join(str(c).ljust(w[i]) if i == 0 else str(c).rjust(w[i]) for i, c in enumerate(r)))
    return "\n".join(lines)


def md_table(header, rows):
    """A markdown table with numeric columns right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(header) - 1)) + " |"]
    for r in rows:
        lines.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(lines)


def uncompressed_size(path):
    """Bytes of a file's content: its size, or for a .gz what `igzip -dc` writes."""
    if not path.endswith(".gz"):
        return os.path.getsize(path)
    p = subprocess.Popen(["igzip", "-dc", path], stdout=subprocess.PIPE)
    n = 0
    while True:
        b = p.stdout.read(1 << 20)
        if not b:
            break
        n += len(b)
    if p.wait() != 0:
        raise SystemExit(f"bench: igzip -dc {path} failed")
    return n
