#!/bin/sh
# Captures real frames for the wire inspector's tests (PacketCounterCaptureTest) and fuzz seeds:
# TCP carrying a plaintext marker behind 802.1Q and stacked 802.1ad/802.1Q tags, behind IPv6
# extension headers (hop-by-hop, destination options, a segment routing header) set by the kernel
# for a python3 socket, IPv6 fragments from ping -s 3000, Linux cooked captures on "any" (SLL and
# SLL2), and, where the kernel has them, TCP under AH (authenticated, still readable) and under ESP.
# Each scenario becomes NAME.txt: the commands ("# command:" lines), the kernel, what tcpdump itself
# decoded from the pcap (annotate.sh), the link type, then one "frame: HEX" line per captured frame,
# converted from tcpdump -w files by the python3 at the end. The files in this directory came from
# the build host (ipv6-*, cooked-*) and from the kernel lane (vlan-*, ah-tcp, esp-tcp).
#
# Usage (root): sh capture.sh OUTDIR [SCENARIO-REGEX]   (default: every scenario)
# The build host has no 802.1Q, AH or ESP (PLATFORM.md): run it in the kernel lane for all scenarios:
#   MPSEC_KL_CACHE=/work/main/.kernel-lane \
#   MPSEC_KL_COMMAND="sh $PWD/capture.sh $REPO/target/kernel-lane/wire 'vlan|ah|esp'" kernel-lane/run.sh
# (the lane mounts target/kernel-lane read-write; see kernel-lane/README.md). Scenarios the kernel
# cannot run are skipped with a note. Two throwaway namespaces, only 198.18.0.0/15 and 2001:2::/48.
set -u
OUT=${1:?usage: capture.sh OUTDIR [SCENARIO-REGEX]}
ONLY=${2:-.}
mkdir -p "$OUT"
want() { echo "$1" | grep -Eq "$ONLY"; }
PY=/usr/bin/python3
A=mpsec-wa-$$
B=mpsec-wb-$$
MARKER=MPSEC-PLAINTEXT-MARKER-7f3a
ip netns add $A || exit 1
ip netns add $B || exit 1
cleanup() { ip netns pids $A 2>/dev/null | xargs -r kill 2>/dev/null; ip netns pids $B 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del $A; ip netns del $B; }
trap cleanup EXIT
ip link add a0 netns $A type veth peer name b0 netns $B
ip -n $A link set lo up; ip -n $B link set lo up
ip -n $A addr add 198.18.1.1/24 dev a0; ip -n $B addr add 198.18.1.2/24 dev b0
ip -n $A addr add 2001:2:0:1::1/64 dev a0 nodad; ip -n $B addr add 2001:2:0:1::2/64 dev b0 nodad
ip -n $A link set a0 up; ip -n $B link set b0 up

# start NAME IFACE [tcpdump args]: capture on IFACE in A until stop
start() {
  name=$1; iface=$2; shift 2
  echo "# command: ip netns exec A tcpdump -i $iface -w $name.pcap -s 0 -U $*" > "$OUT/$name.cmd"
  ip netns exec $A tcpdump -i "$iface" -w "$OUT/$name.pcap" -s 0 -U "$@" 2> "$OUT/$name.log" &
  for _ in $(seq 1 150); do
    grep -q "listening on" "$OUT/$name.log" 2>/dev/null && return 0; sleep 0.2
  done
}
stop() {
  sleep 1
  ip netns pids $A | while read -r p; do [ "$(cat /proc/$p/comm 2>/dev/null)" = tcpdump ] && kill -INT "$p"; done
  wait
  rm -f "$OUT/.listening.$$"
}
# note CMD...: records a command (namespace names shortened to A and B, continuation lines commented)
note() { printf '%s\n' "$*" | sed "s/$A/A/g; s/$B/B/g; 1s/^/# command: /; 2,\$s/^/#     /" >> "$OUT/$name.cmd"; }
run() { note "$@"; "$@"; }

# tcp NAME ADDR_B [python socket setup]: a TCP connection from A to B:5000 carrying the marker
# (waits for the listener and retries the connect: under qemu TCG every process start takes seconds)
tcp() {
  dst=$2; setup=${3:-}; ready="$OUT/.listening.$$"
  rm -f "$ready"
  note ip netns exec B python3 -c "(accept one connection on [$dst]:5000, read to EOF)"
  ip netns exec $B $PY -c "import socket
s = socket.socket(socket.AF_INET6 if ':' in '$dst' else socket.AF_INET); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$dst', 5000)); s.listen(1); open('$ready', 'w').close(); s.settimeout(60); c, _ = s.accept()
while c.recv(65536): pass" &
  for _ in $(seq 1 150); do [ -e "$ready" ] && break; sleep 0.2; done
  run ip netns exec $A $PY -c "import socket, time
for attempt in range(20):
    s = socket.socket(socket.AF_INET6 if ':' in '$dst' else socket.AF_INET)
$(echo "$setup" | sed 's/^/    /')
    s.settimeout(10)
    try:
        s.connect(('$dst', 5000)); break
    except OSError:
        s.close(); time.sleep(0.5)
s.sendall(b'$MARKER' + bytes(3000)); s.close()"
  wait_server
}
wait_server() { sleep 1; }

# --- 802.1Q, and 802.1ad carrying 802.1Q (stacked tags) ------------------------------------------
if want vlan && ip -n $A link add link a0 name a0.100 type vlan id 100 2>/dev/null; then
  name=vlan-8021q
  start $name a0
  note ip link add link a0 name a0.100 type vlan id 100 "(both ends), 198.18.100.1/24 - 198.18.100.2/24"
  ip -n $B link add link b0 name b0.100 type vlan id 100
  ip -n $A addr add 198.18.100.1/24 dev a0.100; ip -n $B addr add 198.18.100.2/24 dev b0.100
  ip -n $A link set a0.100 up; ip -n $B link set b0.100 up
  sleep 1
  tcp $name 198.18.100.2
  stop
  # the same tagged traffic, captured on "any" (Linux cooked v1): how the tag appears there
  name=vlan-cooked-any
  start $name any -y LINUX_SLL
  tcp $name 198.18.100.2
  stop
  name=vlan-qinq
  start $name a0
  note ip link add link a0 name a0.200 type vlan proto 802.1ad id 200 "(both ends)"
  note ip link add link a0.200 name a0.200.300 type vlan id 300 "(both ends), 198.18.200.1/24 - 198.18.200.2/24"
  ip -n $A link add link a0 name a0.200 type vlan proto 802.1ad id 200
  ip -n $B link add link b0 name b0.200 type vlan proto 802.1ad id 200
  ip -n $A link add link a0.200 name a0.200.300 type vlan id 300
  ip -n $B link add link b0.200 name b0.200.300 type vlan id 300
  ip -n $A addr add 198.18.200.1/24 dev a0.200.300; ip -n $B addr add 198.18.200.2/24 dev b0.200.300
  for d in a0.200 a0.200.300; do ip -n $A link set $d up; done
  for d in b0.200 b0.200.300; do ip -n $B link set $d up; done
  sleep 1
  tcp $name 198.18.200.2
  stop
elif want vlan; then
  echo "vlan: this kernel has no 802.1Q (CONFIG_VLAN_8021Q); skipped" | tee "$OUT/vlan.skipped"
fi
sleep 1

# --- IPv6: fragments from ping, extension headers on a TCP socket, MLD with hop-by-hop -----------
if want ipv6-frag; then
name=ipv6-frag
start $name a0
run ip netns exec $A ping -6 -c 2 -s 3000 -W 2 2001:2:0:1::2 >/dev/null
stop
fi

if want ipv6-exthdr; then
name=ipv6-exthdr-tcp
# B must accept the segment routing header (net.ipv6.conf.*.seg6_enabled, off by default)
ip netns exec $B sysctl -qw net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.b0.seg6_enabled=1
start $name a0
note ip netns exec B sysctl -w net.ipv6.conf.all.seg6_enabled=1 net.ipv6.conf.b0.seg6_enabled=1
# sticky options set with setsockopt (RFC 3542): hop-by-hop and destination options with a PadN
# option, and a type-4 routing header (segment routing, RFC 8754) naming the destination, segments left 0
tcp $name 2001:2:0:1::2 "pad = bytes([1, 4, 0, 0, 0, 0])
s.setsockopt(socket.IPPROTO_IPV6, 54, bytes([0, 0]) + pad)    # IPV6_HOPOPTS
s.setsockopt(socket.IPPROTO_IPV6, 59, bytes([0, 0]) + pad)    # IPV6_DSTOPTS
srh = bytes([0, 2, 4, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, '2001:2:0:1::2')
s.setsockopt(socket.IPPROTO_IPV6, 57, srh)                     # IPV6_RTHDR"
stop
fi


# --- Linux cooked captures on "any" (SLL and SLL2) --------------------------------------------
if want cooked; then
name=cooked-any-sll
start $name any -y LINUX_SLL
tcp $name 198.18.1.2
stop
name=cooked-any-sll2
start $name any -y LINUX_SLL2
tcp $name 2001:2:0:1::2
stop
fi

# --- AH (authenticates, does not encrypt: the TCP inside stays readable) and ESP -----------------
KEY=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
sa() { # sa PROTO SPI SRC DST ALG...
  p=$1; spi=$2; src=$3; dst=$4; shift 4
  for ns in $A $B; do ip -n $ns xfrm state add src $src dst $dst proto $p spi $spi reqid 9 mode transport "$@" || return 1; done
}
pol() { # pol PROTO: TCP from A to B and back must use PROTO, on both ends
  for spec in "$A out 198.18.1.1 198.18.1.2" "$A in 198.18.1.2 198.18.1.1" "$B in 198.18.1.1 198.18.1.2" \
      "$B out 198.18.1.2 198.18.1.1"; do
    set -- $spec
    ip -n $1 xfrm policy add src $3/32 dst $4/32 proto tcp dir $2 tmpl src $3 dst $4 proto $p reqid 9 mode transport || return 1
  done
}
ipsec() { # ipsec NAME PROTO ALG...
  name=$1; p=$2; shift 2
  if sa $p 0x1001 198.18.1.1 198.18.1.2 "$@" 2>"$OUT/$name.skipped" && sa $p 0x2002 198.18.1.2 198.18.1.1 "$@" 2>>"$OUT/$name.skipped" \
      && pol 2>>"$OUT/$name.skipped"; then
    rm -f "$OUT/$name.skipped"
    start $name a0
    note ip xfrm state add src 198.18.1.1 dst 198.18.1.2 proto $p spi 0x1001 reqid 9 mode transport "$@" "(and back, spi 0x2002; both ends)"
    note ip xfrm policy add src 198.18.1.1/32 dst 198.18.1.2/32 proto tcp dir out tmpl src 198.18.1.1 dst 198.18.1.2 proto $p reqid 9 mode transport "(and in/back)"
    tcp $name 198.18.1.2
    stop
  else
    echo "$name: this kernel cannot install $p SAs; skipped" | tee -a "$OUT/$name.skipped"
  fi
  ip -n $A xfrm state flush; ip -n $B xfrm state flush; ip -n $A xfrm policy flush; ip -n $B xfrm policy flush
}
want ah && ipsec ah-tcp ah auth-trunc 'hmac(sha256)' $KEY 128
want esp && ipsec esp-tcp esp aead 'rfc4106(gcm(aes))' ${KEY}a0a1a2a3 128

# --- MLD reports (ICMPv6 behind a hop-by-hop router alert) sent when the link comes up -------------
if want mld; then
name=ipv6-mld-hbh
start $name a0
run ip -n $A link set a0 down
run ip -n $A link set a0 up
sleep 2
stop
fi

# --- pcap to text: "# command:" lines, then "frame: HEX" per frame, with the link type ---------
for cmd in "$OUT"/*.cmd; do
  n=${cmd%.cmd}
  [ -e "$n.pcap" ] || continue
  $PY - "$n.pcap" "$n.txt" "$cmd" "$(uname -r)" <<'PY'
import struct, sys
pcap, txt, cmd, kernel = sys.argv[1:5]
data = open(pcap, "rb").read()
magic = struct.unpack_from("<I", data, 0)[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
linktype = struct.unpack_from(end + "I", data, 20)[0]
frames, off = [], 24
while off + 16 <= len(data):
    _, _, incl, orig = struct.unpack_from(end + "IIII", data, off)
    frames.append((data[off + 16:off + 16 + incl], orig))
    off += 16 + incl
with open(txt, "w") as f:
    f.write(open(cmd).read())
    f.write("# captured on kernel %s\n" % kernel)
    f.write("# linktype: %d (%d frames, from a pcap written by tcpdump %s)\n" % (linktype, len(frames), "-w"))
    for fr, orig in frames:
        f.write("frame: %s\n" % fr.hex())
PY
done
sh "$(dirname "$0")/annotate.sh" "$OUT"   # tcpdump's own counts, for the tests
ls -la "$OUT"
