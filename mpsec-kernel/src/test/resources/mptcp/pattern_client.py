#!/usr/bin/env python3
"""MPTCP source for failover soaks: connect to HOST PORT (IPPROTO_MPTCP = 262) and send the
deterministic stream of pattern.py for SECONDS (or until the file STOPFILE, when given, exists),
then print 'bytes=N'."""
import os, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pattern

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
stopfile = sys.argv[4] if len(sys.argv) > 4 else None
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.connect((host, port))
print("connected", flush=True)
n = 0
end = time.monotonic() + seconds
i = 0
while time.monotonic() < end and not (stopfile and i % 16 == 0 and os.path.exists(stopfile)):
    b = pattern.block(i)
    s.sendall(b)
    n += len(b)
    i += 1
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
print("bytes=%d" % n, flush=True)
