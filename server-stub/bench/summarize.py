#!/usr/bin/env python3
"""Sums up bench.sh output: per backend and load, NEW beside OLD over all
rounds (of one or several runs).

    summarize.py OUTPUT...

Rates are means and medians over the rounds; p50 and p99 are medians (one
slow round says little about a tail). "new/old" is the median of the
per-round ratios of the two rates, each pair measured back to back, which
shares out the machine's drift between the two sides; "rounds ahead" counts
the rounds in which NEW's rate was at least OLD's.
"""
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
            paired = [(float(sides['NEW'][k][rate_key]), float(sides['OLD'][k][rate_key]))
                      for k in sides['NEW'] if k in sides['OLD']]
            paired = [(new, old) for new, old in paired if old > 0]
            if paired:
                ahead = sum(1 for new, old in paired if new >= old)
                print(f"{'':10} {'':36} new/old {median([new / old for new, old in paired]):.3f}"
                      f" (median of {len(paired)} back-to-back pairs), rounds ahead {ahead} of {len(paired)}")


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
