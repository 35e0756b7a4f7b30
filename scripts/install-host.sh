#!/bin/sh
# Prepares a fresh Debian 12 machine (run as root) for egress-conformance: the Docker engine,
# debootstrap (the lab's base image when no registry is reachable), tcpdump and tshark (captures
# and an independent pcap reader), xmllint and python3-junitparser (report checks), chromium (the
# HTML report's browser test, driven by playwright-core) and iproute2. Starts dockerd in the
# background when its socket is missing (machines without systemd) and waits until it answers.
# Idempotent; prints nothing unless something fails.
#
# `--run` installs only what a run of the suite needs (the action.yml of this repository uses it
# on GitHub's Ubuntu runners): no chromium, junitparser, xmllint or frr, which only the project's
# own tests use. Either way, a Docker engine that already answers (Docker CE on a hosted runner)
# is used as it is: installing docker.io beside it would conflict with its containerd.
set -eu

PACKAGES="docker.io debootstrap tshark tcpdump libxml2-utils python3-junitparser chromium iproute2 frr"
case "${1:-}" in
  --run) PACKAGES="docker.io debootstrap tshark tcpdump iproute2" ;;
  "") ;;
  *)
    echo "install-host.sh: unknown argument $1; expected --run or nothing" >&2
    exit 2
    ;;
esac
if docker info >/dev/null 2>&1; then
  PACKAGES=$(echo "$PACKAGES" | sed 's/docker\.io //')
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-host.sh: run as root (it installs Debian packages and starts dockerd)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $package"
  fi
done

if [ -n "$missing" ]; then
  log=$(mktemp /tmp/egress-conformance-install.XXXXXX)
  # tshark's debconf question (may non-root users capture?) keeps its default: no.
  # shellcheck disable=SC2086 # the package list is meant to split
  if ! { apt-get update -q && apt-get install -y -q $missing; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "install-host.sh: installing$missing failed" >&2
    exit 1
  fi
  rm -f "$log"
fi

# A machine restored from a snapshot can carry the socket and pid file of a dockerd that no
# longer runs; docker then waits on a dead socket. Start dockerd unless one is running (or the
# engine answers, e.g. a service manager's), clearing such leftovers first.
dockerd_pid=""
if ! docker info >/dev/null 2>&1 && ! pgrep -x dockerd >/dev/null 2>&1; then
  rm -f /var/run/docker.sock /var/run/docker.pid
  nohup dockerd >/var/log/dockerd.log 2>&1 &
  dockerd_pid=$!
fi
i=0
until docker info >/dev/null 2>&1; do
  i=$((i + 1))
  if [ "$i" -gt 120 ] || { [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null; }; then
    echo "install-host.sh: the Docker engine does not answer; /var/log/dockerd.log says:" >&2
    tail -n 20 /var/log/dockerd.log >&2 || true
    exit 1
  fi
  sleep 0.5
done
