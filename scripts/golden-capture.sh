#!/usr/bin/env bash
# Golden frame lists for the capture-reader tests, produced by tshark (the independent oracle).
# For each sample capture, writes tests/golden/capture/<name>.tsv with one line per record:
#   frame.number  frame.time_epoch  frame.len  frame.cap_len  frame.interface_id
# The first line names the source as tests/capture/golden.test.ts finds it: a path in the
# vendored corpus (tests/corpus), packets/… or netmon/… in the opt-in extra corpus, or tests/….
# TZ=UTC because Wireshark turns NetMon's zone-less start time into local time.
# Run from anywhere: bash scripts/golden-capture.sh
# With PORTTRACE_EXTRA_CORPUS set (a folder with packets/ and netmon/) the goldens of those
# unlicensed captures are rewritten too; without it they are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 1; }

corpus=tests/corpus
extra=${PORTTRACE_EXTRA_CORPUS:-}
out=tests/golden/capture
mkdir -p "$out"

# Various formats: NetMon 1.x and 2.x, nanosecond pcap (LE), big-endian pcap, pcapng with
# nanosecond and mixed interface resolutions, big-endian and multi-section pcapng, SPB/PB,
# and the generated fixtures (binary if_tsresol, if_tsoffset, NetMon 2.1-2.3, BE nsec pcap).
# NetMon copies of the vendored captures are checked live (editcap, then tshark) by the test.
samples=(
  "$extra/netmon/http_ip4and6.netmon1.cap"
  "$extra/netmon/http_ip4and6.netmon2.cap"
  "$extra/netmon/nowebaccess3.netmon1.cap"
  "$extra/netmon/nowebaccess3.netmon2.cap"
  "$extra/netmon/tcp_handshake.netmon1.cap"
  "$extra/netmon/tcp_handshake.netmon2.cap"
  "$extra/netmon/tcp_refuseconnection.netmon1.cap"
  "$extra/netmon/tcp_refuseconnection.netmon2.cap"
  "$corpus/tcpdump/tests/tcp-handshake-nano.pcap"
  "$corpus/tcpdump/tests/timestamp_invalid_nano.pcap"
  "$corpus/zeek/Traces/http/get-to-ssh-server.pcap"
  "$corpus/zeek/Traces/vntag.pcap"
  "$corpus/tcpdump/tests/ipoib.pcap"
  "$corpus/tcpdump/tests/pptp.pcap"
  "$corpus/tcpdump/tests/isup.pcap"
  "$corpus/zeek/Traces/smb/dssetup_DsRoleGetPrimaryDomainInformation_standalone_workstation.cap"
  "$corpus/zeek/Traces/http/cooper-grill-dvwa.pcapng"
  "$corpus/zeek/Traces/pcapng-multi-interface.pcapng"
  "$corpus/zeek/Traces/ldap/gap-data-missing.pcapng"
  "$corpus/tcpdump/tests/vsock-1.pcapng"
  "$corpus/pcapng-test-generator/output_be/basic/test008.pcapng"
  "$corpus/pcapng-test-generator/output_be/advanced/test100.pcapng"
  "$corpus/pcapng-test-generator/output_le/difficult/test202.pcapng"
  "$corpus/pcapng-test-generator/output_be/difficult/test202.pcapng"
  "$extra/packets/tcp_handshake.pcapng"
  "$extra/packets/tcp_refuseconnection.pcapng"
  "$extra/packets/nowebaccess1.pcapng"
  tests/fixtures/capture/pcapng-features.pcapng
  tests/fixtures/capture/pcap-be-nsec-fcs.pcap
  tests/fixtures/capture/pcap-kuznetsov.pcap
  tests/fixtures/capture/netmon-2.1.cap
  tests/fixtures/capture/netmon-2.2.cap
  tests/fixtures/capture/netmon-2.3.cap
)

version=$(tshark --version 2>/dev/null | head -1)
for file in "${samples[@]}"; do
  case "$file" in
    "$extra"/*)
      [ -n "$extra" ] || continue
      name=${file#"$extra/"}
      ;;
    "$corpus"/*) name=${file#"$corpus/"} ;;
    *) name=$file ;;
  esac
  source=$name
  name=${name//\//__}
  {
    echo "# source: $source"
    echo "# $version: tshark -r FILE -T fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id"
    TZ=UTC tshark -r "$file" -T fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id 2>/dev/null
  } >"$out/$name.tsv"
  echo "$name.tsv: $(grep -vc '^#' "$out/$name.tsv") records"
done
