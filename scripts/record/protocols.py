"""The few application bytes the recorded traces carry, so Wireshark dissects them cleanly.

Port 3389 carries the first exchange of an RDP connection (MS-RDPBCGR 2.2.1.1 and 2.2.1.2:
an X.224 Connection Request with an RDP negotiation request, answered by a Connection
Confirm), port 88 the first exchange of a Windows logon (RFC 4120: an AS-REQ without
pre-authentication, answered by KRB-ERROR KDC_ERR_PREAUTH_REQUIRED, as a domain controller
does). Any other port gets a one-line text exchange. Written for this project from the
specifications; the values are plausible, not copied from a capture.
"""

import struct
import time

REALM = "LAB.EXAMPLE"


# --- DER, just enough for Kerberos --------------------------------------------------------

def _der(tag: int, content: bytes) -> bytes:
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    size_bytes = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size_bytes)]) + size_bytes + content


def _integer(value: int) -> bytes:
    # Minimal two's complement: one extra byte keeps a set top bit from reading as negative.
    length = max(1, (value.bit_length() + 8) // 8)
    return _der(0x02, value.to_bytes(length, "big", signed=True))


def _general_string(text: str) -> bytes:
    return _der(0x1B, text.encode("ascii"))


def _generalized_time(seconds: float) -> bytes:
    return _der(0x18, time.strftime("%Y%m%d%H%M%SZ", time.gmtime(seconds)).encode("ascii"))


def _sequence(*items: bytes) -> bytes:
    return _der(0x30, b"".join(items))


def _field(number: int, value: bytes) -> bytes:
    return _der(0xA0 + number, value)


def _principal(name_type: int, *parts: str) -> bytes:
    return _sequence(_field(0, _integer(name_type)),
                     _field(1, _sequence(*(_general_string(p) for p in parts))))


def _tcp_framed(message: bytes) -> bytes:
    # Kerberos over TCP (RFC 4120 7.2.2): a 4-byte big-endian length before each message.
    return struct.pack(">I", len(message)) + message


def kerberos_as_req() -> bytes:
    body = _sequence(
        _field(0, _der(0x03, b"\x00\x40\x81\x00\x10")),  # forwardable, renewable, canonicalize, renewable-ok
        _field(1, _principal(1, "alice")),  # NT-PRINCIPAL
        _field(2, _general_string(REALM)),
        _field(3, _principal(2, "krbtgt", REALM)),  # NT-SRV-INST
        _field(5, _der(0x18, b"20370913024805Z")),  # Windows asks for "never" like this
        _field(6, _der(0x18, b"20370913024805Z")),
        _field(7, _integer(0x5C3A91E7)),
        _field(8, _sequence(_integer(18), _integer(17), _integer(23))),  # aes256, aes128, rc4
    )
    request = _der(0x6A, _sequence(_field(1, _integer(5)), _field(2, _integer(10)), _field(4, body)))
    return _tcp_framed(request)


def kerberos_preauth_required() -> bytes:
    now = time.time()
    error = _der(0x7E, _sequence(
        _field(0, _integer(5)),
        _field(1, _integer(30)),  # KRB-ERROR
        _field(4, _generalized_time(now)),
        _field(5, _integer(int((now % 1) * 1_000_000))),
        _field(6, _integer(25)),  # KDC_ERR_PREAUTH_REQUIRED
        _field(9, _general_string(REALM)),
        _field(10, _principal(2, "krbtgt", REALM)),
    ))
    return _tcp_framed(error)


# --- RDP connection sequence, first round trip ----------------------------------------------

def _tpkt(payload: bytes) -> bytes:
    return struct.pack(">BBH", 3, 0, 4 + len(payload)) + payload


def rdp_connection_request() -> bytes:
    cookie = b"Cookie: mstshash=alice\r\n"
    negotiation = struct.pack("<BBHI", 0x01, 0x00, 8, 0x00000003)  # RDP_NEG_REQ: TLS | CredSSP
    variable = cookie + negotiation
    x224 = bytes([6 + len(variable), 0xE0, 0, 0, 0, 0, 0]) + variable  # CR TPDU
    return _tpkt(x224)


def rdp_connection_confirm() -> bytes:
    negotiation = struct.pack("<BBHI", 0x02, 0x1F, 8, 0x00000002)  # RDP_NEG_RSP: CredSSP chosen
    x224 = bytes([6 + len(negotiation), 0xD0, 0, 0, 0x12, 0x34, 0]) + negotiation  # CC TPDU
    return _tpkt(x224)


# --- framing -------------------------------------------------------------------------------

def request_for(port: int) -> bytes:
    if port == 88:
        return kerberos_as_req()
    if port == 3389:
        return rdp_connection_request()
    return b"hello\r\n"


def reply_for(port: int) -> bytes:
    if port == 88:
        return kerberos_preauth_required()
    if port == 3389:
        return rdp_connection_confirm()
    return b"hello yourself\r\n"


def message_complete(port: int, received: bytes) -> bool:
    """True once `received` holds one whole request or reply for this port's protocol."""
    if port == 88:
        return len(received) >= 4 and len(received) >= 4 + struct.unpack(">I", received[:4])[0]
    if port == 3389:
        return len(received) >= 4 and len(received) >= struct.unpack(">H", received[2:4])[0]
    return received.endswith(b"\n")
