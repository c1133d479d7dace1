#!/usr/bin/env bash
# Dense-model sweep of many settings at once on a machine with many cores (and a GPU, which
# config.yaml's `device: auto` then uses): one `scripts/sweep_dense.py` process per line of the
# job list (task, feature file, one `--set` string per key, seed), JOBS of them at a time; each
# writes its own JSON, and the rows are merged into OUT_DIR/sweep_rows.json at the end, so a
# time limit keeps every finished row.
#   bash scripts/parallel_sweep.sh JOBLIST OUT_DIR [JOBS] [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
LIST=$1 OUT_DIR=$2 JOBS=${3:-12} LIMIT=${4:-480}
WORK=$(mktemp -d)
mkdir -p "$OUT_DIR"
n=0
while read -r task features sets seed; do
  [ -z "$task" ] || [ "${task:0:1}" = "#" ] && continue
  n=$((n + 1))
  args=()
  for s in ${sets//;/ }; do args+=(--set "$s"); done
  printf '%q ' python3 scripts/sweep_dense.py --config config.yaml --task "$task" --features "$features" \
    "${args[@]}" --seeds "$seed" --out "$WORK/row$n.json"
  echo ">> $WORK/row$n.log 2>&1"
done < "$LIST" > "$WORK/commands"
echo "sweep: $n jobs, $JOBS at a time, $LIMIT s at most"
timeout "$LIMIT" xargs -P "$JOBS" -I{} bash -c {} < "$WORK/commands"
echo "sweep: xargs exit $?"
python3 - "$WORK" "$OUT_DIR/sweep_rows.json" "$LIST" <<'PY'
import json, pathlib, sys
work, out, joblist = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rows = []
for f in sorted(work.glob("row*.json"), key=lambda p: int(p.stem[3:])):
    doc = json.loads(f.read_text())
    rows += [{"task": doc["task"], **r} for r in doc["rows"]]
logs = {f.name: f.read_text()[-2000:] for f in work.glob("row*.log") if "Error" in f.read_text()}
pathlib.Path(out).write_text(json.dumps({"joblist": pathlib.Path(joblist).read_text(), "rows": rows,
                                          "failed_logs": logs}, indent=1))
print(f"merged {len(rows)} rows; {len(logs)} logs with errors")
PY
