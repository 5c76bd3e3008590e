#!/usr/bin/env bash
# Records porttrace's teaching traces for real, on this machine, in network namespaces.
#
# What it makes: public/traces/<scenario>-client.pcapng and <scenario>-server.pcapng (the same
# moment captured on both sides at once) and one entry per file in src/content/traces/<id>.json
# whose `expected` verdicts come from the scenario table below — what the script set up (a DROP
# rule, nothing listening, a router dropping SYN/ACKs…), never from analysing the capture.
#
# Why: the lessons and their tests need captures whose truth is known. Each scenario builds
# three namespaces joined by veth pairs,
#
#   porttrace-client eth0 ── eth0 porttrace-router eth1 ── eth0 porttrace-server
#   10.0.0.10  fd00::10        10.0.0.1 / 10.0.1.1            10.0.1.20  fd00:0:0:1::20
#                              fd00::1 / fd00:0:0:1::1
#
# starts listeners and firewall rules (iptables/ip6tables inside the namespaces), captures on
# the client's and the server's eth0 with dumpcap, makes the connection attempts from fixed
# source ports, then tears everything down. Nothing outside these namespaces is touched.
#
# Realism choices:
# - tx checksum offload is turned off on every veth end (ethtool -K eth0 tx off): on veth the
#   kernel otherwise never fills in checksums and every packet would look "bad" in Wireshark.
#   The offload red herring is shown by the article's reconstructions instead.
# - the client gives up after 2 SYN retransmissions (net.ipv4.tcp_syn_retries=2, and
#   tcp_syn_linear_timeouts=0 for the classic doubling: SYNs at 0, 1 and 3 s, gives up at 7 s)
#   and the server after 2 SYN/ACK retransmissions, so a blocked attempt shows the SYN plus 2
#   retransmissions in a few seconds.
# - neighbours are static, so the captures hold no ARP/neighbour discovery, and the capture
#   filter keeps TCP, ICMP and ICMPv6 errors only (no router solicitations or MLD reports).
# - ports 3389 and 88 carry the first real RDP and Kerberos exchange (scripts/record/protocols.py)
#   so Wireshark dissects them as it would on a Windows network.
#
# Run as root: `npm run traces:record` (= bash scripts/record-traces.sh [SCENARIO...], default
# all of SCENARIOS below; blocked-linear-retries deliberately keeps Linux ≥ 6.5's 1 s retries,
# and is skipped on older kernels). Idempotent: it
# removes namespaces left by an interrupted run, overwrites its own outputs, and its EXIT trap
# stops the processes it started and deletes its namespaces. Needs: iproute2, iptables,
# ethtool, python3 and dumpcap (Debian: wireshark-common). tshark, when present,
# prints each trace's packets at the end so you can look at them.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1 # keep scripts/record/ free of __pycache__

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRACE_DIR="$REPO_ROOT/public/traces"
ENTRY_DIR="$REPO_ROOT/src/content/traces"
HELPERS="$REPO_ROOT/scripts/record"
SOURCE_NOTE="recorded by scripts/record-traces.sh in network namespaces"

NS_CLIENT=porttrace-client
NS_ROUTER=porttrace-router
NS_SERVER=porttrace-server
ALL_NS=("$NS_CLIENT" "$NS_ROUTER" "$NS_SERVER")

CLIENT4=10.0.0.10 ROUTER4_CLIENT_SIDE=10.0.0.1 ROUTER4_SERVER_SIDE=10.0.1.1 SERVER4=10.0.1.20
CLIENT6=fd00::10 ROUTER6_CLIENT_SIDE=fd00::1 ROUTER6_SERVER_SIDE=fd00:0:0:1::1 SERVER6=fd00:0:0:1::20
MAC_CLIENT=02:70:74:00:00:0a MAC_ROUTER_CLIENT_SIDE=02:70:74:00:00:01
MAC_ROUTER_SERVER_SIDE=02:70:74:00:01:01 MAC_SERVER=02:70:74:00:01:14

# TCP, ICMP, and ICMPv6 errors (types below 128); no extension headers are used here, so the
# ICMPv6 type sits right after the 40-byte IPv6 header.
CAPTURE_FILTER='tcp or icmp or (icmp6 and ip6[40] < 128)'
CLIENT_TIMEOUT=12 # longer than the kernel's own 7 s give-up, so the kernel decides

die() { echo "record-traces: $*" >&2; exit 1; }

check_prerequisites() {
  [[ $EUID -eq 0 ]] || die "run as root (network namespaces, iptables and captures need it)"
  local tool missing=()
  for tool in ip iptables ip6tables ethtool python3 dumpcap; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) ||
    die "missing: ${missing[*]} (apt-get install iproute2 iptables ethtool python3 wireshark-common)"
}

WORK_DIR=""
STARTED_PIDS=()

remove_namespaces() {
  local ns
  for ns in "${ALL_NS[@]}"; do
    if ip netns list | grep -qw "^$ns"; then ip netns delete "$ns"; fi
  done
}

stop_started_processes() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  STARTED_PIDS=()
}

cleanup() {
  stop_started_processes
  remove_namespaces
  [[ -n $WORK_DIR && -d $WORK_DIR ]] && rm -rf "$WORK_DIR"
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

build_topology() {
  remove_namespaces
  local ns
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  ip link add eth0 netns "$NS_CLIENT" type veth peer name eth0 netns "$NS_ROUTER"
  ip link add eth0 netns "$NS_SERVER" type veth peer name eth1 netns "$NS_ROUTER"
  ip -n "$NS_CLIENT" link set eth0 address "$MAC_CLIENT"
  ip -n "$NS_ROUTER" link set eth0 address "$MAC_ROUTER_CLIENT_SIDE"
  ip -n "$NS_ROUTER" link set eth1 address "$MAC_ROUTER_SERVER_SIDE"
  ip -n "$NS_SERVER" link set eth0 address "$MAC_SERVER"

  ip -n "$NS_CLIENT" addr add "$CLIENT4/24" dev eth0
  ip -n "$NS_CLIENT" addr add "$CLIENT6/64" dev eth0 nodad
  ip -n "$NS_ROUTER" addr add "$ROUTER4_CLIENT_SIDE/24" dev eth0
  ip -n "$NS_ROUTER" addr add "$ROUTER6_CLIENT_SIDE/64" dev eth0 nodad
  ip -n "$NS_ROUTER" addr add "$ROUTER4_SERVER_SIDE/24" dev eth1
  ip -n "$NS_ROUTER" addr add "$ROUTER6_SERVER_SIDE/64" dev eth1 nodad
  ip -n "$NS_SERVER" addr add "$SERVER4/24" dev eth0
  ip -n "$NS_SERVER" addr add "$SERVER6/64" dev eth0 nodad

  local iface
  for iface in "$NS_CLIENT eth0" "$NS_ROUTER eth0" "$NS_ROUTER eth1" "$NS_SERVER eth0"; do
    set -- $iface
    # Fill in checksums in software, as a physical NIC would on the wire; keep segments small.
    in_ns "$1" ethtool -K "$2" tx off >/dev/null || die "cannot turn checksum offload off on $1 $2"
    in_ns "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
    ip -n "$1" link set "$2" up
  done

  ip -n "$NS_CLIENT" route add default via "$ROUTER4_CLIENT_SIDE"
  ip -n "$NS_CLIENT" -6 route add default via "$ROUTER6_CLIENT_SIDE"
  ip -n "$NS_SERVER" route add default via "$ROUTER4_SERVER_SIDE"
  ip -n "$NS_SERVER" -6 route add default via "$ROUTER6_SERVER_SIDE"

  ip -n "$NS_CLIENT" neigh replace "$ROUTER4_CLIENT_SIDE" lladdr "$MAC_ROUTER_CLIENT_SIDE" dev eth0 nud permanent
  ip -n "$NS_CLIENT" neigh replace "$ROUTER6_CLIENT_SIDE" lladdr "$MAC_ROUTER_CLIENT_SIDE" dev eth0 nud permanent
  ip -n "$NS_ROUTER" neigh replace "$CLIENT4" lladdr "$MAC_CLIENT" dev eth0 nud permanent
  ip -n "$NS_ROUTER" neigh replace "$CLIENT6" lladdr "$MAC_CLIENT" dev eth0 nud permanent
  ip -n "$NS_ROUTER" neigh replace "$SERVER4" lladdr "$MAC_SERVER" dev eth1 nud permanent
  ip -n "$NS_ROUTER" neigh replace "$SERVER6" lladdr "$MAC_SERVER" dev eth1 nud permanent
  ip -n "$NS_SERVER" neigh replace "$ROUTER4_SERVER_SIDE" lladdr "$MAC_ROUTER_SERVER_SIDE" dev eth0 nud permanent
  ip -n "$NS_SERVER" neigh replace "$ROUTER6_SERVER_SIDE" lladdr "$MAC_ROUTER_SERVER_SIDE" dev eth0 nud permanent

  in_ns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  in_ns "$NS_CLIENT" sysctl -qw net.ipv4.tcp_syn_retries=2
  # Linux ≥ 6.5 retries the first SYNs at a fixed 1 s (tcp_syn_linear_timeouts=4) before backing
  # off; the traces show the classic doubling (1 s, 2 s) that older kernels and macOS use.
  in_ns "$NS_CLIENT" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0 2>/dev/null || true
  in_ns "$NS_SERVER" sysctl -qw net.ipv4.tcp_synack_retries=2
}

# --- capture and traffic helpers -------------------------------------------------------------

CAPTURE_PIDS=()
LISTENER_PIDS=()

wait_for_line() { # file pattern what
  local tries
  for tries in $(seq 1 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$1" >&2 || true
  die "$3 did not start"
}

capture_comment() { # scenario side story
  echo "porttrace teaching trace '$1-$2', captured on the $2's eth0. $3 Recorded by scripts/record-traces.sh in Linux network namespaces (client $CLIENT4/$CLIENT6, router, server $SERVER4/$SERVER6)."
}

start_capture() { # namespace output-file comment
  local log="$WORK_DIR/$(basename "$2").log"
  # Started directly (no function or subshell in between) so $! is dumpcap itself: `ip netns
  # exec` execs it. It stops cleanly on SIGTERM (background jobs of a script ignore SIGINT) and
  # then writes an Interface Statistics Block whose end time shows the silence after the last
  # packet. The comment goes in at the start because rewriting the file (editcap) drops that block.
  ip netns exec "$1" dumpcap -q -i eth0 -f "$CAPTURE_FILTER" --capture-comment "$3" -w "$2" >"$log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  CAPTURE_PIDS+=("$pid")
  wait_for_line "$log" "Capturing on" "dumpcap in $1"
}

start_captures() { # scenario
  start_capture "$NS_CLIENT" "$WORK_DIR/client.pcapng" "$(capture_comment "$1" client "$CLIENT_STORY")"
  start_capture "$NS_SERVER" "$WORK_DIR/server.pcapng" "$(capture_comment "$1" server "$SERVER_STORY")"
  sleep 0.5 # let both capturers settle before the first packet
}

stop_captures() {
  sleep 1 # trailing packets (the last ACK, late SYN/ACK retransmissions)
  local pid
  for pid in "${CAPTURE_PIDS[@]}"; do kill -TERM "$pid"; done
  for pid in "${CAPTURE_PIDS[@]}"; do wait "$pid" || die "dumpcap exited with an error"; done
  CAPTURE_PIDS=()
}

listen() { # address port...
  local log="$WORK_DIR/listener-$RANDOM.log"
  ip netns exec "$NS_SERVER" python3 "$HELPERS/listener.py" "$@" >"$log" 2>&1 &
  local pid=$!
  STARTED_PIDS+=("$pid")
  LISTENER_PIDS+=("$pid")
  wait_for_line "$log" "listening" "listener on $*"
}

stop_listeners() {
  local pid
  for pid in "${LISTENER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  LISTENER_PIDS=()
}

server_firewall() { in_ns "$NS_SERVER" "$@"; }
router_firewall() { in_ns "$NS_ROUTER" "$@"; }

CLIENT_EXPECTED=()
SERVER_EXPECTED=()

# attempt FAMILY SOURCE_PORT DEST_PORT KERNEL_OUTCOME CLIENT_VERDICT SERVER_VERDICT WHERE
#   KERNEL_OUTCOME: what connect() must report, or the scenario is not what it claims.
#   SERVER_VERDICT "-": the packets never reach the server, so its capture has no such attempt.
attempt() {
  local family=$1 sport=$2 dport=$3 outcome=$4 client_verdict=$5 server_verdict=$6 where=$7
  local client=$CLIENT4 server=$SERVER4
  if [[ $family == 6 ]]; then client=$CLIENT6 server=$SERVER6; fi
  local got
  got=$(in_ns "$NS_CLIENT" python3 "$HELPERS/connect.py" "$client" "$sport" "$server" "$dport" "$CLIENT_TIMEOUT")
  echo "  $client:$sport -> [$server]:$dport: $got"
  [[ $got == "$outcome" ]] || die "expected connect() to report '$outcome', got '$got'"
  CLIENT_EXPECTED+=("$client $sport $server $dport $client_verdict $where")
  if [[ $server_verdict != - ]]; then
    SERVER_EXPECTED+=("$client $sport $server $dport $server_verdict $where")
  fi
  sleep 0.3
}

# write_trace SCENARIO SIDE TITLE STORY EXPECTED...
write_trace() {
  local scenario=$1 side=$2 title=$3 story=$4
  shift 4
  local id="$scenario-$side" other=server
  [[ $side == server ]] && other=client
  cp "$WORK_DIR/$side.pcapng" "$TRACE_DIR/$id.pcapng"
  chmod 644 "$TRACE_DIR/$id.pcapng"
  python3 "$HELPERS/entry.py" "$ENTRY_DIR/$id.json" "$id" "$title" "$side" "$scenario" \
    "$scenario-$other" "$story" "$SOURCE_NOTE" "$@"
  echo "  wrote public/traces/$id.pcapng and src/content/traces/$id.json"
}

# --- the scenario table ---------------------------------------------------------------------
# Each scenario: setup_<name> (rules, listeners, titles and stories), then traffic_<name>.

setup_blocked_drop() {
  TITLE="RDP blocked by the server's firewall (DROP)"
  CLIENT_STORY="A listener runs on 3389 but the server's host firewall drops every SYN to it. The client sends a SYN and two retransmissions with the same sequence number and Ack 0, and nothing comes back."
  SERVER_STORY="The server's own capture of the blocked attempt: the three SYNs arrive (TTL one lower, through the router), and the firewall drops them before TCP can answer, so the server sends nothing."
  listen "$SERVER4" 3389
  server_firewall iptables -A INPUT -p tcp --dport 3389 -j DROP
}
traffic_blocked_drop() { attempt 4 49731 3389 timeout no-response no-response server; }

setup_closed_rst() {
  TITLE="Nothing listening on 3390, no firewall (RST)"
  CLIENT_STORY="Nothing listens on 3390 and no firewall stands in the way, so the server's TCP answers the SYN at once with RST/ACK. The attempt is refused in one round trip: no retransmissions."
  SERVER_STORY="The server's capture: a SYN to 3390 arrives and the server itself answers RST/ACK, because no socket listens on that port."
}
traffic_closed_rst() { attempt 4 50212 3390 refused refused refused server; }

setup_closed_stealth() {
  TITLE="Nothing listening behind a default-drop firewall (silence)"
  CLIENT_STORY="Nothing listens on 3390, but the server's firewall drops anything it does not allow, the way Windows Firewall does. The client sees exactly what it saw in the blocked trace: a SYN, two retransmissions, silence."
  SERVER_STORY="The server's capture: the SYNs to 3390 arrive and get no answer — no RST, because the default-drop firewall discards them before TCP would refuse them. From one side you cannot tell this from a blocked listener."
  server_firewall iptables -A INPUT -i lo -j ACCEPT
  server_firewall iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  server_firewall iptables -P INPUT DROP
}
traffic_closed_stealth() { attempt 4 50844 3390 timeout no-response no-response server; }

setup_open() {
  TITLE="Allowed: Kerberos 88 and RDP 3389 succeed"
  CLIENT_STORY="Both ports are open: first a Kerberos exchange on 88 (AS-REQ, answered with 'pre-authentication required'), then RDP on 3389 (connection request and confirm). Each starts with SYN, SYN/ACK (Ack = the SYN's Seq + 1) and ACK, carries one request and one reply, and closes with FINs."
  SERVER_STORY="The server's side of the two successful connections: the same handshakes, data and FINs, with the client's packets one hop older (TTL 63)."
  listen "$SERVER4" 88 3389
}
traffic_open() {
  attempt 4 51203 88 connected connected connected none
  attempt 4 51204 3389 connected connected connected none
}

setup_reject_icmp_prohibited() {
  TITLE="REJECT with ICMP administratively prohibited"
  CLIENT_STORY="The server's firewall rejects SYNs to 3389 with an ICMP 'destination unreachable, communication administratively prohibited' (type 3, code 13). The ICMP message quotes the SYN it refuses, and the client stops trying as soon as its kernel handles the error: no long run of retransmissions."
  SERVER_STORY="The server's capture: the SYN arrives and the firewall answers it with ICMP type 3 code 13 quoting the SYN's headers; TCP never sees the SYN."
  listen "$SERVER4" 3389
  server_firewall iptables -A INPUT -p tcp --dport 3389 -j REJECT --reject-with icmp-admin-prohibited
}
traffic_reject_icmp_prohibited() { attempt 4 52317 3389 unreachable unreachable unreachable server; }

setup_reject_tcp_reset() {
  TITLE="REJECT with a TCP reset"
  CLIENT_STORY="A listener runs on 3389, but the server's firewall rejects SYNs to it with a forged TCP RST. On the wire this looks exactly like a closed port: the firewall, not the listener, answered."
  SERVER_STORY="The server's capture: the SYN arrives and the firewall's RST/ACK leaves, although a listener is running — a capture cannot tell a rejecting firewall from a closed port."
  listen "$SERVER4" 3389
  server_firewall iptables -A INPUT -p tcp --dport 3389 -j REJECT --reject-with tcp-reset
}
traffic_reject_tcp_reset() { attempt 4 52980 3389 refused refused refused server; }

setup_path_drop() {
  TITLE="A router drops the SYNs on the way (path)"
  CLIENT_STORY="The router between client and server drops SYNs to 3389; Kerberos on 88 passes. From the client, the RDP attempt looks like any blocked port: a SYN, two retransmissions, silence."
  SERVER_STORY="The server's capture at the same moment: the Kerberos connection arrives, but not one packet of the RDP attempt. The SYNs died on the path, before the server."
  listen "$SERVER4" 88 3389
  router_firewall iptables -A FORWARD -p tcp --dport 3389 --syn -j DROP
}
traffic_path_drop() {
  attempt 4 53411 88 connected connected connected none
  attempt 4 53412 3389 timeout no-response - path
}

setup_return_path_drop() {
  TITLE="A router drops the SYN/ACKs on the way back (return path)"
  CLIENT_STORY="The server accepts the connection, but the router drops its SYN/ACKs on the way back. The client sees only its own SYN and two retransmissions — the same picture as a blocked port."
  SERVER_STORY="The server's capture tells the rest: every SYN arrives and is answered with a SYN/ACK, retransmitted while no ACK comes back. The connection died on the return path, after the server."
  listen "$SERVER4" 3389
  router_firewall iptables -A FORWARD -p tcp --sport 3389 --tcp-flags SYN,ACK SYN,ACK -j DROP
}
traffic_return_path_drop() { attempt 4 54076 3389 timeout no-response half-open return-path; }

# Needs Linux ≥ 6.5; record_scenario skips it (keeping any earlier files) on older kernels.
requires_blocked_linear_retries() { test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; }
setup_blocked_linear_retries() {
  in_ns "$NS_CLIENT" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=4 # the kernel's default
  TITLE="Blocked, with current Linux retry timing (SYNs 1 s apart)"
  CLIENT_STORY="The same DROP rule as the blocked trace, but the client keeps Linux's default since 6.5: its first SYN retransmissions come at a fixed 1 s instead of doubling. Retry timing tells you about the client's OS, not about the firewall."
  SERVER_STORY="The server's capture: every one of the client's evenly spaced SYNs arrives, and the firewall drops them all."
  listen "$SERVER4" 3389
  server_firewall iptables -A INPUT -p tcp --dport 3389 -j DROP
}
traffic_blocked_linear_retries() { attempt 4 49790 3389 timeout no-response no-response server; }

setup_open_ipv6() {
  TITLE="IPv6: RDP 3389 allowed"
  CLIENT_STORY="The successful RDP connection over IPv6: the same SYN, SYN/ACK (Ack = Seq + 1), ACK, one request and reply, and FINs, with IPv6 addresses and Hop Limit instead of TTL."
  SERVER_STORY="The server's side of the IPv6 connection; the client's packets arrive with Hop Limit 63 after the router."
  listen "$SERVER6" 3389
}
traffic_open_ipv6() { attempt 6 55120 3389 connected connected connected none; }

setup_blocked_ipv6() {
  TITLE="IPv6: RDP blocked by the server's firewall (DROP)"
  CLIENT_STORY="The blocked port over IPv6: ip6tables drops SYNs to 3389, and the client sends a SYN and two retransmissions with the same sequence number that are never answered."
  SERVER_STORY="The server's capture: the IPv6 SYNs arrive and the firewall drops them, so nothing goes back."
  listen "$SERVER6" 3389
  server_firewall ip6tables -A INPUT -p tcp --dport 3389 -j DROP
}
traffic_blocked_ipv6() { attempt 6 55768 3389 timeout no-response no-response server; }

setup_reject_icmp6_prohibited() {
  TITLE="IPv6: REJECT with ICMPv6 administratively prohibited"
  CLIENT_STORY="ip6tables rejects SYNs to 3389 with ICMPv6 'destination unreachable, communication with destination administratively prohibited' (type 1, code 1), quoting the refused SYN. The client stops as soon as its kernel handles the error (here after one more SYN), far sooner than when the SYNs are dropped."
  SERVER_STORY="The server's capture: the IPv6 SYN arrives and the firewall answers with ICMPv6 type 1 code 1."
  listen "$SERVER6" 3389
  server_firewall ip6tables -A INPUT -p tcp --dport 3389 -j REJECT --reject-with icmp6-adm-prohibited
}
traffic_reject_icmp6_prohibited() { attempt 6 56302 3389 unreachable unreachable unreachable server; }

# A SYN scan (scripts/record/synscan.py, nmap -sS's packets) of ports 1-95 and 3389: a few
# listen, a few are allowed with nothing listening, the firewall drops the rest. (The range is
# kept small so each capture stays under the 64 KiB the site's traces are held to, and its
# attempts within the first page the verdict panel and the two-sided view show.)
SCAN_SOURCE_PORT=45912
SCAN_PORTS=(1-95 3389)
SCAN_OPEN=(22 53 80 88 3389)
SCAN_CLOSED=(21 23 25)
setup_port_scan() {
  TITLE="A SYN scan of ports 1-95 and 3389: five open, three closed, the rest filtered"
  CLIENT_STORY="A scanner sends one SYN to every port from one source port, as nmap -sS does, and sends each unanswered SYN again after 1 s and 3 s. Five ports answer SYN/ACK (the client's kernel resets them, so no handshake completes), three answer RST, and the firewall drops the SYNs to all the others."
  SERVER_STORY="The server's capture of the scan: every SYN arrives; the five listening ports answer SYN/ACK and get a reset back, three allowed ports with no listener answer RST, and the firewall silently drops the rest."
  listen "$SERVER4" "${SCAN_OPEN[@]}"
  local allowed
  allowed=$(IFS=,; echo "${SCAN_OPEN[*]},${SCAN_CLOSED[*]}")
  server_firewall iptables -A INPUT -p tcp -m multiport --dports "$allowed" -j ACCEPT
  server_firewall iptables -A INPUT -p tcp -j DROP
}
traffic_port_scan() {
  local port got wanted client_verdict server_verdict where
  while read -r port got; do
    wanted=filtered client_verdict=no-response server_verdict=no-response where=server
    if [[ " ${SCAN_OPEN[*]} " == *" $port "* ]]; then
      # The SYN/ACK is answered with the client kernel's reset: the handshake never completes.
      wanted=open client_verdict=half-open server_verdict=half-open where=none
    elif [[ " ${SCAN_CLOSED[*]} " == *" $port "* ]]; then
      wanted=closed client_verdict=refused server_verdict=refused where=server
    fi
    [[ $got == "$wanted" ]] || die "port $port: the scan saw '$got', the scenario set up '$wanted'"
    CLIENT_EXPECTED+=("$CLIENT4 $SCAN_SOURCE_PORT $SERVER4 $port $client_verdict $where")
    SERVER_EXPECTED+=("$CLIENT4 $SCAN_SOURCE_PORT $SERVER4 $port $server_verdict $where")
  done < <(in_ns "$NS_CLIENT" python3 "$HELPERS/synscan.py" "$CLIENT4" "$SCAN_SOURCE_PORT" "$SERVER4" "${SCAN_PORTS[@]}")
  ((${#CLIENT_EXPECTED[@]} == 96)) || die "the scan reported ${#CLIENT_EXPECTED[@]} ports, not 96"
  echo "  scanned ${#CLIENT_EXPECTED[@]} ports: ${SCAN_OPEN[*]} open, ${SCAN_CLOSED[*]} closed, the rest filtered"
}

SCENARIOS=(blocked-drop closed-rst closed-stealth open reject-icmp-prohibited reject-tcp-reset
  path-drop return-path-drop open-ipv6 blocked-ipv6 reject-icmp6-prohibited blocked-linear-retries port-scan)

record_scenario() {
  local scenario=$1 name=${1//-/_}
  echo "== $scenario"
  CLIENT_EXPECTED=() SERVER_EXPECTED=()
  if declare -F "requires_$name" >/dev/null && ! "requires_$name"; then
    echo "  skipped: this kernel cannot set the scenario up"
    return 0
  fi
  build_topology
  "setup_$name"
  start_captures "$scenario"
  "traffic_$name"
  stop_captures
  stop_listeners
  remove_namespaces
  write_trace "$scenario" client "$TITLE" "$CLIENT_STORY" "${CLIENT_EXPECTED[@]}"
  write_trace "$scenario" server "$TITLE" "$SERVER_STORY" "${SERVER_EXPECTED[@]}"
}

show_traces() {
  command -v tshark >/dev/null || return 0
  local scenario side
  for scenario in "$@"; do
    for side in client server; do
      [[ -f $TRACE_DIR/$scenario-$side.pcapng ]] || continue
      echo "== $scenario-$side"
      tshark -r "$TRACE_DIR/$scenario-$side.pcapng" 2>/dev/null | sed 's/^/  /'
    done
  done
}

main() {
  check_prerequisites
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  WORK_DIR=$(mktemp -d)
  mkdir -p "$TRACE_DIR" "$ENTRY_DIR"
  local selected=("$@")
  ((${#selected[@]})) || selected=("${SCENARIOS[@]}")
  local scenario
  for scenario in "${selected[@]}"; do
    [[ " ${SCENARIOS[*]} " == *" $scenario "* ]] || die "unknown scenario '$scenario' (known: ${SCENARIOS[*]})"
    record_scenario "$scenario"
  done
  show_traces "${selected[@]}"
}

main "$@"
