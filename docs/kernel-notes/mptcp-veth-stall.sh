#!/usr/bin/env bash
# Reproducer: MPTCP connections on an unshaped veth pair that run in "stall mode" (one ~200 ms stall
# after another, a few hundred Mbit/s) while others run at several Gbit/s. Needs root, iproute2,
# python3, tcpdump (optional, for the capture). Uses two private network namespaces and addresses
# from 198.18.0.0/15 (RFC 2544) only; removes everything on exit.
#
#   ./mptcp-veth-stall.sh [RUNS] [SECONDS] [CC]     (defaults: 10 runs of 3 s, congestion control bbr)
#
# Per run it prints the throughput, the receiver's stalls (pauses of >= 100 ms between two reads)
# and, for the first stalled run, ss -ti of both ends, nstat deltas and a 2 s packet capture.
set -euo pipefail
RUNS=${1:-10}
SECONDS_PER_RUN=${2:-3}
CC=${3:-bbr}
OUT=${OUT:-/tmp/mptcp-veth-stall}
A=mptcp-stall-$$-a
B=mptcp-stall-$$-b
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT
mkdir -p "$OUT"
ip netns add "$A"; ip netns add "$B"
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 198.18.1.1/24 dev va; ip -n "$B" addr add 198.18.1.2/24 dev vb
for ns in "$A" "$B"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -q -w net.mptcp.enabled=1 net.ipv4.tcp_congestion_control="$CC"
done
ip -n "$A" link set va up; ip -n "$B" link set vb up

cat > "$OUT/sink.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)   # IPPROTO_MPTCP
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.1.2", 5201)); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
buf = bytearray(1 << 17); total = 0; last = time.monotonic(); stalls = []; start = last
while True:
    n = c.recv_into(buf)
    now = time.monotonic()
    if n == 0: break
    if now - last >= 0.1: stalls.append(round((now - last) * 1000))
    total += n; last = now
el = last - start
print(f"bytes={total} seconds={el:.2f} gbit_s={total*8/el/1e9:.2f} stalls_ms={stalls}", flush=True)
PY
cat > "$OUT/source.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)
s.connect(("198.18.1.2", 5201))
buf = b"\x5a" * (1 << 17); end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end: s.sendall(buf)
s.close()
PY

captured=0
for i in $(seq 1 "$RUNS"); do
    ip netns exec "$A" nstat -n; ip netns exec "$B" nstat -n
    ip netns exec "$B" python3 "$OUT/sink.py" > "$OUT/sink.$i" &
    sink=$!
    for _ in $(seq 1 50); do grep -q listening "$OUT/sink.$i" 2>/dev/null && break; sleep 0.05; done
    ip netns exec "$A" python3 "$OUT/source.py" "$SECONDS_PER_RUN" &
    src=$!
    sleep 1
    ip netns exec "$A" ss -tinM > "$OUT/ss-sender.$i" 2>&1 || true
    ip netns exec "$B" ss -tinM > "$OUT/ss-receiver.$i" 2>&1 || true
    if [ "$captured" = 0 ] && command -v tcpdump >/dev/null; then
        ip netns exec "$B" timeout 2 tcpdump -i vb -s 128 -w "$OUT/capture.$i.pcap" >/dev/null 2>&1 || true
    fi
    wait "$src"; wait "$sink"
    ip netns exec "$A" nstat > "$OUT/nstat-sender.$i" || true
    result=$(grep bytes= "$OUT/sink.$i")
    echo "run $i ($CC): $result"
    if [ "$captured" = 0 ] && ! grep -q 'stalls_ms=\[\]' "$OUT/sink.$i"; then
        captured=$i
        find "$OUT" -name 'capture.*.pcap' ! -name "capture.$i.pcap" -delete
        echo "  first stalled run: evidence in $OUT/{ss-sender,ss-receiver,nstat-sender}.$i and capture.$i.pcap"
    fi
done
[ "$captured" != 0 ] || rm -f "$OUT"/capture.*.pcap
