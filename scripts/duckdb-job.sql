-- The core of `hedui run` as ONE DuckDB query, for `scripts/bench compare` (issue #9).
--
-- Reads the roster and the four sources' CSV files of a csv-only inbox (`scripts/gen --csv-only`),
-- matches records to members by normalized ID number and name, measures every unit (rules.md,
-- "What is measured") and writes one row per unit with its status as the reasons would give it on
-- certain evidence. It is a template: scripts/bench_compare.py replaces the placeholders (the names
-- below in double braces) with
--   INBOX    the inbox folder
--   AS_OF    the as-of date (the one hedui's manifest.json reports)
--   OUT      the output CSV
--   POLICY   one VALUES row per (region, area type) with the parameters in force on the as-of date,
--            computed from the policy YAML (SampleData/policy.yaml) by bench_compare.py
--   RATES    one VALUES row per (region, currency) from currency_rates
-- and runs it after `SET threads = T`. The CREATE MACRO statements only name expressions used in the
-- query (DuckDB inlines them); the work is the single COPY statement at the end.
--
-- What it does the same way as hedui (exchange-formats.md, rules.md):
--   - every field but names is full-width folded (U+FF01-U+FF5E -> ASCII, U+3000 -> space) and trimmed;
--     names are trimmed, U+3000 removed, middle dots unified; enumerations are case-insensitive;
--   - money strips ¥ ￥ 元 and thousands commas; dates YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, YYYY年M月D日;
--     months YYYY-MM, YYYY/MM, YYYYMM, YYYY年M月;
--   - a record whose line has the wrong number of fields, or a field that fails its type or enumeration,
--     is left out (hedui quarantines it); a record matches a member when the normalized ID numbers and
--     the normalized names are equal (certain evidence); a member's ID must be valid (check character
--     and birth date) to match anything; exact duplicate records count once;
--   - separate units (单独立户): separate_household = 1, 18 or older on the as-of date, disability grade
--     1 or 2, unemployed or none; such a member is the unit `<household_id>/<id_number>`.
-- What it leaves out (such units are `needs_review` in hedui, or the generator never writes them):
--   review reasons (probable matches, duplicate membership, rejected records or files, invalid member
--   IDs), legacy 15-digit ID numbers (not converted: they match nothing), suggested benefit, flags,
--   spot checks, reports, quarantine and manifest files. A roster household takes region and area type
--   from any of its rows (hedui: the first row; the generator writes the same values on every row).

-- Full-width fold and trim (TextNormalization.foldASCII). DuckDB's translate() with a 95-character map
-- costs microseconds per call, so like hedui's fast path it only runs on text that holds a full-width
-- character; pure ASCII (byte length = character length) is only trimmed.
CREATE OR REPLACE TEMP MACRO fold(x) AS CASE
  WHEN strlen(x) = length(x) THEN trim(x)
  WHEN regexp_matches(x, '[！-～　]') THEN trim(translate(x,
    '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　',
    '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '))
  ELSE trim(x) END;
-- Enumerations: folded, lower-case.
CREATE OR REPLACE TEMP MACRO enum(x) AS lower(fold(x));
-- Names (TextNormalization.normalizedName): trimmed, U+3000 removed, middle dots unified.
CREATE OR REPLACE TEMP MACRO pname(x) AS CASE
  WHEN strlen(x) = length(x) THEN trim(x)
  ELSE trim(replace(replace(replace(x, '　', ''), '•', '·'), '．', '·')) END;
-- The ID number as matched: folded, upper-case (a lower-case x check character is accepted).
CREATE OR REPLACE TEMP MACRO idn(x) AS upper(fold(x));
-- Money in yuan -> DECIMAL(18,2); NULL when it is not an amount. ¥ ￥ 元 and thousands commas go.
CREATE OR REPLACE TEMP MACRO money(x) AS try_cast(CASE
  WHEN strlen(x) = length(x) THEN replace(trim(x), ',', '')
  ELSE replace(replace(replace(replace(fold(x), '¥', ''), '￥', ''), '元', ''), ',', '') END AS DECIMAL(18, 2));
-- Money -> integer fen.
CREATE OR REPLACE TEMP MACRO fen(x) AS CAST(money(x) * 100 AS BIGINT);
-- Dates (YYYY-MM-DD and YYYY/MM/DD by the cast, then YYYYMMDD, then YYYY年M月D日) and months;
-- NULL when not a real date. COALESCE only evaluates a later form where the earlier ones failed.
CREATE OR REPLACE TEMP MACRO pdate(x) AS coalesce(
  try_cast(fold(x) AS DATE),
  CAST(try_strptime(fold(x), '%Y%m%d') AS DATE),
  CAST(try_strptime(fold(x), '%Y年%m月%d日') AS DATE));
CREATE OR REPLACE TEMP MACRO pmonth(x) AS coalesce(
  CAST(try_strptime(fold(x), '%Y-%m') AS DATE),
  CAST(try_strptime(fold(x), '%Y%m') AS DATE),
  CAST(try_strptime(fold(x), '%Y/%m') AS DATE),
  CAST(try_strptime(fold(x), '%Y年%m月') AS DATE));
-- The CSV files of one source (all of them, `.csv` and `.csv.gz`): every field as text, columns by header
-- name in any order (union_by_name), and a line with the wrong number of fields skipped (ignore_errors).
CREATE OR REPLACE TEMP MACRO inbox_csv(pattern) AS TABLE
  SELECT * FROM read_csv(pattern, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                         union_by_name = true, ignore_errors = true);
-- round_half_up(num / den) in integers, num >= 0.
CREATE OR REPLACE TEMP MACRO rhu(num, den) AS (2 * num + den) // (2 * den);
-- A valid 18-character ID number (GB 11643-1999): 17 digits, the mod-11 check character over the
-- weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (written out: a list lambda is ten times slower), a real
-- birth date. Σ w·(c − 48) = Σ w·c − 48·Σ w, Σ w = 100.
CREATE OR REPLACE TEMP MACRO id_valid(x) AS
  length(x) = 18 AND regexp_full_match(x, '[0-9]{17}[0-9X]')
  AND '10X98765432'[1 + CAST((
      7 * ascii(x[1]) + 9 * ascii(x[2]) + 10 * ascii(x[3]) + 5 * ascii(x[4]) + 8 * ascii(x[5]) + 4 *
      ascii(x[6]) + 2 * ascii(x[7]) + 1 * ascii(x[8]) + 6 * ascii(x[9]) + 3 * ascii(x[10]) + 7 *
      ascii(x[11]) + 9 * ascii(x[12]) + 10 * ascii(x[13]) + 5 * ascii(x[14]) + 8 * ascii(x[15]) + 4
      * ascii(x[16]) + 2 * ascii(x[17])
      - 4800) % 11 AS INTEGER)] = x[18]
  AND try_strptime(substr(x, 7, 8), '%Y%m%d') IS NOT NULL;

COPY (
WITH
-- The policy in force on the as-of date, per region and area type (amounts in fen).
policy(region_code, area_type, s, l, assets_months_dibao, assets_months_low_income, max_homes,
       housing_area_max, vehicle_value_exempt_below, vehicle_exempt_types, counted_income_types,
       income_window_months, deduct_rigid_expense) AS (
  VALUES {{POLICY}}
),
rates(region_code, currency, rate) AS (
  VALUES {{RATES}}
),
-- Roster rows (both roster files); lines with the wrong number of fields are skipped (ignore_errors).
roster_raw AS (
  SELECT fold(household_id) AS household_id, fold(region_code) AS region_code, enum(area_type) AS area_type,
         idn(id_number) AS id, pname(name) AS name,
         coalesce(try_cast(fold(disability_grade) AS INTEGER), 0) AS disability_grade,
         enum(employment) AS employment, fold(separate_household) = '1' AS separate,
         coalesce(fen(declared_monthly_income), 0) AS declared, coalesce(fen(rigid_expense_annual), 0) AS rigid
  FROM inbox_csv('{{INBOX}}/roster*.csv*')
),
-- Household fields (any row: the generator repeats them on every row).
households AS (
  SELECT household_id, any_value(region_code) AS region_code, any_value(area_type) AS area_type
  FROM roster_raw GROUP BY household_id
),
-- Members and their unit: a valid separate household is a unit of its own.
members AS (
  SELECT r.id, r.name, r.declared, r.rigid, h.household_id, h.region_code, h.area_type,
         id_valid(r.id) AS valid,
         CASE WHEN r.separate AND id_valid(r.id) AND r.disability_grade IN (1, 2)
                   AND r.employment IN ('unemployed', 'none')
                   -- whole years on the as-of date from the ID's birth date (YYYY at 7, MMDD at 11)
                   AND year(DATE '{{AS_OF}}') - CAST(substr(r.id, 7, 4) AS INTEGER)
                       - CASE WHEN strftime(DATE '{{AS_OF}}', '%m%d') < substr(r.id, 11, 4) THEN 1 ELSE 0 END >= 18
              THEN h.household_id || '/' || r.id ELSE h.household_id END AS unit_id
  FROM roster_raw r JOIN households h USING (household_id)
),
-- Members that records can match: valid ID, one row per (ID, name).
matchable AS (
  SELECT DISTINCT m.id, m.name, m.unit_id, m.region_code, m.area_type FROM members m WHERE m.valid
),
-- Bank: per account (member, bank_code, account_no) the latest balance on or before the as-of date,
-- negative -> 0, foreign currency converted to fen at the policy rate; the larger one on a same-date tie.
bank AS (
  SELECT mm.unit_id, mm.id, fold(b.bank_code) AS bank_code, fold(b.account_no) AS account_no,
         pdate(b.as_of) AS as_of, money(b.balance) AS balance,
         coalesce(nullif(upper(fold(b.currency)), ''), 'CNY') AS currency, mm.region_code
  FROM inbox_csv('{{INBOX}}/bank*.csv*') b
  JOIN matchable mm ON mm.id = idn(b.id_number) AND mm.name = pname(b.name)
  WHERE enum(b.account_type) IN ('demand', 'time', 'wealth', 'other')
    AND fold(b.bank_code) <> '' AND fold(b.account_no) <> ''
),
bank_valued AS (
  SELECT b.unit_id, b.id, b.bank_code, b.account_no, b.as_of,
         CASE WHEN b.currency = 'CNY' THEN CAST(greatest(b.balance, 0) * 100 AS BIGINT)
              ELSE CAST(round(greatest(b.balance, 0) * 100 * r.rate) AS BIGINT) END AS value
  FROM bank b LEFT JOIN rates r ON r.region_code = b.region_code AND r.currency = b.currency
  WHERE b.as_of IS NOT NULL AND b.balance IS NOT NULL AND b.as_of <= DATE '{{AS_OF}}'
    AND (b.currency = 'CNY' OR r.rate IS NOT NULL)
),
assets AS (
  SELECT unit_id, sum(latest.v) AS assets
  FROM (SELECT unit_id, max({'d': as_of, 'v': value}) AS latest
        FROM bank_valued GROUP BY unit_id, id, bank_code, account_no)
  GROUP BY unit_id
),
-- Tax: exact duplicates once; net income of counted types in the window, per member.
tax AS (
  SELECT DISTINCT mm.unit_id, mm.id, pmonth(t.period) AS period, enum(t.income_type) AS income_type,
         fen(t.gross_income) AS gross,
         CASE WHEN fold(t.tax_paid) = '' OR t.tax_paid IS NULL THEN 0 ELSE fen(t.tax_paid) END AS tax_paid,
         CASE WHEN fold(t.social_contrib) = '' OR t.social_contrib IS NULL THEN 0 ELSE fen(t.social_contrib) END AS social,
         fold(t.withholder) AS withholder, mm.region_code, mm.area_type
  FROM inbox_csv('{{INBOX}}/tax*.csv*') t
  JOIN matchable mm ON mm.id = idn(t.id_number) AND mm.name = pname(t.name)
),
income AS (
  SELECT t.unit_id, t.id, sum(t.gross - t.tax_paid - t.social) AS net, any_value(p.income_window_months) AS months
  FROM tax t JOIN policy p ON p.region_code = t.region_code AND p.area_type = t.area_type
  WHERE t.period IS NOT NULL AND t.gross >= 0 AND t.tax_paid >= 0 AND t.social >= 0
    AND t.income_type IN ('wage', 'labor', 'business', 'interest', 'property', 'pension', 'other')
    AND list_contains(p.counted_income_types, t.income_type)
    AND t.period >= date_trunc('month', DATE '{{AS_OF}}') - to_months(p.income_window_months)
    AND t.period < date_trunc('month', DATE '{{AS_OF}}')
  GROUP BY t.unit_id, t.id
),
-- Vehicles: exact duplicates once; counted ones per unit.
vehicle AS (
  SELECT DISTINCT mm.unit_id, mm.id, fold(v.plate) AS plate, enum(v.vehicle_type) AS vehicle_type,
         pdate(v.registered_on) AS registered_on, fold(v.assessed_value) AS assessed_text,
         fen(v.assessed_value) AS assessed, enum(v.status) AS status, mm.region_code, mm.area_type
  FROM inbox_csv('{{INBOX}}/vehicle*.csv*') v
  JOIN matchable mm ON mm.id = idn(v.id_number) AND mm.name = pname(v.name)
),
vehicles AS (
  SELECT v.unit_id, count(*) AS vehicles
  FROM vehicle v JOIN policy p ON p.region_code = v.region_code AND p.area_type = v.area_type
  WHERE v.registered_on IS NOT NULL AND v.plate <> ''
    AND v.vehicle_type IN ('car', 'truck', 'motorcycle', 'disability', 'agricultural', 'other')
    AND v.status IN ('normal', 'scrapped', 'cancelled', 'stolen', 'seized')
    AND (v.assessed_text IS NULL OR v.assessed_text = '' OR v.assessed IS NOT NULL)
    -- counted:
    AND v.registered_on <= DATE '{{AS_OF}}' AND v.status IN ('normal', 'seized')
    AND NOT list_contains(p.vehicle_exempt_types, v.vehicle_type)
    AND (v.assessed IS NULL OR v.assessed >= p.vehicle_value_exempt_below)
  GROUP BY v.unit_id
),
-- Properties: exact duplicates once; counted ones (registered by the as-of date, not cancelled).
property AS (
  SELECT DISTINCT mm.unit_id, mm.id, fold(p.cert_no) AS cert_no, enum(p.property_type) AS property_type,
         money(p.floor_area) AS floor_area,
         CASE WHEN fold(p.share) = '' OR p.share IS NULL THEN 1.0 ELSE try_cast(fold(p.share) AS DECIMAL(9, 4)) END AS share,
         pdate(p.registered_on) AS registered_on, enum(p.status) AS status, fold(p.address) AS address
  FROM inbox_csv('{{INBOX}}/property*.csv*') p
  JOIN matchable mm ON mm.id = idn(p.id_number) AND mm.name = pname(p.name)
),
properties AS (
  SELECT unit_id,
         count(DISTINCT cert_no) FILTER (WHERE property_type = 'residential') AS homes,
         coalesce(sum(floor_area * share) FILTER (WHERE property_type = 'residential'), 0) AS housing_area,
         bool_or(property_type IN ('commercial', 'office', 'industrial')) AS non_residential
  FROM property
  WHERE cert_no <> '' AND floor_area >= 0 AND share > 0 AND share <= 1 AND registered_on IS NOT NULL
    AND property_type IN ('residential', 'commercial', 'office', 'industrial', 'parking', 'land', 'other')
    AND status IN ('valid', 'mortgaged', 'sealed', 'cancelled')
    -- counted:
    AND registered_on <= DATE '{{AS_OF}}' AND status <> 'cancelled'
  GROUP BY unit_id
),
-- Units: members, monthly income (max(verified, declared) per member, less rigid expenses).
units AS (
  SELECT m.unit_id, any_value(m.household_id) AS household_id, any_value(m.region_code) AS region_code,
         any_value(m.area_type) AS area_type, count(*) AS n,
         sum(greatest(CASE WHEN i.net IS NULL OR i.net <= 0 THEN 0 ELSE rhu(i.net, i.months) END, m.declared)) AS income_sum,
         sum(m.rigid) AS rigid_sum
  FROM members m LEFT JOIN income i ON i.unit_id = m.unit_id AND i.id = m.id AND m.valid
  GROUP BY m.unit_id
),
measured AS (
  SELECT u.unit_id, u.household_id, u.region_code, u.area_type, u.n,
         greatest(u.income_sum - CASE WHEN coalesce(p.deduct_rigid_expense, true) THEN rhu(u.rigid_sum, 12) ELSE 0 END, 0) AS income,
         coalesce(a.assets, 0) AS assets, coalesce(v.vehicles, 0) AS vehicles, coalesce(pr.homes, 0) AS homes,
         coalesce(pr.housing_area, 0) AS housing_area, coalesce(pr.non_residential, false) AS non_residential,
         p.s, p.l, p.assets_months_dibao, p.assets_months_low_income, p.max_homes, p.housing_area_max
  FROM units u
  LEFT JOIN policy p ON p.region_code = u.region_code AND p.area_type = u.area_type
  LEFT JOIN assets a USING (unit_id)
  LEFT JOIN vehicles v USING (unit_id)
  LEFT JOIN properties pr USING (unit_id)
)
SELECT unit_id, household_id, region_code, area_type,
       CASE WHEN s IS NULL THEN 'needs_review'   -- POLICY_MISSING
            WHEN income > l * n OR assets > s * assets_months_low_income * n OR vehicles > 0
                 OR homes > max_homes OR non_residential
                 OR (housing_area_max IS NOT NULL AND housing_area > housing_area_max * n) THEN 'ineligible'
            WHEN income >= s * n OR assets > s * assets_months_dibao * n THEN 'eligible_low_income'
            ELSE 'eligible_dibao' END AS status,
       n AS members,
       printf('%d.%02d', income // 100, income % 100) AS monthly_income,
       printf('%d.%02d', assets // 100, assets % 100) AS financial_assets,
       vehicles, homes,
       CAST(round(housing_area, 2) AS DECIMAL(18, 2)) AS housing_area,
       CASE WHEN s IS NULL THEN '' ELSE printf('%d.%02d', s // 100, s % 100) END AS standard
FROM measured
ORDER BY unit_id
) TO '{{OUT}}' (HEADER, DELIMITER ',');
