#!/usr/bin/env bash
# Regenerates tests/golden/link/*.tsv: what tshark says about every packet of the link-layer test
# captures (802.11, radiotap, PPPoE behind QinQ, IPv4 and IPv6 inside GRE and IP-in-IP (6in4)
# tunnels; made by scripts/make-link-captures.ts from public/traces) and of the vendored corpus'
# real PPPoE capture. tests/decode/link-layers.test.ts compares our decoders with them.
# Same fields as scripts/golden-packets.sh. Run from the repository root: bash scripts/golden-link.sh
set -euo pipefail
export LC_ALL=C
quiet() { grep -v "^Running as user" >&2 || true; }

out=tests/golden/link
mkdir -p "$out"
# Every capture scripts/make-link-captures.ts wrote, then the vendored corpus' real PPPoE capture.
files=(tests/fixtures/link/*.pcap tests/corpus/zeek/Traces/pppoe-over-qinq.pcap)
fields=(
  frame.number frame.time_relative frame.len frame.cap_len _ws.col.Protocol
  eth.src eth.dst vlan.id ip.src ip.dst ipv6.src ipv6.dst ip.proto ip.ttl ip.id ip.len
  tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags tcp.len tcp.window_size_value
  tcp.options.mss_val tcp.options.wscale.shift udp.srcport udp.dstport
  icmp.type icmp.code icmpv6.type icmpv6.code
  ip.checksum.status tcp.checksum.status udp.checksum.status icmp.checksum.status icmpv6.checksum.status
  _ws.col.Info
  wlan.fc.type_subtype wlan.sa wlan.da wlan.bssid wlan.fc.protected pppoe.session_id ppp.protocol gre.proto
)
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done
for file in "${files[@]}"; do
  name=$(basename "$file")
  {
    printf '#source\t%s\n' "$file"
    printf '#tshark\t%s\n' "$(tshark --version 2>/dev/null | head -1)"
    (IFS=$'\t'; printf '%s\n' "${fields[*]}")
    tshark -n -r "$file" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
      -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
      -o ip.defragment:FALSE -o ipv6.defragment:FALSE "${args[@]}" 2> >(quiet)
  } >"$out/$name.tsv"
  echo "$out/$name.tsv: $(($(wc -l <"$out/$name.tsv") - 3)) packets"
done
