#!/usr/bin/env bash
# Installs the Debian packages flowkit builds and tests with; installs only what is missing.
#
#   bash scripts/install-deps.sh [--cluster] [--bench] [--list]
#
#   (default)   compiler, build tools, libraries and test frameworks
#   --cluster   also the cluster clients and servers (RabbitMQ, PostgreSQL, Redis)
#   --bench     also the load generator (wrk)
#   --list      print the packages that would be required and exit
#
# Idempotent: asks dpkg which packages are installed, runs `apt-get update` + `apt-get install`
# only when something is missing, and is a one-line no-op otherwise. Works as root, or through
# sudo when not root. Never prompts (DEBIAN_FRONTEND=noninteractive).
set -euo pipefail

readonly CORE_PACKAGES=(
  # toolchain
  build-essential g++ cmake ninja-build pkg-config git
  # libraries
  libuv1-dev node-llhttp libsqlite3-dev liblmdb-dev rapidjson-dev libsodium-dev
  libcurl4-openssl-dev libfmt-dev libhowardhinnant-date-dev libpcre2-dev libcli11-dev tzdata duktape-dev
  libxml2-dev libzip-dev libxlsxwriter-dev
  # the demo script talks to flowkitd with curl
  curl
  # tests and benchmarks (libssl-dev: the HTTP client's TLS tests make a certificate)
  libgtest-dev libgmock-dev libbenchmark-dev libssl-dev
)
readonly CLUSTER_PACKAGES=(
  librabbitmq-dev rabbitmq-server libpq-dev postgresql libhiredis-dev redis-server
)
readonly BENCH_PACKAGES=(wrk)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

want=("${CORE_PACKAGES[@]}")
list_only=0
for arg in "$@"; do
  case "$arg" in
    --cluster) want+=("${CLUSTER_PACKAGES[@]}") ;;
    --bench) want+=("${BENCH_PACKAGES[@]}") ;;
    --list) list_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

if ((list_only)); then
  printf '%s\n' "${want[@]}"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: this script needs a Debian-based system (dpkg-query, apt-get)" >&2
  exit 1
fi

# A package counts as present when dpkg reports it fully installed ("install ok installed").
missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages already installed"
  exit 0
fi

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  else
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: not root and sudo is not available; install them as root" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=600)
echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
"${as_root[@]}" "${apt[@]}" update -qq
"${as_root[@]}" "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
