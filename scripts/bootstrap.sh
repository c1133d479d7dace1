#!/usr/bin/env bash
# Set up mirtrim on a fresh Debian 12 / Python 3.11 machine, then run the main job or the tests.
#   bash scripts/bootstrap.sh run    # .venv + `snakemake --cores 8 figures/all` on config.yaml
#   bash scripts/bootstrap.sh test   # .venv + the whole test suite (what CI runs)
# Idempotent: a second call reinstalls nothing unless pyproject.toml or this script changed.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=${1:-run}
VENV="$ROOT/.venv"
TORCH_PIN="torch==2.13.0"  # the CPU wheel; an unpinned torch pulls several GB of CUDA packages
case "$MODE" in run|test) ;; *) echo "usage: $0 run|test" >&2; exit 2 ;; esac

# Debian packages the project needs, each with the check that says whether it is missing
missing=()
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
# FluidSynth renders the soundfont-based synthetic datasets (pitch, instrument, chords)
ldconfig -p 2>/dev/null | grep -q 'libfluidsynth\.so\.3' || missing+=(libfluidsynth3)
# the tests also render the Snakemake report in a real browser, build the paper PDF and run the
# workflow on a throw-away SLURM cluster; without these (not root) those tests skip, nothing else changes
optional=()
if [ "$MODE" = test ]; then
  command -v chromium >/dev/null || optional+=(chromium)
  command -v pdflatex >/dev/null || optional+=(texlive-latex-base texlive-latex-recommended)
  for daemon in munged slurmctld slurmd slurmdbd mariadbd; do
    [ -x "/usr/sbin/$daemon" ] || { optional+=(munge slurmctld slurmd slurm-client slurmdbd mariadb-server); break; }
  done
fi
is_root_with_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }
if [ ${#missing[@]} -gt 0 ]; then
  if is_root_with_apt; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "bootstrap: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
if [ ${#optional[@]} -gt 0 ]; then
  # never fatal: without them their tests skip
  if is_root_with_apt && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${optional[@]}"; }; then
    echo "bootstrap: installed optional test packages: ${optional[*]}"
  else
    echo "bootstrap: optional test packages not installed (their tests skip): ${optional[*]}" >&2
  fi
fi

python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version' 2>/dev/null \
  || { echo "bootstrap: Python >= 3.11 is required (found $(python3 --version 2>&1))" >&2; exit 1; }
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"

stamp="$VENV/.mirtrim-installed"
want=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q "$TORCH_PIN"
  "$VENV/bin/python" -m pip install -q -e ".[all]"
  echo "$want" > "$stamp"
fi

export PATH="$VENV/bin:$PATH"
if [ "$MODE" = run ]; then
  exec snakemake --cores 8 figures/all
else
  exec python -m pytest -q --durations=15 tests
fi
