#!/usr/bin/env python3
"""MPTCP source for ITs: connect to HOST PORT (IPPROTO_MPTCP), send pseudo-random data for SECONDS
(seeded, so both ends can be checked), optionally stay connected HOLD more seconds, then print
'bytes=N sha256=HEX'."""
import hashlib, random, socket, sys, time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
hold = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
rnd = random.Random(1234)
chunk = bytes(rnd.getrandbits(8) for _ in range(65536))
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
s.connect((host, port))
print("connected", flush=True)
h = hashlib.sha256()
n = 0
end = time.monotonic() + seconds
i = 0
while time.monotonic() < end:
    # vary the chunk so a lost or repeated block changes the digest
    b = chunk[i % 251:] + chunk[:i % 251]
    s.sendall(b)
    h.update(b)
    n += len(b)
    i += 1
time.sleep(hold)
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()
print("bytes=%d sha256=%s" % (n, h.hexdigest()), flush=True)
