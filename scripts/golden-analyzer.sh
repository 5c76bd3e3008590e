#!/usr/bin/env bash
# Regenerates tests/golden/analyzer/: what tshark says for Follow TCP/UDP Stream
# (-z follow,…,raw) and the I/O graph (-z io,stat) on a few captures.
# tests/analyzer/views.test.ts compares our streams and bins with them.
# Run from the repository root: bash scripts/golden-analyzer.sh
set -euo pipefail
# shared: quiet, corpus and extra paths, path_of, name_of, unavailable
source "$(dirname "$0")/golden-corpus.sh"
out=tests/golden/analyzer
mkdir -p "$out"

# capture, then the TCP streams to follow
follow_tcp=(
  "repo:public/traces/article-success-client.pcapng 0 1"
  "zeek/Traces/http/get.pcap 0"
  "zeek/Traces/tls/ecdhe.pcap 0"
  "zeek/Traces/tcp/retransmit-fast009.pcap 0"
  "zeek/Traces/krb/kinit.pcap 1"
)
for entry in "${follow_tcp[@]}"; do
  read -r file streams <<<"$entry"
  unavailable "$file" && continue
  for stream in $streams; do
    target="$out/follow-tcp-$stream-$(name_of "$file").txt"
    { printf '#source\t%s\n' "$file"; tshark -n -q -r "$(path_of "$file")" -z "follow,tcp,raw,$stream" 2> >(quiet); } >"$target"
    echo "$target"
  done
done

# UDP: follow the conversation of the first packet (Wireshark's "Follow UDP Stream" on frame 1)
follow_udp=(
  "repo:public/traces/article-success-client.pcapng"
  "zeek/Traces/dns-two-responses.pcap"
)
for file in "${follow_udp[@]}"; do
  unavailable "$file" && continue
  target="$out/follow-udp-$(name_of "$file").txt"
  { printf '#source\t%s\n' "$file"; tshark -n -q -r "$(path_of "$file")" -z "follow,udp,raw,0" 2> >(quiet); } >"$target"
  echo "$target"
done

# I/O graph: SYNs, SYN/ACKs and resets per second.
io=(zeek/Traces/nmap-vsn.pcap zeek/Traces/http/bro.org.pcap repo:public/traces/blocked-drop-client.pcapng)
for file in "${io[@]}"; do
  unavailable "$file" && continue
  target="$out/io-$(name_of "$file").txt"
  {
    printf '#source\t%s\n' "$file"
    tshark -n -q -r "$(path_of "$file")" -z 'io,stat,1,tcp.flags.syn==1&&tcp.flags.ack==0,tcp.flags.syn==1&&tcp.flags.ack==1,tcp.flags.reset==1' 2> >(quiet)
  } >"$target"
  echo "$target"
done
