#!/usr/bin/env bash
# Regenerates tests/golden/analyzer/: what tshark says for Follow TCP/UDP Stream
# (-z follow,…,raw) and the I/O graph (-z io,stat) on a few captures.
# tests/analyzer/views.test.ts compares our streams and bins with them.
# Run from the repository root: bash scripts/golden-analyzer.sh
set -euo pipefail
export LC_ALL=C
quiet() { grep -v "^Running as user" >&2 || true; }

# Captures are named as tests/support/corpus.ts names them: "repo:" a file of this repository,
# packets/… a capture of the opt-in extra corpus (PORTTRACE_EXTRA_CORPUS: captures without a
# licence, never vendored; unset, their goldens are left as they are), anything else a path in
# the vendored corpus.
corpus=${CORPUS:-tests/corpus}
extra=${PORTTRACE_EXTRA_CORPUS:-}
path_of() {
  case $1 in
    repo:*) echo "${1#repo:}" ;;
    packets/* | netmon/*) echo "$extra/$1" ;;
    *) echo "$corpus/$1" ;;
  esac
}
name_of() { local n=${1#repo:}; echo "${n//\//__}"; }
# True (and says so) when a capture is in the extra corpus and PORTTRACE_EXTRA_CORPUS is unset.
unavailable() {
  if [[ $1 == packets/* || $1 == netmon/* ]] && [[ -z $extra ]]; then
    echo "skipped $1: set PORTTRACE_EXTRA_CORPUS to regenerate its golden (left unchanged)" >&2
    return 0
  fi
  return 1
}
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
