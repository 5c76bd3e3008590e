#!/usr/bin/env bash
# Records connections over the loopback interface, for real, in a network namespace of its own:
# tests/fixtures/etl/loopback.pcapng — 127.0.0.1:50100 → 127.0.0.1:3389 (a listener: RDP's
# first exchange, then FINs) and 127.0.0.1:50101 → 127.0.0.1:3390 (nothing listening: RST).
# The pktmon tests (tests/etl/pktmon-loopback.test.ts) turn these packets into a pktmon trace
# the way Windows logs loopback traffic (each packet twice, under two packet ids, microseconds
# apart; FORMATS.md) with the project's ETL test writer.
#
# Run as root from the repository root: bash scripts/record-loopback.sh. `unshare -n` gives the
# script a namespace with nothing but its own loopback interface; nothing outside it is touched.
# Needs: unshare (util-linux), iproute2, python3, dumpcap.
set -euo pipefail
OUT=tests/fixtures/etl/loopback.pcapng
if [ "${1:-}" != inside ]; then
  mkdir -p "$(dirname "$OUT")"
  exec unshare -n bash "$0" inside
fi
ip link set lo up
rm -f "$OUT"
dumpcap -q -i lo -f tcp -w "$OUT" &
capture=$!
python3 scripts/record/listener.py 127.0.0.1 3389 > /tmp/porttrace-loopback-listener.txt &
listener=$!
trap 'kill "$listener" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q listening /tmp/porttrace-loopback-listener.txt 2>/dev/null && break
  sleep 0.1
done
sleep 1 # dumpcap is capturing by now
python3 scripts/record/connect.py 127.0.0.1 50100 127.0.0.1 3389 5
python3 scripts/record/connect.py 127.0.0.1 50101 127.0.0.1 3390 5
sleep 1
kill -INT "$capture"
wait "$capture" || true
echo "$OUT written"
