#!/usr/bin/env python3
"""same_results.py A.json B.json: the two reports agree on what the checks
found (ids, statuses, drift, groups, columns, samples, values, findings,
summary counts and gate), whatever their sources' provenance."""
import json, sys

KEYS = ('id', 'kind', 'status', 'paging', 'drift', 'groups', 'columns', 'samples',
        'findings', 'value', 'recovery', 'target')

def essence(path):
    r = json.load(open(path))
    s = dict(r['summary'])
    return {'gate': r['gate'], 'summary': s, 'recovery': r['recovery'],
            'checks': [{k: c.get(k) for k in KEYS} for c in r['checks']]}

a, b = essence(sys.argv[1]), essence(sys.argv[2])
if a != b:
    for ca, cb in zip(a['checks'], b['checks']):
        if ca != cb:
            print('differs: %s\n  %s\n  %s' % (ca['id'], ca, cb))
    if a['summary'] != b['summary'] or a['gate'] != b['gate']:
        print('summary/gate: %s %s / %s %s' % (a['summary'], a['gate'], b['summary'], b['gate']))
    sys.exit(1)
