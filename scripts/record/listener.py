"""A tiny TCP server for the recordings: listens on the given ports, answers one request per
connection (see protocols.py), then closes after the client does — a clean FIN exchange.

Usage: python3 listener.py ADDRESS PORT [PORT ...]   (prints "listening" once every port is bound)
"""

import socket
import sys
import threading

from protocols import message_complete, reply_for


def serve_connection(connection: socket.socket, port: int) -> None:
    with connection:
        connection.settimeout(15)
        received = b""
        try:
            while not message_complete(port, received):
                chunk = connection.recv(4096)
                if not chunk:
                    return
                received += chunk
            connection.sendall(reply_for(port))
            # Wait for the client's FIN so the client closes first, as RDP and Kerberos clients do.
            while connection.recv(4096):
                pass
        except OSError:
            return


def serve_port(listener: socket.socket, port: int) -> None:
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve_connection, args=(connection, port), daemon=True).start()


def main() -> None:
    address = sys.argv[1]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    threads = []
    for port in (int(p) for p in sys.argv[2:]):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((address, port))
        listener.listen(8)
        thread = threading.Thread(target=serve_port, args=(listener, port), daemon=True)
        thread.start()
        threads.append(thread)
    print("listening", flush=True)
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
