#!/usr/bin/env bash
# Installs the Debian packages PoolSim builds against (GSL, SQLite, pkg-config).
# Skips apt entirely when everything is present, so CI on a warm machine loses no time.
set -euo pipefail
pkgs=(libgsl-dev libsqlite3-dev pkg-config)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
