#!/usr/bin/env python3
"""Probe server of the lab: speaks the protocol of Kubernetes' agnhost `netexec`, so that
scenarios written for real clusters behave the same on the lab.

HTTP on PORT:   GET /clientip -> "<client-ip>:<client-port>"   GET /hostname -> NAME
                GET /echo?msg=X -> X                            GET /healthz -> "ok"
UDP on PORT:    "hostname" -> NAME, "clientip" -> "<ip>:<port>", "echo X" -> X
Addresses are written like Go's net package does (agnhost is Go): a.b.c.d:port, [v6]:port.
TCP: one dual-stack socket (IPv4 clients arrive as ::ffff:a.b.c.d and are unmapped). UDP: one
socket per family. IPv4-only when the namespace has no IPv6. --port may be given several
times: one process then answers on every port (a peer offers several probe ports).
HTTP is served by a small HTTP/1.0 responder (one request per connection, then close) rather
than http.server, whose imports cost more CPU than the rest of the start: every pod of the
lab starts one of these, and tests start many pods at once.
"""
import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import urllib.parse


def client_address(host, port):
    if host.startswith("::ffff:") and "." in host:
        host = host[len("::ffff:"):]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::", 0))
        return True
    except OSError:
        return False


def bind_dual_stack(sock, address, port):
    if sock.family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))


# Linux values where Python does not name them.
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)


def udp_socket(family, address, port):
    """A UDP socket that learns each datagram's destination address (PKTINFO), so that the
    answer leaves from the address the client sent to, not from whatever address routing would
    pick: a peer's service addresses live on `lo`, and a connected client ignores answers
    from another source. One socket per family: PKTINFO is per family."""
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
    else:
        sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    sock.bind((address, port))
    return sock


def serve_udp(sock, name):
    while True:
        data, ancillary, _, peer = sock.recvmsg(65535, socket.CMSG_SPACE(64))
        reply_info = []
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                # struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }: answer from addr.
                reply_info = [(level, kind, struct.pack("=i4s4s", 0, value[8:12], b"\0" * 4))]
            elif level == socket.IPPROTO_IPV6 and kind == IPV6_PKTINFO:
                # struct in6_pktinfo { in6_addr addr; unsigned ifindex; }: same address and link.
                reply_info = [(level, kind, value[:20])]
        text = data.decode(errors="replace").strip()
        if text == "hostname":
            answer = name
        elif text == "clientip":
            answer = client_address(*peer[:2])
        elif text.startswith("echo "):
            answer = text[len("echo "):]
        else:
            continue
        sys.stderr.write("udp %s %s\n" % (client_address(*peer[:2]), text.split(" ")[0]))
        try:
            sock.sendmsg([answer.encode()], reply_info, 0, peer)
        except OSError as error:
            # No route back (e.g. a LoadBalancer IP withdrawn a moment ago): this answer is
            # lost, as it would be on a real network; the server must keep serving.
            sys.stderr.write("udp %s: no answer sent: %s\n" % (client_address(*peer[:2]), error))


def serve(ports, name, address, ready_file):
    if address is None:
        address = "::" if ipv6_available() else "0.0.0.0"
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def respond(path):
        url = urllib.parse.urlsplit(path)
        if url.path == "/clientip":
            return 200, None
        if url.path == "/hostname":
            return 200, name
        if url.path == "/echo":
            return 200, urllib.parse.parse_qs(url.query).get("msg", [""])[0]
        if url.path == "/healthz":
            return 200, "ok"
        return 404, "unknown path " + url.path

    class Handler(socketserver.StreamRequestHandler):
        timeout = 10

        def handle(self):
            client = client_address(*self.client_address[:2])
            request_line = self.rfile.readline(8192).decode("latin-1").strip()
            # The headers: read and ignored, up to the blank line (bounded).
            for _ in range(100):
                line = self.rfile.readline(8192)
                if line in (b"\r\n", b"\n", b""):
                    break
            parts = request_line.split()
            if len(parts) < 2:
                status, body = 400, "bad request"
            else:
                status, body = respond(parts[1])
                if body is None:
                    body = client
            data = body.encode()
            reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
            head = (
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            )
            # Status and headers, then the body: two sends, as http.server made them, so a
            # probe's packets per connection stay what they were.
            self.wfile.write(head.encode())
            self.wfile.write(data)
            sys.stderr.write("http %s %s %d\n" % (client, request_line, status))

    def http_server(port):
        class Server(socketserver.ThreadingTCPServer):
            address_family = family
            daemon_threads = True
            allow_reuse_address = True

            def server_bind(self):
                bind_dual_stack(self.socket, address, port)
                self.server_address = self.socket.getsockname()

        return Server((address, port), Handler)

    servers = [http_server(port) for port in ports]
    for port in ports:
        if address == "::":
            udp_sockets = [udp_socket(socket.AF_INET6, "::", port), udp_socket(socket.AF_INET, "0.0.0.0", port)]
        else:
            udp_sockets = [udp_socket(family, address, port)]
        for sock in udp_sockets:
            threading.Thread(target=serve_udp, args=(sock, name), daemon=True).start()
    for httpd in servers[1:]:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    if ready_file:
        with open(ready_file, "w") as f:
            f.write(str(os.getpid()))
    listed = ", ".join(str(port) for port in ports)
    sys.stderr.write(f"serving {name} on {address} port {listed} (tcp+udp)\n")
    sys.stderr.flush()
    servers[0].serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, action="append", help="repeatable (default 8080)")
    parser.add_argument("--name", default=socket.gethostname(), help="answer to hostname requests")
    parser.add_argument("--address", help="listen address (default: all, dual-stack)")
    parser.add_argument("--ready-file", help="written with the pid once both sockets listen")
    args = parser.parse_args()
    sys.stderr.reconfigure(line_buffering=True)
    serve(args.port or [8080], args.name, args.address, args.ready_file)


if __name__ == "__main__":
    main()
