#!/usr/bin/env python3
"""Sums up bench.sh output: per backend and load, NEW beside OLD over all
rounds (of one or several runs).

    summarize.py OUTPUT...

Rates are means and medians over the rounds; p50 and p99 are medians (one
slow round says little about a tail). "new/old" is the median of the
per-round ratios of the two sides, each pair measured back to back, which
shares out the machine's drift between the two sides; "rounds ahead" counts
the rounds in which NEW's rate was at least OLD's.

Beside each median ratio stands an interval that holds the true median
ratio with at least 90% confidence whatever the rounds' distribution (the
sign test's order statistics; 5 pairs or more). The verdict reads it: NEW
is ahead (or behind) only when the whole interval is; otherwise the two
sides are level within what the rounds can tell apart. The same is done for
the p99s (new/old below 1 is a shorter tail) and the CPU per request.
"""
import math
import re
import statistics
import sys

HEADER = re.compile(r'^== (sqlite|postgres), round (\d+), (NEW|OLD): .*?: (.*)$')
LOADS = [
    ('snapshot', 'GET snapshot', 'requests_per_s', 'snapshots/s'),
    ('booking', 'POST /v1/bookings, one provider', 'bookings_per_s', 'bookings/s, 1 provider'),
    ('spread', 'POST /v1/bookings, ', 'bookings_per_s', 'bookings/s, spread over providers'),
]


def load_of(title):
    for name, prefix, _, _ in LOADS:
        if title.startswith(prefix):
            return name
    return None


def read(paths):
    """{(backend, load, side): {(file, round): RESULT fields}}"""
    rows = {}
    for index, path in enumerate(paths):
        current = None
        with open(path, encoding='utf-8') as output:
            for line in output:
                header = HEADER.match(line)
                if header:
                    backend, round_number, side, title = header.groups()
                    load = load_of(title)
                    current = (backend, load, side, (index, int(round_number))) if load else None
                    continue
                if current and line.startswith('RESULT requests='):
                    fields = dict(pair.split('=', 1) for pair in line.split()[1:])
                    backend, load, side, key = current
                    rows.setdefault((backend, load, side), {})[key] = fields
                    current = None
    return rows


def median(values):
    return statistics.median(values) if values else float('nan')


def mean(values):
    return statistics.mean(values) if values else float('nan')


def median_interval(ratios, confidence=0.90):
    """The sign test's distribution-free interval for the median of `ratios`:
    (low, high), the widest pair of order statistics still covering the median
    with `confidence`, or None when there are too few ratios for it."""
    ordered = sorted(ratios)
    n = len(ordered)
    # P(fewer than k of n fall below the median) for a fair coin, k = 1, 2, ...
    best = None
    below = 0.0
    for k in range(1, n // 2 + 1):
        below += math.comb(n, k - 1) / 2 ** n
        coverage = 1 - 2 * below
        if coverage < confidence:
            break
        best = (ordered[k - 1], ordered[n - k])
    return best


def compare(label, pairs, higher_is_better):
    """One line: the median of the back-to-back ratios new/old, its interval
    and what it says."""
    ratios = [new / old for new, old in pairs if old > 0 and not math.isnan(new) and not math.isnan(old)]
    if not ratios:
        return f'{label} -'
    interval = median_interval(ratios)
    if interval is None:
        return f'{label} {median(ratios):.3f} (too few pairs for an interval)'
    low, high = interval
    # The whole interval on one side of 1, or level.
    if low > 1:
        verdict = 'ahead' if higher_is_better else 'higher'
    elif high < 1:
        verdict = 'behind' if higher_is_better else 'lower'
    else:
        verdict = 'level'
    return f'{label} {median(ratios):.3f} [{low:.3f}, {high:.3f}] {verdict}'


def main(paths):
    rows = read(paths)
    failed = [(backend, load, side, key[1]) for (backend, load, side), runs in rows.items() for key, r in runs.items()
              if int(r.get('other', 0)) or int(r.get('errors', 0))]
    for backend, load, side, round_number in sorted(failed):
        print(f'WARNING: {backend} {load} {side} round {round_number} had unexpected answers (other or errors); its figures are not comparable')
    print('backend    load                                 side  rounds  rate mean  rate median  p50 ms  p99 ms  CPU us/req')
    for backend in ('sqlite', 'postgres'):
        for load, _, rate_key, label in LOADS:
            sides = {side: rows.get((backend, load, side), {}) for side in ('NEW', 'OLD')}
            if not sides['NEW']:
                continue
            for side, runs in sides.items():
                if not runs:
                    continue
                rates = [float(r[rate_key]) for r in runs.values()]
                print(f"{backend:10} {label:36} {side:4} {len(runs):7}  {mean(rates):9.0f}  {median(rates):11.0f}"
                      f"  {median([float(r['p50_ms']) for r in runs.values()]):6.2f}"
                      f"  {median([float(r['p99_ms']) for r in runs.values()]):6.1f}"
                      f"  {median([float(r.get('server_cpu_us_per_request', 'nan')) for r in runs.values()]):10.0f}")
            both = [k for k in sides['NEW'] if k in sides['OLD']]

            def pairs(key):
                return [(float(sides['NEW'][k].get(key, 'nan')), float(sides['OLD'][k].get(key, 'nan'))) for k in both]

            rates = [(new, old) for new, old in pairs(rate_key) if old > 0]
            if rates:
                ahead = sum(1 for new, old in rates if new >= old)
                print(f"{'':10} {'':36} new/old of {len(rates)} back-to-back pairs, rounds ahead {ahead} of {len(rates)};"
                      f" median [90% interval]:")
                print(f"{'':10} {'':36}   {compare('rate', rates, True)};"
                      f" {compare('p99', pairs('p99_ms'), False)};"
                      f" {compare('CPU/req', pairs('server_cpu_us_per_request'), False)}")


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
