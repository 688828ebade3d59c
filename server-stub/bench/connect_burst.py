#!/usr/bin/env python3
"""COUNT connection attempts at once against an idle server: how long the
slowest took (an accept-queue overflow costs a SYN retransmission, about 1 s)
and how many failed. Each waits at most 5 s.

  connect_burst.py PORT [COUNT]"""
import selectors
import socket
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
selector = selectors.DefaultSelector()
started = time.time()
pending = {}
for i in range(count):
    s = socket.socket()
    s.setblocking(False)
    s.bind((f'127.3.{i // 100}.{1 + i % 100}', 0))
    s.connect_ex(('127.0.0.1', port))
    selector.register(s, selectors.EVENT_WRITE)
    pending[s] = time.time()
durations, failed = [], 0
while pending and time.time() - started < 5:
    for key, _ in selector.select(timeout=0.1):
        s = key.fileobj
        if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            failed += 1
        else:
            durations.append((time.time() - pending[s]) * 1000)
        selector.unregister(s)
        del pending[s]
        s.close()
failed += len(pending)
durations.sort()
print(f'RESULT connects={len(durations)} failed_or_late={failed} '
      f'slowest_ms={durations[-1] if durations else float("nan"):.1f} '
      f'over_500ms={sum(1 for d in durations if d > 500)}')
