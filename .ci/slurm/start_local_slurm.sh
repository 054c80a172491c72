#!/usr/bin/env bash
# Start a single-node SLURM cluster on localhost (munged + slurmctld + slurmd) from
# Debian 12 packages, without systemd, so that tests/workflow/test_slurm.py can run the
# example pipeline through Snakemake's SLURM executor. Must run as root.
#
# Idempotent: a second run starts only what is not running; a changed slurm.conf
# restarts slurmctld and slurmd. Stop with .ci/slurm/stop_local_slurm.sh.
#
#   LOCAL_SLURM_STATE=DIR  state, logs and pid files (default /tmp/seqsim-slurm)
#   LOCAL_SLURM_CPUS=N     CPUs the node advertises (default: nproc); N > nproc
#                          oversubscribes, so that more jobs run at once
#
# There is no slurmdbd: `sacct` fails ("accounting storage is disabled"), so the
# profile's status command is squeue, which needs MinJobAge (600 s here) to be
# at least 3x the plugin's first status-check delay.
set -euo pipefail

STATE="${LOCAL_SLURM_STATE:-/tmp/seqsim-slurm}"
CPUS="${LOCAL_SLURM_CPUS:-$(nproc)}"
CONF=/etc/slurm/slurm.conf
NODE=localhost
T0=$(date +%s.%N)

log() {
    printf '[local-slurm %5.1fs] %s\n' \
        "$(awk -v a="$(date +%s.%N)" -v b="$T0" 'BEGIN { print a - b }')" "$*"
}
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_pidfile() {
    for _ in $(seq 1 100); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    echo "no pid file $1 (logs in $STATE/log)" >&2
    return 1
}
stop_pidfile() {  # stop_pidfile NAME PIDFILE: stop a daemon so that it rereads slurm.conf
    if alive "$2"; then
        local pid
        pid=$(cat "$2")
        kill "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
        log "$1 (pid $pid) stopped for the new slurm.conf"
    fi
    rm -f "$2"
}

[ "$(id -u)" = 0 ] || { echo "start_local_slurm.sh must run as root" >&2; exit 1; }
[[ "$CPUS" =~ ^[1-9][0-9]*$ ]] || { echo "LOCAL_SLURM_CPUS must be a positive integer" >&2; exit 1; }

# ------------------------------------------------------------------ packages
missing=()
for pkg in slurmctld slurmd slurm-client munge; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    # Without an init system the postinst scripts cannot start the services
    # ("invoke-rc.d: policy-rc.d denied execution"): expected, they are started below.
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    log "packages installed: $(dpkg-query -W -f='${Version}' slurmctld) slurm"
fi

mkdir -p "$STATE"/{ctld,spool,log,run}

# ------------------------------------------------------------------ munge
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge /etc/munge
[ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! alive /run/munge/munged.pid; then
    rm -f /run/munge/munged.pid /run/munge/munge.socket.2*
    runuser -u munge -- /usr/sbin/munged  # forks; writes /run/munge/munged.pid
    wait_pidfile /run/munge/munged.pid
    # Only a munged started here is stopped by stop_local_slurm.sh.
    cp /run/munge/munged.pid "$STATE/run/munged.pid"
    log "munged started (pid $(cat /run/munge/munged.pid))"
fi
munge -n | unmunge >/dev/null || { echo "munge self-test failed" >&2; exit 1; }

# ------------------------------------------------------------------ slurm.conf
MEM_MB=$(($(awk '/^MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 1024))
OVERRIDE=""
if [ "$CPUS" -gt "$(nproc)" ]; then OVERRIDE="SlurmdParameters=config_overrides"; fi
# Slurm 22.05 (Debian 12): slurmd always loads a cgroup plugin, but with
# proctrack/linuxproc + task/none nothing is confined and no cgroup.conf is needed.
# Do not write "CgroupPlugin=disabled": it only exists from Slurm 23 and 22.05's slurmd exits.
NEWCONF=$(cat <<CONF_EOF
# Written by seqsim's .ci/slurm/start_local_slurm.sh: single-node test cluster,
# no systemd, no cgroups, no accounting database.
ClusterName=seqsimci
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
# No slurmdbd: sacct fails, so Snakemake's slurm plugin must poll with squeue.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# A job without --mem would otherwise get the whole node's memory and run alone.
DefMemPerCPU=1000
ReturnToService=2
# Finished jobs stay visible to squeue this long; the plugin's squeue status
# mode needs >= 3x its first status-check delay, else it falls back to sacct.
MinJobAge=600
InactiveLimit=0
KillWait=5
Waittime=0
SlurmctldTimeout=60
SlurmdTimeout=60
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$OVERRIDE
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF_EOF
)
mkdir -p /etc/slurm
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$NEWCONF" ]; then
    printf '%s\n' "$NEWCONF" >"$CONF"
    log "wrote $CONF ($CPUS CPUs, ${MEM_MB} MB)"
    # Jobs running across a restart are left "completing" on a node that stays
    # unusable for a while: cancel them first (this is a throwaway test cluster).
    if alive "$STATE/run/slurmctld.pid"; then
        scancel --user="$(id -un)" 2>/dev/null || true
        for _ in $(seq 1 60); do
            [ -z "$(squeue -h -t running,completing -o %i 2>/dev/null)" ] && break
            sleep 0.5
        done
    fi
    stop_pidfile slurmd "$STATE/run/slurmd.pid"
    stop_pidfile slurmctld "$STATE/run/slurmctld.pid"
fi

# ------------------------------------------------------------------ slurmctld + slurmd
if ! alive "$STATE/run/slurmctld.pid"; then
    slurmctld -i  # forks; -i ignores state files left by an earlier, different conf
    wait_pidfile "$STATE/run/slurmctld.pid"
    log "slurmctld started (pid $(cat "$STATE/run/slurmctld.pid"))"
fi
for _ in $(seq 1 120); do
    if scontrol ping 2>/dev/null | grep -q UP; then break; fi
    sleep 0.25
done
if ! alive "$STATE/run/slurmd.pid"; then
    slurmd -N "$NODE"  # the machine's hostname is not "localhost": name the node
    wait_pidfile "$STATE/run/slurmd.pid"
    log "slurmd started (pid $(cat "$STATE/run/slurmd.pid"))"
fi

# ------------------------------------------------------------------ wait until the node is usable
st=""
for _ in $(seq 1 240); do
    st=$(sinfo -h -N -n "$NODE" -o %T 2>/dev/null || true)
    case "$st" in
        idle | mixed | allocated) break ;;
        down* | drain*) scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 0.25
done
if ! [[ "$st" =~ ^(idle|mixed|allocated)$ ]]; then
    echo "node $NODE not up (state '$st'); logs in $STATE/log" >&2
    exit 1
fi
log "cluster ready: node $NODE is $st"
sinfo
echo "stop with: LOCAL_SLURM_STATE=$STATE $(dirname "$(readlink -f "$0")")/stop_local_slurm.sh"
