#!/usr/bin/env python3
"""Independent count of a tcpdump -w file (Ethernet, classic pcap): packets and IP bytes per class
and direction between the configured peers, and packets of everything else.

usage: pcap_peer_counts.py FILE LOCAL,LOCAL... REMOTE,REMOTE...
prints one line per key: "<class>_<in|out> <packets> <bytes>" and "nonpeer <packets> 0".
IP bytes are the frame length minus the 14-byte Ethernet header, as nftables counts skb->len.
IPv6 neighbour discovery (ICMPv6 133-137) between the peers is left out, as the counters do.
"""
import ipaddress
import struct
import sys

path, local, remote = sys.argv[1], sys.argv[2].split(','), sys.argv[3].split(',')
local = {ipaddress.ip_address(a) for a in local}
remote = {ipaddress.ip_address(a) for a in remote}
counts = {}

def add(key, nbytes):
    p, b = counts.get(key, (0, 0))
    counts[key] = (p + 1, b + nbytes)

with open(path, 'rb') as f:
    head = f.read(24)
    magic = struct.unpack('<I', head[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    linktype = struct.unpack(endian + 'I', head[20:24])[0]
    assert linktype == 1, 'expected Ethernet captures, got link type %d' % linktype
    while True:
        rec = f.read(16)
        if len(rec) < 16:
            break
        _, _, incl, orig = struct.unpack(endian + 'IIII', rec)
        frame = f.read(incl)
        etype = struct.unpack('>H', frame[12:14])[0]
        ip = frame[14:]
        if etype == 0x0800:
            proto, src, dst, icmp6 = ip[9], ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20]), None
        elif etype == 0x86dd:
            proto, src, dst = ip[6], ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
            icmp6 = ip[40] if proto == 58 and len(ip) > 40 else None
        else:
            continue
        if src in local and dst in remote:
            direction = 'out'
        elif src in remote and dst in local:
            direction = 'in'
        else:
            add('nonpeer', 0)
            continue
        if icmp6 is not None and 133 <= icmp6 <= 137:
            continue
        cls = 'esp' if proto == 50 else 'tcp' if proto == 6 else 'other'
        add(cls + '_' + direction, orig - 14)

for k in sorted(counts):
    print(k, counts[k][0], counts[k][1])
