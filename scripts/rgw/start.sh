#!/usr/bin/env bash
# Start a throwaway single-node Ceph cluster (1 mon, 1 memstore OSD, no mgr) plus a
# RADOS Gateway on loopback, for tests that need a real S3 implementation.
#
# Usage: scripts/rgw/start.sh            (prints an env block on stdout, progress on stderr)
#        eval "$(scripts/rgw/start.sh)"  ...  scripts/rgw/stop.sh "$RGW_DIR"
#
# Environment (all optional):
#   RGW_DIR            state dir (created; must be empty if it exists). Default: mktemp -d.
#   RGW_PORT           HTTP port of radosgw on 127.0.0.1. Default: a free port.
#   RGW_MON_PORT       msgr2 port of the monitor on 127.0.0.1. Default: a free port.
#   RGW_ACCESS_KEY     S3 access key of the test user (default: fixed test key below).
#   RGW_SECRET_KEY     S3 secret key of the test user.
#   RGW_REGION         region printed for SigV4 scopes (default us-east-1; RGW accepts any).
#   RGW_START_TIMEOUT  seconds to wait for the whole cluster to come up (default 120).
#   RGW_DEBUG          radosgw log level ("debug rgw"), e.g. 20 to log SigV4 canonical requests.
#   RGW_KEEP_FAILED=1  on failure, leave the state dir (logs) in place instead of removing it.
#
# Everything (config, keyrings, mon store, OSD dir, PID files, logs, admin sockets) lives
# in the state dir; the OSD keeps objects in memory (memstore), so nothing survives stop.sh.
# No systemd; root is not required (tested as root and as nobody). Daemons daemonize
# themselves and write PID files to $RGW_DIR/run/*.pid (stop.sh uses exactly those) and
# logs to $RGW_DIR/log/. All sockets are on 127.0.0.1: the monitor (msgr2 only), the OSD
# (6800-7300, picked by ceph-osd) and radosgw. Takes ~4-9 s on 2 cores.
# The env block is also written to $RGW_DIR/env. Exit status: 0 ready, 3 not installed,
# 2 bad RGW_DIR, other: failed (with the tails of the daemon logs on stderr).
set -Eeuo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
START_NS=$(date +%s%N)
TIMEOUT="${RGW_START_TIMEOUT:-120}"
ACCESS_KEY="${RGW_ACCESS_KEY:-SIGNPOSTTESTACCESSKEY}"
SECRET_KEY="${RGW_SECRET_KEY:-signpost/test/secret/key/0123456789abcdefgh}"
# RGW does not check the region in the SigV4 credential scope against its zonegroup;
# us-east-1 additionally makes the SDK send CreateBucket without a LocationConstraint.
REGION="${RGW_REGION:-us-east-1}"
RGW_USER="signpost"

log() {
  local ms=$(( ($(date +%s%N) - START_NS) / 1000000 ))
  printf '[rgw %3d.%03ds] %s\n' $(( ms / 1000 )) $(( ms % 1000 )) "$*" >&2
}
deadline_left() {
  local left=$(( DEADLINE - $(date +%s) ))
  [ "$left" -gt 0 ] && echo "$left" || echo 0
}

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl; do
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "rgw/start: '$bin' not found. Run scripts/rgw/install.sh (as root) first." >&2
    exit 3
  fi
done
DEADLINE=$(( $(date +%s) + TIMEOUT ))

# ---- state dir -------------------------------------------------------------------------
if [ -n "${RGW_DIR:-}" ]; then
  mkdir -p "$RGW_DIR"
  if [ -n "$(ls -A "$RGW_DIR")" ]; then
    echo "rgw/start: RGW_DIR=$RGW_DIR is not empty; refusing to reuse it (run stop.sh on it first)" >&2
    exit 2
  fi
  DIR="$(cd "$RGW_DIR" && pwd)"
else
  DIR="$(mktemp -d "${TMPDIR:-/tmp}/signpost-rgw.XXXXXX")"
fi
# Marker so stop.sh only ever deletes directories this script created.
echo "signpost-rgw $$ $(date -u +%FT%TZ)" >"$DIR/.signpost-rgw"
mkdir -p "$DIR"/{run,log,mon,osd,rgw,crash,tmp}

fail() {
  local rc=$?
  trap - EXIT
  echo "" >&2
  echo "rgw/start: FAILED: $*" >&2
  for f in "$DIR"/log/mon.a.log "$DIR"/log/osd.0.log "$DIR"/log/client.rgw.a.log "$DIR"/log/*.out; do
    [ -s "$f" ] || continue
    echo "----- tail -n 25 $f -----" >&2
    tail -n 25 "$f" >&2 || true
  done
  echo "----- end of logs -----" >&2
  if [ "${RGW_KEEP_FAILED:-}" = "1" ]; then
    RGW_KEEP_DIR=1 bash "$SCRIPT_DIR/stop.sh" "$DIR" >&2 || true
    echo "rgw/start: daemons stopped; state kept in $DIR (remove it yourself)" >&2
  else
    bash "$SCRIPT_DIR/stop.sh" "$DIR" >&2 || true
  fi
  [ "$rc" -eq 0 ] && rc=1
  exit "$rc"
}
trap 'fail "unexpected error (exit $?) at line $LINENO"' ERR
trap 'fail "interrupted"' INT TERM

# ---- ports -----------------------------------------------------------------------------
# Pick ports below the ephemeral range (32768+) so outgoing connections cannot take them
# between the check and the bind; random so that parallel clusters do not collide. If a
# daemon still loses a race for its port, it is restarted on another one (auto ports only).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 12000 ))
    [ "$p" = "${MON_PORT:-}" ] && continue
    if /usr/bin/python3 - "$p" <<'PY' 2>/dev/null; then
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.close()
PY
      echo "$p"
      return 0
    fi
  done
  return 1
}
MON_PORT="${RGW_MON_PORT:-}"
RGW_PORT="${RGW_PORT:-}"
MON_PORT_FIXED="${MON_PORT:+1}"
RGW_PORT_FIXED="${RGW_PORT:+1}"
[ -n "$MON_PORT" ] || MON_PORT="$(free_port)"
[ -n "$RGW_PORT" ] || RGW_PORT="$(free_port)"

# ---- config and keys -------------------------------------------------------------------
FSID="$(cat /proc/sys/kernel/random/uuid)"
CONF="$DIR/ceph.conf"
write_conf() {
  cat >"$CONF" <<CONF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DIR/client.admin.keyring
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
tmp dir = $DIR/tmp
log to stderr = false
err to stderr = true
log to syslog = false
daemonize = true

# single node, no redundancy, no manager
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon mgr mkfs grace = 31536000
mon data avail warn = 1
mon data avail crit = 0
mon max pg per osd = 1000
# pool creation by RGW: ~1.5 s instead of ~9 s
paxos propose interval = 0.1

[mon]
mon data = $DIR/mon/\$cluster-\$id
mon cluster log file = $DIR/log/cluster.log
keyring = $DIR/mon/\$cluster-\$id/keyring
# fail fast (instead of retrying for 10 s) when the port is taken
ms bind retry count = 1
ms bind retry delay = 1

[osd]
osd data = $DIR/osd/\$cluster-\$id
keyring = $DIR/osd/\$cluster-\$id/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush update on start = true
osd max object name len = 1024
osd max object namespace len = 256

[client.rgw.a]
keyring = $DIR/client.rgw.a.keyring
rgw data = $DIR/rgw
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw dns name = localhost
rgw thread pool size = 64
rgw enable usage log = false
# No lifecycle / garbage-collection / quota background threads: tests do not need them,
# and joining them makes SIGTERM take ~4 s instead of ~0.1 s.
rgw enable lc threads = false
rgw enable gc threads = false
rgw enable quota threads = false
debug rgw = ${RGW_DEBUG:-1}
CONF
}
write_conf

ceph-authtool --create-keyring "$DIR/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool --create-keyring "$DIR/client.admin.keyring" --gen-key -n client.admin \
  --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$DIR/mon.keyring" --import-keyring "$DIR/client.admin.keyring" >/dev/null

CEPH=(ceph -c "$CONF" --connect-timeout 10)

# ---- monitor ---------------------------------------------------------------------------
# ceph-mon daemonizes only after it has bound its port, so its exit status tells us.
for attempt in 1 2 3; do
  log "starting mon on 127.0.0.1:$MON_PORT (state dir $DIR)"
  rm -rf "$DIR/mon/ceph-a"
  monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/mon.keyring" \
    >"$DIR/log/mon.a.out" 2>&1 </dev/null || fail "ceph-mon --mkfs failed"
  if ceph-mon -c "$CONF" -i a >>"$DIR/log/mon.a.out" 2>&1 </dev/null; then
    break
  fi
  if [ -z "$MON_PORT_FIXED" ] && [ "$attempt" -lt 3 ] && grep -q 'unable to bind' "$DIR/log/mon.a.out"; then
    log "mon port $MON_PORT was taken; retrying on another port"
    MON_PORT="$(free_port)"
    write_conf
    continue
  fi
  fail "ceph-mon did not start"
done
until timeout 10 "${CEPH[@]}" mon stat >/dev/null 2>&1; do
  [ "$(deadline_left)" -gt 0 ] || fail "monitor did not answer within ${TIMEOUT}s"
  sleep 0.2
done
log "mon up"

# ---- OSD (memstore) --------------------------------------------------------------------
OSD_UUID="$(cat /proc/sys/kernel/random/uuid)"
OSD_SECRET="$(ceph-authtool --gen-print-key)"
OSD_ID="$(printf '{"cephx_secret": "%s"}' "$OSD_SECRET" | "${CEPH[@]}" osd new "$OSD_UUID" -i -)"
[ "$OSD_ID" = "0" ] || fail "unexpected OSD id '$OSD_ID'"
mkdir -p "$DIR/osd/ceph-0"
ceph-authtool --create-keyring "$DIR/osd/ceph-0/keyring" --name osd.0 --add-key "$OSD_SECRET" >/dev/null
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd.0.out" 2>&1 </dev/null \
  || fail "ceph-osd --mkfs failed"
ceph-osd -c "$CONF" -i 0 >>"$DIR/log/osd.0.out" 2>&1 </dev/null || fail "ceph-osd did not start"
osd_up() {
  timeout 10 "${CEPH[@]}" osd stat -f json 2>/dev/null \
    | /usr/bin/python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("num_up_osds") == 1 else 1)' 2>/dev/null
}
until osd_up; do
  [ "$(deadline_left)" -gt 0 ] || fail "OSD did not come up within ${TIMEOUT}s"
  sleep 0.2
done
log "osd up"

# ---- RADOS Gateway ---------------------------------------------------------------------
"${CEPH[@]}" auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' mgr 'allow rw' \
  -o "$DIR/client.rgw.a.keyring" >/dev/null 2>&1 || fail "could not create client.rgw.a key"

RGW_LOG="$DIR/log/client.rgw.a.log"
RGW_PIDFILE="$DIR/run/client.rgw.a.pid"
# radosgw daemonizes before it binds its port, so watch its log and its PID.
rgw_pid_alive() {
  local pid
  pid="$(cat "$RGW_PIDFILE" 2>/dev/null || true)"
  [ -n "$pid" ] && grep -qaF -- "$CONF" "/proc/$pid/cmdline" 2>/dev/null
}
for attempt in 1 2 3; do
  ENDPOINT="http://127.0.0.1:$RGW_PORT"
  : >"$RGW_LOG"
  radosgw -c "$CONF" -n client.rgw.a >"$DIR/log/client.rgw.a.out" 2>&1 </dev/null || fail "radosgw did not start"
  seen_pid=""
  status=""
  while :; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT/" 2>/dev/null)" = "200" ]; then
      status=up
      break
    fi
    if grep -q 'failed to bind address' "$RGW_LOG" 2>/dev/null; then
      status=bind
      break
    fi
    if rgw_pid_alive; then
      seen_pid=1
    elif [ -n "$seen_pid" ]; then
      fail "radosgw exited"
    fi
    [ "$(deadline_left)" -gt 0 ] || fail "radosgw did not answer HTTP on $ENDPOINT within ${TIMEOUT}s"
    sleep 0.2
  done
  [ "$status" = up ] && break
  if [ -n "$RGW_PORT_FIXED" ] || [ "$attempt" -ge 3 ]; then
    fail "radosgw could not bind 127.0.0.1:$RGW_PORT"
  fi
  # radosgw exits by itself when its frontend cannot bind; make sure before retrying.
  for _ in $(seq 1 50); do rgw_pid_alive || break; sleep 0.1; done
  if rgw_pid_alive; then kill -KILL "$(cat "$RGW_PIDFILE")" 2>/dev/null || true; sleep 0.2; fi
  # (The dead radosgw's watches on the OSD linger for osd_client_watch_timeout, 30 s, and
  # slow down the first metadata writes after this retry. Rare: ports are checked first.)
  log "rgw port $RGW_PORT was taken; retrying on another port"
  RGW_PORT="$(free_port)"
  write_conf
done
log "rgw answers HTTP on $ENDPOINT"

timeout "$(( $(deadline_left) + 1 ))" radosgw-admin -c "$CONF" user create --uid "$RGW_USER" --display-name "Signpost tests" \
  --access-key "$ACCESS_KEY" --secret "$SECRET_KEY" >"$DIR/log/user-create.out" 2>&1 \
  || fail "radosgw-admin user create failed: $(tail -n 5 "$DIR/log/user-create.out")"

# Prove the S3 API works end to end: create and delete a bucket with SigV4 (this also
# makes RGW create its bucket index and data pools now rather than in the first test).
PROBE="signpost-probe-$RANDOM$RANDOM"
# curl 7.x does not send x-amz-content-sha256 itself; RGW then takes the payload hash to be
# UNSIGNED-PAYLOAD while curl signed the SHA-256 of the empty body. Send it explicitly.
s3() {
  curl -s -o "$DIR/log/probe.out" -w '%{http_code}' --max-time 20 \
    -H 'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' \
    --aws-sigv4 "aws:amz:$REGION:s3" --user "$ACCESS_KEY:$SECRET_KEY" "$@"
}
while :; do
  code="$(s3 -X PUT "$ENDPOINT/$PROBE")" || true
  [ "$code" = "200" ] && break
  # 4xx will not get better by waiting (bad credentials, bad signature); 5xx/000 might.
  case "$code" in 4*) fail "could not create a bucket (HTTP $code): $(cat "$DIR/log/probe.out" 2>/dev/null)" ;; esac
  [ "$(deadline_left)" -gt 0 ] || fail "could not create a bucket within ${TIMEOUT}s (HTTP $code): $(cat "$DIR/log/probe.out" 2>/dev/null)"
  sleep 0.3
done
code="$(s3 -X DELETE "$ENDPOINT/$PROBE")" || true
[ "$code" = "204" ] || fail "could not delete probe bucket (HTTP $code): $(cat "$DIR/log/probe.out" 2>/dev/null)"
rm -f "$DIR/log/probe.out"
log "bucket create/delete ok; cluster ready"

trap - ERR INT TERM
ENV_BLOCK="RGW_ENDPOINT=$ENDPOINT
RGW_ACCESS_KEY=$ACCESS_KEY
RGW_SECRET_KEY=$SECRET_KEY
RGW_REGION=$REGION
RGW_DIR=$DIR
RGW_PORT=$RGW_PORT
RGW_MON_PORT=$MON_PORT
RGW_CEPH_CONF=$CONF"
printf '%s\n' "$ENV_BLOCK" >"$DIR/env"
printf '%s\n' "$ENV_BLOCK"
