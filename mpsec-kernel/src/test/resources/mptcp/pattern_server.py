#!/usr/bin/env python3
"""MPTCP sink for failover soaks: accept one connection on PORT (IPPROTO_MPTCP = 262), check every
received byte against pattern.py's stream, and print
  'gap end_ns=E ms=G'                    for each pause of >= 10 ms between two reads (CLOCK_MONOTONIC),
  'mismatch off=O len=L got=WHAT'        for each wrong byte range (WHAT: which stream offset the bytes
                                         came from, or zeros, or their hex),
  'bytes=N mismatches=M bad_bytes=B maxgap_ms=G' at EOF."""
import os, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pattern

port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", port))
srv.listen(1)
print("listening", flush=True)
conn, peer = srv.accept()
n = 0
last = None
maxgap = 0.0
mismatches = 0
bad_bytes = 0
bad_start = None
bad_what = None
cur_index = -1
cur_block = b""


def exp(offset, length):
    global cur_index, cur_block
    i = offset // pattern.BLOCK
    if i == cur_index and offset + length <= (i + 1) * pattern.BLOCK:
        k = offset - i * pattern.BLOCK
        return cur_block[k:k + length]
    if offset + length <= (i + 1) * pattern.BLOCK:
        cur_index, cur_block = i, pattern.block(i)
        k = offset - i * pattern.BLOCK
        return cur_block[k:k + length]
    return pattern.expected(offset, length)


def close_region(end):
    global bad_start, mismatches, bad_bytes
    print("mismatch off=%d len=%d got=%s" % (bad_start, end - bad_start, bad_what), flush=True)
    mismatches += 1
    bad_bytes += end - bad_start
    bad_start = None


while True:
    b = conn.recv(262144)
    now = time.monotonic_ns()
    if not b:
        break
    if last is not None:
        g = (now - last) / 1e6
        maxgap = max(maxgap, g)
        if g >= 10:
            print("gap end_ns=%d ms=%.1f" % (now, g), flush=True)
    last = now
    e = exp(n, len(b))
    if b != e or bad_start is not None:
        for k in range(len(b)):
            if b[k] != e[k]:
                if bad_start is None:
                    bad_start = n + k
                    bad_what = pattern.describe(n + k, b[k:k + 64])
            elif bad_start is not None:
                close_region(n + k)
    n += len(b)
if bad_start is not None:
    close_region(n)
conn.close()
print("bytes=%d mismatches=%d bad_bytes=%d maxgap_ms=%d" % (n, mismatches, bad_bytes, int(maxgap)), flush=True)
