#!/bin/sh
# Captures the sock_diag exchanges of `ss -Mni` (IPPROTO_MPTCP dump, struct mptcp_info) and `ss -tni`
# (TCP dump: subflows with tcp_info, congestion control and MPTCP ULP info) in the client namespace
# of two live connections: one MPTCP connection over two paths (the second path a backup
# endpoint) and one MPTCP client whose peer is a plain TCP server (fallback). Writes:
#   diag-conns-mptcp.txt  what `ss -Mni` received (strace hex dumps, as capture.sh)
#   diag-conns-tcp.txt    what `ss -tni` received
#   diag-conns-requests.txt  the requests both sent (strace's sendmsg lines and hex dumps)
# Each reply file starts with what ss printed from exactly those bytes ("#   " lines), so tests can
# compare the decoded values with ss's own reading of them.
# Run as root from anywhere: sh capture-diag.sh
# Two throwaway namespaces, addresses from 198.18.0.0/15 only; both deleted afterwards.
set -u
cd "$(dirname "$0")"
C=mpsec-dc-$$
TMP=$(mktemp -d)/diag
S=mpsec-ds-$$
ip netns add "$C" || exit 1
ip netns add "$S" || exit 1
trap 'ip netns pids "$C" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns pids "$S" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$C"; ip netns del "$S"; rm -rf "$(dirname "$TMP")"' EXIT
for i in 1 2; do
  ip link add c$i netns "$C" type veth peer name s$i netns "$S"
  ip -n "$C" addr add 198.18.$i.1/24 dev c$i
  ip -n "$S" addr add 198.18.$i.2/24 dev s$i
  ip -n "$C" link set c$i up
  ip -n "$S" link set s$i up
done
ip -n "$C" link set lo up
ip -n "$S" link set lo up
ip -n "$C" mptcp limits set subflows 4 add_addr_accepted 4
ip -n "$S" mptcp limits set subflows 4 add_addr_accepted 4
ip -n "$C" mptcp endpoint add 198.18.2.1 dev c2 subflow backup

VERSIONS="$(ip -V | sed 's/.*\(iproute2-[^,]*\).*/\1/'), kernel $(uname -r)"
STRACE="strace -e trace=recvmsg -e read=all -xx -s 0"

dumps() {
  grep -E '^(recv[a-z]*\(|  ?[*|] )' | grep -v MSG_PEEK \
    | sed -E 's/^(recv[a-z]*)\(([0-9]+),.* = ([0-9]+)$/# \1 fd \2 = \3/' | grep -E '^(# recv|  ?[*|] )'
}
# cap NAME command...: what the command printed (as "#   " lines), then the datagrams it received
cap() {
  name=$1; shift
  {
    echo "# command: $*"
    echo "# captured with: ip netns exec NS $STRACE $* ($VERSIONS)"
    echo "# the command printed:"
    ip netns exec "$C" $STRACE -o "$TMP.trace" "$@" | sed 's/^/#   /'
    dumps < "$TMP.trace"
  } > "$name.txt"
}
# req command...: the requests the command sent (strace's sendmsg line, then the hex of every buffer)
req() {
  ip netns exec "$C" strace -e trace=sendmsg -e write=all -xx -s 4096 -o "$TMP.trace" "$@" >/dev/null
  grep -E '^(sendmsg\(|  ?[*|] )' "$TMP.trace"
}

# server: an MPTCP sink on 5000 and a plain TCP sink on 5001 (the peer without MPTCP)
SINK='
import socket, sys, threading
def serve(port, proto):
    l = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("0.0.0.0", port)); l.listen(1); c, _ = l.accept()
    while c.recv(65536): pass
threading.Thread(target=serve, args=(5001, socket.IPPROTO_TCP)).start()
serve(5000, socket.IPPROTO_MPTCP)'
SOURCE='
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
s.connect((sys.argv[1], int(sys.argv[2]))); end = time.time() + float(sys.argv[3])
while time.time() < end: s.sendall(b"x" * 16384); time.sleep(0.01)'
ip netns exec "$S" python3 -c "$SINK" &
sleep 0.5
ip netns exec "$C" python3 -c "$SOURCE" 198.18.1.2 5000 6 &
ip netns exec "$C" python3 -c "$SOURCE" 198.18.1.2 5001 6 &
for _ in 1 2 3 4 5 6 7 8 9 10; do  # until both subflows and the fallback connection are established
  [ "$(ip netns exec "$C" ss -Htn state established | wc -l)" -ge 3 ] && break; sleep 0.3
done
sleep 1
cap diag-conns-mptcp ss -Mni
cap diag-conns-tcp ss -tni
{
  echo "# commands: ss -Mni, then ss -tni"
  echo "# captured with: ip netns exec NS strace -e trace=sendmsg -e write=all -xx -s 4096 ss ... ($VERSIONS)"
  req ss -Mni
  req ss -tni
} > diag-conns-requests.txt
wait
