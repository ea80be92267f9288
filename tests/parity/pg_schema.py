#!/usr/bin/env python3
"""pg_schema.py DIR: psql commands that (re)create every DIR/T.csv as table T
in PostgreSQL and load it with \\copy (FORMAT csv, HEADER), so an empty
unquoted field is NULL and "" the empty string, as in recon's CSV sources.
Column types follow the data: bigint when every value is a plain integer,
numeric when every value is a plain number, text otherwise."""
import csv, os, re, sys

INT = re.compile(r'-?(0|[1-9][0-9]*)\Z')
NUM = re.compile(r'-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z')

def ident(s):
    return '"%s"' % s.replace('"', '""')

src = sys.argv[1]
print('SET client_min_messages = warning;')
for name in sorted(os.listdir(src)):
    if not name.endswith('.csv'):
        continue
    path = os.path.join(src, name)
    with open(path, newline='', encoding='utf-8-sig') as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    cols = []
    for i, c in enumerate(header):
        vals = [r[i] for r in data if r[i] != '']
        if vals and all(INT.match(v) and abs(int(v)) < 2**63 for v in vals):
            t = 'bigint'
        elif vals and all(NUM.match(v) for v in vals):
            t = 'numeric'
        else:
            t = 'text'
        cols.append('%s %s' % (ident(c), t))
    table = ident(name[:-4])
    print('DROP TABLE IF EXISTS %s;' % table)
    print('CREATE TABLE %s (%s);' % (table, ', '.join(cols)))
    print("\\copy %s FROM '%s' (FORMAT csv, HEADER)" % (table, os.path.abspath(path).replace("'", "''")))
