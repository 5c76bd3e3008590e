#!/usr/bin/env bash
# Golden frame lists for the capture-reader tests, produced by tshark (the independent oracle).
# For each sample capture, writes tests/golden/capture/<name>.tsv with one line per record:
#   frame.number  frame.time_epoch  frame.len  frame.cap_len  frame.interface_id
# TZ=UTC because Wireshark turns NetMon's zone-less start time into local time.
# Run from the repository root: bash scripts/golden-capture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tshark >/dev/null || { echo "tshark is not installed" >&2; exit 1; }

corpus=../shared/corpus
out=tests/golden/capture
mkdir -p "$out"

# Various formats: NetMon 1.x and 2.x, nanosecond pcap (LE), big-endian pcap, pcapng with
# nanosecond and mixed interface resolutions, big-endian and multi-section pcapng, SPB/PB,
# and the generated fixtures (binary if_tsresol, if_tsoffset, NetMon 2.1-2.3, BE nsec pcap).
samples=(
  "$corpus/netmon/http_ip4and6.netmon1.cap"
  "$corpus/netmon/http_ip4and6.netmon2.cap"
  "$corpus/netmon/nowebaccess3.netmon1.cap"
  "$corpus/netmon/nowebaccess3.netmon2.cap"
  "$corpus/netmon/tcp_handshake.netmon1.cap"
  "$corpus/netmon/tcp_handshake.netmon2.cap"
  "$corpus/netmon/tcp_refuseconnection.netmon1.cap"
  "$corpus/netmon/tcp_refuseconnection.netmon2.cap"
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
  "$corpus/packets/tcp_handshake.pcapng"
  "$corpus/packets/tcp_refuseconnection.pcapng"
  "$corpus/packets/nowebaccess1.pcapng"
  tests/fixtures/capture/pcapng-features.pcapng
  tests/fixtures/capture/pcap-be-nsec-fcs.pcap
  tests/fixtures/capture/pcap-kuznetsov.pcap
  tests/fixtures/capture/netmon-2.1.cap
  tests/fixtures/capture/netmon-2.2.cap
  tests/fixtures/capture/netmon-2.3.cap
)

version=$(tshark --version 2>/dev/null | head -1)
rm -f "$out"/*.tsv
for file in "${samples[@]}"; do
  name=${file#"$corpus/"}
  name=${name//\//__}
  {
    echo "# source: $file"
    echo "# $version: tshark -r FILE -T fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id"
    TZ=UTC tshark -r "$file" -T fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id 2>/dev/null
  } >"$out/$name.tsv"
  echo "$name.tsv: $(grep -vc '^#' "$out/$name.tsv") records"
done
