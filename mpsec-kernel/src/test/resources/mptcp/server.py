#!/usr/bin/env python3
"""MPTCP sink for ITs: accept one connection on PORT (IPPROTO_MPTCP), read until EOF, then print
'bytes=N sha256=HEX maxgap_ms=G' (G: longest pause between two reads after the first byte)."""
import hashlib, socket, sys, time

port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", port))
srv.listen(1)
print("listening", flush=True)
conn, peer = srv.accept()
h = hashlib.sha256()
n = 0
last = None
gap = 0.0
while True:
    b = conn.recv(262144)
    now = time.monotonic()
    if not b:
        break
    if last is not None:
        gap = max(gap, now - last)
    last = now
    n += len(b)
    h.update(b)
conn.close()
print("bytes=%d sha256=%s maxgap_ms=%d" % (n, h.hexdigest(), int(gap * 1000)), flush=True)
