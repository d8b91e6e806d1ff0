#!/usr/bin/env bash
# Creates the project's Python environment (.venv at the repository root) and installs the pinned
# packages of one or more requirements files (default: scripts/requirements-bench.txt).
#   bash scripts/python-env.sh                          # the benchmark's numpy and PyYAML
#   bash scripts/python-env.sh scripts/requirements-X.txt [...]
# When the venv already has every pinned version, pip is not run at all (fast no-op on a warm
# machine). Only `name==version` lines are supported: pins keep every machine on the same versions.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
[ $# -gt 0 ] || set -- "$root/scripts/requirements-bench.txt"
for f in "$@"; do
  [ -f "$f" ] || { echo "python-env: no requirements file '$f'" >&2; exit 1; }
done

if [ ! -x "$venv/bin/python" ]; then
  echo "python-env: creating $venv" >&2
  python3 -m venv "$venv"
fi

# Which pins the venv lacks (importlib.metadata, no pip start-up cost); prints the files to install.
need="$("$venv/bin/python" - "$@" <<'PY'
import re, sys
from importlib import metadata

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

need = []
for path in sys.argv[1:]:
    for raw in open(path, encoding="utf-8"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
        if not m:
            sys.exit(f"python-env: {path}: only exact pins (name==version) are supported, got '{line}'")
        try:
            have = metadata.version(norm(m.group(1)))
        except metadata.PackageNotFoundError:
            have = None
        if have != m.group(3):
            need.append(path)
            break
print("\n".join(need))
PY
)"

if [ -z "$need" ]; then
  exit 0
fi
while IFS= read -r f; do
  echo "python-env: installing $(basename "$f") into .venv" >&2
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$f"
done <<< "$need"
