"""hedui_gen: helpers and a fast, deterministic generator of hedui exchange files.

Used by `scripts/gen` (benchmark inboxes at any scale) and `scripts/make-sample`
(the hand-designed SampleData inbox). Python 3 stdlib + PyYAML only.

Determinism: every random choice comes from random.Random seeded with a string
derived from --seed and the chunk number, so the same arguments give the same
bytes on any machine and with any number of processes. Gzip output has mtime 0
and no file name.

Big files are written as ONE gzip member: each worker compresses its chunk as raw
deflate ending in a sync flush, the parent concatenates the pieces, adds the
final block and combines the CRC-32s (crc32_combine below). This is what pigz
does, and keeps the files readable by tools that only read the first member.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import io
import os
import random
import struct
import zlib

# ---------------------------------------------------------------------------
# ID numbers (GB 11643-1999)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # index = weighted sum mod 11

_FW = {ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF01, 0xFF5F))}
_FW[0x3000] = 0x20
_TO_FW_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def fold(text: str) -> str:
    """Full-width U+FF01-U+FF5E to ASCII, ideographic space to space, trimmed."""
    return text.translate(_FW).strip()


def to_fullwidth_digits(text: str) -> str:
    return text.translate(_TO_FW_DIGITS)


def id_check_char(body17: str) -> str:
    s = 0
    for w, c in zip(ID_WEIGHTS, body17):
        s += w * (ord(c) - 48)
    return ID_CHECK[s % 11]


def make_id(prefix: str, birth: _dt.date | str, seq: int) -> str:
    """18-character ID: 6-digit region prefix, birth date YYYYMMDD, 3-digit sequence, check."""
    b = birth if isinstance(birth, str) else birth.strftime("%Y%m%d")
    body = f"{prefix}{b}{seq % 1000:03d}"
    return body + id_check_char(body)


def id15_to_18(id15: str) -> str:
    body = id15[:6] + "19" + id15[6:15]
    return body + id_check_char(body)


def to_legacy15(id18: str) -> str:
    """The 15-digit form of an 18-digit ID born 1900-1999 (drop the century and the check)."""
    assert id18[6:8] == "19"
    return id18[:6] + id18[8:17]


def _real_date(yyyymmdd: str) -> bool:
    try:
        _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
        return True
    except ValueError:
        return False


def normalize_id(text: str) -> str | None:
    """The normalized 18-character ID, or None when it is invalid (exchange-formats.md)."""
    t = fold(text).upper()
    if len(t) == 15 and t.isdigit() and t.isascii():
        t = id15_to_18(t)
        return t if _real_date(t[6:14]) else None
    if len(t) != 18 or not (t[:17].isdigit() and t[:17].isascii()) or t[17] not in "0123456789X":
        return None
    if id_check_char(t[:17]) != t[17] or not _real_date(t[6:14]):
        return None
    return t


def id_valid(text: str) -> bool:
    return normalize_id(text) is not None


def id_birth(id18: str) -> _dt.date:
    return _dt.date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))


def age_on(id18: str, day: _dt.date) -> int:
    b = id_birth(id18)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


def id_substitute(id18: str, pos: int, digit: str) -> str:
    """Same ID with one substituted character (the check then fails; pos < 17)."""
    assert id18[pos] != digit
    return id18[:pos] + digit + id18[pos + 1:]


def id_swap(id18: str, pos: int) -> str:
    """Same ID with the characters at pos and pos+1 swapped (they must differ)."""
    assert id18[pos] != id18[pos + 1]
    return id18[:pos] + id18[pos + 1] + id18[pos] + id18[pos + 2:]


def id_bad_check(id18: str) -> str:
    """Same 17-digit body with a wrong check character."""
    good = id18[17]
    for c in "0123456789X":
        if c != good:
            return id18[:17] + c
    raise AssertionError


# ---------------------------------------------------------------------------
# Names

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "慕容")
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国建华志强文斌海燕凤英春梅金凤淑珍"
    "玉梅德明国强秀珍桂兰永刚晓东晓燕丽娟子涵浩然欣怡宇轩梓涵一诺雨桐俊杰思远佳怡嘉豪婷婷志明国庆建军"
)
GIVEN_CHARS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红建国志文斌海燕凤春梅金淑珍德永晓东子涵浩然欣怡宇轩梓一诺雨桐俊思远佳嘉豪婷庆荣福贵宝林森琳瑶鑫宏亮辉"
MINORITY_NAMES = (
    "阿依古丽·买买提", "艾力·阿不都热合曼", "买买提·艾则孜", "古丽娜尔·吐尔逊", "热依汗古丽·艾买提",
    "努尔艾力·吐尔洪", "帕提古丽·阿不力孜", "吐尔逊·卡德尔", "扎西·顿珠", "卓玛·次仁", "巴特尔·其木格",
)


def random_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.01:
        return MINORITY_NAMES[int(rng.random() * len(MINORITY_NAMES))]
    sur = COMPOUND_SURNAMES[int(rng.random() * 6)] if r < 0.015 else SURNAMES[int(rng.random() * len(SURNAMES))]
    k = 1 if rng.random() < 0.3 else 2
    given = "".join(GIVEN_CHARS[int(rng.random() * len(GIVEN_CHARS))] for _ in range(k))
    return sur + given


# ---------------------------------------------------------------------------
# Policy

def load_policy(path: str) -> dict:
    import yaml  # PyYAML; imported lazily so workers that don't need it stay light

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _as_date(v) -> _dt.date:
    return v if isinstance(v, _dt.date) else _dt.date.fromisoformat(str(v))


def region_params(policy: dict, region: str) -> dict:
    p = dict(policy.get("defaults") or {})
    reg = (policy.get("regions") or {}).get(str(region))
    if reg and reg.get("overrides"):
        p.update(reg["overrides"])
    return p


def yuan_to_fen(v) -> int:
    """Decimal yuan (number or text) to integer fen, half-up, without floating error."""
    from decimal import Decimal, ROUND_HALF_UP

    return int((Decimal(str(v)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_half_up_div(num: int, den: int) -> int:
    """round_half_up(num / den) for num >= 0, den > 0."""
    return (2 * num + den) // (2 * den)


def standard_fen(policy: dict, region: str, area: str, as_of: _dt.date) -> int | None:
    """S: the monthly standard per person in fen, or None (POLICY_MISSING)."""
    reg = (policy.get("regions") or {}).get(str(region))
    if not reg:
        return None
    best = None
    for e in reg.get("standards") or []:
        f = _as_date(e["from"])
        if f <= as_of and (best is None or f > _as_date(best["from"])):
            best = e
    if best is None or best.get(area) is None:
        return None
    return yuan_to_fen(best[area])


def low_income_line(policy: dict, region: str, s_fen: int) -> int:
    from decimal import Decimal, ROUND_HALF_UP

    m = Decimal(str(region_params(policy, region)["low_income_multiplier"]))
    return int((Decimal(s_fen) * m).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def income_window(as_of: _dt.date, months: int = 12) -> list[str]:
    """The `months` calendar months ending with the month before as_of's month, as YYYY-MM."""
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(months):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


def month_add(ym: str, k: int) -> str:
    y, m = int(ym[:4]), int(ym[5:7])
    t = y * 12 + (m - 1) + k
    return f"{t // 12:04d}-{t % 12 + 1:02d}"


# ---------------------------------------------------------------------------
# Value formatting

def yuan(fen: int) -> str:
    """Integer fen as yuan text with 2 decimals (`-12.05`)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def yuan_commas(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def date_forms(d: _dt.date) -> tuple[str, ...]:
    return (d.isoformat(), f"{d.year}/{d.month:02d}/{d.day:02d}", d.strftime("%Y%m%d"), f"{d.year}年{d.month}月{d.day}日")


def csv_field(v: str) -> str:
    if v and (',' in v or '"' in v or '\n' in v or '\r' in v or v[0] == ' ' or v[-1] == ' '):
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_line(fields, eol: str = "\n") -> str:
    return ",".join(csv_field("" if f is None else str(f)) for f in fields) + eol


_XML_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def xml_esc(v: str) -> str:
    return v.translate(_XML_ESC)


def xml_record(tag: str, fields) -> str:
    """<tag><a>..</a>...</tag> from (element, value) pairs; None values are left out."""
    parts = [f"<{tag}>"]
    for k, v in fields:
        if v is not None:
            parts.append(f"<{k}>{xml_esc(str(v))}</{k}>")
    parts.append(f"</{tag}>\n")
    return "".join(parts)


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """Deterministic gzip: mtime 0, no file name."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=level, mtime=0, filename="") as g:
        g.write(data)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# Layouts (CSV header order; the engine finds columns by name)

HEADERS = {
    "roster": ["household_id", "region_code", "area_type", "application_type", "current_status", "address",
               "id_number", "name", "relation", "disability_grade", "employment", "separate_household",
               "declared_monthly_income", "rigid_expense_annual"],
    "bank": ["id_number", "name", "bank_code", "account_no", "account_type", "balance", "currency", "as_of"],
    "tax": ["id_number", "name", "period", "income_type", "gross_income", "tax_paid", "social_contrib", "withholder"],
    "vehicle": ["id_number", "name", "plate", "vehicle_type", "registered_on", "assessed_value", "status"],
    "property": ["id_number", "name", "cert_no", "property_type", "floor_area", "share", "registered_on", "status", "address"],
    "inspectors": ["inspector_id", "name", "home_region", "capacity"],
}
XML_NAMES = {
    "bank": ("accounts", "account", ["idNumber", "name", "bankCode", "accountNo", "accountType", "balance", "currency", "asOf"]),
    "tax": ("taxRecords", "taxRecord", ["idNumber", "name", "period", "incomeType", "grossIncome", "taxPaid", "socialContrib", "withholder"]),
    "vehicle": ("vehicles", "vehicle", ["idNumber", "name", "plate", "vehicleType", "registeredOn", "assessedValue", "status"]),
    "property": ("properties", "property", ["idNumber", "name", "certNo", "propertyType", "floorArea", "share", "registeredOn", "status", "address"]),
}
ROSTER_HH_ATTRS = [("household_id", "id"), ("region_code", "regionCode"), ("area_type", "areaType"),
                   ("application_type", "applicationType"), ("current_status", "currentStatus"), ("address", "address")]
ROSTER_MEMBER_ATTRS = [("id_number", "idNumber"), ("name", "name"), ("relation", "relation"),
                       ("disability_grade", "disabilityGrade"), ("employment", "employment"),
                       ("separate_household", "separateHousehold")]
ROSTER_MEMBER_ELEMS = [("declared_monthly_income", "declaredMonthlyIncome"), ("rigid_expense_annual", "rigidExpenseAnnual")]


def record_csv(kind: str, rec: dict, eol: str = "\n") -> str:
    return csv_line([rec.get(h) for h in HEADERS[kind]], eol)


def record_xml(kind: str, rec: dict) -> str:
    _, tag, names = XML_NAMES[kind]
    return xml_record(tag, [(x, rec.get(h)) for h, x in zip(HEADERS[kind], names)])


def xml_open(kind: str, encoding: str = "UTF-8") -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>\n<{XML_NAMES[kind][0]}>\n'


def xml_close(kind: str) -> str:
    return f"</{XML_NAMES[kind][0]}>\n"


def roster_xml(households: list[list[dict]], as_of: str, encoding: str = "UTF-8") -> str:
    """households: list of member-row lists (dicts with the roster CSV columns)."""
    out = [f'<?xml version="1.0" encoding="{encoding}"?>\n<roster asOf="{as_of}">\n']
    for rows in households:
        out.append(roster_household_xml(rows))
    out.append("</roster>\n")
    return "".join(out)


def roster_household_xml(rows: list[dict]) -> str:
    h = rows[0]
    attrs = "".join(f' {x}="{xml_esc(str(h[c]))}"' for c, x in ROSTER_HH_ATTRS if h.get(c) not in (None, ""))
    out = [f"<household{attrs}>\n"]
    for m in rows:
        ma = "".join(f' {x}="{xml_esc(str(m[c]))}"' for c, x in ROSTER_MEMBER_ATTRS if m.get(c) not in (None, ""))
        kids = "".join(f"<{x}>{xml_esc(str(m[c]))}</{x}>" for c, x in ROSTER_MEMBER_ELEMS if m.get(c) not in (None, ""))
        out.append(f"  <member{ma}>{kids}</member>\n" if kids else f"  <member{ma}/>\n")
    out.append("</household>\n")
    return "".join(out)


# ---------------------------------------------------------------------------
# Single-member parallel gzip (pigz style)

_ZEROS = bytes(1 << 20)


def _crc_zeros(crc: int, n: int) -> int:
    while n > 0:
        k = min(n, len(_ZEROS))
        crc = zlib.crc32(_ZEROS[:k] if k < len(_ZEROS) else _ZEROS, crc)
        n -= k
    return crc


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and len(B).

    CRC-32 is affine over GF(2): crc(B, start=c1) = crc(0^n, start=c1) ^ crc(B) ^ crc(0^n),
    with 0^n the string of n zero bytes; zlib computes those in C.
    """
    if len2 <= 0:
        return crc1
    return _crc_zeros(crc1, len2) ^ _crc_zeros(0, len2) ^ crc2


def deflate_piece(data: bytes, level: int = 1) -> tuple[bytes, int, int]:
    """Raw deflate of data ending in a sync flush (byte aligned, not final), its CRC-32 and length."""
    co = zlib.compressobj(level, zlib.DEFLATED, -15, 8)
    return co.compress(data) + co.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(data), len(data)


class PieceWriter:
    """Writes one gzip member (or plain text) from pieces produced anywhere, in order."""

    GZ_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x04\x03"  # deflate, no flags, mtime 0, fastest, unix

    def __init__(self, path: str, gz: bool = True):
        self.f = open(path, "wb")
        self.gz = gz
        self.crc = 0
        self.size = 0
        if gz:
            self.f.write(self.GZ_HEADER)

    def add_text(self, text: str):
        data = text.encode("utf-8")
        self.add_piece(deflate_piece(data) if self.gz else (data, zlib.crc32(data), len(data)))

    def add_piece(self, piece):
        blob, crc, n = piece
        self.f.write(blob)
        self.crc = crc32_combine(self.crc, crc, n)
        self.size += n

    def close(self):
        if self.gz:
            self.f.write(b"\x03\x00")  # final empty fixed-Huffman block
            self.f.write(struct.pack("<II", self.crc & 0xFFFFFFFF, self.size & 0xFFFFFFFF))
        self.f.close()


# ---------------------------------------------------------------------------
# The bulk generator

CHUNK_HOUSEHOLDS = 4000        # fixed, so output does not depend on the process count
SEQS_PER_CHUNK = 4             # ID sequence numbers reserved per chunk (uniqueness across chunks)
EXTRA_PREFIXES = (
    "330901", "330921", "330922", "330104", "330106", "330203", "330302", "330402", "330502", "330602",
    "320102", "320205", "320311", "320412", "320506", "320602", "320703", "320804", "320902", "321002",
    "370103", "370104", "370105", "370112", "370202", "370302", "370402", "370502", "370602", "370702",
    "340102", "340202", "350102", "350203", "360102", "410102", "420102", "430102", "440103", "450102",
)
BANKS = (("102", "622202", "icbc"), ("105", "621700", "ccb"))
WITHHOLDERS = ("舟山市定海区环卫服务中心", "溧阳市天目湖旅游有限公司", "济南市历下区物业管理有限公司",
               "浙江海力生制药有限公司", "江苏上上电缆集团有限公司", "山东鲁能物业服务有限公司",
               "舟山市普陀区渔业合作社", "溧阳市社会保险基金管理中心", "济南市社会保险事业中心", "个人经营户")
PLATE_PREFIX = {"33": "浙L", "32": "苏D", "37": "鲁A"}
STREETS = ("解放路", "人民路", "新桥路", "和平街", "文化路", "海滨路", "环城北路", "泉城路", "燕山路", "育才街")


class GenConfig:
    def __init__(self, seed: str, as_of: _dt.date, regions: list[tuple[str, str]], csv_only: bool = False,
                 messy_rate: float = 0.005, bad_rate: float = 0.001):
        self.seed = seed
        self.as_of = as_of
        self.regions = regions            # [(code, name)]
        self.csv_only = csv_only
        self.messy_rate = messy_rate
        self.bad_rate = bad_rate


def output_files(cfg: GenConfig) -> dict[str, tuple[str, str]]:
    """logical stream -> (file name, kind). Tax splits by period year (see gen_chunk)."""
    ym = cfg.as_of.strftime("%Y-%m")
    x = "csv" if cfg.csv_only else "xml"
    return {
        "roster_a": (f"roster-{ym}.{x}.gz", "roster"),
        "roster_b": ("roster-supplement.csv.gz", "roster"),
        "bank_icbc": ("bank-icbc.csv.gz", "bank"),
        "bank_ccb": (f"bank-ccb.{x}.gz", "bank"),
        "vehicle": (f"vehicle.{x}.gz", "vehicle"),
        "property": ("property.csv.gz", "property"),
    }


def _month_ends(as_of: _dt.date, k: int) -> list[str]:
    """Month-end dates before as_of (most recent first), plus as_of itself first."""
    out = [as_of.isoformat()]
    d = as_of.replace(day=1) - _dt.timedelta(days=1)
    for _ in range(k):
        out.append(d.isoformat())
        d = d.replace(day=1) - _dt.timedelta(days=1)
    return out


def gen_chunk(args):
    """Generate households [c*CHUNK, ...) and return {stream: piece} with raw-deflate pieces."""
    cfg, c, n_households, compress = args
    rng = random.Random(f"{cfg.seed}:chunk:{c}")
    rnd = rng.random
    first = c * CHUNK_HOUSEHOLDS
    last = min(n_households, first + CHUNK_HOUSEHOLDS)
    as_of = cfg.as_of
    asof_s = as_of.isoformat()
    x_ok = not cfg.csv_only
    regions = cfg.regions
    nreg = len(regions)
    window = income_window(as_of, 12)
    tax_months = [month_add(window[0], -2), month_add(window[0], -1)] + window + [as_of.strftime("%Y-%m")]
    ends = _month_ends(as_of, 14)
    messy_rate = cfg.messy_rate
    bad_rate = cfg.bad_rate
    # ID uniqueness across chunks: chunk c owns SEQS_PER_CHUNK sequence numbers within one
    # round of prefixes; in-chunk collisions are retried against a set.
    rnd_idx = (c * SEQS_PER_CHUNK) // 1000
    seq_base = (c * SEQS_PER_CHUNK) % 1000
    if rnd_idx == 0:
        prefixes = [r for r, _ in regions]
    else:
        k = (rnd_idx - 1) * 4
        prefixes = [EXTRA_PREFIXES[(k + j) % len(EXTRA_PREFIXES)] for j in range(4)]
    used = set()
    epoch = _dt.date(1940, 1, 1).toordinal()
    span_all = _dt.date(2020, 12, 31).toordinal() - epoch
    asof_ord = as_of.toordinal()

    def new_id(age_lo, age_hi, male):
        while True:
            age = age_lo + rnd() * (age_hi - age_lo)
            o = asof_ord - int(age * 365.25) - int(rnd() * 365)
            if o < epoch or o > epoch + span_all:
                age_lo, age_hi = max(4.0, min(age_lo, 83.0)), max(4.5, min(age_hi, 84.0))
                continue
            d = _dt.date.fromordinal(o)
            seqs = [s for s in range(seq_base, seq_base + SEQS_PER_CHUNK) if (s % 2 == 1) == male]
            seq = seqs[int(rnd() * len(seqs))]
            body = f"{prefixes[int(rnd() * len(prefixes))]}{d.year:04d}{d.month:02d}{d.day:02d}{seq:03d}"
            if body in used:
                continue
            used.add(body)
            return body + id_check_char(body)

    ra, rb, bi, bc, ve, pr = [], [], [], [], [], []
    tax_by_year: dict[str, list] = {}
    fw = _TO_FW_DIGITS

    def id_out(idn, r):
        # messy / bad forms of an ID number in a data record
        if r < bad_rate:
            return id_bad_check(idn)
        if r < messy_rate:
            return idn.translate(fw) if r < messy_rate / 2 else (idn[:17] + "x" if idn[17] == "X" else " " + idn + " ")
        return idn

    for h in range(first, last):
        hid = f"HH{h + 1:08d}"
        ri = int(rnd() * nreg)
        region = regions[ri][0]
        area = "urban" if rnd() < 0.6 else "rural"
        r = rnd()
        if r < 0.6:
            app, cur = "recheck", ("dibao" if rnd() < 0.7 else "low_income")
        elif r < 0.85:
            app, cur = "dibao", "none"
        else:
            app, cur = "low_income", "none"
        address = f"{regions[ri][1]}{STREETS[int(rnd() * len(STREETS))]}{int(rnd() * 300) + 1}号{int(rnd() * 6) + 1}幢{int(rnd() * 20) + 1}0{int(rnd() * 4) + 1}室"
        # members
        r = rnd()
        n = 1 if r < 0.12 else 2 if r < 0.42 else 3 if r < 0.80 else 4 if r < 0.94 else 5
        head_male = rnd() < 0.55
        head_age = 25 + rnd() * 60
        surname = SURNAMES[int(rnd() * len(SURNAMES))]
        members = []
        members.append(("self", new_id(head_age, head_age + 0.9, head_male), surname))
        if n >= 2:
            members.append(("spouse", new_id(max(20, head_age - 5), head_age + 5, not head_male), None))
        for k in range(2, n):
            if head_age > 60 and rnd() < 0.4:
                members.append(("grandchild", new_id(1, 16, rnd() < 0.5), surname))
            elif head_age < 55 and rnd() < 0.3:
                members.append(("parent", new_id(min(head_age + 22, 83), min(head_age + 35, 84), rnd() < 0.5), surname))
            else:
                members.append(("child", new_id(max(3, min(head_age - 40, 40)), max(4, min(head_age - 20, 45)), rnd() < 0.5), surname))
        rows = []
        income_plan = []
        for rel, idn, sur in members:
            if sur is None or rnd() < 0.01:
                name = random_name(rng)
            else:
                name = sur + "".join(GIVEN_CHARS[int(rnd() * len(GIVEN_CHARS))] for _ in range(1 if rnd() < 0.3 else 2))
            age = as_of.year - int(idn[6:10])
            dg = "0" if rnd() < 0.85 else str(1 + int(rnd() * 4))
            if age < 16:
                emp = "student" if age >= 6 else "none"
            elif age >= 60:
                emp = "retired" if rnd() < 0.6 else "none"
            else:
                r = rnd()
                emp = "employed" if r < 0.45 else "unemployed" if r < 0.85 else "none"
            sep = "1" if (dg in ("1", "2") and age >= 18 and emp in ("unemployed", "none") and rnd() < 0.2) else ""
            r = rnd()
            declared = 0 if r < 0.4 else int(rnd() * 150000)
            rigid = 0 if rnd() < 0.7 else int(rnd() * 1200000)
            rows.append((idn, name, rel, dg, emp, sep, declared, rigid))
            income_plan.append((idn, name, emp, age))
        line_rows = []
        for idn, name, rel, dg, emp, sep, declared, rigid in rows:
            line_rows.append({"household_id": hid, "region_code": region, "area_type": area, "application_type": app,
                              "current_status": cur, "address": address, "id_number": idn, "name": name,
                              "relation": rel, "disability_grade": dg, "employment": emp, "separate_household": sep,
                              "declared_monthly_income": yuan(declared) if declared else "",
                              "rigid_expense_annual": yuan(rigid) if rigid else ""})
        if h % 2 == 0:
            if x_ok:
                ra.append(roster_household_xml(line_rows))
            else:
                ra.extend(record_csv("roster", m) for m in line_rows)
        else:
            rb.extend(record_csv("roster", m) for m in line_rows)

        # --- exchange records per member
        spouse_cert = None
        for mi, (idn, name, emp, age) in enumerate(income_plan):
            # bank: 1-2 accounts (mean 1.6) x 1-4 as-of dates (mean 2.5)
            for a in range(1 if rnd() < 0.4 else 2):
                bcode, bin_, bfile = BANKS[0] if rnd() < 0.55 else BANKS[1]
                acct = f"{bin_}{int(rnd() * 1e13):013d}"
                r = rnd()
                atype = "demand" if r < 0.7 else "time" if r < 0.9 else "wealth" if r < 0.97 else "other"
                base = int((rnd() ** 3) * 6000000)
                for k in range(1 + int(rnd() * 4)):
                    r = rnd()
                    bal = base + int((rnd() - 0.5) * base * 0.2) if k else base
                    if r < 0.003:
                        bal = -int(rnd() * 200000)  # overdraft
                    rec_id = id_out(idn, r)
                    d = ends[k * 2 + (1 if r < 0.5 else 0)] if k else (ends[0] if r > 0.2 else ends[1])
                    bal_s = yuan(bal)
                    typ = atype
                    if r < messy_rate:
                        bal_s = "¥" + yuan_commas(bal) if r < messy_rate / 2 else to_fullwidth_digits(bal_s)
                        d = d.replace("-", "/") if r < messy_rate / 3 else d
                    elif r < messy_rate + bad_rate:
                        d = d[:8] + "32"  # bad date
                    elif r < messy_rate + 2 * bad_rate:
                        typ = "savings"  # unknown enum
                    if bfile == "icbc" or not x_ok:
                        line = f"{rec_id},{name},{bcode},{acct},{typ},{csv_field(bal_s)},CNY,{d}\n"
                        (bi if bfile == "icbc" else bc).append(line)
                    else:
                        bc.append(f"<account><idNumber>{rec_id}</idNumber><name>{name}</name><bankCode>{bcode}</bankCode>"
                                  f"<accountNo>{acct}</accountNo><accountType>{typ}</accountType><balance>{bal_s}</balance>"
                                  f"<currency>CNY</currency><asOf>{d}</asOf></account>\n")
            # tax: a wage or pension stream (12 months around the window), sometimes labor income
            r = rnd()
            if (emp == "employed" and r < 0.8) or (emp == "retired" and r < 0.9) or (emp not in ("employed", "retired") and r < 0.12):
                itype = "pension" if emp == "retired" else "wage"
                # Most earners in a roster of applicants and recipients earn little; a quarter earn
                # enough to be flagged (verification catches them).
                gross = 60000 + int(rnd() * 160000) if rnd() < 0.75 else 200000 + int(rnd() * 350000)
                soc = 0 if itype == "pension" else gross // 10
                taxp = max(0, (gross - soc - 500000) * 3 // 100)
                wh = WITHHOLDERS[int(rnd() * len(WITHHOLDERS))]
                start = int(rnd() * 3)
                for m in tax_months[start:start + 12]:
                    r = rnd()
                    rec_id = id_out(idn, r)
                    g = gross + (int((rnd() - 0.5) * 20000) if itype == "wage" else 0)
                    gs = yuan(g)
                    per = m
                    typ = itype
                    if r < messy_rate:
                        gs = "¥" + yuan_commas(g) if r < messy_rate / 2 else gs + "元"
                        per = m.replace("-", "") if r < messy_rate / 3 else per
                    elif r < messy_rate + bad_rate:
                        per = m[:5] + "13"
                    elif r < messy_rate + 2 * bad_rate:
                        typ = "bonus"
                    tax_by_year.setdefault(m[:4], []).append(f"{rec_id},{name},{per},{typ},{csv_field(gs)},{yuan(taxp)},{yuan(soc)},{wh}\n")
            if rnd() < 0.12:
                g = 30000 + int(rnd() * 300000)
                start = int(rnd() * 10)
                for m in tax_months[start:start + 2 + int(rnd() * 5)]:
                    tax_by_year.setdefault(m[:4], []).append(f"{idn},{name},{m},labor,{yuan(g)},0.00,0.00,个人劳务\n")
            # vehicle: 0.3 per member
            if age >= 18 and rnd() < 0.36:
                r = rnd()
                vt = "motorcycle" if r < 0.45 else "agricultural" if r < 0.6 else "car" if r < 0.85 else "truck" if r < 0.9 else "disability" if r < 0.95 else "other"
                r = rnd()
                st = "normal" if r < 0.8 else "scrapped" if r < 0.9 else "cancelled" if r < 0.95 else "stolen" if r < 0.98 else "seized"
                plate = PLATE_PREFIX.get(region[:2], "浙A") + "".join("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[int(rnd() * 34)] for _ in range(5))
                reg_d = _dt.date.fromordinal(asof_ord - 30 - int(rnd() * 6000))
                val = "" if rnd() < 0.3 else yuan(int(rnd() * (8000000 if vt in ("car", "truck") else 1000000)))
                r = rnd()
                rec_id = id_out(idn, r)
                reg_s = reg_d.isoformat()
                if r < messy_rate:
                    reg_s = f"{reg_d.year}年{reg_d.month}月{reg_d.day}日"
                elif r < messy_rate + bad_rate:
                    reg_s = "2023-02-29"
                elif r < messy_rate + 2 * bad_rate:
                    vt = "tractor"
                if x_ok:
                    ve.append(f"<vehicle><idNumber>{rec_id}</idNumber><name>{name}</name><plate>{plate}</plate>"
                              f"<vehicleType>{vt}</vehicleType><registeredOn>{reg_s}</registeredOn>"
                              + (f"<assessedValue>{val}</assessedValue>" if val else "")
                              + f"<status>{st}</status></vehicle>\n")
                else:
                    ve.append(f"{rec_id},{name},{plate},{vt},{reg_s},{val},{st}\n")
            # property: the household home (co-owned by the spouses), other properties
            r = rnd()
            if mi == 0 and r < 0.6:
                cert = f"浙({as_of.year - 1 - int(rnd() * 20)})不动产权第{int(rnd() * 1e7):07d}号"
                area_m2 = 3000 + int(rnd() * 12000)
                reg_s = _dt.date.fromordinal(asof_ord - 60 - int(rnd() * 7000)).isoformat()
                co = len(income_plan) > 1 and rnd() < 0.6
                spouse_cert = (cert, area_m2, reg_s) if co else None
                pr.append(f"{idn},{name},{cert},residential,{yuan(area_m2)},{'0.5' if co else '1'},{reg_s},valid,{address}\n")
            elif mi == 1 and spouse_cert:
                cert, area_m2, reg_s = spouse_cert
                pr.append(f"{idn},{name},{cert},residential,{yuan(area_m2)},0.5,{reg_s},valid,{address}\n")
            if rnd() < 0.1 and age >= 18:
                r = rnd()
                pt = "parking" if r < 0.4 else "land" if r < 0.6 else "commercial" if r < 0.75 else "residential" if r < 0.95 else "office"
                cert = f"浙({as_of.year - 1 - int(rnd() * 20)})不动产权第{int(rnd() * 1e7):07d}号"
                fa = 1200 + int(rnd() * 10000)
                fa_s = yuan(fa)
                r = rnd()
                rec_id = id_out(idn, r)
                st = "valid" if r < 0.9 else "mortgaged" if r < 0.95 else "cancelled"
                if r < messy_rate + bad_rate and r >= messy_rate:
                    fa_s = "-" + fa_s  # negative area
                pr.append(f"{rec_id},{name},{cert},{pt},{fa_s},1,{_dt.date.fromordinal(asof_ord - 60 - int(rnd() * 7000)).isoformat()},{st},\n")

    streams = {"roster_a": ra, "roster_b": rb, "bank_icbc": bi, "bank_ccb": bc, "vehicle": ve, "property": pr}
    for y, lines in tax_by_year.items():
        streams[f"tax_{y}"] = lines
    out = {}
    for k, lines in streams.items():
        data = "".join(lines).encode("utf-8")
        out[k] = deflate_piece(data) if compress else (data, zlib.crc32(data), len(data))
    return out


def tax_file_name(stream: str) -> str:
    return f"tax-{stream[4:]}.csv.gz"


def run_gen(out_dir: str, households: int, cfg: GenConfig, processes: int = 2, log=print) -> dict:
    """Write a full inbox to out_dir; returns {file name: records written (approx. lines)}."""
    import multiprocessing as mp
    import time

    os.makedirs(out_dir, exist_ok=True)
    files = output_files(cfg)
    writers: dict[str, PieceWriter] = {}
    kinds = {}

    def writer(stream: str) -> PieceWriter:
        w = writers.get(stream)
        if w is None:
            if stream.startswith("tax_"):
                name, kind = tax_file_name(stream), "tax"
            else:
                name, kind = files[stream]
            w = PieceWriter(os.path.join(out_dir, name))
            kinds[stream] = (name, kind)
            if name.endswith(".xml.gz"):
                if kind == "roster":
                    w.add_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<roster asOf="{cfg.as_of.isoformat()}">\n')
                else:
                    w.add_text(xml_open(kind))
            else:
                w.add_text(",".join(HEADERS[kind]) + "\n")
            writers[stream] = w
        return w

    # open the fixed streams first so files exist even when empty
    for s in files:
        writer(s)
    for y in sorted({m[:4] for m in income_window(cfg.as_of, 14) + [cfg.as_of.strftime("%Y-%m")]}):
        writer(f"tax_{y}")
    nchunks = (households + CHUNK_HOUSEHOLDS - 1) // CHUNK_HOUSEHOLDS
    jobs = [(cfg, c, households, True) for c in range(nchunks)]
    t0 = time.time()
    if processes > 1 and nchunks > 1:
        with mp.get_context("fork").Pool(processes) as pool:
            for i, res in enumerate(pool.imap(gen_chunk, jobs, chunksize=1)):
                for k in sorted(res):
                    writer(k).add_piece(res[k])
                if log and (i + 1) % 25 == 0:
                    log(f"gen: {min((i + 1) * CHUNK_HOUSEHOLDS, households)} households, {time.time() - t0:.1f}s")
    else:
        for job in jobs:
            res = gen_chunk(job)
            for k in sorted(res):
                writer(k).add_piece(res[k])
    for s, w in writers.items():
        name, kind = kinds[s]
        if name.endswith(".xml.gz"):
            w.add_text("</roster>\n" if kind == "roster" else xml_close(kind))
        w.close()
    write_inspectors(os.path.join(out_dir, "inspectors.csv"), cfg)
    return {kinds[s][0]: writers[s].size for s in writers}


def write_inspectors(path: str, cfg: GenConfig):
    rng = random.Random(f"{cfg.seed}:inspectors")
    lines = [",".join(HEADERS["inspectors"]) + "\n"]
    k = 0
    for code, _ in cfg.regions:
        for _ in range(6):
            k += 1
            lines.append(f"INS{k:04d},{random_name(rng)},{code},{50 + int(rng.random() * 200)}\n")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(lines))


# ---------------------------------------------------------------------------
# Bank ingest benchmark: the same records as CSV and XML

BENCH_CHUNK = 50000


def bank_bench_chunk(args):
    seed, c, total, as_of = args
    rng = random.Random(f"{seed}:bank-bench:{c}")
    rnd = rng.random
    first = c * BENCH_CHUNK
    last = min(total, first + BENCH_CHUNK)
    ends = _month_ends(as_of, 14)
    csv_lines, xml_lines = [], []
    epoch = _dt.date(1940, 1, 1).toordinal()
    i = first
    person = 0
    while i < last:
        person += 1
        o = epoch + int(rnd() * 29000)
        d = _dt.date.fromordinal(o)
        body = f"{'330902' if rnd() < 0.5 else '320481'}{d.year:04d}{d.month:02d}{d.day:02d}{(c * 7 + person) % 1000:03d}"
        idn = body + id_check_char(body)
        name = random_name(rng)
        for _ in range(1 if rnd() < 0.4 else 2):
            bcode, bin_, _f = BANKS[0] if rnd() < 0.55 else BANKS[1]
            acct = f"{bin_}{int(rnd() * 1e13):013d}"
            r = rnd()
            atype = "demand" if r < 0.7 else "time" if r < 0.9 else "wealth" if r < 0.97 else "other"
            base = int((rnd() ** 3) * 6000000)
            for k in range(1 + int(rnd() * 4)):
                if i >= last:
                    break
                bal = yuan(base + (int((rnd() - 0.5) * base * 0.2) if k else 0))
                dd = ends[k * 2]
                csv_lines.append(f"{idn},{name},{bcode},{acct},{atype},{bal},CNY,{dd}\n")
                xml_lines.append(f"<account><idNumber>{idn}</idNumber><name>{name}</name><bankCode>{bcode}</bankCode>"
                                 f"<accountNo>{acct}</accountNo><accountType>{atype}</accountType><balance>{bal}</balance>"
                                 f"<currency>CNY</currency><asOf>{dd}</asOf></account>\n")
                i += 1
    return deflate_piece("".join(csv_lines).encode()), deflate_piece("".join(xml_lines).encode())


def run_bank_bench(out_dir: str, records: int, seed: str, as_of: _dt.date, processes: int = 2):
    import multiprocessing as mp

    os.makedirs(out_dir, exist_ok=True)
    wc = PieceWriter(os.path.join(out_dir, "bank-bench.csv.gz"))
    wx = PieceWriter(os.path.join(out_dir, "bank-bench.xml.gz"))
    wc.add_text(",".join(HEADERS["bank"]) + "\n")
    wx.add_text(xml_open("bank"))
    jobs = [(seed, c, records, as_of) for c in range((records + BENCH_CHUNK - 1) // BENCH_CHUNK)]
    with mp.get_context("fork").Pool(processes) as pool:
        for pc, px in pool.imap(bank_bench_chunk, jobs, chunksize=1):
            wc.add_piece(pc)
            wx.add_piece(px)
    wx.add_text(xml_close("bank"))
    wc.close()
    wx.close()
    return wc.size, wx.size
