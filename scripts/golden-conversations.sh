#!/usr/bin/env bash
# Regenerates tests/golden/conversations/*.txt: tshark's Statistics → Conversations and
# Endpoints tables (-z conv,… -z endpoints,…) for IPv4, IPv6, TCP and UDP, for a few captures.
# tests/analyzer/conversations.test.ts parses them and compares our tables row by row.
# Run from the repository root: bash scripts/golden-conversations.sh
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
