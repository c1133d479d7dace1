#!/usr/bin/env bash
# A throw-away one-node SLURM cluster on localhost, with accounting (slurmdbd + MariaDB) as on real
# clusters, for testing the profile in profiles/slurm. Needs root and Debian 12's packages
# munge slurmctld slurmd slurm-client slurmdbd mariadb-server (scripts/bootstrap.sh test installs them).
#   bash scripts/slurm_cluster.sh start STATE_DIR   # prints `export SLURM_CONF=...` on success
#   bash scripts/slurm_cluster.sh stop STATE_DIR    # stops every daemon by its PID file
# Everything lives in STATE_DIR (configs, spool, state, database, logs, PID files), except munge's
# files (/run/munge) and a copy of slurm.conf in /etc/slurm (for srun inside jobs), removed by stop.
# Clients (sbatch, sacct, Snakemake) find the cluster through SLURM_CONF.
set -euo pipefail

ACTION=${1:?usage: $0 start|stop STATE_DIR}
S=$(realpath -m "${2:?usage: $0 start|stop STATE_DIR}")
DB_PORT=33061
HOST=$(hostname -s)

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "slurm_cluster: $what did not come up; see the logs in $S" >&2
      return 1
    fi
    sleep 0.5
  done
}

stop_pid() {  # stop_pid PIDFILE: TERM, then KILL after 10 s
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

MARK="# written by mirtrim scripts/slurm_cluster.sh"
if [ "$ACTION" = stop ]; then
  for daemon in slurmd slurmctld slurmdbd mariadb munged; do stop_pid "$S/$daemon.pid"; done
  if [ -f /etc/slurm/slurm.conf ] && head -1 /etc/slurm/slurm.conf | grep -qF "$MARK"; then
    rm -f /etc/slurm/slurm.conf
  fi
  exit 0
fi
[ "$ACTION" = start ] || { echo "usage: $0 start|stop STATE_DIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "slurm_cluster: needs root (daemons, munge key)" >&2; exit 1; }
mkdir -p "$S"/{state,spool,mysql}
chmod 755 "$S"

# munge on its default socket (every SLURM client looks there), with the Debian key; it runs as
# user munge, who may not enter STATE_DIR (pytest's are 0700): its own files go to /run/munge
mkdir -p /run/munge
chown munge:munge /run/munge
M=/run/munge/mirtrim-$$
su -s /bin/sh munge -c "/usr/sbin/munged --pid-file=$M.pid --log-file=$M.log --seed-file=$M.seed --force"
cp "$M.pid" "$S/munged.pid"
wait_for 10 munged munge -n

# MariaDB for slurmdbd, on a private data directory and port
if [ ! -d "$S/mysql/mysql" ]; then
  mariadb-install-db --user=root --datadir="$S/mysql" --auth-root-authentication-method=normal \
    --skip-test-db > "$S/mariadb-install.log" 2>&1
fi
/usr/sbin/mariadbd --user=root --datadir="$S/mysql" --socket="$S/mysql.sock" --port=$DB_PORT \
  --bind-address=127.0.0.1 --pid-file="$S/mariadb.pid" --log-error="$S/mariadb.log" --skip-name-resolve &
wait_for 60 MariaDB mariadb --socket="$S/mysql.sock" -uroot -e "select 1"
mariadb --socket="$S/mysql.sock" -uroot -e \
  "create user if not exists 'slurm'@'127.0.0.1' identified by 'slurm';
   grant all on slurm_acct_db.* to 'slurm'@'127.0.0.1'; flush privileges;"

cat > "$S/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=localhost
DbdAddr=127.0.0.1
SlurmUser=root
PidFile=$S/slurmdbd.pid
LogFile=$S/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
EOF
chmod 600 "$S/slurmdbd.conf"

# the node as slurmd sees it (CPUs, memory), reachable on loopback
NODE=$(slurmd -C | head -1)
cat > "$S/slurm.conf" <<EOF
ClusterName=mirtrim
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
MinJobAge=300
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
# the plugin names each job's rule in its comment: keep it in the accounting database
AccountingStoreFlags=job_comment
JobAcctGatherType=jobacct_gather/none
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$S/slurm.conf"
# inside a job, the plugin's `srun` sees neither SLURM_CONF nor a configless slurmctld: it reads
# /etc/slurm/slurm.conf. Install ours there unless the machine has its own (then refuse).
if [ -f /etc/slurm/slurm.conf ] && ! head -1 /etc/slurm/slurm.conf | grep -qF "$MARK"; then
  echo "slurm_cluster: /etc/slurm/slurm.conf exists and is not ours; not overwriting a real cluster's config" >&2
  exit 1
fi
mkdir -p /etc/slurm
{ echo "$MARK ($S)"; cat "$SLURM_CONF"; } > /etc/slurm/slurm.conf

/usr/sbin/slurmdbd
wait_for 30 slurmdbd sacctmgr -i show cluster
/usr/sbin/slurmctld
wait_for 30 slurmctld scontrol ping
/usr/sbin/slurmd
wait_for 30 "slurmd (node idle)" sh -c "sinfo -h -N -o %t | grep -q idle"
echo "export SLURM_CONF=$SLURM_CONF"
