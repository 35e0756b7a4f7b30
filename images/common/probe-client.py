#!/usr/bin/env python3
"""Probe client of the lab: requests to an agnhost-netexec-style server, each bounded by a
timeout.

  lab-probe-client [--protocol tcp|udp] [--timeout SECONDS] [--source ADDRESS]
                   [--attempts N [--interval SECONDS] [--stop-on-failure] [--until-stdin-closes]]
                   ADDRESS PORT [REQUEST]

REQUEST is `clientip` (default), `hostname` or `echo <text>`. Over TCP it becomes the HTTP
request GET /<request> (echo as /echo?msg=); over UDP it is sent as the datagram itself.
--source binds the client to one of the host's addresses before it connects.

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
import select
import socket
import sys
import time
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
            line["error"] = f"{args.protocol} {args.address} port {args.port}: {error}"
        line["durationMs"] = round((time.monotonic() - clock) * 1000, 3)
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()
        if not line["ok"] and args.stop_on_failure:
            return
        if args.until_stdin_closes and stdin_closed(0):
            return


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", choices=["tcp", "udp"], default="tcp")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--source", default=None)
    parser.add_argument("--attempts", type=int, default=None)
    parser.add_argument("--interval", type=float, default=0.0)
    parser.add_argument("--stop-on-failure", action="store_true")
    parser.add_argument("--until-stdin-closes", action="store_true")
    parser.add_argument("address")
    parser.add_argument("port", type=int)
    parser.add_argument("request", nargs="?", default="clientip")
    args = parser.parse_args()
    run = tcp if args.protocol == "tcp" else udp
    if args.attempts is not None:
        if args.attempts < 1:
            parser.error("--attempts must be at least 1")
        attempts(args, run)
        return
    try:
        sys.stdout.write(run(args.address, args.port, args.request, args.timeout, args.source))
    except (OSError, RuntimeError) as error:
        sys.stderr.write(f"{args.protocol} {args.address} port {args.port}: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
