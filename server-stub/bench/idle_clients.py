#!/usr/bin/env python3
"""Holds COUNT idle connections to a slotwise-server, spread over many
127.x.y.z source addresses because of the per-address cap, then measures a
normal client's GETs of PATH while they are open, and the server's resident
memory before and during. MODE keepalive: each connection makes one request
and then stays silent (an idle keep-alive connection); MODE silent: each
connects and sends nothing.

  idle_clients.py PORT PID COUNT PATH MODE [SAMPLES]

Every wait is bounded (2 s per request, 20 s of sampling), so a server that
cannot answer shows up as unanswered requests instead of a hang."""
import http.client
import socket
import sys
import time

port, pid, count, path, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
samples = int(sys.argv[6]) if len(sys.argv) > 6 else 500
per_address = 100


def rss_kib():
    with open(f'/proc/{pid}/status') as f:
        return next(int(line.split()[1]) for line in f if line.startswith('VmRSS'))


before = rss_kib()
held, refused = [], 0
started = time.time()
for i in range(count):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.bind((f'127.2.{i // per_address // 250}.{1 + (i // per_address) % 250}', 0))
        s.connect(('127.0.0.1', port))
        if mode == 'keepalive':
            s.sendall(b'GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n')
            if not s.recv(4096).startswith(b'HTTP/1.1 200'):
                raise OSError('no answer')
        held.append(s)
    except OSError:
        refused += 1
        s.close()
    if time.time() - started > 120:
        break
opened_s = time.time() - started
time.sleep(1)
during = rss_kib()

latencies, failed = [], 0
client = None
sampling = time.time()
for _ in range(samples):
    if time.time() - sampling > 20:
        break
    t = time.time()
    try:
        if client is None:
            client = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
        client.request('GET', path)
        response = client.getresponse()
        response.read()
        if response.status != 200:
            raise OSError(str(response.status))
        latencies.append((time.time() - t) * 1000)
    except (OSError, http.client.HTTPException):
        failed += 1
        client = None
latencies.sort()
still_open = 0
for s in held:
    s.setblocking(False)
    try:
        if s.recv(1) != b'':
            still_open += 1
    except BlockingIOError:
        still_open += 1
    except OSError:
        pass
    s.close()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float('nan')
print(f'RESULT idle_held={len(held)} idle_refused={refused} open_s={opened_s:.1f} still_open={still_open} '
      f'rss_before_kib={before} rss_during_kib={during} '
      f'rss_per_connection_bytes={(during - before) * 1024 / max(1, len(held)):.0f} '
      f'client_answered={len(latencies)} client_failed={failed} client_p50_ms={p(0.5):.2f} client_p99_ms={p(0.99):.2f}')
