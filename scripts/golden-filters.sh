#!/usr/bin/env bash
# Regenerates tests/golden/filters/ from tshark 4.0 (the independent oracle):
#   errors.tsv      each filter tshark rejects → its message and the span its ^~~ marks
#   <capture>.tsv   each valid filter → the frame numbers tshark shows, for one capture (the
#                   first line names the capture and its SHA-256)
# Filters come from tests/filter/suite.txt; captures from tests/filter/captures.txt (paths in the
# vendored corpus tests/corpus; packets/… from the opt-in extra corpus PORTTRACE_EXTRA_CORPUS, whose
# goldens are left as they are when it is unset) plus public/traces/*.pcapng. Each golden's first
# line names its capture as tests/support/corpus.ts's capturePath() takes it. Run from anywhere: `bash scripts/golden-filters.sh` (needs tshark
# with Lua, as Debian's is). The whole suite runs in one tshark pass per capture, through
# scripts/golden-filters.lua (one tap per filter); error messages come from `tshark -Y`.
#
# tshark settings, each matching a documented porttrace behaviour (docs/FILTERS.md):
#   -n                          no name resolution
#   -o *.check_checksum:TRUE    porttrace always verifies IP/TCP/UDP checksums
#   -2 for tcp.completeness     porttrace reports a connection's final completeness, as
#                               Wireshark's GUI does; single-pass tshark reports it "so far"
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 1; }

OUT=tests/golden/filters
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

grep -v '^#' tests/filter/suite.txt | grep -v '^[[:space:]]*$' > "$WORK/filters" || true
EXTRA=${PORTTRACE_EXTRA_CORPUS:-}
# Each entry: the name the goldens use, then the file tshark reads.
NAMES=()
CAPTURES=()
while read -r name; do
  case "$name" in
    packets/*) [ -n "$EXTRA" ] || continue; file="$EXTRA/$name" ;;
    public/*) file=$name ;;
    *) file="tests/corpus/$name" ;;
  esac
  NAMES+=("$name")
  CAPTURES+=("$file")
done < <(grep -v '^#' tests/filter/captures.txt | grep -v '^[[:space:]]*$'; ls public/traces/*.pcapng 2>/dev/null || true)
PREFS=(-n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)

# Runs the suite over one capture; prints "index<TAB>frames" or "index<TAB>!error<TAB>message".
evaluate() {
  local capture=$1; shift
  GOLDEN_FILTERS="$WORK/filters" tshark "${PREFS[@]}" "$@" -q -r "$capture" -X lua_script:scripts/golden-filters.lua 2>/dev/null
}

# 1. Filters tshark rejects: the message and the span under ^~~ from `tshark -Y`.
evaluate "${CAPTURES[0]}" > "$WORK/first"
{
  printf '# filter\ttshark message\tspan start\tspan end (-1: tshark marks nothing)\n'
  grep -P '^\d+\t!error\t' "$WORK/first" | cut -f1 | while read -r index; do
    filter=$(sed -n "${index}p" "$WORK/filters")
    message=$(tshark "${PREFS[@]}" -r "${CAPTURES[0]}" -c 1 -Y "$filter" 2>&1 >/dev/null | grep -v '^Running as user' || true)
    first=$(head -n1 <<<"$message" | sed 's/^tshark: //')
    marker=$(sed -n '3p' <<<"$message")
    if [ -n "$marker" ]; then
      start=$(( $(awk '{ print index($0, "^") }' <<<"$marker") - 5 ))
      end=$(( start + $(sed 's/^ *//' <<<"$marker" | awk '{ print length($0) }') ))
    else
      start=-1; end=-1
    fi
    printf '%s\t%s\t%s\t%s\n' "$filter" "$first" "$start" "$end"
  done
} > "$OUT/errors.tsv"

# 2. Frames per valid filter, per capture.
for k in "${!CAPTURES[@]}"; do
  capture=${CAPTURES[$k]}
  source=${NAMES[$k]}
  name=$(sed -e 's|^public/||' -e 's|/|__|g' <<<"$source")
  evaluate "$capture" > "$WORK/one"
  evaluate "$capture" -2 > "$WORK/two"
  {
    printf '# %s\t%s\n# filter\tframe numbers tshark shows\n' "$source" "$(sha256sum "$capture" | cut -d' ' -f1)"
    while IFS=$'\t' read -r index frames _; do
      [ "$frames" = '!error' ] && continue
      filter=$(sed -n "${index}p" "$WORK/filters")
      case "$filter" in *tcp.completeness*) frames=$(awk -F'\t' -v i="$index" '$1 == i { print $2 }' "$WORK/two") ;; esac
      printf '%s\t%s\n' "$filter" "$frames"
    done < "$WORK/one"
  } > "$OUT/$name.tsv"
  echo "$capture" >&2
done
