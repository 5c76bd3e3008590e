#!/usr/bin/env bash
# Regenerates tests/golden/app/*.tsv: tshark's Protocol and Info columns and the application
# fields we implement (DNS, HTTP, TLS, Kerberos, RDP, SMB2, SSH, NTP, DHCP) for every packet of
# the corpus captures that carry them, and of the course's own scenario-3 trace.
# tests/decode/app-golden.test.ts compares our columns and filter fields with them.
# Run from the repository root: bash scripts/golden-app.sh
set -euo pipefail
# shared: quiet, corpus and extra paths, path_of, name_of, unavailable
source "$(dirname "$0")/golden-corpus.sh"
out=tests/golden/app
mkdir -p "$out"

# Corpus-relative paths; "repo:" marks a capture of this repository.
files=(
  repo:public/traces/article-success-client.pcapng
  repo:public/traces/article-blocked-client.pcapng
  tcpdump/tests/dns_udp.pcap
  tcpdump/tests/dns_tcp.pcap
  tcpdump/tests/dns-uri.pcap
  tcpdump/tests/dnssec.pcap
  zeek/Traces/dns-two-responses.pcap
  zeek/Traces/dns-edns-cookie.pcap
  zeek/Traces/dns-tsig.pcap
  zeek/Traces/dns-caa.pcap
  zeek/Traces/dns53.pcap
  zeek/Traces/http/get.pcap
  zeek/Traces/http/bro.org.pcap
  packets/http_ip4and6.pcapng
  zeek/Traces/http/get-to-ssh-server.pcap
  zeek/Traces/tls/ecdhe.pcap
  zeek/Traces/tls/hrr.pcap
  zeek/Traces/tls/tls1.2.pcap
  zeek/Traces/tls/tls13_wolfssl.pcap
  zeek/Traces/tls/tls-1.2-handshake-failure.pcap
  zeek/Traces/krb/kinit.pcap
  zeek/Traces/krb/auth.pcap
  zeek/Traces/krb/optional-service-name.pcap
  zeek/Traces/rdp/rdp-x509.pcap
  zeek/Traces/rdp/rdp-no-cookie-mstshash.pcap
  zeek/Traces/rdp/rdp-to-ssl.pcap
  zeek/Traces/krb/smb2_krb.pcap
  tcpdump/tests/ssh.pcap
  tcpdump/tests/ntp.pcap
  tcpdump/tests/ntp-control.pcap
  zeek/Traces/dhcp/dhcp.pcap
  zeek/Traces/dhcp/dhcp_inform.pcap
)

fields=(
  frame.number _ws.col.Protocol _ws.col.Info
  dns.id dns.flags.response dns.flags.opcode dns.flags.rcode dns.qry.name dns.qry.type dns.a
  http.request.method http.request.uri http.request.version http.response.code http.host
  tls.record.content_type tls.record.version tls.handshake.type tls.handshake.extensions_server_name
  kerberos.msg_type kerberos.error_code
  rdp.neg_type rdp.rt_cookie rdp.negReq.requestedProtocols
  smb2.cmd smb2.flags.response
  ssh.protocol
  ntp.flags.vn ntp.flags.mode ntp.stratum
  dhcp.option.dhcp dhcp.id
)

args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done

for file in "${files[@]}"; do
  unavailable "$file" && continue
  path=$(path_of "$file")
  name=$(name_of "$file")
  {
    printf '#source\t%s\n' "$file"
    printf '#tshark\t%s\n' "$(tshark --version 2>/dev/null | head -1)"
    (IFS=$'\t'; printf '%s\n' "${fields[*]}")
    tshark -n -r "$path" -T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" 2> >(quiet)
  } >"$out/$name.tsv"
  echo "$out/$name.tsv: $(($(wc -l <"$out/$name.tsv") - 3)) packets"
done
