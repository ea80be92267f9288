#!/usr/bin/env python3
"""load_sqlite.py DIR DB: every DIR/T.csv into table T of the SQLite file DB,
typed the way the contract types CSV fields: an empty field is NULL, a plain
number (-12, 3.50, 1e3; no leading zeros, no '+') is INTEGER or REAL, anything
else is TEXT.  Used by the parity tests: the same data as a SQLite source must
give the same report as the CSV snapshot."""
import csv, os, re, sqlite3, sys

PLAIN = re.compile(r'-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z')

def value(field):
    if field == '':
        return None
    m = PLAIN.match(field)
    if not m:
        return field
    if m.group(2) is None and m.group(3) is None:
        n = int(field)
        return n if -2**63 <= n < 2**63 else float(field)
    return float(field)

def main(src, dst):
    if os.path.exists(dst):
        os.unlink(dst)
    db = sqlite3.connect(dst)
    for name in sorted(os.listdir(src)):
        if not name.endswith('.csv'):
            continue
        with open(os.path.join(src, name), newline='', encoding='utf-8-sig') as f:
            rows = list(csv.reader(f))
        header, data = rows[0], rows[1:]
        table = name[:-4]
        cols = ', '.join('"%s"' % c.replace('"', '""') for c in header)
        db.execute('CREATE TABLE "%s" (%s)' % (table, cols))
        db.executemany('INSERT INTO "%s" VALUES (%s)' % (table, ', '.join('?' * len(header))),
                       [[value(v) for v in r] for r in data])
    db.commit()
    db.close()

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
