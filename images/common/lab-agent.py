#!/usr/bin/env python3
"""Command agent of a lab container: runs the commands the harness sends it, many at a time,
so that a command costs a fork here instead of a `docker exec` (which costs the engine about
50 ms of CPU each: a lab run makes hundreds).

The harness starts it once per container with `docker exec -i` and speaks newline-delimited
JSON over its stdin and stdout:

  request   {"id": 7, "argv": ["sh", "-ec", "..."], "stdin": "<base64>"}   stdin: optional
            {"id": 8, "argv": [...], "holdStdin": true}   stdin stays open until:
            {"id": 8, "closeStdin": true}
  answer    {"id": 7, "exit": 0, "stdout": "<base64>", "stderr": "<base64>"}

Each command runs in its own session with the agent's environment (the one `docker exec` gave
it), exactly as `docker exec` would run it; the harness bounds it with coreutils `timeout`. A
command that cannot start answers 127 (not found) or 126 (not executable), as a shell would.
When its stdin ends (the harness went away) it closes the stdin it holds, answers what is
still running and exits.
"""
import base64
import json
import subprocess
import sys
import threading

write_lock = threading.Lock()
# Commands whose stdin the harness holds open: id -> {"stdin": pipe or None, "closed": bool}.
held = {}
held_lock = threading.Lock()


def answer(message):
    data = (json.dumps(message) + "\n").encode()
    with write_lock:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except OSError:
            pass  # the harness went away: nobody to answer


def encode(data):
    return base64.b64encode(data).decode("ascii")


def drain(stream, chunks):
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
    stream.close()


def feed(stream, data):
    try:
        stream.write(data)
    except OSError:
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def run(request):
    ident = request.get("id")
    try:
        start(request, ident)
    except Exception as error:  # a malformed request still gets its answer
        answer({"id": ident, "exit": 126, "stdout": "", "stderr": encode(f"lab-agent: {error!r}\n".encode())})


def start(request, ident):
    data = base64.b64decode(request["stdin"]) if request.get("stdin") is not None else None
    hold = bool(request.get("holdStdin"))
    try:
        process = subprocess.Popen(
            request["argv"],
            stdin=subprocess.PIPE if data is not None or hold else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as error:
        forget(ident)
        answer({"id": ident, "exit": 127, "stdout": "", "stderr": encode(f"{error}\n".encode())})
        return
    except OSError as error:
        forget(ident)
        answer({"id": ident, "exit": 126, "stdout": "", "stderr": encode(f"{error}\n".encode())})
        return
    out, err = [], []
    readers = [
        threading.Thread(target=drain, args=(process.stdout, out), daemon=True),
        threading.Thread(target=drain, args=(process.stderr, err), daemon=True),
    ]
    for reader in readers:
        reader.start()
    if data is not None:
        threading.Thread(target=feed, args=(process.stdin, data), daemon=True).start()
    elif hold:
        with held_lock:
            entry = held.get(ident)
            closed = entry is None or entry["closed"]
            if not closed:
                entry["stdin"] = process.stdin
        if closed:
            feed(process.stdin, b"")
    code = process.wait()
    for reader in readers:
        reader.join()
    stdin = forget(ident)
    if stdin is not None:
        feed(stdin, b"")
    answer({"id": ident, "exit": code, "stdout": encode(b"".join(out)), "stderr": encode(b"".join(err))})


def forget(ident):
    """Drops a held stdin entry; returns its pipe if it is still open."""
    with held_lock:
        entry = held.pop(ident, None)
    return entry["stdin"] if entry and not entry["closed"] else None


def close_stdin(ident):
    with held_lock:
        entry = held.get(ident)
        if entry is None or entry["closed"]:
            return
        entry["closed"] = True
        stdin = entry["stdin"]
    if stdin is not None:
        feed(stdin, b"")


def main():
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            sys.stderr.write(f"lab-agent: not JSON: {line[:200]!r}\n")
            continue
        if request.get("closeStdin"):
            close_stdin(request.get("id"))
            continue
        if request.get("holdStdin"):
            # Registered before the command starts, so that an early closeStdin is not lost.
            with held_lock:
                held[request.get("id")] = {"stdin": None, "closed": False}
        # Not a daemon: at the end of input the agent still answers what is running.
        threading.Thread(target=run, args=(request,)).start()
    with held_lock:
        pending = [entry["stdin"] for entry in held.values() if not entry["closed"] and entry["stdin"]]
        held.clear()
    for stdin in pending:
        feed(stdin, b"")


if __name__ == "__main__":
    main()
