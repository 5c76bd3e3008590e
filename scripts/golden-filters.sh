#!/usr/bin/env bash
# Regenerates tests/golden/filters/ from tshark (the independent oracle):
#   errors.tsv        filter → tshark's error message and the span its ^~~ marks (invalid filters)
#   <capture>.tsv     filter → the frame numbers tshark -Y shows (valid filters), per capture
# Filters come from tests/filter/suite.txt, captures from tests/filter/captures.txt plus
# public/traces/*.pcapng. Run from anywhere: `bash scripts/golden-filters.sh` (needs tshark).
#
# tshark settings, each matching a documented porttrace behaviour (docs/FILTERS.md):
#   -n                          no name resolution
#   -o *.check_checksum:TRUE    porttrace always verifies IP/TCP/UDP checksums
#   -2 for tcp.completeness     porttrace reports a connection's final completeness, as
#                               Wireshark's GUI does; single-pass tshark reports it "so far"
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 1; }

SUITE=tests/filter/suite.txt
OUT=tests/golden/filters
JOBS=${JOBS:-2}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

grep -v '^#' "$SUITE" | grep -v '^[[:space:]]*$' > "$WORK/filters" || true
mapfile -t CAPTURES < <(grep -v '^#' tests/filter/captures.txt | grep -v '^[[:space:]]*$'; ls public/traces/*.pcapng 2>/dev/null || true)
PREFS=(-n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
export PREFS_STR="${PREFS[*]}"
FIRST_CAPTURE=${CAPTURES[0]}

# 1. Which filters does tshark reject, and with what message and span?
: > "$WORK/errors"
: > "$WORK/valid"
while IFS= read -r filter; do
  if message=$(tshark $PREFS_STR -r "$FIRST_CAPTURE" -Y "$filter" -c 1 2>&1 >/dev/null | grep -v '^Running as user'); then :; fi
  if [ -n "$message" ] && grep -q '^tshark: ' <<<"$message"; then
    first=$(head -n1 <<<"$message" | sed 's/^tshark: //')
    marker=$(sed -n '3p' <<<"$message")
    if [ -n "$marker" ]; then
      start=$(( $(awk '{ print index($0, "^") }' <<<"$marker") - 5 ))
      width=$(sed 's/^ *//' <<<"$marker" | awk '{ print length($0) }')
      end=$(( start + width ))
    else
      start=-1; end=-1
    fi
    printf '%s\t%s\t%s\t%s\n' "$filter" "$first" "$start" "$end" >> "$WORK/errors"
  else
    printf '%s\n' "$filter" >> "$WORK/valid"
  fi
done < "$WORK/filters"
{ printf '# filter\ttshark message\tspan start\tspan end (-1: tshark marks nothing)\n'; cat "$WORK/errors"; } > "$OUT/errors.tsv"

# 2. The frames each valid filter shows, per capture (two tshark processes at a time).
run_one() {
  local capture=$1 index=$2
  local filter
  filter=$(sed -n "${index}p" "$WORK/valid")
  local passes=()
  case "$filter" in *tcp.completeness*) passes=(-2) ;; esac
  local frames
  frames=$(tshark $PREFS_STR "${passes[@]}" -r "$capture" -Y "$filter" -T fields -e frame.number 2>/dev/null | paste -sd, -)
  printf '%s\t%s\t%s\n' "$index" "$filter" "$frames"
}
export -f run_one
export WORK
count=$(wc -l < "$WORK/valid")
for capture in "${CAPTURES[@]}"; do
  name=$(sed -e 's|^\.\./shared/corpus/||' -e 's|/|__|g' <<<"$capture")
  seq 1 "$count" | xargs -P "$JOBS" -I{} bash -c 'run_one "$0" "$1"' "$capture" {} | sort -n | cut -f2- > "$WORK/result"
  { printf '# %s\n# filter\tframe numbers tshark -Y shows\n' "$capture"; cat "$WORK/result"; } > "$OUT/$name.tsv"
  echo "$capture: $count filters" >&2
done
