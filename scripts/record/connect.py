"""One connection attempt from a fixed source port, as the recordings need it: the source
port is part of each trace's ground truth, so it is chosen by the scenario, not the kernel.

Usage: python3 connect.py SRC_ADDRESS SRC_PORT DST_ADDRESS DST_PORT TIMEOUT_SECONDS
Prints what the client's kernel reported: connected | refused | timeout | unreachable | error:<errno>.
On success sends the port's request, reads the reply and closes (the client's FIN comes first).
"""

import errno
import socket
import sys

from protocols import message_complete, request_for


def main() -> int:
    source, source_port, destination, destination_port, timeout = sys.argv[1:6]
    family = socket.AF_INET6 if ":" in destination else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((source, int(source_port)))
    sock.settimeout(float(timeout))
    port = int(destination_port)
    try:
        sock.connect((destination, port))
    except ConnectionRefusedError:
        print("refused")
        return 0
    except TimeoutError:  # the kernel's ETIMEDOUT after its SYN retries, or our own timeout
        print("timeout")
        return 0
    except OSError as error:
        if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM):
            print("unreachable")
        else:
            print(f"error:{error.errno}")
        return 0
    sock.sendall(request_for(port))
    received = b""
    while not message_complete(port, received):
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(4096):  # wait for the server's FIN so the close is complete on the wire
        pass
    sock.close()
    print("connected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
