#!/bin/sh
# Captures what the kernel SENDS over NETLINK_XFRM (dump replies, errors, ACQUIRE, EXPIRE and other
# notifications) to iproute2, as seeds for the xfrm decoder fuzz tests and as fixtures for the
# "foreign SA/policy" decoder tests. Every .txt file holds the command line ("# command:"), how it
# was captured ("# captured with:"), then "# recvmsg fd N = LEN" and strace's hex dump of every
# datagram received (" * N bytes in buffer 0", then " | offset  hex ... |" lines).
#
# Works on a kernel WITHOUT ESP/AH/IPCOMP (the build host): ALLOCSPI creates larval states of any
# protocol and mode (AH in BEET mode, IPCOMP, ESP in BEET mode, an ESP SPI below 256), and policies
# accept templates of any protocol. The ESP SA layout itself is pinned by ../xfrm (iproute2 requests).
#
# Run as root from anywhere: sh capture.sh
# One throwaway network namespace, only addresses from 198.18.0.0/15 and 2001:2::/48.
set -u
cd "$(dirname "$0")"
N=mpsec-xk-$$
ip netns add "$N" || exit 1
trap 'ip netns pids "$N" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$N"' EXIT
ip -n "$N" link add v1 type veth peer name v2
ip -n "$N" addr add 198.18.9.1/24 dev v1
ip -n "$N" link set v1 up
ip -n "$N" link set v2 up
ip -n "$N" link set lo up

VERSIONS="$(ip -V | sed 's/.*\(iproute2-[^,]*\).*/\1/'), kernel $(uname -r)"
STRACE="strace -e trace=recvmsg -e read=all -xx -s 0"

dumps() {
  grep -E '^(recv[a-z]*\(|  ?[*|] )' | grep -v MSG_PEEK \
    | sed -E 's/^(recv[a-z]*)\(([0-9]+),.* = ([0-9]+)$/# \1 fd \2 = \3/' | grep -E '^(# recv|  ?[*|] )'
}
cap() {
  name=$1; shift
  {
    echo "# command: $*"
    echo "# captured with: ip netns exec NS $STRACE $* ($VERSIONS)"
    ip netns exec "$N" $STRACE "$@" 2>&1 >/dev/null | dumps
  } > "$name.txt"
}

# --- notifications: NEWSA/NEWPOLICY/ACQUIRE/EXPIRE/DELPOLICY/FLUSH while the dumps below are set up
{
  echo "# command: ip xfrm monitor"
  echo "# captured with: timeout 8 ip netns exec NS $STRACE ip xfrm monitor ($VERSIONS)"
} > xfrm-monitor.txt
( timeout 8 ip netns exec "$N" $STRACE ip xfrm monitor 2>&1 >/dev/null | dumps >> xfrm-monitor.txt ) &
sleep 1

# foreign states: larval AH (BEET), IPCOMP (tunnel), ESP BEET over IPv6, ESP with an SPI below 256
ip -n "$N" xfrm state allocspi src 198.18.9.1 dst 198.18.9.2 proto ah mode beet reqid 5 >/dev/null
ip -n "$N" xfrm state allocspi src 198.18.9.1 dst 198.18.9.3 proto comp mode tunnel >/dev/null
ip -n "$N" xfrm state allocspi src 2001:2::1 dst 2001:2::2 proto esp mode beet reqid 9 >/dev/null
ip -n "$N" xfrm state allocspi src 198.18.9.1 dst 198.18.9.4 proto esp mode tunnel min 1 max 200 >/dev/null
ip -n "$N" xfrm state allocspi src 198.18.9.1 dst 198.18.9.5 proto esp mode transport reqid 7 min 0x100 max 0xffff >/dev/null

# policies MPSec did not install: AH/IPCOMP/BEET templates, marks and if_id, a sub policy, BLOCK,
# no template, IPv6 tunnel, and a per-socket policy (reported with direction "socket out")
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.2/32 dir out priority 10 tmpl src 198.18.9.1 dst 198.18.9.2 proto ah reqid 5 mode beet level required
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.3/32 dir out priority 11 tmpl src 198.18.9.1 dst 198.18.9.3 proto comp mode tunnel level required
ip -n "$N" xfrm policy add src 198.18.9.5/32 dst 198.18.9.1/32 proto tcp sport 443 dir in priority 12 tmpl src 198.18.9.5 dst 198.18.9.1 proto esp reqid 7 mode beet level required
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.7/32 dir out mark 7 if_id 3 tmpl src 198.18.9.1 dst 198.18.9.7 proto esp reqid 7
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.8/32 dir out ptype sub tmpl src 198.18.9.1 dst 198.18.9.8 proto esp
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.9/32 dir fwd action block
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.10/32 proto udp dport 53 dir out priority 1
ip -n "$N" xfrm policy add src 2001:2::/64 dst 2001:3::/64 dir fwd tmpl src 2001:2::1 dst 2001:2::2 proto esp reqid 9 mode tunnel level use
# an ESP policy that triggers ACQUIRE (ping has no SA to use; the kernel drops it and asks)
ip -n "$N" xfrm policy add src 198.18.9.1/32 dst 198.18.9.20/32 dir out tmpl src 198.18.9.1 dst 198.18.9.20 proto esp reqid 20 mode transport level required
ip netns exec "$N" ping -c 1 -W 1 198.18.9.20 >/dev/null 2>&1
ip netns exec "$N" python3 -c '
import socket, struct, time
# struct xfrm_userpolicy_info: empty AF_INET selector, unlimited lifetimes, priority 5, dir out, BLOCK
sel = bytes(32) + bytes(8) + struct.pack("<HBBB3xiI", 2, 0, 0, 0, 0, 0)
info = sel + struct.pack("<8Q", *([2**64 - 1] * 4 + [0] * 4)) + bytes(32) + struct.pack("<IIBBBB4x", 5, 0, 1, 1, 0, 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 17, info)  # IP_XFRM_POLICY (linux/in.h)
open("/tmp/'"$N"'.ready", "w").close()
time.sleep(5)' &
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do [ -e "/tmp/$N.ready" ] && break; sleep 0.2; done
rm -f "/tmp/$N.ready"
cap xfrm-state-dump ip xfrm state list
cap xfrm-policy-dump ip xfrm policy list
cap xfrm-error-no-esp ip xfrm state add src 198.18.9.1 dst 198.18.9.6 proto esp spi 0x1001 mode transport aead 'rfc4106(gcm(aes))' 0x000102030405060708090a0b0c0d0e0fa0a1a2a3 128
# a larval state made with net.core.xfrm_acq_expires=1 expires after 1 s: a hard EXPIRE notification
ip netns exec "$N" sysctl -qw net.core.xfrm_acq_expires=1
ip -n "$N" xfrm state allocspi src 198.18.9.1 dst 198.18.9.11 proto esp mode transport reqid 11 >/dev/null
sleep 2
ip -n "$N" xfrm policy delete src 198.18.9.1/32 dst 198.18.9.9/32 dir fwd
ip -n "$N" xfrm policy flush
wait
