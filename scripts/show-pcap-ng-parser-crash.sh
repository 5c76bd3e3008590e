#!/usr/bin/env bash
# Why porttrace has its own capture reader: installs pcap-ng-parser (named on the project card)
# into a temporary folder and feeds it a pcapng written by tshark. It throws an uncaught
# RangeError (ERR_OUT_OF_RANGE) that ends the process even with an 'error' handler attached.
set -euo pipefail
corpus="$(cd "$(dirname "$0")/.." && pwd)/tests/corpus/zeek/Traces/tcp/handshake-reorder.pcap"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --silent pcap-ng-parser@1.0.0 >/dev/null
tshark -r "$corpus" -F pcapng -w written-by-tshark.pcapng 2>/dev/null
cat > read.cjs <<'JS'
const Parser = require('pcap-ng-parser');
let packets = 0;
require('fs').createReadStream(process.argv[2]).pipe(new Parser())
  .on('data', () => packets++)
  .on('error', (e) => console.log('error event (handled):', e.message))
  .on('end', () => console.log('read', packets, 'packets'));
JS
set +e
node read.cjs written-by-tshark.pcapng 2>&1 | grep -E 'RangeError|ERR_OUT_OF_RANGE|read [0-9]+ packets' | head -3
echo "exit status: ${PIPESTATUS[0]}"
