#!/usr/bin/env bash
# Executes a notebook headless with nbclient in the project's venv (.venv, made by
# `bash scripts/python-env.sh scripts/requirements-notebook.txt`) and fails on any cell error.
#   bash scripts/check-notebook.sh notebooks-export/demo.ipynb
# The kernel is the venv's own Python (checked before running), matplotlib draws with Agg, and the
# notebook runs in its own folder, so the store path written in it (relative) resolves as it does
# for a user who opens it there. The notebook file is not modified.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
[ $# -eq 1 ] || { echo "usage: check-notebook.sh NOTEBOOK.ipynb" >&2; exit 2; }
[ -f "$1" ] || { echo "check-notebook: no notebook '$1'" >&2; exit 1; }
[ -x "$venv/bin/python" ] || { echo "check-notebook: no $venv; run scripts/python-env.sh scripts/requirements-notebook.txt" >&2; exit 1; }
dir="$(cd "$(dirname "$1")" && pwd)"
file="$dir/$(basename "$1")"

export PATH="$venv/bin:$PATH" MPLBACKEND=Agg JUPYTER_PREFER_ENV_PATH=1 PYDEVD_DISABLE_FILE_VALIDATION=1
# The venv's python3 kernel spec (inside the venv, not the user's ~/.local): the kernel runs the
# venv's interpreter whatever else is installed on the machine. Idempotent.
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
cd "$dir"
"$venv/bin/python" - "$file" "$venv" <<'PY'
import os, shutil, sys, time
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

path, venv = sys.argv[1], os.path.abspath(sys.argv[2])
spec = KernelSpecManager().get_kernel_spec("python3")
# Not realpath: the venv's python is a symlink to the base interpreter, and it is the link (beside
# pyvenv.cfg) that makes the interpreter run in the venv.
exe = os.path.abspath(spec.argv[0] if os.path.isabs(spec.argv[0]) else shutil.which(spec.argv[0]) or "")
if not exe.startswith(venv + os.sep):
    sys.exit(f"check-notebook: kernel python3 runs {exe or spec.argv[0]}, not the venv's interpreter")
nb = nbformat.read(path, as_version=4)
nbformat.validate(nb)
start = time.monotonic()
client = NotebookClient(nb, kernel_name="python3", timeout=600, allow_errors=False,
                        resources={"metadata": {"path": os.getcwd()}})
try:
    client.execute()
except CellExecutionError as e:
    sys.exit(f"check-notebook: {os.path.basename(path)}: a cell failed:\n{e}")
code = [c for c in nb.cells if c.cell_type == "code"]
errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
if errors:
    sys.exit(f"check-notebook: {len(errors)} error output(s)")
print(f"check-notebook: {os.path.basename(path)}: {len(code)} code cells ran without error "
      f"in {time.monotonic() - start:.1f} s (kernel {exe})")
PY
