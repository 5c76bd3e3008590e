#!/usr/bin/env bash
# Regenerates tests/golden/packets/*.tsv: what tshark (the independent oracle) says about every
# packet of a set of corpus captures. tests/decode/golden.test.ts compares our decoders and the
# Info column with these files. Run from anywhere: bash scripts/golden-packets.sh
# packets/ and netmon/ come from the opt-in extra corpus (PORTTRACE_EXTRA_CORPUS, a folder holding
# them); without it their goldens are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C
# tshark warns on every run as root; the warning says nothing about the capture.
quiet() { grep -v "^Running as user" >&2 || true; }

corpus=tests/corpus
extra=${PORTTRACE_EXTRA_CORPUS:-}
out=tests/golden/packets
mkdir -p "$out"

files=(
  packets/tcp_handshake.pcapng
  packets/tcp_refuseconnection.pcapng
  packets/nowebaccess1.pcapng
  packets/nowebaccess2.pcapng
  packets/nowebaccess3.pcapng
  packets/synscan.pcapng
  packets/tcp_retransmissions.pcapng
  packets/tcp_ports.pcapng
  packets/tcp_teardown.pcapng
  packets/http_ip4and6.pcapng
  packets/http_google.pcapng
  zeek/Traces/http-vlan-0.pcap
  zeek/Traces/http-qinq-0.pcap
  zeek/Traces/vlan-qinqinq.pcap
  zeek/Traces/icmp_dot1q.pcap
  zeek/Traces/linuxsll-arp.pcap
  zeek/Traces/linux_dlt_sll2.pcap
  zeek/Traces/tcp/payload-syn.pcap
  zeek/Traces/tcp-syslog.pcap
  zeek/Traces/redis/set.pcap
  zeek/Traces/icmp/icmp-destunreach-udp.pcap
  zeek/Traces/icmp/icmp6-destunreach-ip6ext-udp.pcap
  zeek/Traces/icmp/icmp-timeexceeded.pcap
  zeek/Traces/smtp.pcap
  zeek/Traces/communityid/icmp.pcap
  zeek/Traces/communityid/icmp6.pcap
  zeek/Traces/communityid/ipv6.pcap
  zeek/Traces/ipv6-hbh-routing0.pcap
  zeek/Traces/ipv6-fragmented-dns.pcap
  zeek/Traces/chksums/ip4-icmp-bad-chksum.pcap
  zeek/Traces/chksums/ip6-tcp-bad-chksum.pcap
  zeek/Traces/chksums/ip6-tcp-good-chksum.pcap
  zeek/Traces/chksums/ip6-udp-bad-chksum.pcap
  zeek/Traces/chksums/ip6-udp-good-chksum.pcap
  tcpdump/tests/tcp-handshake-nano.pcap
  tcpdump/tests/pptp.pcap
  tcpdump/tests/LINKTYPE_IPV6.pcap
  tcpdump/tests/LINKTYPE_RAW_ipv4.pcap
  netmon/nowebaccess3.netmon2.cap
  netmon/tcp_handshake.netmon2.cap
  zeek/Traces/tcp/ssh-dups.pcap
  zeek/Traces/http/methods.pcap
  zeek/Traces/http/m57-long-49583-80.pcap
  zeek/Traces/tcp/retransmit-fast009.pcap
  zeek/Traces/tcp/handshake-reorder.pcap
  zeek/Traces/tcp/rst-inject-rae.pcap
  public/traces/open-client.pcapng
  public/traces/closed-rst-client.pcapng
  public/traces/blocked-drop-client.pcapng
  public/traces/path-drop-client.pcapng
  public/traces/article-success-client.pcapng
)

# Multi-valued fields (stacked VLAN ids, the headers an ICMP error quotes) come out comma-joined,
# one entry per occurrence, in packet order.
fields=(
  frame.number frame.time_relative frame.len frame.cap_len _ws.col.Protocol
  eth.src eth.dst vlan.id ip.src ip.dst ipv6.src ipv6.dst ip.proto ip.ttl ip.id ip.len
  tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.flags tcp.len tcp.window_size_value
  tcp.options.mss_val tcp.options.wscale.shift udp.srcport udp.dstport
  icmp.type icmp.code icmpv6.type icmpv6.code
  ip.checksum.status tcp.checksum.status udp.checksum.status icmp.checksum.status icmpv6.checksum.status
  _ws.col.Info
)

args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done

for file in "${files[@]}"; do
  name=${file//\//__}
  source="$corpus/$file"
  case "$file" in
    packets/* | netmon/*)
      [ -n "$extra" ] || continue
      source="$extra/$file"
      ;;
    public/*) source=$file ;;
  esac
  {
    printf '#source\t%s\n' "$file"
    printf '#tshark\t%s\n' "$(tshark --version 2>/dev/null | head -1)"
    (IFS=$'\t'; printf '%s\n' "${fields[*]}")
    # Checksums verified (Wireshark's default is off); fragments left as they are, as we decode them.
    tshark -n -r "$source" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
      -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
      -o ip.defragment:FALSE -o ipv6.defragment:FALSE "${args[@]}" 2> >(quiet)
  } >"$out/$name.tsv"
  echo "$out/$name.tsv: $(($(wc -l <"$out/$name.tsv") - 3)) packets"
done
