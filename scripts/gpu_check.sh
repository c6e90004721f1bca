#!/usr/bin/env bash
# The checks to run when a GPU is lent, in one go: the GPU-path test, the whole
# test suite on CuPy, the benchmark beside PyTorch CUDA, and each model's step.
#
#   bash scripts/gpu_check.sh            # logs go to $OUT, else ./gpu-check/
#
# Each part has its own time limit (seconds, overridable) so that a slow part
# cannot starve the others; a part cut off says so in its log.  Run from the
# repository root on a machine with CuPy, PyTorch (CUDA) and pytest-xdist.
set -u
out=${OUT:-gpu-check}
mkdir -p "$out"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1 HYPOTHESIS_PROFILE=ci
workers=${WORKERS:-12}

parts=${PARTS:-gpu_path benchmark model_steps suite}   # a subset, e.g. PARTS="suite"

part() {  # part NAME SECONDS COMMAND...: run COMMAND under a limit, log to $out/NAME.log
  local name=$1 seconds=$2
  shift 2
  case " $parts " in *" $name "*) ;; *) return 0 ;; esac
  echo "== $name (limit ${seconds}s): $*"
  local start=$SECONDS
  timeout "$seconds" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  [ $rc -eq 124 ] && echo "(cut off after ${seconds}s)" >>"$out/$name.log"
  echo "   rc=$rc, $((SECONDS - start))s"
  tail -n "${TAIL:-6}" "$out/$name.log"
}

{ nvidia-smi -L; python3 -c "import cupy, numpy, torch; print('cupy', cupy.__version__, '| numpy', numpy.__version__, '| torch', torch.__version__)"; } >"$out/machine.txt" 2>&1
cat "$out/machine.txt"

part gpu_path "${GPU_PATH_SECONDS:-90}" python3 -m pytest -p no:cacheprovider -q -rs tests/test_gpu_path.py
part benchmark "${BENCH_SECONDS:-150}" python3 -m benchmarks --device cuda --quick --json "$out/benchmark.json"
part model_steps "${STEPS_SECONDS:-60}" python3 -m benchmarks.model_steps --device cuda --seconds 3
TAIL=25 part suite "${SUITE_SECONDS:-240}" python3 -m pytest --backend cupy -p no:cacheprovider -n "$workers" \
  -o addopts= -v -rfE --tb=short --timeout 60 --durations=15 -W ignore tests
grep -E "(FAILED|ERROR) " "$out/suite.log" | sed 's/^\[gw[0-9]*\] \[ *[0-9]*%\] //' | sort -u >"$out/suite_failures.txt"
echo "== failures listed: $(wc -l <"$out/suite_failures.txt")"
