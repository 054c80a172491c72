#!/usr/bin/env bash
# Stop the daemons that .ci/slurm/start_local_slurm.sh started, by their saved
# PIDs, in reverse order: slurmd, slurmctld, munged (only if it started munged).
# Jobs still queued or running are cancelled first. Safe to run twice.
set -euo pipefail

STATE="${LOCAL_SLURM_STATE:-/tmp/seqsim-slurm}"

# Cancel what is still queued so that slurmd has no job steps left.
if command -v scancel >/dev/null && [ -s "$STATE/run/slurmctld.pid" ] \
    && kill -0 "$(cat "$STATE/run/slurmctld.pid")" 2>/dev/null; then
    scancel --user="$(id -un)" 2>/dev/null || true
fi
for name in slurmd slurmctld munged; do
    pidfile="$STATE/run/$name.pid"
    [ -s "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
        echo "stopped $name (pid $pid)"
    fi
    rm -f "$pidfile"
done
