#!/usr/bin/env python3
"""compare_bisect.py BIN WORK [CASES] [SEED] [WHERE]: strategy = bisect
against strategy = rows on the same PostgreSQL tables, which must give
byte-identical JSON for every check apart from the strategy's own fields
(strategy, strategy_note, ranges, rows_streamed, cut).

Two kinds of pairs, both sides tables of one PostgreSQL database ($REF_PG_URL
is recon's connection string, $REF_PSQL the psql arguments of a role that
may create tables):
- text pairs: tests/parity/compare_reference.py's random pairs (every
  column text: numbers in several spellings, NULL against '', text that
  only looks numeric, duplicate keys in another spelling, tolerances);
- typed pairs: keys of one or two columns of mixed types (integer, text,
  numeric, date; a bigint key in two clusters far apart), half of them a
  primary key, all analysed, and compared columns of integer, numeric (at other
  scales on the two sides), double precision, boolean, text, date and
  timestamp, with rows missing, extra and changed.
Each check's bisect_rows is drawn small (1 to 60) so that ranges are split
again and again.  WHERE is postgres (the default), sharded (every table
made on the coordinator of tests/lib/pg_cluster.sh, its directory in
$REF_CLUSTER, as a table partitioned by hash into three postgres_fdw
shards) or sqlite (both sides tables of one SQLite file, the typed ones
with the same declared types).  Exits 1 with the
first difference.
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import compare_reference as ref  # noqa: E402

STRATEGY_FIELDS = ('strategy', 'strategy_note', 'ranges', 'rows_streamed', 'cut')


def sql_lit(v):
    return 'NULL' if v is None else "'" + v.replace("'", "''") + "'"


def typed_case(rng, name):
    """A pair of typed tables: (DDL columns, key, cols, left rows, right rows)."""
    keys = rng.choice([[('k0', 'integer')], [('k0', 'text')], [('k0', 'bigint')],
                       [('k0', 'integer'), ('k1', 'text')], [('k0', 'date'), ('k1', 'numeric')]])
    cols = [('v_int', 'bigint'), ('v_num', 'numeric'), ('v_dbl', 'double precision'),
            ('v_bool', 'boolean'), ('v_txt', 'text'), ('v_ts', 'timestamp')]

    def key_val(t, i):
        if t == 'integer':	# evenly spaced: bisect's first level steps evenly
            return str(i * 7 - 300)
        if t == 'bigint':	# two clusters far apart: it takes a sample
            return str(i * 7 if i % 2 else 10 ** 12 + i)
        if t == 'text':
            return rng.choice(['k', 'K', 'k ', 'é', '10', '1e1', 'a\'b']) + str(i)
        if t == 'date':
            return '2026-%02d-%02d' % (1 + i % 12, 1 + i % 28)
        return rng.choice(['%d', '%d.50', '%d.5', '-%d.25']) % i

    def val(c):
        if rng.random() < 0.1:
            return None
        return {'v_int': lambda: str(rng.randrange(-5, 5)),
                'v_num': lambda: rng.choice(['1.5', '1.50', '0', '-0.0', '12345678901234567890.1']),
                'v_dbl': lambda: rng.choice(['0.1', '1e20', '-2.5', '0.30000000000000004', '3']),
                'v_bool': lambda: rng.choice(['t', 'f']),
                'v_txt': lambda: rng.choice(['', 'a', '1.50', '1.5', '08', 'x y', '1e3', '1000']),
                'v_ts': lambda: rng.choice(['2026-11-22 10:00:00', '2026-11-22 10:00:00.5'])}[c]()

    def same(c, v):
        if v is None:
            return v
        alt = {'v_num': {'1.5': '1.50', '1.50': '1.5', '0': '-0.0', '-0.0': '0'},
               'v_txt': {'1.50': '1.5', '1e3': '1000'}}.get(c, {})
        return alt.get(v, v) if rng.random() < 0.5 else v

    n = rng.randrange(1, 400)
    left, right, seen = [], [], set()
    for i in range(n):
        k = [key_val(t, i) for _, t in keys]
        if tuple(k) in seen:
            continue
        seen.add(tuple(k))
        vals = [val(c) for c, _ in cols]
        r = rng.random()
        if r < 0.9 or r >= 0.95:
            left.append(k + vals)
        if r >= 0.9 or rng.random() < 0.97:
            rv = [same(c, v) for (c, _), v in zip(cols, vals)]
            if rng.random() < 0.03:
                j = rng.randrange(len(cols))
                rv[j] = val(cols[j][0])
            if r < 0.9 or r >= 0.95 or rng.random() < 0.5:
                right.append(k + rv)
    pk = rng.random() < 0.5	# a primary key: no duplicate to count
    if rng.random() < 0.05 and left:	# a duplicate key
        left.append(list(left[0]))
        pk = False
    return {'name': name, 'keys': [k for k, _ in keys], 'ddl': keys + cols, 'pk': pk,
            'cols': [c for c, _ in cols], 'left': left, 'right': right}


def load_typed_sqlite(work, cases):
    import sqlite3
    db = sqlite3.connect(os.path.join(work, 'sides.db'))
    for c in cases:
        for s in ('l', 'r'):
            t = '%s_%s' % (c['name'], s)
            db.execute('CREATE TABLE %s (%s)' % (t, ', '.join('%s %s' % (n, ty) for n, ty in c['ddl'])))
            db.executemany('INSERT INTO %s VALUES (%s)' % (t, ', '.join('?' * len(c['ddl']))),
                           c['left' if s == 'l' else 'right'])
    db.commit()
    db.close()


def load_typed(cases, sharded):
    script = ['SET client_min_messages = warning;']
    shards = []
    for c in cases:
        for s in ('l', 'r'):
            t = '%s_%s' % (c['name'], s)
            ddl = ', '.join('%s %s' % (n, ty) for n, ty in c['ddl'])
            if sharded:
                shards.append((t, ddl, c['ddl'][0][0]))
            else:
                script.append('CREATE TABLE %s (%s%s);' % (t, ddl, ', PRIMARY KEY (%s)' % ', '.join(
                    c['keys']) if c['pk'] else ''))
            rows = c['left' if s == 'l' else 'right']
            if rows:
                script.append('INSERT INTO %s VALUES %s;' % (t, ', '.join(
                    '(' + ', '.join(sql_lit(v) for v in r) + ')' for r in rows)))
    for t, ddl, key in shards:
        subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib',
                        'pg_cluster.sh'), 'shard', os.environ['REF_CLUSTER'], t, ddl, key],
                       check=True)
    # statistics: the histogram that lets an integer key's first level step
    # evenly (pg_stats)
    script.extend('ANALYZE %s_%s;' % (c['name'], s) for c in cases for s in ('l', 'r'))
    subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1'] + os.environ['REF_PSQL'].split(),
                   input='\n'.join(script) + '\n', text=True, check=True)


def shard_text(work, cases):
    """The text pairs' tables as compare_reference.load_db makes them, but
    partitioned by hash of rid into the cluster's shards."""
    lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib', 'pg_cluster.sh')
    script = ['SET client_min_messages = warning;']
    for c in cases:
        for s in ('l', 'r'):
            cols = ', '.join(n + ' text' for n in c['header'])
            subprocess.run([lib, 'shard', os.environ['REF_CLUSTER'], '%s_%s' % (c['name'], s),
                            'rid serial, ' + cols, 'rid'], check=True)
            script.append("\\copy %s_%s (%s) FROM '%s/snap/%s_%s.csv' (FORMAT csv, HEADER, ENCODING 'UTF8')"
                          % (c['name'], s, ', '.join(c['header']), work, c['name'], s))
    # statistics: the histogram that lets an integer key's first level step
    # evenly (pg_stats)
    script.extend('ANALYZE %s_%s;' % (c['name'], s) for c in cases for s in ('l', 'r'))
    subprocess.run(['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1'] + os.environ['REF_PSQL'].split(),
                   input='\n'.join(script) + '\n', text=True, check=True)


def config(work, checks, strategy, where):
    out = ['[report]', 'title = bisect parity', 'output_dir = %s/out-%s' % (work, strategy),
           'gate_days = 1', 'window_days = 1', 'samples = 7', '']
    if where == 'sqlite':
        out += ['[source "db"]', 'type = sqlite', 'path = %s/sides.db' % work, '']
    else:
        out += ['[source "db"]', 'type = postgres', 'url = env:REF_PG_URL', '']
    for c in checks:
        out += ['[check "%s"]' % c['name'], 'kind = compare', 'left = db:%s_l' % c['name'],
                'right = db:%s_r' % c['name'], 'key = ' + ', '.join(c['keys']),
                'columns = ' + ', '.join(c['cols'])]
        if 'g' in c.get('header', []):
            out.append('group = g')
        if c.get('tol'):
            out.append('tolerance = ' + c['tol'])
        if strategy == 'bisect':
            out += ['strategy = bisect', 'bisect_rows = %d' % c['leaf']]
        out.append('')
    return '\n'.join(out)


def run(binary, work, strategy):
    ini = os.path.join(work, 'recon-%s.ini' % strategy)
    r = subprocess.run([binary, 'run', '-c', ini, '--date', '2026-11-22', '-q'],
                       capture_output=True, text=True)
    path = os.path.join(work, 'out-%s' % strategy, '2026-11-22.json')
    if not os.path.exists(path):
        sys.exit('FAIL compare_bisect: no report (exit %d): %s' % (r.returncode, r.stderr))
    return {c['id']: c for c in json.load(open(path, encoding='utf-8'))['checks']}


def main():
    binary, work = sys.argv[1], sys.argv[2]
    ncases = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 22
    where = sys.argv[5] if len(sys.argv) > 5 else 'postgres'
    sharded = where == 'sharded'
    rng = random.Random(seed)
    os.makedirs(os.path.join(work, 'snap'), exist_ok=True)
    text = [ref.make_case(rng, 't%03d' % i, work) for i in range(ncases)]
    typed = [typed_case(rng, 'y%03d' % i) for i in range(ncases)]
    for c in text + typed:
        c['leaf'] = rng.randrange(1, 61)
    if sharded:
        shard_text(work, text)
    elif where == 'sqlite':
        ref.load_db(work, text, 'sqlite-both')
    else:
        ref.load_db(work, text, 'postgres-both')
    if where == 'sqlite':
        load_typed_sqlite(work, typed)
    else:
        load_typed(typed, sharded)
    for strategy in ('rows', 'bisect'):
        with open(os.path.join(work, 'recon-%s.ini' % strategy), 'w') as f:
            f.write(config(work, text + typed, strategy, where))
    rows, bis = run(binary, work, 'rows'), run(binary, work, 'bisect')
    tally = {}
    for c in text + typed:
        a, b = rows[c['name']], dict(bis[c['name']])
        used = b.get('strategy')
        if used not in ('rows', 'bisect'):
            sys.exit('FAIL compare_bisect: check %s: strategy %r' % (c['name'], used))
        streamed = b.get('rows_streamed', {})
        for f in STRATEGY_FIELDS:
            b.pop(f, None)
        ja, jb = json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)
        if ja != jb:
            sys.exit('FAIL compare_bisect: check %s: rows %s\nbisect %s' % (c['name'], ja, jb))
        kind = used if used == 'rows' else 'bisect, %s' % (
            'all streamed' if streamed['left'] == len(c['left']) and
            streamed['right'] == len(c['right']) else 'part streamed')
        if used == 'rows':
            kind += ' (%s)' % bis[c['name']].get('strategy_note', '?')
        tally[kind] = tally.get(kind, 0) + 1
    if not any('part streamed' in k for k in tally):
        sys.exit('FAIL compare_bisect: no check streamed only a part of its rows: %s' % tally)
    print('ok compare_bisect (%s): %d pairs, rows and bisect agree (%s)' % (
        where, 2 * ncases,
        ', '.join('%d %s' % (tally[k], k) for k in sorted(tally))))


if __name__ == '__main__':
    main()
