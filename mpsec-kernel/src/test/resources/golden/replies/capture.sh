#!/bin/sh
# Captures what the kernel SENDS (replies, dumps, errors, multicast events) to iproute2 and to
# python3, as seeds for the decoder fuzz tests (io.mpsec.kernel.fuzz) and as decoder fixtures.
# Every .txt file holds the command line ("# command:"), how it was captured ("# captured with:"),
# then strace's hex dump of every datagram the tool received (" * N bytes in buffer 0" followed by
# " | offset  hex ... |" lines); MPTCP getsockopt files hold python3's hex lines instead ("hex: ...").
#
# Run as root from anywhere: sh capture.sh
# Uses two throwaway network namespaces joined by two veth pairs, only addresses from
# 198.18.0.0/15 and 2001:2::/48; both namespaces are deleted afterwards.
set -u
cd "$(dirname "$0")"
RES="$(cd ../../mptcp && pwd)"
C=mpsec-rc-$$
S=mpsec-rs-$$
ip netns add "$C" || exit 1
ip netns add "$S" || exit 1
trap 'ip netns pids "$C" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns pids "$S" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$C"; ip netns del "$S"' EXIT
for i in 1 2; do
  ip link add c$i netns "$C" type veth peer name s$i netns "$S"
  ip -n "$C" addr add 198.18.$i.1/24 dev c$i
  ip -n "$S" addr add 198.18.$i.2/24 dev s$i
  ip -n "$C" addr add 2001:2:0:$i::1/64 dev c$i nodad
  ip -n "$S" addr add 2001:2:0:$i::2/64 dev s$i nodad
  ip -n "$C" link set c$i up
  ip -n "$S" link set s$i up
done
ip -n "$C" link set lo up
ip -n "$S" link set lo up
ip -n "$C" mptcp limits set subflows 4 add_addr_accepted 4
ip -n "$S" mptcp limits set subflows 4 add_addr_accepted 4

VERSIONS="$(ip -V | sed 's/.*\(iproute2-[^,]*\).*/\1/'), kernel $(uname -r)"
STRACE="strace -e trace=recvmsg,recvfrom -e read=all -xx -s 0"

# keeps strace's hex dumps and, before each, "# recvmsg fd N = LEN" (which socket it came from)
dumps() {
  grep -E '^(recv[a-z]*\(|  ?[*|] )' | grep -v MSG_PEEK \
    | sed -E 's/^(recv[a-z]*)\(([0-9]+),.* = ([0-9]+)$/# \1 fd \2 = \3/' | grep -E '^(# recv|  ?[*|] )'
}

# cap NAME NS command...: the datagrams the command received
cap() {
  name=$1; ns=$2; shift 2
  {
    echo "# command: $*"
    echo "# captured with: ip netns exec NS $STRACE $* ($VERSIONS)"
    ip netns exec "$ns" $STRACE "$@" 2>&1 >/dev/null | dumps
  } > "$name.txt"
}

# monitor NAME NS SECONDS command...: starts a monitor in the background for SECONDS
monitor() {
  name=$1; ns=$2; secs=$3; shift 3
  echo "# command: $*" > "$name.txt"
  echo "# captured with: timeout $secs ip netns exec NS $STRACE $* ($VERSIONS)" >> "$name.txt"
  ( timeout "$secs" ip netns exec "$ns" $STRACE "$@" 2>&1 >/dev/null | dumps >> "$name.txt" ) &
}

# --- mptcp_pm replies: family, endpoints (v4, v6, port, flags, ifindex), limits, errors -------
ip -n "$C" mptcp endpoint add 198.18.2.1 id 3 dev c2 subflow backup
ip -n "$C" mptcp endpoint add 198.18.1.1 id 4 port 10000 signal
ip -n "$C" mptcp endpoint add 2001:2:0:2::1 id 5 dev c2 subflow fullmesh
cap genl-family-mptcp_pm "$C" genl ctrl get name mptcp_pm
cap genl-family-nlctrl "$C" genl ctrl get name nlctrl
cap pm-endpoint-dump "$C" ip mptcp endpoint show
cap pm-endpoint-get "$C" ip mptcp endpoint show id 3
cap pm-limits "$C" ip mptcp limits show
cap pm-error-delete-missing "$C" ip mptcp endpoint delete id 77
cap pm-error-add-duplicate "$C" ip mptcp endpoint add 198.18.2.1 id 3 dev c2 subflow
ip -n "$C" mptcp endpoint flush

# --- rtnetlink: link and address dumps, then link/address notifications ----------------------
cap rtnl-link-dump "$C" ip link show
cap rtnl-addr-dump "$C" ip addr show
monitor rtnl-monitor "$C" 4 ip monitor link address
sleep 1
ip -n "$C" addr add 198.18.3.1/24 dev c1 label c1:x
ip -n "$C" addr add 2001:2:0:3::1/64 dev c1 nodad
ip -n "$C" link set c2 down
ip -n "$C" link set c2 up
ip -n "$C" addr del 198.18.3.1/24 dev c1
ip -n "$C" link add d1 type dummy 2>/dev/null || ip -n "$C" link add d1 type veth peer name d2
ip -n "$C" link del d1
wait

# --- mptcp_pm events (both ends), sock_diag and MPTCP getsockopt of a live connection ----------
ip -n "$S" mptcp endpoint add 198.18.2.2 id 7 signal
ip -n "$C" mptcp endpoint add 198.18.2.1 id 3 dev c2 subflow
monitor pm-events-client "$C" 12 ip mptcp monitor
monitor pm-events-server "$S" 12 ip mptcp monitor
sleep 1
ip netns exec "$S" python3 "$RES/server.py" 5000 >/dev/null &
sleep 1
ip netns exec "$C" python3 "$RES/client.py" 198.18.1.2 5000 0.5 6 >/dev/null &
for _ in 1 2 3 4 5 6 7 8 9 10; do  # until the client's subflows are established
  [ "$(ip netns exec "$C" ss -Htn state established | wc -l)" -ge 2 ] && break; sleep 0.3
done
cap diag-tcp-mptcp "$C" ss -tni
# MPTCP_INFO (1), MPTCP_SUBFLOW_ADDRS (3) and MPTCP_TCPINFO (2) from a second, idle connection
ip netns exec "$S" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 5001)); s.listen(1); c, _ = s.accept(); time.sleep(3)' &
sleep 0.5
PY_INFO='
import ctypes, socket, struct, time
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_MPTCP)
s.connect(("2001:2:0:1::2", 5001)); s.sendall(b"x" * 100000); time.sleep(1)
def get(opt, buf):
    b = ctypes.create_string_buffer(bytes(buf), len(buf)); n = ctypes.c_uint32(len(buf))
    if libc.getsockopt(s.fileno(), 284, opt, b, ctypes.byref(n)) != 0:
        raise OSError(ctypes.get_errno(), "getsockopt %d" % opt)
    return b.raw[:n.value]
print("# MPTCP_INFO: getsockopt(SOL_MPTCP=284, MPTCP_INFO=1) into 256 bytes")
print("hex: " + get(1, bytes(256)).hex())
for opt, name, size in ((3, "MPTCP_SUBFLOW_ADDRS", 256), (2, "MPTCP_TCPINFO", 256)):
    print("# %s: getsockopt(SOL_MPTCP=284, %d), struct mptcp_subflow_data {16, 0, 0, %d} and room for 4" % (name, opt, size))
    print("hex: " + get(opt, struct.pack("IIII", 16, 0, 0, size) + bytes(size * 4)).hex())
'
{
  echo "# command: python3 -c (connect [2001:2:0:1::2]:5001 over MPTCP, send 100 kB, then getsockopt)"
  echo "# captured with: python3 $(python3 -V 2>&1 | cut -d' ' -f2), kernel $(uname -r); source:"
  echo "$PY_INFO" | sed 's/^/#   /'
  ip netns exec "$C" python3 -c "$PY_INFO"
} > mptcp-getsockopt.txt
sleep 0.5
ip -n "$S" mptcp endpoint delete id 7
ip -n "$C" mptcp endpoint change id 3 backup
sleep 0.3
ip -n "$C" mptcp endpoint delete id 3
wait
