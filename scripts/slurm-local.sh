#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm integration test (scripts/test-slurm.sh).
#
#   bash scripts/slurm-local.sh start    install Debian's slurm and munge if missing, write
#                                        /etc/slurm/slurm.conf, start munged, slurmctld, slurmd and
#                                        wait until the node is idle (prints how long it took)
#   bash scripts/slurm-local.sh stop     stop exactly the daemons `start` started (pids in the state
#                                        folder), cancel leftover jobs, remove stale pid files
#   bash scripts/slurm-local.sh status   print whether the cluster runs, and sinfo
#
# Works without systemd (the daemons run in the foreground mode, detached, under setsid; their logs
# go to /var/log/slurm/ and the state folder). Needs root. `start` when the cluster already runs and
# `stop` when it does not are no-ops. A cluster started by someone else (daemons not in the state
# folder) is used as it is and never stopped by this script.
# Environment: POOLSIM_SLURM_STATE (state folder, default /tmp/poolsim-slurm),
#              POOLSIM_SLURM_TIMEOUT (seconds to wait for an idle node, default 30).
set -euo pipefail

STATE=${POOLSIM_SLURM_STATE:-/tmp/poolsim-slurm}
TIMEOUT=${POOLSIM_SLURM_TIMEOUT:-30}
CONF=/etc/slurm/slurm.conf
LOGDIR=/var/log/slurm
CTLD_PIDFILE=/run/slurmctld.pid
SLURMD_PIDFILE=/run/slurmd.pid
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NODE=$(hostname -s 2>/dev/null || hostname)
NODE=${NODE:-localhost}

say() { echo "slurm-local: $*" >&2; }
die() { say "error: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Whether a process runs: a zombie does not count. (Daemons started here are reparented to PID 1 when
# this script exits; a PID 1 that reaps only now and then leaves them as zombies for seconds, and
# kill -0 succeeds on a zombie.)
alive() {
  local st
  st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# pid of DAEMON recorded in the state folder, printed only when that process still runs and is
# still that program (a recycled pid is not ours).
our_pid() {
  local name=$1 pid comm
  [ -f "$STATE/$name.pid" ] || return 1
  pid=$(cat "$STATE/$name.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  # /proc/PID/comm is cut to 15 characters; slurmd/slurmctld may show as e.g. "slurmctld-wlm".
  case "$comm" in "$name"*) echo "$pid" ;; *) return 1 ;; esac
}

node_state() { sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -n1; }

controller_up() { timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; }

show_logs() {
  local f
  for f in "$STATE/munged.out" "$STATE/slurmctld.out" "$STATE/slurmd.out" \
           "$LOGDIR/slurmctld.log" "$LOGDIR/slurmd.log"; do
    [ -s "$f" ] || continue
    echo "----- $f (last 40 lines) -----" >&2
    tail -n 40 "$f" >&2
  done
}

# Stops the given "name:pid" daemons together (each takes 1-2 s to exit on TERM): TERM, then KILL
# whatever still runs after 10 s.
stop_pids() {
  local np i left
  for np in "$@"; do kill -TERM "${np#*:}" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    left=0
    for np in "$@"; do alive "${np#*:}" && left=1; done
    [ "$left" -eq 1 ] || return 0
    sleep 0.1
  done
  for np in "$@"; do
    if alive "${np#*:}"; then
      say "${np%%:*} (${np#*:}) did not stop on TERM; killing it"
      kill -KILL "${np#*:}" 2>/dev/null || true
    fi
  done
  sleep 0.5
}

# A pid file whose process is gone stops the next daemon from starting cleanly: remove it.
remove_stale_pidfile() {
  local f=$1 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null || true)
  if [ -z "$pid" ] || ! alive "$pid"; then rm -f "$f"; fi
}

write_conf() {
  local cpus mem_kb mem_mb
  cpus=$(nproc)
  mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  # A bit below the total: slurmd drains a node whose real memory is below RealMemory.
  mem_mb=$(( mem_kb / 1024 * 95 / 100 ))
  [ "$mem_mb" -ge 100 ] || mem_mb=100
  mkdir -p /etc/slurm "$LOGDIR" /var/lib/slurm/slurmctld /var/lib/slurm/slurmd
  local tmp
  tmp=$(mktemp /etc/slurm/.slurm.conf.XXXXXX)
  cat > "$tmp" <<EOF
# Written by PoolSim's scripts/slurm-local.sh: a single-node test cluster on localhost.
ClusterName=poolsim
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=$CTLD_PIDFILE
SlurmdPidFile=$SLURMD_PIDFILE
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=300
InactiveLimit=0
# sbatch --wait polls every 2 s only while MinJobAge/2 <= 2 (else it sleeps 2, 8, then 32 s between
# looks, so a 12-second job "takes" 42 s); finished jobs are still kept at least 5 s (purges run
# once a minute), long enough for sbatch --wait to read the exit code and for afterok dependencies.
MinJobAge=5
# Start array tasks as soon as CPUs free up (the default batch_sched_delay waits 3 s between waves).
SchedulerParameters=batch_sched_delay=0
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  chmod 0644 "$tmp"
  # A slurm.conf this script did not write is kept once beside it.
  if [ -f "$CONF" ] && ! grep -q "PoolSim's scripts/slurm-local.sh" "$CONF" && [ ! -e "$CONF.before-poolsim" ]; then
    cp -p "$CONF" "$CONF.before-poolsim"
    say "kept the existing $CONF as $CONF.before-poolsim"
  fi
  mv -f "$tmp" "$CONF"
}

ensure_munge() {
  # The key: Debian's munge package creates one on install; make it if it is missing.
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 0700 /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key --force
    chown munge:munge /etc/munge/munge.key
    chmod 0600 /etc/munge/munge.key
  fi
  # A munged already answering (ours, systemd's, anyone's) is good enough. Ask only when one runs:
  # against a stale socket the munge client retries for about 2.5 s before it gives up.
  if our_pid munged >/dev/null || foreign_running munged; then
    if timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; then return 0; fi
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  rm -f "$STATE/munged.pid"
  # Foreground mode under setsid (no fork when not a group leader), so $! is munged's own pid.
  setsid setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --force </dev/null >"$STATE/munged.out" 2>&1 &
  echo $! > "$STATE/munged.pid"
  local i
  for i in $(seq 1 50); do
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
    alive "$(cat "$STATE/munged.pid")" || break
    sleep 0.1
  done
  fail_start "munged did not start"
}

# Whether a NAME process runs that this script did not start (zombies left out).
foreign_running() {
  local p mine
  mine=$(our_pid "$1" || true)
  for p in $(pgrep -x "$1" 2>/dev/null || true); do
    [ "$p" != "$mine" ] && alive "$p" && return 0
  done
  return 1
}

# A start that failed: show the logs, stop what it started (no half-started cluster stays), fail.
fail_start() {
  show_logs
  do_stop || true
  die "$1"
}

is_running() {
  our_pid slurmctld >/dev/null && our_pid slurmd >/dev/null
}

do_status() {
  local p name
  for name in munged slurmctld slurmd; do
    if p=$(our_pid $name); then echo "$name: running (pid $p, started by slurm-local.sh)"
    elif foreign_running "$name"; then echo "$name: running (not started by slurm-local.sh)"
    else echo "$name: not running"; fi
  done
  if command -v sinfo >/dev/null 2>&1 && controller_up; then
    sinfo
    return 0
  fi
  echo "cluster: not running"
  return 3
}

do_start() {
  local t0 t_install s i
  t0=$(now)
  [ "$(id -u)" -eq 0 ] || die "needs root (the daemons run as root; munged as munge)"
  mkdir -p "$STATE"
  if is_running && controller_up; then
    s=$(node_state)
    case "$s" in
      idle|mixed|allocated|completing) say "already running (node $NODE $s): nothing to do"; return 0 ;;
    esac
  fi

  bash "$HERE/install-deps.sh" slurmctld slurmd slurm-client munge
  t_install=$(elapsed "$t0")

  # Daemons this script did not start: use them if they work, never fight them (one slurmd per host).
  if ! our_pid slurmctld >/dev/null && ! our_pid slurmd >/dev/null \
     && { foreign_running slurmctld || foreign_running slurmd; }; then
    if controller_up && [ "$(node_state)" = idle ]; then
      say "a Slurm cluster not started by this script already runs here; using it as it is"
      return 0
    fi
    die "slurmctld or slurmd runs here but was not started by slurm-local.sh and the node is not idle; stop it first"
  fi

  # Half-running (one daemon died): start afresh.
  if our_pid slurmctld >/dev/null || our_pid slurmd >/dev/null; then
    say "some daemons of an earlier start are gone; restarting"
    do_stop
    mkdir -p "$STATE"
  fi

  write_conf
  ensure_munge
  remove_stale_pidfile "$CTLD_PIDFILE"
  remove_stale_pidfile "$SLURMD_PIDFILE"
  : > "$LOGDIR/slurmctld.log"; : > "$LOGDIR/slurmd.log"

  # -c: start from the configuration, not from saved state: a node left DOWN or DRAINED by an earlier
  # run (or an earlier configuration) comes back clean, and no old job is recovered.
  setsid slurmctld -D -c -f "$CONF" </dev/null >"$STATE/slurmctld.out" 2>&1 &
  echo $! > "$STATE/slurmctld.pid"
  for i in $(seq 1 100); do
    controller_up && break
    alive "$(cat "$STATE/slurmctld.pid")" || fail_start "slurmctld exited"
    sleep 0.1
  done
  setsid slurmd -D -f "$CONF" </dev/null >"$STATE/slurmd.out" 2>&1 &
  echo $! > "$STATE/slurmd.pid"

  local deadline resumed=0
  deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    s=$(node_state || true)
    case "$s" in
      idle) break ;;
      *inval*)
        # slurmd found less than slurm.conf promises (e.g. "Low RealMemory"): waiting will not help.
        fail_start "node $NODE is INVALID: slurmd reports less than slurm.conf configures (see slurmctld.log above)" ;;
      *drain*|*down*|*fail*)
        # The node registers as down or drained (e.g. after an unclean stop): return it to service once.
        if [ "$resumed" -eq 0 ] && our_pid slurmd >/dev/null; then
          say "node $NODE is $s; resuming it"
          scontrol update nodename="$NODE" state=resume 2>&1 | sed 's/^/slurm-local: /' >&2 || true
          resumed=1
        fi ;;
    esac
    for name in slurmctld slurmd; do
      our_pid $name >/dev/null || fail_start "$name exited during start"
    done
    if [ "$(date +%s)" -ge "$deadline" ]; then
      sinfo -N -l >&2 || true
      scontrol show node "$NODE" >&2 || true
      fail_start "node $NODE not idle after ${TIMEOUT}s (state: ${s:-none})"
    fi
    sleep 0.2
  done
  say "node $NODE idle ($(nproc) CPUs); started in $(elapsed "$t0")s (package check/install ${t_install}s)"
}

do_stop() {
  local pid name i jobs
  if ! our_pid slurmctld >/dev/null && ! our_pid slurmd >/dev/null && ! our_pid munged >/dev/null; then
    rm -f "$STATE"/*.pid 2>/dev/null || true
    remove_stale_pidfile "$CTLD_PIDFILE"
    remove_stale_pidfile "$SLURMD_PIDFILE"
    say "not running (nothing started by slurm-local.sh): nothing to stop"
    return 0
  fi
  # Jobs still running would leave slurmstepd and their processes behind (proctrack/linuxproc).
  if our_pid slurmctld >/dev/null && our_pid slurmd >/dev/null; then
    jobs=$(timeout 5 squeue -h -o %A 2>/dev/null || true)
    if [ -n "$jobs" ]; then
      say "cancelling leftover jobs: $(echo $jobs)"
      timeout 5 scancel $jobs 2>/dev/null || true
      for i in $(seq 1 50); do
        [ -z "$(timeout 5 squeue -h -o %A 2>/dev/null)" ] && break
        sleep 0.2
      done
    fi
  fi
  local running=()
  for name in slurmd slurmctld munged; do
    if pid=$(our_pid $name); then running+=("$name:$pid"); fi
  done
  [ ${#running[@]} -eq 0 ] || stop_pids "${running[@]}"
  rm -f "$STATE"/{slurmd,slurmctld,munged}.pid
  remove_stale_pidfile "$CTLD_PIDFILE"
  remove_stale_pidfile "$SLURMD_PIDFILE"
  say "stopped"
}

case "${1:-}" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
