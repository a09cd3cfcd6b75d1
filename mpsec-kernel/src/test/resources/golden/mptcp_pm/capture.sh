#!/bin/sh
# Regenerates the golden captures in this directory: every file holds the iproute2 command line
# (after "# command:") and the strace line of the mptcp_pm (or nlctrl) request it sent.
# Run as root. Uses a throwaway network namespace with a veth pair (v1 gets ifindex 3) and only
# addresses from 198.18.0.0/15; the namespace is deleted afterwards.
set -eu
cd "$(dirname "$0")"
N="mpsec-golden-$$"
ip netns add "$N"
trap 'ip netns del "$N"' EXIT
ip -n "$N" link add v1 type veth peer name v2
ip -n "$N" link set v1 up
cap() { # cap NAME WHICH(nlctrl|mptcp_pm) ip-args...
  name=$1; which=$2; shift 2
  { echo "# command: ip $*"
    echo "# captured with: strace -f -e trace=sendmsg,sendto -xx -s 4096 ip $* (iproute2 $(ip -V | sed 's/.*iproute2-\([^,]*\).*/\1/'), kernel $(uname -r))"
    ip netns exec "$N" strace -f -e trace=sendmsg,sendto -xx -s 4096 ip "$@" 2>&1 >/dev/null | grep "nlmsg_type=$which" | head -1
  } > "$name.txt"
}
cap get-family nlctrl mptcp endpoint show
cap endpoint-add-subflow-backup mptcp_pm mptcp endpoint add 198.18.2.1 id 3 dev v1 subflow backup
cap endpoint-add-signal-port mptcp_pm mptcp endpoint add 198.18.3.1 port 10000 signal
cap endpoint-add-subflow-fullmesh mptcp_pm mptcp endpoint add 198.18.4.1 id 7 dev v1 subflow fullmesh
cap endpoint-show mptcp_pm mptcp endpoint show
cap endpoint-show-id mptcp_pm mptcp endpoint show id 3
cap endpoint-change-nobackup mptcp_pm mptcp endpoint change id 3 nobackup
cap endpoint-change-backup mptcp_pm mptcp endpoint change id 3 backup
cap endpoint-delete mptcp_pm mptcp endpoint delete id 3
cap endpoint-flush mptcp_pm mptcp endpoint flush
cap limits-set mptcp_pm mptcp limits set subflows 4 add_addr_accepted 4
cap limits-show mptcp_pm mptcp limits show
