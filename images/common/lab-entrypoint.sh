#!/bin/sh
# Entrypoint of lab containers. The harness copies /etc/lab/setup.sh (addresses, routes,
# nftables) and /etc/frr/{zebra,bgpd}.conf into the container before it starts; this runs the setup,
# starts FRR and the services in /etc/lab/services.sh, then marks the container ready.
# Outcome files in /run/lab: ready, or failed + the log of the step that failed.
mkdir -p /run/lab
step() {
  name=$1
  shift
  if ! "$@" >"/run/lab/$name.log" 2>&1; then
    echo "$name" >/run/lab/failed
    exec sleep infinity
  fi
}
# zebra and bgpd read their config files themselves. Not frrinit.sh/watchfrr: watchfrr applies the
# integrated config with `vtysh -b` once every daemon is up, and bgpd holds its sessions until a
# while after that (about 4 s in all); read directly, sessions open within milliseconds.
start_frr() {
  install -d -o frr -g frr -m 0755 /run/frr
  /usr/lib/frr/zebra -d -F traditional -A 127.0.0.1 -s 90000000 -f /etc/frr/zebra.conf
  # bgpd after zebra answers: bgpd then learns the interfaces before its first connect, or an
  # IPv6 session's first open fails (no local interface for the next hop) and retries 2 s later.
  i=0
  until vtysh -d zebra -c 'show version' >/dev/null 2>&1; do
    i=$((i + 1)); if [ $i -gt 100 ]; then echo "zebra did not start" >&2; return 1; fi
    sleep 0.02
  done
  /usr/lib/frr/bgpd -d -F traditional -A 127.0.0.1 -f /etc/frr/bgpd.conf
}
if [ -f /etc/lab/setup.sh ]; then step setup sh -e /etc/lab/setup.sh; fi
if [ -f /etc/frr/bgpd.conf ]; then step frr start_frr; fi
if [ -f /etc/lab/services.sh ]; then step services sh -e /etc/lab/services.sh; fi
touch /run/lab/ready
exec sleep infinity
