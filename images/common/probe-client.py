#!/usr/bin/env python3
"""Probe client of the lab: requests to an agnhost-netexec-style server, or ICMP echo
requests, each bounded by a timeout.

  lab-probe-client [--protocol tcp|udp|icmp] [--timeout SECONDS] [--source ADDRESS]
                   [--attempts N [--interval SECONDS] [--stop-on-failure] [--until-stdin-closes]]
                   ADDRESS [PORT [REQUEST]]

REQUEST is `clientip` (default), `hostname` or `echo <text>`. Over TCP it becomes the HTTP
request GET /<request> (echo as /echo?msg=); over UDP it is sent as the datagram itself.
--source binds the client to one of the host's addresses before it connects.

With --protocol icmp there is no PORT nor REQUEST: each request is one ICMP echo request (ICMPv6
for an IPv6 ADDRESS) on a raw socket (CAP_NET_RAW), and its answer is the matching echo reply
(same identifier and sequence number, from ADDRESS), reported as `echo reply from ADDRESS seq N`.

Without --attempts: one request; prints the answer's body on stdout and exits 0, or prints the
reason on stderr and exits 1.

With --attempts N: up to N requests, one after the other, each a new connection (TCP) or a new
socket (UDP), with --interval seconds between the end of one and the start of the next. Every
attempt is reported as it ends, one JSON object per line on stdout (the format of
harness/env/shared/attempt-lines.ts):
  {"attempt": 1, "ok": true, "answer": "10.0.0.1:4242", "startedAtMs": ..., "durationMs": ...}
  {"attempt": 2, "ok": false, "error": "...", "startedAtMs": ..., "durationMs": ...}
--stop-on-failure ends after the first failed attempt; --until-stdin-closes ends when stdin
reaches end of file (checked between attempts and during the pause), so the caller stops the
traffic by closing its end. Exits 0 once it has reported; failures are in the lines.
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time
import urllib.parse

# Echo request and reply types: ICMP (RFC 792) and ICMPv6 (RFC 4443).
ECHO_TYPES = {socket.AF_INET: (8, 0), socket.AF_INET6: (128, 129)}


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


def internet_checksum(data):
    """RFC 1071: ones' complement of the ones' complement sum of the 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def icmp_echo(address, ident, sequence, timeout, source):
    """One echo request; returns once the matching reply from `address` arrived."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    proto = socket.IPPROTO_ICMPV6 if family == socket.AF_INET6 else socket.IPPROTO_ICMP
    request_type, reply_type = ECHO_TYPES[family]
    payload = b"egress-conformance probe"
    with socket.socket(family, socket.SOCK_RAW, proto) as s:
        if source:
            s.bind((source, 0))
        header = struct.pack("!BBHHH", request_type, 0, 0, ident, sequence)
        # The kernel fills in the ICMPv6 checksum (it covers a pseudo-header); ICMP's is ours.
        if family == socket.AF_INET:
            checksum = internet_checksum(header + payload)
            header = struct.pack("!BBHHH", request_type, 0, checksum, ident, sequence)
        s.sendto(header + payload, (address, 0))
        wanted = socket.inet_pton(family, address)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout(f"no echo reply within {timeout:g}s")
            s.settimeout(left)
            data, sender = s.recvfrom(65535)
            if socket.inet_pton(family, sender[0]) != wanted:
                continue
            # A raw IPv4 socket hands over the IP header too; an IPv6 one only the ICMPv6 message.
            if family == socket.AF_INET:
                data = data[(data[0] & 0x0F) * 4:]
            if len(data) < 8:
                continue
            kind, _, _, got_ident, got_sequence = struct.unpack("!BBHHH", data[:8])
            if kind == reply_type and got_ident == ident and got_sequence == sequence:
                return f"echo reply from {address} seq {sequence}"


def icmp_client():
    """The echo requests of one client: one identifier, sequence numbers from 1 (one per attempt)."""
    ident = random.getrandbits(16)
    sequence = 0

    def run(address, _port, _request, timeout, source):
        nonlocal sequence
        sequence = sequence % 0xFFFF + 1
        return icmp_echo(address, ident, sequence, timeout, source)

    return run


def flow_name(args):
    if args.protocol == "icmp":
        return f"icmp {args.address}"
    return f"{args.protocol} {args.address} port {args.port}"


def stdin_closed(wait):
    """True once stdin is at end of file; waits up to `wait` seconds for that (input is ignored)."""
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        readable, _, _ = select.select([sys.stdin], [], [], max(0.0, deadline - time.monotonic()))
        if readable and os.read(sys.stdin.fileno(), 4096) == b"":
            return True
        if time.monotonic() >= deadline:
            return False


def attempts(args, run):
    for n in range(1, args.attempts + 1):
        if n > 1 and args.until_stdin_closes:
            if stdin_closed(args.interval):
                return
        elif n > 1 and args.interval > 0:
            time.sleep(args.interval)
        started = time.time()
        clock = time.monotonic()
        line = {"attempt": n, "startedAtMs": round(started * 1000, 3)}
        try:
            line["answer"] = run(args.address, args.port, args.request, args.timeout, args.source)
            line["ok"] = True
        except (OSError, RuntimeError) as error:
            line["ok"] = False
            line["error"] = f"{flow_name(args)}: {error}"
        line["durationMs"] = round((time.monotonic() - clock) * 1000, 3)
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        if not line["ok"] and args.stop_on_failure:
            return
        if args.until_stdin_closes and stdin_closed(0):
            return


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", choices=["tcp", "udp", "icmp"], default="tcp")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--source", default=None)
    parser.add_argument("--attempts", type=int, default=None)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--stop-on-failure", action="store_true")
    parser.add_argument("--until-stdin-closes", action="store_true")
    parser.add_argument("address")
    parser.add_argument("port", type=int, nargs="?", default=None)
    parser.add_argument("request", nargs="?", default="clientip")
    args = parser.parse_args()
    if args.protocol == "icmp" and args.port is not None:
        parser.error("--protocol icmp takes no PORT: echo requests have none")
    if args.protocol != "icmp" and args.port is None:
        parser.error(f"--protocol {args.protocol} needs a PORT")
    run = {"tcp": tcp, "udp": udp}.get(args.protocol) or icmp_client()
    if args.attempts is not None:
        if args.attempts < 1:
            parser.error("--attempts must be at least 1")
        attempts(args, run)
        return
    try:
        sys.stdout.write(run(args.address, args.port, args.request, args.timeout, args.source))
    except (OSError, RuntimeError) as error:
        sys.stderr.write(f"{flow_name(args)}: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
