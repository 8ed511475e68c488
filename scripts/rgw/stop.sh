#!/usr/bin/env bash
# Stop a cluster started by scripts/rgw/start.sh and delete its state dir.
#
# Usage: scripts/rgw/stop.sh [RGW_DIR]     (default: $RGW_DIR)
#   RGW_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 10)
#   RGW_KEEP_DIR=1    stop the daemons but keep the state dir (logs)
#
# Only processes recorded in $RGW_DIR/run/*.pid, or whose command line names this state
# dir's ceph.conf, are signalled. Never kills by process name: other clusters may be running.
set -euo pipefail

DIR="${1:-${RGW_DIR:-}}"
STOP_TIMEOUT="${RGW_STOP_TIMEOUT:-10}"
if [ -z "$DIR" ]; then
  echo "usage: $0 RGW_DIR   (or set RGW_DIR)" >&2
  exit 2
fi
if [ ! -d "$DIR" ]; then
  echo "rgw/stop: $DIR does not exist; nothing to do" >&2
  exit 0
fi
DIR="$(cd "$DIR" && pwd)"
if [ ! -f "$DIR/.signpost-rgw" ]; then
  echo "rgw/stop: $DIR was not created by scripts/rgw/start.sh (no .signpost-rgw marker); refusing" >&2
  exit 2
fi
CONF="$DIR/ceph.conf"

# Is $1 a live (non-zombie) process started with this state dir's config?
ours() {
  [ -r "/proc/$1/cmdline" ] && grep -qaF -- "$CONF" "/proc/$1/cmdline" 2>/dev/null
}

# PID from a PID file written by a daemon, if that process is still ours.
pid_from() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(tr -dc '0-9' <"$f")"
  if [ -n "$pid" ] && ours "$pid"; then echo "$pid"; fi
}

# SIGTERM the given PIDs, wait up to STOP_TIMEOUT seconds, then SIGKILL what is left.
terminate() {
  [ "$#" -gt 0 ] || return 0
  local deadline p alive=()
  for p in "$@"; do ours "$p" && alive+=("$p"); done
  [ "${#alive[@]}" -gt 0 ] || return 0
  kill -TERM "${alive[@]}" 2>/dev/null || true
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while :; do
    alive=()
    for p in "$@"; do ours "$p" && alive+=("$p"); done
    [ "${#alive[@]}" -eq 0 ] && return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "rgw/stop: SIGKILL ${alive[*]} (still running ${STOP_TIMEOUT}s after SIGTERM)" >&2
      kill -KILL "${alive[@]}" 2>/dev/null || true
      sleep 0.2
      return 0
    fi
    sleep 0.05
  done
}

stopped=0
# 1. One daemon type at a time, in reverse start order: radosgw unregisters its watches on
#    the OSD when it shuts down (it hangs if the OSD is already gone), and an OSD going down
#    tells the monitor (it waits for it otherwise). Then anything else with a PID file.
for pattern in "client.rgw.*.pid" "osd.*.pid" "mon.*.pid" "*.pid"; do
  stage=()
  for f in "$DIR"/run/$pattern; do
    p="$(pid_from "$f")"
    [ -n "$p" ] && stage+=("$p")
  done
  terminate "${stage[@]}"
  stopped=$(( stopped + ${#stage[@]} ))
done

# 2. Stragglers: processes of this cluster without a (valid) PID file, e.g. a daemon still
#    starting when start.sh failed, or a radosgw-admin that hung. Matched by the absolute
#    path of this state dir's ceph.conf on their command line, never by name.
rest=()
for f in $(grep -laF -- "$CONF" /proc/[0-9]*/cmdline 2>/dev/null || true); do
  p="${f#/proc/}"; p="${p%/cmdline}"
  ours "$p" || continue # e.g. the grep itself, gone by now
  case "$(readlink "/proc/$p/exe" 2>/dev/null)" in
    */ceph-mon | */ceph-osd | */radosgw | */radosgw-admin) rest+=("$p") ;;
  esac
done
if [ "${#rest[@]}" -gt 0 ]; then
  echo "rgw/stop: stopping stragglers ${rest[*]}" >&2
  terminate "${rest[@]}"
  stopped=$(( stopped + ${#rest[@]} ))
fi

if [ "${RGW_KEEP_DIR:-}" = "1" ]; then
  echo "rgw/stop: stopped $stopped process(es); kept $DIR" >&2
else
  rm -rf -- "$DIR"
  echo "rgw/stop: stopped $stopped process(es); removed $DIR" >&2
fi
