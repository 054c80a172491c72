#!/usr/bin/env bash
# Does seqsim install and score beside a torch the user already has? Usage:
#   .ci/torch_compat.sh 2.12.0 [venv-dir]
# Makes a fresh venv, installs that torch from the package index (on PyPI's
# x86_64 Linux that is a CUDA build, about 4.7 GB: not part of .ci/run), then
# `pip install -e '.[scorer,test]'` without the constraints file, checks that
# torch was left as it was and runs the scorer's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?torch version, e.g. 2.12.0}
venv=${2:-$(mktemp -d)/venv}
python3 -m venv "$venv"
"$venv/bin/pip" install -q "torch==$version"
"$venv/bin/pip" install -q -e '.[scorer,test]'
"$venv/bin/python" - "$version" <<'PY'
import sys, torch
assert torch.__version__.split("+")[0] == sys.argv[1], f"torch changed to {torch.__version__}"
print("torch", torch.__version__, "kept")
PY
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/scorer
