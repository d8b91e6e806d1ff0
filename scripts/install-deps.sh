#!/usr/bin/env bash
# Installs the Debian packages PoolSim builds against (GSL, SQLite, pkg-config), and python3 with
# venv when missing.
# Skips apt entirely when everything is present, so CI on a warm machine loses no time.
# With arguments, installs those packages instead (e.g. the report check's chromium).
set -euo pipefail
pkgs=(libgsl-dev libsqlite3-dev pkg-config)
[ $# -eq 0 ] || pkgs=("$@")
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# The notebook check and the numpy benchmark make a virtual environment: Debian's python3 needs
# python3-venv for that (ensurepip); a python3 that already has it needs nothing.
if [ $# -eq 0 ] && { ! command -v python3 >/dev/null 2>&1 || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; }; then
  missing+=(python3 python3-venv)
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
