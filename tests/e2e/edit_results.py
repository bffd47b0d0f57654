#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# edit_results.py MODE FILE...: rewrite result files for tests of what
# analysis accepts (tests/e2e/test_validity.sh).  Real tiny runs on a loaded
# 2-CPU machine sometimes count nothing in a sample, so every mode first makes
# the figures steady and positive (a fixed rate per file, from its name, so
# that separate files differ a little, as separate runs do); then:
#   steady    nothing more
#   zero      the last repeat's rates are 0 (a repeat that counted nothing)
#   negative  the headline rate of the first step is negative
#   nan       the headline rate of the first step is NaN (Python writes NaN,
#             which is not JSON: the reader must name the value, not fail)
import json
import sys
import zlib


def steady(doc, path):
    base = 100000.0 * (1 + 0.01 * (zlib.crc32(path.rsplit('/', 1)[-1].encode()) % 7 - 3))
    for step in doc['steps']:
        step.get('extra', {}).pop('warning', None)
        for name, m in step.get('metrics', {}).items():
            v = base * (1 + 0.002 * step.get('repeat', 0)) if m.get('higher_better') else 1.0
            m['value'] = v
            if isinstance(m.get('samples'), list):
                m['samples'] = [v] * len(m['samples'])


def headline(doc):
    return doc.get('headline_metric') or 'pages/s'


def main():
    mode = sys.argv[1]
    for path in sys.argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        steady(doc, path)
        steps = doc['steps']
        if mode == 'zero':
            last = max(s.get('repeat', 0) for s in steps)
            for s in steps:
                if s.get('repeat', 0) == last:
                    for m in s['metrics'].values():
                        if m.get('higher_better'):
                            m['value'] = 0.0
                            if isinstance(m.get('samples'), list):
                                m['samples'] = [0.0] * len(m['samples'])
        elif mode == 'negative':
            steps[0]['metrics'][headline(doc)]['value'] = -76552.0
        elif mode == 'nan':
            steps[0]['metrics'][headline(doc)]['value'] = float('nan')
        elif mode != 'steady':
            sys.exit('edit_results.py: unknown mode ' + mode)
        with open(path, 'w') as f:
            json.dump(doc, f, indent=1)


main()
