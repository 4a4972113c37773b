#!/usr/bin/env python3
"""Re-derive a hedui run's spot-check sample (复核抽查, 双随机) and compare it with spotcheck.csv.

    scripts/spotcheck-verify.py RUN_DIR --policy POLICY [--inspectors INSPECTORS_CSV] [--seed SEED]

Reads RUN_DIR/assessments.csv, RUN_DIR/manifest.json (the seed; --seed overrides it) and the
policy file (spot_check and low_income_multiplier per region, with the regions' overrides), draws
the sample with the algorithm of docs/spot-checks.md and compares it byte for byte with
RUN_DIR/spotcheck.csv.

Prints "spotcheck.csv: re-derived, identical (N rows)" and exits 0, or the first difference and
exits 1. Exits 2 when an input cannot be read.

Independent of the engine on purpose: Python standard library (hashlib) plus PyYAML for the policy.
No floating point: policy decimals are read exactly (decimal.Decimal) and every decision is made
with integers.
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import sys
from decimal import Decimal

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.stderr.write("spotcheck-verify: PyYAML is needed to read the policy (pip install pyyaml)\n")
    sys.exit(2)

TWO64 = 1 << 64
HEADER = ["unit_id", "region_code", "status", "stratum", "weight", "inspector_id", "note"]
RISK_REASONS = ["DECLARED_INCOME_UNDERSTATED", "PROBABLE_MATCH_NO_EFFECT"]
# rules.md's example values, taken for keys the policy leaves out (as the engine does).
SPEC_SPOT_CHECK = {"rate": Decimal("0.05"), "min_per_stratum": 1, "borderline_band": Decimal("0.10"), "risk_weight": 3}
SPEC_LOW_INCOME_MULTIPLIER = Decimal("1.5")


class Fail(Exception):
    """An input that cannot be read: exit 2."""


# ---------------------------------------------------------------------------------------------
# The random stream (docs/spot-checks.md, "The random stream")

class Stream:
    """block_i = SHA-256(seed ‖ 0x00 ‖ label ‖ 0x00 ‖ u64be(i)); the stream is the 64-bit big-endian
    words of block 0, then block 1, ..."""

    def __init__(self, seed, label):
        self.prefix = seed.encode("utf-8") + b"\x00" + label.encode("utf-8") + b"\x00"
        self.counter = 0
        self.words = []

    def word(self):
        if not self.words:
            digest = hashlib.sha256(self.prefix + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
            self.words = [int.from_bytes(digest[i:i + 8], "big") for i in (24, 16, 8, 0)]  # popped from the end
        return self.words.pop()

    def uniform(self, bound):
        """Uniform in [0, bound): words until one is < 2^64 - (2^64 mod bound); that word mod bound."""
        limit = TWO64 - (TWO64 % bound)
        while True:
            w = self.word()
            if w < limit:
                return w % bound


# ---------------------------------------------------------------------------------------------
# The draw (docs/spot-checks.md, "The draw")

def sample_size(n, p):
    by_rate = -((-p["rate_units"] * n) // (10 ** p["rate_scale"]))  # ceil(units × n / 10^scale)
    return min(n, max(max(0, p["min_per_stratum"]), by_rate))


def borderline(income, line, members, p):
    total = line * members
    return abs(income - total) * 10 ** p["band_scale"] <= p["band_units"] * total


def risk_factors(u, p):
    factors = []
    if u["standard"] is not None and borderline(u["income"], u["standard"], u["members"], p):
        factors.append("BORDERLINE_DIBAO")
    if u["low_income_line"] is not None and borderline(u["income"], u["low_income_line"], u["members"], p):
        factors.append("BORDERLINE_LOW_INCOME")
    factors += [r for r in RISK_REASONS if r in u["reasons"]]
    return factors


def weighted_draw(weights, count, stream):
    """Sequential weighted draw without replacement; a Fenwick tree finds the interval holding r."""
    n = len(weights)
    tree = [0] * (n + 1)
    for i, w in enumerate(weights):
        j = i + 1
        while j <= n:
            tree[j] += w
            j += j & -j
    total = sum(weights)
    top = 1
    while top * 2 <= n:
        top *= 2
    taken = []
    for _ in range(count):
        rest = stream.uniform(total)
        pos, step = 0, top
        while step:
            if pos + step <= n and tree[pos + step] <= rest:
                pos += step
                rest -= tree[pos]
            step //= 2
        taken.append(pos)
        w = weights[pos]
        total -= w
        j = pos + 1
        while j <= n:
            tree[j] -= w
            j += j & -j
    return taken


def unit_key(u):
    return (u["unit_id"].encode("utf-8"), u["region"], u["status"].encode("utf-8"), u["income"], u["members"])


def draw(units, inspectors, seed, params):
    strata = {}
    for u in units:
        strata.setdefault("%d/%s" % (u["region"], u["status"]), []).append(u)
    drawn = []
    for label in sorted(strata, key=lambda s: s.encode("utf-8")):
        members = sorted(strata[label], key=unit_key)
        p = params(members[0]["region"])
        k = sample_size(len(members), p)
        risks = [risk_factors(u, p) for u in members]
        weights = [max(1, p["risk_weight"]) if r else 1 for r in risks]
        if k >= len(members):
            picked = range(len(members))
        else:
            picked = weighted_draw(weights, k, Stream(seed, label))
        drawn += [(members[i], weights[i], risks[i], label) for i in picked]
    drawn.sort(key=lambda d: unit_key(d[0]))

    staff = []
    for i in sorted(inspectors, key=lambda i: (i["id"].encode("utf-8"), i["region"],
                                                 i["capacity"] if i["capacity"] is not None else float("inf"))):
        if not staff or staff[-1]["id"] != i["id"]:
            staff.append(i)
    load = [0] * len(staff)
    assign = Stream(seed, "assign")
    rows = []
    for u, weight, risk, label in drawn:
        notes = ["risk: " + ", ".join(risk)] if risk else []
        inspector = ""
        eligible = [i for i, s in enumerate(staff)
                    if s["region"] != u["region"] and (s["capacity"] is None or load[i] < s["capacity"])]
        if not staff:
            notes.append("no inspectors")
        elif not eligible:
            notes.append("no inspector outside region %d with capacity left" % u["region"])
        else:
            fewest = min(load[i] for i in eligible)
            candidates = [i for i in eligible if load[i] == fewest]
            chosen = candidates[assign.uniform(len(candidates))]
            load[chosen] += 1
            inspector = staff[chosen]["id"]
        rows.append([u["unit_id"], str(u["region"]), u["status"], label, str(weight), inspector, "; ".join(notes)])
    rows.sort(key=lambda r: r[0].encode("utf-8"))
    return rows


def render(rows):
    out = []
    for record in [HEADER] + rows:
        fields = []
        for f in record:
            if any(c in f for c in ',"\r\n'):
                f = '"' + f.replace('"', '""') + '"'
            fields.append(f)
        out.append(",".join(fields) + "\n")
    return "".join(out).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Inputs

def exact_decimal(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise Fail("%s: not a number: %r" % (where, value))
    try:
        d = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except Exception:
        raise Fail("%s: not a number: %r" % (where, value))
    if d < 0:
        raise Fail("%s: negative" % where)
    sign, digits, exponent = d.as_tuple()
    scale = max(0, -exponent)
    units = int(d.scaleb(scale))
    while scale > 0 and units % 10 == 0:
        units //= 10
        scale -= 1
    return units, scale


class ExactLoader(yaml.SafeLoader):
    """YAML floats as exact decimals (0.05 stays 5/100, never a binary float)."""


ExactLoader.add_constructor("tag:yaml.org,2002:float",
                            lambda loader, node: Decimal(loader.construct_scalar(node).replace("_", "")))


def load_policy(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=ExactLoader)
    except (OSError, yaml.YAMLError) as e:
        raise Fail("%s: cannot read the policy: %s" % (path, e))
    if not isinstance(doc, dict):
        raise Fail("%s: not a policy file" % path)
    defaults = doc.get("defaults") or {}
    regions = {str(k): (v or {}) for k, v in (doc.get("regions") or {}).items()}
    base_sc = dict(SPEC_SPOT_CHECK)
    base_sc.update(defaults.get("spot_check") or {})
    base_mult = defaults.get("low_income_multiplier", SPEC_LOW_INCOME_MULTIPLIER)

    def params(region):
        sc = dict(base_sc)
        mult = base_mult
        overrides = (regions.get(str(region)) or {}).get("overrides") or {}
        sc.update(overrides.get("spot_check") or {})
        if "low_income_multiplier" in overrides:
            mult = overrides["low_income_multiplier"]
        where = "%s: region %s" % (path, region)
        ru, rs = exact_decimal(sc["rate"], where + " spot_check.rate")
        bu, bs = exact_decimal(sc["borderline_band"], where + " spot_check.borderline_band")
        mu, ms = exact_decimal(mult, where + " low_income_multiplier")
        return {"rate_units": ru, "rate_scale": rs, "min_per_stratum": int(sc["min_per_stratum"]),
                "band_units": bu, "band_scale": bs, "risk_weight": int(sc["risk_weight"]),
                "mult_units": mu, "mult_scale": ms}

    cache = {}

    def cached(region):
        if region not in cache:
            cache[region] = params(region)
        return cache[region]
    return cached


def fen(text, where):
    d = Decimal(text.strip())
    value = d * 100
    if value != value.to_integral_value():
        raise Fail("%s: more than 2 decimals: %s" % (where, text))
    return int(value)


def load_units(run_dir, params):
    path = os.path.join(run_dir, "assessments.csv")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
    except OSError as e:
        raise Fail("%s: %s" % (path, e.strerror))
    units = []
    for number, r in enumerate(rows, start=2):
        where = "%s line %d" % (path, number)
        try:
            region = int(r["region_code"])
            standard = fen(r["standard"], where + " standard") if r["standard"].strip() else None
            u = {"unit_id": r["unit_id"], "region": region, "status": r["status"],
                 "reasons": [c for c in r["reasons"].split(";") if c], "members": int(r["members"]),
                 "income": fen(r["monthly_income"], where + " monthly_income"), "standard": standard}
        except (KeyError, ValueError, ArithmeticError, AttributeError) as e:
            raise Fail("%s: cannot read the row (%s)" % (where, e))
        p = params(region)
        if standard is None:
            u["low_income_line"] = None
        else:  # L = round_half_up(S × low_income_multiplier), in fen
            d = 10 ** p["mult_scale"]
            u["low_income_line"] = (2 * standard * p["mult_units"] + d) // (2 * d)
        units.append(u)
    return units


def fold(text):
    """Full-width U+FF01–U+FF5E to ASCII, then trimmed (exchange-formats.md)."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text).strip()


def load_inspectors(path, run_dir, manifest):
    name = os.path.basename(path)
    for entry in manifest.get("files") or []:
        if entry.get("name") == name and entry.get("rejected"):
            sys.stderr.write("spotcheck-verify: the run rejected %s whole; no inspectors from it\n" % name)
            return []
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise Fail("%s: %s" % (path, e.strerror))
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    # Lines the run quarantined (quarantine.csv: file, location "line N").
    skip = set()
    qpath = os.path.join(run_dir, "quarantine.csv")
    if os.path.exists(qpath):
        with open(qpath, encoding="utf-8-sig", newline="") as f:
            for q in csv.DictReader(f):
                if q.get("file") == name and (q.get("location") or "").startswith("line "):
                    skip.add(int(q["location"][5:]))
                elif q.get("file") == name and q.get("location") == "file":
                    return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header, inspectors = None, []
    previous = 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if not record or all(not f.strip() for f in record):
            continue
        if header is None:
            header = [fold(h).lower() for h in record]
            for column in ("inspector_id", "home_region"):
                if column not in header:
                    raise Fail("%s: the header lacks %s" % (path, column))
            continue
        if start in skip:
            continue
        fields = dict(zip(header, record))
        ident = fold(fields.get("inspector_id", ""))
        region = fold(fields.get("home_region", ""))
        capacity = fold(fields.get("capacity", ""))
        if not ident or len(region) != 6 or not region.isdigit() or not 100000 <= int(region) <= 999999:
            continue  # the run quarantines such a row
        if capacity and not capacity.isdigit():
            continue
        inspectors.append({"id": ident, "region": int(region), "capacity": int(capacity) if capacity else None})
    return inspectors


# ---------------------------------------------------------------------------------------------
# Comparison

def masked(unit_id):
    head, slash, tail = unit_id.partition("/")
    if not slash or len(tail) <= 10:
        return unit_id
    return head + "/" + tail[:6] + "*" * (len(tail) - 10) + tail[-4:]


def parse_csv(data):
    """Records with the physical line each starts on."""
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    records, previous = [], 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if record:
            records.append((start, record))
    return records


def first_difference(expected_rows, published):
    want = [HEADER] + expected_rows
    try:
        have = parse_csv(published)
    except csv.Error:
        return "spotcheck.csv: not well-formed CSV"
    for index in range(max(len(want), len(have))):
        if index >= len(have):
            return "spotcheck.csv: ends after %d rows; the re-derived sample has %d (next: unit %s)" % (
                max(0, len(have) - 1), len(want) - 1, masked(want[index][0]))
        line, a = have[index]
        if index >= len(want):
            return "spotcheck.csv line %d: unit %s is not in the re-derived sample (%d rows)" % (
                line, masked(a[0] if a else ""), len(want) - 1)
        b = want[index]
        if a == b:
            continue
        if index == 0:
            return "spotcheck.csv line 1: header is %s, expected %s" % (",".join(a), ",".join(b))
        if len(a) != len(b):
            return "spotcheck.csv line %d: %d fields, expected %d" % (line, len(a), len(b))
        column = next(i for i in range(len(a)) if a[i] != b[i])
        shown_a, shown_b = (masked(a[0]), masked(b[0])) if column == 0 else (a[column], b[column])
        return 'spotcheck.csv line %d (unit %s): %s is "%s", re-derived "%s"' % (
            line, masked(b[0]), HEADER[column], shown_a, shown_b)
    return ("spotcheck.csv: same rows, but the bytes differ from the canonical form "
            "(quoting, line ends or a byte-order mark)")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Re-derive a hedui run's spotcheck.csv and compare.")
    ap.add_argument("run_dir", metavar="RUN_DIR")
    ap.add_argument("--policy", required=True)
    ap.add_argument("--inspectors", help="the inspectors.csv[.gz] of the run's inbox")
    ap.add_argument("--seed", help="the seed (default: manifest.json's)")
    args = ap.parse_args(argv)
    try:
        manifest_path = os.path.join(args.run_dir, "manifest.json")
        try:
            with open(manifest_path, encoding="utf-8") as f:
                manifest = json.load(f)
        except (OSError, ValueError) as e:
            raise Fail("%s: cannot read: %s" % (manifest_path, e))
        seed = args.seed if args.seed is not None else manifest.get("seed")
        if not isinstance(seed, str):
            raise Fail("%s: no seed; pass --seed" % manifest_path)
        params = load_policy(args.policy)
        units = load_units(args.run_dir, params)
        if args.inspectors:
            inspectors = load_inspectors(args.inspectors, args.run_dir, manifest)
        else:
            used = [e.get("name") for e in manifest.get("files") or []
                    if e.get("kind") == "inspectors" and not e.get("rejected")]
            if used:
                raise Fail("the run read the inspectors file %s: pass it with --inspectors" % used[0])
            inspectors = []
        spot_path = os.path.join(args.run_dir, "spotcheck.csv")
        try:
            with open(spot_path, "rb") as f:
                published = f.read()
        except OSError as e:
            raise Fail("%s: %s" % (spot_path, e.strerror))
    except Fail as e:
        sys.stderr.write("spotcheck-verify: %s\n" % e)
        return 2

    rows = draw(units, inspectors, seed, params)
    if render(rows) == published:
        print("spotcheck.csv: re-derived, identical (%d rows)" % len(rows))
        return 0
    print(first_difference(rows, published))
    return 1


if __name__ == "__main__":
    sys.exit(main())
