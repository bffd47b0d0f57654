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
#   quiet     every step has interference figures, none disturbed
#   disturbed as quiet, but the first step was disturbed (worst share 0.620,
#             wait 0.300, other 0.350, steal 0.010), and so the run
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


def interference(doc, disturbed):
    steps = doc['steps']
    for i, s in enumerate(steps):
        bad = disturbed and i == 0
        s['interference'] = {
            'share_min': 0.62 if bad else 0.995, 'wait_max': 0.30 if bad else 0.001,
            'other_max': 0.35 if bad else 0.004, 'steal_max': 0.01 if bad else 0.0,
            'psi_some': None, 'read_s_max': 0.0001, 'samples': 2,
            'samples_disturbed': 2 if bad else 0, 'disturbed': bad, 'retries': 0}
    doc['interference'] = {
        'bounds': {'share_min': 0.97, 'wait_max': 0.03, 'other_max': 0.05, 'steal_max': 0.02},
        'steps': len(steps), 'steps_disturbed': 1 if disturbed else 0,
        'disturbed': disturbed, 'retries': 0}


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
        elif mode in ('quiet', 'disturbed'):
            interference(doc, mode == 'disturbed')
        elif mode != 'steady':
            sys.exit('edit_results.py: unknown mode ' + mode)
        with open(path, 'w') as f:
            json.dump(doc, f, indent=1)


main()
