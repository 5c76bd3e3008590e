#!/usr/bin/env bash
# Regenerates tests/golden/conversations/*.txt: tshark's Statistics → Conversations and
# Endpoints tables (-z conv,… -z endpoints,…) for IPv4, IPv6, TCP and UDP, for a few captures.
# tests/analyzer/conversations.test.ts parses them and compares our tables row by row.
# Run from the repository root: bash scripts/golden-conversations.sh
set -euo pipefail
# shared: quiet, corpus and extra paths, path_of, name_of, unavailable
source "$(dirname "$0")/golden-corpus.sh"
out=tests/golden/conversations
mkdir -p "$out"

files=(
  repo:public/traces/article-success-client.pcapng
  zeek/Traces/http/http-desync-request-response-5.pcap
  zeek/Traces/http/connect-with-header.pcap
  zeek/Traces/http/bro.org.pcap
  zeek/Traces/nmap-vsn.pcap
  zeek/Traces/dns-edns-cookie.pcap
  zeek/Traces/krb/kinit.pcap
)

for file in "${files[@]}"; do
  unavailable "$file" && continue
  path=$(path_of "$file")
  name=$(name_of "$file")
  {
    printf '#source\t%s\n' "$file"
    printf '#tshark\t%s\n' "$(tshark --version 2>/dev/null | head -1)"
    tshark -n -q -r "$path" -z conv,ip -z conv,ipv6 -z conv,tcp -z conv,udp \
      -z endpoints,ip -z endpoints,ipv6 -z endpoints,tcp -z endpoints,udp 2> >(quiet)
  } >"$out/$name.txt"
  echo "$out/$name.txt"
done
