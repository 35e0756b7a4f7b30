#!/usr/bin/env python3
"""Probe client of the lab: one request to an agnhost-netexec-style server, with a bounded
timeout. Prints the answer's body on stdout and exits 0; on failure prints the reason on
stderr and exits 1.

  lab-probe-client [--protocol tcp|udp] [--timeout SECONDS] [--source ADDRESS] ADDRESS PORT [REQUEST]

REQUEST is `clientip` (default), `hostname` or `echo <text>`. Over TCP it becomes the HTTP
request GET /<request> (echo as /echo?msg=); over UDP it is sent as the datagram itself.
--source binds the client to one of the host's addresses before it connects.
"""
import argparse
import socket
import sys
import urllib.parse


def http_path(request):
    if request.startswith("echo "):
        return "/echo?msg=" + urllib.parse.quote(request[len("echo "):])
    return "/" + request


def tcp(address, port, request, timeout, source):
    bind = (source, 0) if source else None
    with socket.create_connection((address, port), timeout=timeout, source_address=bind) as s:
        s.settimeout(timeout)
        host = f"[{address}]" if ":" in address else address
        s.sendall(f"GET {http_path(request)} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = status_line.split(" ")
    if len(parts) < 2 or parts[1] != "200":
        raise RuntimeError(f"HTTP answer {status_line!r}: {body.decode(errors='replace')}")
    return body.decode()


def udp(address, port, request, timeout, source):
    family, kind, proto, _, sockaddr = socket.getaddrinfo(address, port, type=socket.SOCK_DGRAM)[0]
    with socket.socket(family, kind, proto) as s:
        s.settimeout(timeout)
        if source:
            s.bind((source, 0))
        s.connect(sockaddr)
        s.send(request.encode())
        return s.recv(65535).decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", choices=["tcp", "udp"], default="tcp")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--source", default=None)
    parser.add_argument("address")
    parser.add_argument("port", type=int)
    parser.add_argument("request", nargs="?", default="clientip")
    args = parser.parse_args()
    try:
        run = tcp if args.protocol == "tcp" else udp
        sys.stdout.write(run(args.address, args.port, args.request, args.timeout, args.source))
    except (OSError, RuntimeError) as error:
        sys.stderr.write(f"{args.protocol} {args.address} port {args.port}: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
