#!/bin/sh
# Re-captures the golden xfrm messages sent by iproute2. Run as root from this directory:
#   sh capture.sh
# Each .txt file holds the command line, then the strace line of the first sendmsg iproute2 made.
# Runs every command inside a throwaway network namespace. ESP state commands fail on a kernel
# without ESP, but the bytes iproute2 sent are still what the golden tests need.
set -u
NS=mpsec-golden-$$
ip netns add "$NS" || exit 1
trap 'ip netns del "$NS"' EXIT
KEY256=0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SALT=a0a1a2a3
cap() {
  name=$1; shift
  {
    echo "# command: $*"
    echo "# captured with: strace -f -e trace=sendmsg -xx -s 65536 -X raw ($(ip -V | sed "s/.*\(iproute2-[^,]*\).*/\1/"), kernel $(uname -r))"
    ip netns exec "$NS" strace -f -e trace=sendmsg -xx -s 65536 -X raw "$@" 2>&1 >/dev/null | grep '^sendmsg\|^\[pid' | grep sendmsg | head -1
  } > "$name.txt"
}
cap state-add-aead256-esn ip xfrm state add src 198.18.1.1 dst 198.18.1.2 proto esp spi 0x00001001 reqid 7 mode transport flag esn replay-window 128 aead 'rfc4106(gcm(aes))' ${KEY256}${SALT} 128
cap state-add-aead128 ip xfrm state add src 198.18.2.1 dst 198.18.2.2 proto esp spi 0x00002002 reqid 8 mode transport replay-window 32 aead 'rfc4106(gcm(aes))' 0x000102030405060708090a0b0c0d0e0f${SALT} 128
cap state-add-cbc-hmac-tunnel6 ip xfrm state add src 2001:2::1 dst 2001:2::2 proto esp spi 0x00003003 reqid 9 mode tunnel replay-window 64 enc 'cbc(aes)' ${KEY256} auth-trunc 'hmac(sha256)' ${KEY256} 128 limit time-soft 3000 limit time-hard 3600 limit byte-soft 1000000 limit byte-hard 2000000
cap state-delete ip xfrm state delete src 198.18.1.1 dst 198.18.1.2 proto esp spi 0x00001001
cap state-get ip xfrm state get src 198.18.1.1 dst 198.18.1.2 proto esp spi 0x00001001
cap state-flush ip xfrm state flush proto esp
cap state-allocspi ip xfrm state allocspi src 198.18.1.1 dst 198.18.1.2 proto esp reqid 7 mode transport min 0x100 max 0xffff
cap policy-add-out ip xfrm policy add src 198.18.1.1/32 dst 198.18.1.2/32 dir out priority 100 tmpl src 198.18.1.1 dst 198.18.1.2 proto esp reqid 7 mode transport level required
cap policy-add-in-tcp ip xfrm policy add src 198.18.1.2/32 dst 198.18.1.1/32 proto tcp dir in priority 200 tmpl src 198.18.1.2 dst 198.18.1.1 proto esp reqid 8 mode transport level required
cap policy-add-fwd6-tunnel ip xfrm policy add src 2001:2::/64 dst 2001:3::/64 dir fwd priority 300 tmpl src 2001:2::1 dst 2001:2::2 proto esp reqid 9 mode tunnel level use
cap policy-update-block ip xfrm policy update src 198.18.1.1/32 dst 198.18.1.2/32 dir out priority 100 action block
cap policy-delete ip xfrm policy delete src 198.18.1.1/32 dst 198.18.1.2/32 dir out
cap policy-flush ip xfrm policy flush
