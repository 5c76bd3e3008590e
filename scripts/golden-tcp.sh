#!/usr/bin/env bash
# Regenerates tests/golden/tcp/*.tsv: tshark's per-connection TCP analysis (tcp.stream, relative
# seq/ack, nxtseq, retransmission/rto) for the corpus captures the classifier is tested on.
# tshark is the independent oracle; tests/analysis/tcp-streams.test.ts compares our numbers with these.
# Run from anywhere: bash scripts/golden-tcp.sh  (needs tshark). The packets/ captures come from
# the opt-in extra corpus: with PORTTRACE_EXTRA_CORPUS unset their goldens are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=tests/corpus
extra=${PORTTRACE_EXTRA_CORPUS:-}
out=tests/golden/tcp
mkdir -p "$out"
files=(
  packets/tcp_handshake.pcapng
  packets/tcp_refuseconnection.pcapng
  packets/nowebaccess2.pcapng
  packets/nowebaccess3.pcapng
  packets/synscan.pcapng
  zeek/Traces/http-vlan-0.pcap
  zeek/Traces/smtp.pcap
  zeek/Traces/modbus/fuzz-72.pcap
  zeek/Traces/linux_dlt_sll2.pcap
  tcpdump/tests/tcp-handshake-nano.pcap
)
for f in "$corpus"/zeek/Traces/tcp/*.pcap "$corpus"/zeek/Traces/tcp/*.pcapng; do files+=("${f#"$corpus"/}"); done
fields=(frame.number tcp.stream tcp.seq tcp.ack tcp.nxtseq tcp.len
  tcp.analysis.retransmission tcp.analysis.fast_retransmission tcp.analysis.spurious_retransmission
  tcp.analysis.out_of_order tcp.analysis.reused_ports tcp.analysis.keep_alive
  tcp.analysis.rto_frame tcp.analysis.rto tcp.analysis.initial_rtt tcp.window_size_scalefactor)
args=()
for x in "${fields[@]}"; do args+=(-e "$x"); done
tshark -v | head -1 > "$out/VERSION"
for f in "${files[@]}"; do
  name=$(echo "$f" | tr '/' '_')
  source="$corpus/$f"
  case "$f" in packets/*)
    [ -n "$extra" ] || continue
    source="$extra/$f" ;;
  esac
  # -E occurrence=f: ICMP errors quoting TCP carry a second occurrence of the quoted fields.
  tshark -n -r "$source" -T fields -E header=y -E occurrence=f -o tcp.relative_sequence_numbers:TRUE \
    -o tcp.analyze_sequence_numbers:TRUE "${args[@]}" > "$out/$name.tsv" 2>/dev/null
done
printf '%s\n' "${files[@]}" > "$out/FILES"
