#!/usr/bin/env python3
"""compare_reference.py BIN WORK [CASES] [SEED] [SIDES]: recon's kind =
compare against a reference written from the contract alone, on random CSV
pairs.  SIDES says where the sides live: csv (the default: CSV table sides,
both streamed from the files); sqlite (each right file loaded as text into
a table of one SQLite file: a query side, whose sampled rows are read again
by key); postgres (the same in PostgreSQL, loaded with psql's \copy;
$REF_PG_URL is recon's connection string, $REF_PSQL the psql arguments of a
role that may create tables); sqlite-both and postgres-both (the left files
loaded too: two table sides on one database, on PostgreSQL read at once
over two connections).

Each case is a pair of small CSV files (one source, one compare check per
pair, all checks in one run) drawn to make the value rules meet: keys of one
or two columns given in several forms of the same number (10, 10.0, 1e1,
1.0e1) on the two sides, NULL keys, text that only looks numeric (08,
1,000, +1, ' 1'), keys too long to be held in flight, pairs of up to 2,000
rows, NULL against the quoted empty string, trailing and leading
spaces, quotes, commas, newlines and non-ASCII in values, any field quoted
or not, CRLF or LF, a BOM or none; a third of the checks have a tolerance;
one case in eight has a duplicate key on one side, in another form of the
number.

The reference: an unquoted empty field is NULL; a field matching the
contract's plain-number grammar is a number, compared exactly as a decimal
(within the tolerance, when there is one); anything else is compared byte
for byte; NULL equals only NULL.  It computes every finding, their counts
per kind and per group (the left row's group for missing and changed, the
right row's for extra), and, with samples enough for all, which findings
are sampled with which key text, which columns differ and with which values
(one column: the two values as they are; several: SQL literals), and with
a cap of 5 samples, exactly which findings in which order; a duplicate key
is an error that names both lines.  Exits 1 with the first difference.
"""
import decimal
import json
import os
import random
import subprocess
import sys

# the demo's independent oracle states the plain-number grammar, a sample's
# SQL literals and the kinds' turns once for both
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                'fixtures', 'demo'))
sys.dont_write_bytecode = True
from expected import NUMBER as PLAIN, sql_literal, take_turns  # noqa: E402
decimal.getcontext().prec = 200
CAP = 5		# samples of the second run, where the cap chooses

# forms of one number: every string here is a plain number of that value
NUMBER_FORMS = {
    0: ['0', '-0', '0.0', '0e5', '-0.000'],
    1: ['1', '1.0', '1e0', '10e-1', '0.1e1'],
    7: ['7', '7.00', '70e-1', '0.7E1'],
    10: ['10', '10.0', '1e1', '1.0e1', '1E+1', '100e-1'],
    12.5: ['12.5', '12.50', '1.25e1', '125e-1'],
    -12: ['-12', '-12.0', '-1.2e1', '-120E-1'],
    1000: ['1000', '1e3', '1000.000', '10e2'],
    0.1: ['0.1', '1e-1', '0.10', '100e-3'],
    123456789012345678: ['123456789012345678', '1.23456789012345678e17'],
    12345678901234567890123: ['12345678901234567890123', '1.2345678901234567890123e22'],
    # 1e-12 apart, 22 digits: within 1e-12, not within 1e-30 (beyond any float)
    '1234567890.123456789012': ['1234567890.123456789012', '1.234567890123456789012e9',
                                '1234567890123456789012e-12'],
    '1234567890.123456789013': ['1234567890.123456789013', '12345678901.23456789013e-1'],
}
# text that looks like a number but is not one under the grammar
NEAR_NUMBERS = ['08', '1,000', '+1', ' 1', '1 ', '1.', '.5', '1e', '--1', '0x10',
                '1_000', '\u0661', 'NaN', 'inf', '00', '-', '1e+', '01.5']
TEXT = ['a', 'a ', ' a', 'A', '\u00e9', 'e\u0301', 'say "hi"', 'x,y', 'two\nlines',
        'tab\tx', 'O\'Brien', '\u65e5\u672c', 'k1', 'K1', 'k1 ', '', '""', 'a\\b', '50%_off',
        "x'; --", 'NULL', 'null', '\\N']


def canon(v):
    """The reference value: None, ('n', Decimal) or ('s', text)."""
    if v is None:
        return None
    if PLAIN.match(v):
        return ('n', decimal.Decimal(v))
    return ('s', v)


def equal(a, b, tol):
    ca, cb = canon(a), canon(b)
    if ca is None or cb is None:
        return ca is None and cb is None
    if ca[0] == 'n' and cb[0] == 'n':
        if tol is not None:
            return abs(ca[1] - cb[1]) <= tol
        return ca[1] == cb[1]
    return ca == cb


def key_id(cells):
    """Identity of a key under the value rules (numbers by value)."""
    out = []
    for v in cells:
        c = canon(v)
        out.append(('z',) if c is None else ('n', c[1].normalize()) if c[0] == 'n' else c)
    return tuple(out)


def csv_field(v, rng):
    if v is None:
        return ''
    if v == '' or any(ch in v for ch in ',"\r\n') or rng.random() < 0.2:
        return '"' + v.replace('"', '""') + '"'
    return v


def write_csv(path, header, rows, rng):
    """Write rows; return the physical line where each row begins."""
    eol = '\r\n' if rng.random() < 0.3 else '\n'
    text, lines, line = [], [], 1
    for i, r in enumerate([header] + rows):
        rec = ','.join(csv_field(v, rng) for v in r) + eol
        if i:
            lines.append(line)
        line += rec.count('\n')
        text.append(rec)
    data = ''.join(text).encode('utf-8')
    if rng.random() < 0.1:
        data = b'\xef\xbb\xbf' + data
    with open(path, 'wb') as f:
        f.write(data)
    return lines


def a_value(rng):
    r = rng.random()
    if r < 0.15:
        return None
    if r < 0.55:
        return rng.choice(rng.choice(list(NUMBER_FORMS.values())))
    if r < 0.7:
        return rng.choice(NEAR_NUMBERS)
    return rng.choice(TEXT)


def same_value(v, rng):
    """Another spelling of v that the rules call equal (or v itself)."""
    c = canon(v)
    if c is not None and c[0] == 'n':
        for forms in NUMBER_FORMS.values():
            if v in forms:
                return rng.choice(forms)
    return v


def other_value(v, rng):
    """A value for the right side that may differ from v: mostly any value,
    but a number of the 1e-12 pair half the time turns into the other."""
    pair = list(NUMBER_FORMS)[-2:]
    for i, k in enumerate(pair):
        if v in NUMBER_FORMS[k] and rng.random() < 0.5:
            return rng.choice(NUMBER_FORMS[pair[1 - i]])
    return a_value(rng)


def key_pool(rng, nkey, n):
    """n distinct keys, each a list of the spellings of its cells."""
    seen, pool = set(), []
    while len(pool) < n:
        cells = []
        for _ in range(nkey):
            r = rng.random()
            if r < 0.05:
                cells.append([None])
            elif r < 0.35:
                cells.append(rng.choice(list(NUMBER_FORMS.values())))
            elif r < 0.6:
                cells.append([str(rng.randrange(1, 400))])
            elif r < 0.75:
                cells.append([rng.choice(NEAR_NUMBERS)])
            elif r < 0.8:	# longer than a row in flight holds (64 bytes)
                cells.append(['long key %d ' % rng.randrange(50) + 'x' * rng.randrange(40, 300)])
            else:
                cells.append([rng.choice(TEXT) + str(rng.randrange(50))])
        kid = key_id([c[0] for c in cells])
        if kid not in seen:
            seen.add(kid)
            pool.append(cells)
    return pool


def make_case(rng, name, work):
    nkey = rng.choice([1, 1, 2])
    keys = ['k%d' % i for i in range(nkey)]
    cols = ['v%d' % i for i in range(rng.randrange(1, 4))]
    header = keys + cols + ['g']
    pool = key_pool(rng, nkey, rng.randrange(1, 2000 if rng.random() < 0.05 else 120))
    groups = ['t-%d' % i for i in range(4)]
    left, right = [], []
    mirror = rng.random() < 0.15	# every key on both sides, every value alike
    for spellings in pool:
        where = 0.95 if mirror else rng.random()
        lkey = [rng.choice(s) for s in spellings]
        rkey = [rng.choice(s) for s in spellings]
        vals = [a_value(rng) for _ in cols]
        g = rng.choice(groups)
        if where < 0.8 or where >= 0.9:
            left.append(lkey + vals + [g])
        if where >= 0.8:
            rvals = [same_value(v, rng) for v in vals]
            if not mirror and rng.random() < 0.3:
                for i in rng.sample(range(len(cols)), rng.randrange(1, len(cols) + 1)):
                    rvals[i] = other_value(vals[i], rng)
            right.append(rkey + rvals + [rng.choice(groups) if rng.random() < 0.2 else g])
    if rng.random() < 0.125:	# a duplicate key, in another spelling
        side = rng.choice([left, right])
        numeric = [r for r in side
                   if all(canon(v) is not None and canon(v)[0] == 'n' for v in r[:nkey])]
        if numeric:
            r = rng.choice(numeric)
            copy = [same_value(v, rng) for v in r[:nkey]] + r[nkey:]
            side.insert(rng.randrange(len(side) + 1), copy)
    rng.shuffle(left)
    rng.shuffle(right)
    llines = write_csv(os.path.join(work, 'snap', name + '_l.csv'), header, left, rng)
    rlines = write_csv(os.path.join(work, 'snap', name + '_r.csv'), header, right, rng)
    tol = None
    if rng.random() < 0.33:
        tol = rng.choice(['0.5', '1', '0.01', '2.5', '1e-1', '1e-12', '1e-30'])
    return {'name': name, 'keys': keys, 'cols': cols, 'header': header, 'left': left,
            'right': right, 'llines': llines, 'rlines': rlines, 'tol': tol}


def in_db(sides, side):
    """Whether side ('left' or 'right') is a database table under SIDES."""
    return sides != 'csv' and (side == 'right' or sides.endswith('-both'))


def expect(case, sides):
    """The reference's findings for case."""
    nkey = len(case['keys'])
    tol = decimal.Decimal(case['tol']) if case['tol'] else None
    for side, lines in (('left', case['llines']), ('right', case['rlines'])):
        first = {}
        what = 'lines'
        rows = case[side]
        if in_db(sides, side):	# a database side counts rows, in scan order
            lines, what = range(1, len(rows) + 1), 'rows'
            if 'scan_' + side[0] in case:
                rows = [rows[i - 1] for i in case['scan_' + side[0]]]
        for r, line in zip(rows, lines):
            kid = key_id(r[:nkey])
            if kid in first:
                return {'error': (what, first[kid], line)}
            first[kid] = line
    lmap = {key_id(r[:nkey]): r for r in case['left']}
    rmap = {key_id(r[:nkey]): r for r in case['right']}
    found = []	# (kind, group, key text, differing columns)
    for kid, l in lmap.items():
        r = rmap.get(kid)
        if r is None:
            found.append(('missing', l[-1], tuple(l[:nkey]), None, None, None))
            continue
        diff = [i for i in range(len(case['cols']))
                if not equal(l[nkey + i], r[nkey + i], tol)]
        if len(diff) == 1:	# one column: the two values as they are
            lv, rv = l[nkey + diff[0]], r[nkey + diff[0]]
        else:	# several: each side's values as SQL literals
            lv = ', '.join(sql_literal(l[nkey + i]) for i in diff)
            rv = ', '.join(sql_literal(r[nkey + i]) for i in diff)
        if diff:
            found.append(('changed', l[-1], tuple(l[:nkey]),
                          ', '.join(case['cols'][i] for i in diff), lv, rv))
    for kid, r in rmap.items():
        if kid not in lmap:
            found.append(('extra', r[-1], tuple(r[:nkey]), None, None, None))
    return {'found': found}


def config(work, cases, samples, sides):
    out = ['[report]', 'title = compare reference', 'output_dir = %s/out-%d' % (work, samples),
           'gate_days = 1', 'window_days = 1', 'samples = %d' % samples, '',
           '[source "snap"]', 'type = csv', 'path = %s/snap' % work, '']
    if sides.startswith('sqlite'):
        out += ['[source "db"]', 'type = sqlite', 'path = %s/sides.db' % work, '']
    elif sides.startswith('postgres'):
        out += ['[source "db"]', 'type = postgres', 'url = env:REF_PG_URL', '']
    for c in cases:
        src = {s: 'db' if in_db(sides, s) else 'snap' for s in ('left', 'right')}
        out += ['[check "%s"]' % c['name'], 'kind = compare',
                'left = %s:%s_l' % (src['left'], c['name']),
                'right = %s:%s_r' % (src['right'], c['name']), 'key = ' + ', '.join(c['keys']),
                'columns = ' + ', '.join(c['cols']), 'group = g']
        if c['tol']:
            out.append('tolerance = ' + c['tol'])
        out.append('')
    return '\n'.join(out)


def load_db(work, cases, sides):
    """The rows of each database side into table NAME_r (NAME_l), every
    column text, so that the database keeps each value's spelling and NULL
    apart from ''.  A PostgreSQL table need not be scanned in the order its
    rows were loaded (COPY placed a long row on a later page than shorter
    ones after it), so each row there also gets its load order in a column
    rid (not compared), and case['scan_l'] / ['scan_r'] keep the order in
    which a scan of the table returns them, for the row numbers of a
    duplicate."""
    tables = [(c, s[0]) for c in cases for s in ('left', 'right') if in_db(sides, s)]
    if sides.startswith('sqlite'):
        import sqlite3
        db = sqlite3.connect(os.path.join(work, 'sides.db'))
        for c, s in tables:
            cols = c['header']
            db.execute('CREATE TABLE %s_%s (%s)' % (c['name'], s, ', '.join(n + ' TEXT' for n in cols)))
            db.executemany('INSERT INTO %s_%s VALUES (%s)' % (c['name'], s, ', '.join('?' * len(cols))),
                           c['left' if s == 'l' else 'right'])
        db.commit()
        db.close()
    elif sides.startswith('postgres'):
        script = ['SET client_min_messages = warning;']
        for c, s in tables:
            cols = c['header']
            script.append('DROP TABLE IF EXISTS %s_%s;' % (c['name'], s))
            script.append('CREATE TABLE %s_%s (rid serial, %s);'
                          % (c['name'], s, ', '.join(n + ' text' for n in cols)))
            script.append("\\copy %s_%s (%s) FROM '%s/snap/%s_%s.csv' (FORMAT csv, HEADER, ENCODING 'UTF8')"
                          % (c['name'], s, ', '.join(cols), work, c['name'], s))
        for c, s in tables:
            script.append("SELECT '%s_%s', string_agg(rid::text, ' ') FROM (SELECT rid FROM %s_%s) t;"
                          % (c['name'], s, c['name'], s))
        psql = ['psql', '-X', '-q', '-At', '-F', ' ', '-v', 'ON_ERROR_STOP=1']
        out = subprocess.run(psql + os.environ['REF_PSQL'].split(), input='\n'.join(script) + '\n',
                             text=True, check=True, capture_output=True).stdout
        by_name = {c['name']: c for c in cases}
        for line in out.splitlines():
            table, *rids = line.split(' ')
            name, s = table.rsplit('_', 1)
            by_name[name]['scan_' + s] = [int(r) for r in rids if r]


def fail(case, what):
    print('FAIL compare_reference: check %s: %s' % (case['name'], what), file=sys.stderr)
    sys.exit(1)


def check(case, got, sides):
    want = expect(case, sides)
    nkey = len(case['keys'])
    if 'error' in want:
        if got['status'] != 'error':
            fail(case, 'status %s, want an error for the duplicate key' % got['status'])
        msg = got.get('error', '')
        lines = '%s %d and %d' % want['error']
        if 'duplicate key' not in msg or lines not in msg:
            fail(case, 'error %r, want a duplicate key on %s' % (msg, lines))
        return 'error'
    found = want['found']
    counts = {k: sum(1 for f in found if f[0] == k) for k in ('missing', 'extra', 'changed')}
    drift = len(found)
    if got['status'] != ('fail' if drift else 'pass'):
        fail(case, 'status %s, want %s' % (got['status'], 'fail' if drift else 'pass'))
    if got['findings'] != counts or got['drift'] != drift:
        fail(case, 'findings %s drift %s, want %s drift %d' %
             (got['findings'], got['drift'], counts, drift))
    groups = {}
    for kind, g, *_ in found:
        e = groups.setdefault(g, {'group': g, 'drift': 0, 'missing': 0, 'extra': 0,
                                  'changed': 0})
        e['drift'] += 1
        e[kind] += 1
    want_groups = [groups[g] for g in sorted(groups)]
    got_groups = [{k: x[k] for k in ('group', 'drift', 'missing', 'extra', 'changed')}
                  for x in got.get('groups', [])]
    if got_groups != want_groups:
        fail(case, 'groups %s, want %s' % (got_groups, want_groups))
    want_samples = sorted(((k, key) + tuple(rest) for k, _, key, *rest in found), key=repr)
    got_samples = sorted(((s[0], tuple(s[1:1 + nkey])) + tuple(s[1 + nkey:]) for s in got['samples']),
                         key=repr)
    if got_samples != want_samples:
        fail(case, 'samples %s, want %s' % (got_samples, want_samples))
    return 'fail' if drift else 'pass'


def key_order(cells):
    """Sort key of a sample's key: per cell NULL, then numbers by value,
    then strings by their UTF-8 bytes."""
    out = []
    for v in cells:
        c = canon(v)
        out.append((0,) if c is None else (1, c[1]) if c[0] == 'n' else (2, v.encode('utf-8')))
    return tuple(out)


def chosen_samples(case, sides, cap):
    """The samples of a cap of cap, in order: the kinds take turns (missing,
    extra, changed, missing, ...) while each has findings left, then they
    are listed kind by kind, each kind's smallest keys first."""
    want = expect(case, sides)
    if 'error' in want:
        return None
    kinds = ('missing', 'extra', 'changed')
    per = {k: sorted((f for f in want['found'] if f[0] == k), key=lambda f: key_order(f[2]))
           for k in kinds}
    take = take_turns({k: len(per[k]) for k in kinds}, cap)
    return [[f[0]] + list(f[2]) + list(f[3:]) for k in kinds for f in per[k][:take[k]]]


def run_recon(binary, work, samples):
    run = subprocess.run([binary, 'run', '-c', os.path.join(work, 'recon-%d.ini' % samples),
                          '--date', '2026-11-22', '-q'], capture_output=True, text=True)
    path = os.path.join(work, 'out-%d' % samples, '2026-11-22.json')
    if not os.path.exists(path):
        sys.exit('FAIL compare_reference: no report (exit %d): %s' % (run.returncode, run.stderr))
    return {c['id']: c for c in json.load(open(path, encoding='utf-8'))['checks']}


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: compare_reference.py BIN WORK [CASES] [SEED] [SIDES]')
    binary, work = sys.argv[1], sys.argv[2]
    ncases = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261123
    sides = sys.argv[5] if len(sys.argv) > 5 else 'csv'
    if sides not in ('csv', 'sqlite', 'postgres', 'sqlite-both', 'postgres-both'):
        sys.exit('compare_reference.py: SIDES is csv, sqlite, postgres, sqlite-both or postgres-both')
    rng = random.Random(seed)
    os.makedirs(os.path.join(work, 'snap'), exist_ok=True)
    cases = [make_case(rng, 'c%03d' % i, work) for i in range(ncases)]
    for samples in (10000, CAP):
        with open(os.path.join(work, 'recon-%d.ini' % samples), 'w') as f:
            f.write(config(work, cases, samples, sides))
    load_db(work, cases, sides)
    report = run_recon(binary, work, 10000)	# every finding sampled
    capped = run_recon(binary, work, CAP)
    tally = {}
    for case in cases:
        status = check(case, report[case['name']], sides)
        tally[status] = tally.get(status, 0) + 1
        want = chosen_samples(case, sides, CAP)
        got = capped[case['name']].get('samples')
        if want is not None and got != want:
            fail(case, 'with samples = %d: %s, want %s' % (CAP, got, want))
    print('ok compare_reference: %d random pairs, sides %s, agree with the reference (%s)'
          % (ncases, sides, ', '.join('%d %s' % (tally[k], k) for k in sorted(tally))))


if __name__ == '__main__':
    main()
