"""A TCP SYN scan, the way nmap -sS makes one, for the port-scan recording: one raw SYN per
port from one source port, in port order at a steady pace, each unanswered SYN sent again
(same sequence number) 1 s and 3 s later. The scanner never completes a handshake: a SYN/ACK
reaches a port no socket owns, so the client's kernel answers it with a reset, as it does for
nmap. What each port did is read from the replies, to check the scenario is what it claims.

Usage: python3 synscan.py SRC_ADDRESS SRC_PORT DST_ADDRESS FIRST_PORT-LAST_PORT [PORT ...]
Prints one line per port, in port order: "<port> open|closed|filtered".
IPv4 only; needs CAP_NET_RAW (the recording runs as root).
"""

import random
import select
import socket
import struct
import sys
import time

PACE = 0.005  # seconds between first probes: 200 a second
RETRIES_AFTER = (1.0, 3.0)  # seconds after the first probe, while unanswered
LINGER = 2.0  # seconds to wait for late answers after the last probe
WINDOW = 1024  # nmap's SYN probes advertise a 1024-byte window and an MSS of 1460
MSS_OPTION = struct.pack("!BBH", 2, 4, 1460)


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn_segment(source: str, destination: str, source_port: int, port: int, isn: int) -> bytes:
    offset_flags = ((20 + len(MSS_OPTION)) // 4) << 12 | 0x02  # data offset, SYN
    header = struct.pack("!HHIIHHHH", source_port, port, isn, 0, offset_flags, WINDOW, 0, 0) + MSS_OPTION
    pseudo = socket.inet_aton(source) + socket.inet_aton(destination) + struct.pack("!BBH", 0, 6, len(header))
    sum_ = checksum(pseudo + header)
    return header[:16] + struct.pack("!H", sum_) + header[18:]


def parse_ports(arguments: list[str]) -> list[int]:
    ports: set[int] = set()
    for argument in arguments:
        first, _, last = argument.partition("-")
        ports.update(range(int(first), int(last or first) + 1))
    return sorted(ports)


def main() -> int:
    source, source_port, destination = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ports = parse_ports(sys.argv[4:])
    rng = random.Random(source_port)  # fixed ISNs: the recording is repeatable
    isn = {port: rng.getrandbits(32) for port in ports}
    state: dict[int, str] = {}

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    sock.bind((source, 0))

    def read_replies(until: float) -> None:
        while True:
            wait = until - time.monotonic()
            if wait <= 0 or not select.select([sock], [], [], wait)[0]:
                return
            packet, (sender, _) = sock.recvfrom(65535)
            header_length = (packet[0] & 0x0F) * 4
            tcp = packet[header_length:]
            if sender != destination or len(tcp) < 20:
                continue
            from_port, to_port, _, ack = struct.unpack("!HHII", tcp[:12])
            flags = tcp[13]
            if to_port != source_port or from_port not in isn or ack != (isn[from_port] + 1) % 2**32:
                continue
            if flags & 0x04:
                state.setdefault(from_port, "closed")
            elif flags & 0x12 == 0x12:
                state.setdefault(from_port, "open")

    # Every probe's send time: first probes in port order, retries after each one's own first.
    schedule = sorted(
        [(index * PACE, port) for index, port in enumerate(ports)]
        + [(index * PACE + after, port) for index, port in enumerate(ports) for after in RETRIES_AFTER]
    )
    start = time.monotonic()
    for at, port in schedule:
        read_replies(start + at)
        if port not in state:
            sock.sendto(syn_segment(source, destination, source_port, port, isn[port]), (destination, 0))
    read_replies(time.monotonic() + LINGER)
    for port in ports:
        print(f"{port} {state.get(port, 'filtered')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
