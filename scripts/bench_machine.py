"""The machine description both benchmark scripts print and write (stdlib only)."""
import datetime as dt
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
