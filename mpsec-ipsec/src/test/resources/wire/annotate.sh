#!/bin/sh
# Adds tcpdump's own reading of each capture to its .txt, as an independent check for the tests:
#   "# tcpdump -nr NAME.pcap: F frames, T TCP segments, E ESP packets"
# (T: lines with "Flags [", E: lines with "ESP(spi=", as tcpdump prints them; tcpdump reads through
# VLAN tags, IPv6 extension headers, AH and Linux cooked headers itself).
# Usage: sh annotate.sh DIR (the directory with NAME.pcap and NAME.txt, as capture.sh leaves it)
set -eu
for pcap in "$1"/*.pcap; do
  txt=${pcap%.pcap}.txt
  [ -e "$txt" ] || continue
  sed -i '/^# tcpdump -nr /d' "$txt"
  out=$(tcpdump -nr "$pcap" 2>/dev/null)
  frames=$(printf '%s\n' "$out" | grep -c . || true)
  tcp=$(printf '%s\n' "$out" | grep -c 'Flags \[' || true)
  esp=$(printf '%s\n' "$out" | grep -c 'ESP(spi=' || true)
  name=$(basename "$pcap")
  sed -i "/^# linktype:/i # tcpdump -nr $name: $frames frames, $tcp TCP segments, $esp ESP packets ($(tcpdump --version 2>&1 | head -1))" "$txt"
done
