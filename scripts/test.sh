#!/usr/bin/env bash
# flowkit's test command: builds everything and runs every test.
#
#   bash scripts/test.sh              Release build with -Werror, ctest, examples, README's run
#                                     command (run-demo.sh, one webhook call), and the installed
#                                     package (cmake --install + examples/consumer)
#   bash scripts/test.sh --sanitize   the test binary built with ASan + UBSan, and ctest
#   bash scripts/test.sh --tsan       the engine, runtime, store and server tests under ThreadSanitizer
#   bash scripts/test.sh --all        all three (what CI runs)
#
# Options: --no-deps (skip scripts/install-deps.sh), --jobs N (default: nproc), --help.
# Environment:
#   FLOWKIT_BUILD_ROOT            where the build dirs go (default: <repo>/build; release/, asan/)
#   FLOWKIT_APPMIXER_CONNECTORS   a checkout of clientIO/appmixer-connectors for the repository
#                                 acceptance tests; when unset and a local mirror exists at
#                                 /work/.mirror/clientIO+appmixer-connectors/repo, it is cloned
#                                 into a temporary dir; otherwise those tests skip.
# Never reads stdin; fine for CI (CI=true).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_root=${FLOWKIT_BUILD_ROOT:-$repo/build}
jobs=$(nproc 2>/dev/null || echo 2)
run_normal=1
run_sanitize=0
run_tsan=0
install_deps=1

usage() { sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --sanitize) run_normal=0; run_sanitize=1 ;;
    --tsan) run_normal=0; run_tsan=1 ;;
    --all) run_normal=1; run_sanitize=1; run_tsan=1 ;;
    --no-deps) install_deps=0 ;;
    --jobs) shift; jobs=${1:?--jobs needs a number} ;;
    --jobs=*) jobs=${1#--jobs=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "test.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

exec </dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flowkit-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

timings=()
phase_start=0
phase() {
  phase_name=$1
  phase_start=$SECONDS
  echo
  echo "==> $phase_name"
}
phase_done() { timings+=("$(printf '%5ds  %s' $((SECONDS - phase_start)) "$phase_name")"); }

summary() {
  local rc=$?
  echo
  echo "==> summary ($((SECONDS))s total)"
  ((${#timings[@]})) && printf '    %s\n' "${timings[@]}"
  if ((rc == 0)); then
    echo "test.sh: PASSED"
  else
    echo "test.sh: FAILED (exit $rc) during: ${phase_name:-setup}"
  fi
  rm -rf "$tmp"
}
trap summary EXIT

if ((install_deps)); then
  phase "dependencies"
  bash "$repo/scripts/install-deps.sh"
  phase_done
fi

source "$repo/scripts/common.sh"
cmake_common=("${flowkit_cmake_args[@]}" -DCMAKE_BUILD_TYPE=Release -DFLOWKIT_WERROR=ON)

# clone_without_missing_blobs SRC DST: `git clone` of a local mirror that may lack some large
# blobs (a plain clone then fails at checkout): clones without checkout, then checks out every
# path whose blob is present.
clone_without_missing_blobs() {
  local src=$1 dst=$2 obj rec sha
  git clone -q --no-checkout "$src" "$dst"
  local -A missing=()
  while read -r obj; do
    missing[${obj#\?}]=1
  done < <(git -C "$dst" rev-list --objects --missing=print HEAD | grep '^?' || true)
  while IFS= read -r -d '' rec; do
    sha=${rec%% *}
    [[ -n ${missing[$sha]:-} ]] || printf '%s\0' "${rec#* }"
  done < <(git -C "$dst" ls-tree -r -z --format='%(objectname) %(path)' HEAD) >"$dst.paths"
  GIT_LITERAL_PATHSPECS=1 git -C "$dst" checkout -q HEAD \
    --pathspec-from-file="$dst.paths" --pathspec-file-nul
  rm -f "$dst.paths"
  if ((${#missing[@]})); then
    echo "cloned $src into $dst; ${#missing[@]} object(s) absent from the mirror were skipped"
  fi
}

# The repository acceptance tests read a checkout of Appmixer's connectors.
mirror=/work/.mirror/clientIO+appmixer-connectors/repo
if [[ -z "${FLOWKIT_APPMIXER_CONNECTORS:-}" && -d "$mirror" ]]; then
  phase "appmixer-connectors checkout"
  clone_without_missing_blobs "$mirror" "$tmp/appmixer-connectors"
  export FLOWKIT_APPMIXER_CONNECTORS=$tmp/appmixer-connectors
  phase_done
fi
echo "FLOWKIT_APPMIXER_CONNECTORS=${FLOWKIT_APPMIXER_CONNECTORS:-<unset: acceptance tests skip>}"

if ((run_normal)); then
  dir=$build_root/release
  phase "release: configure ($dir)"
  cmake -S "$repo" -B "$dir" "${cmake_common[@]}" -DFLOWKIT_SANITIZE=OFF -DFLOWKIT_TSAN=OFF
  phase_done

  phase "release: build"
  cmake --build "$dir" --parallel "$jobs"
  phase_done

  phase "release: ctest"
  ctest --test-dir "$dir" --output-on-failure --parallel "$jobs"
  phase_done

  phase "release: examples"
  # Also registered as ctest tests (label "example"); run here again to show what they print.
  shopt -s nullglob
  examples=("$repo"/examples/*.cc)
  shopt -u nullglob
  for src in "${examples[@]}"; do
    name=$(basename "$src" .cc)
    echo "--- examples/$name"
    "$dir/examples/$name"
  done
  phase_done

  phase "README's run command (scripts/run-demo.sh, one webhook call)"
  # Its own Release build of the CLI and server (tests off) in a temporary root, on a free port.
  demo_port=$((20000 + RANDOM % 20000))
  demo_out=$(FLOWKIT_BUILD_ROOT=$tmp/demo-root FLOWKIT_DEMO_EXIT=1 FLOWKIT_DEMO_LISTEN=127.0.0.1:$demo_port \
    bash "$repo/scripts/run-demo.sh" --no-deps --jobs "$jobs" 2>&1) || { echo "$demo_out"; exit 1; }
  echo "$demo_out" | tail -n 12
  grep -q '"greeting":"Hello, ADA!"' <<<"$demo_out" || { echo "run-demo: the webhook did not answer the greeting" >&2; exit 1; }
  phase_done

  phase "install + examples/consumer (find_package)"
  prefix=$tmp/prefix
  cmake --install "$dir" --prefix "$prefix"
  cmake -S "$repo/examples/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror"
  cmake --build "$tmp/consumer" --parallel "$jobs"
  "$tmp/consumer/flowkit_consumer"
  if [[ -x "$prefix/bin/flowkit" ]]; then
    "$prefix/bin/flowkit" --version
  fi
  phase_done
fi

# sanitizer_build NAME DIR SANITIZE TSAN: configures and builds the test binary with a sanitizer
# (and the CLI and server it drives; examples and benchmarks are off). -O1 -g: reports with usable stacks,
# and a build that takes half the time of -O3.
sanitizer_build() {
  local name=$1 dir=$2 sanitize=$3 tsan=$4
  phase "$name: configure ($dir)"
  cmake -S "$repo" -B "$dir" "${cmake_common[@]}" -DFLOWKIT_SANITIZE="$sanitize" -DFLOWKIT_TSAN="$tsan" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DFLOWKIT_BUILD_TESTS=ON -DFLOWKIT_BUILD_EXAMPLES=OFF -DFLOWKIT_BUILD_BENCH=OFF \
    -DFLOWKIT_INSTALL=OFF
  phase_done

  phase "$name: build flowkit_tests"
  cmake --build "$dir" --parallel "$jobs" --target flowkit_tests
  phase_done
}

if ((run_sanitize)); then
  dir=$build_root/asan
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  sanitizer_build sanitize "$dir" ON OFF

  phase "sanitize: ctest"
  ctest --test-dir "$dir" --output-on-failure --parallel "$jobs"
  phase_done
fi

if ((run_tsan)); then
  dir=$build_root/tsan
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  sanitizer_build tsan "$dir" OFF ON

  # The multi-threaded parts: engine, components run by it, runtime and store adapters. Tests
  # that fork a child (crash tests) are left out: TSan does not support threads after fork.
  phase "tsan: engine, runtime, store and server tests"
  "$dir/tests/flowkit_tests" --gtest_brief=1 \
    --gtest_filter='EngineTest.*:EngineRuntimeTest.*:Journal.*:Ids.*:ScopeChain.*:Timers*:Controls*:TestComponents*:Storage*:StoreTrigger*:*Conformance*:LmdbRuntime.*:Sqlite*:Server*:HttpServer*:Quota*:Credentials*:Subflows*:Tasks*:JavaScript*:-*Fork*:*Crash*:ServerProcess*'
  phase_done
fi
