#!/usr/bin/env bash
# pkilab quick start, on a fresh Debian 12 machine as root (see README.md):
#   ./quickstart.sh up     install what is missing, build, stand up the default lab and serve it
#                          (pkilab serve: HTTPS 127.0.0.1:8443, HTTP 127.0.0.1:8080)
#   ./quickstart.sh test   install what is missing (the browser test's Chromium and playwright-core
#                          too), build (with ASan+UBSan), and run every test
#   ./quickstart.sh bench  build in Release and run the benchmarks (extra arguments go to bench/issue)
# Both are idempotent: installed packages are not reinstalled, builds are incremental,
# an existing lab is reused.
set -euo pipefail
cd "$(dirname "$0")"

# Everything pkilab needs, from Debian 12's own archive (docs/DEPENDENCIES.md says why).
PACKAGES=(
  g++ cmake ninja-build pkg-config
  libssl-dev openssl libboost-dev libsqlitecpp-dev libsqlite3-dev libcpp-httplib-dev
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libgtest-dev libgmock-dev
  gnutls-bin python3 python3-cryptography curl
)

# What only the tests need: Debian's Chromium and NSS tools for the browser tests, Node.js and
# npm (unless this machine has them already) for playwright-core, which drives Chromium; and the
# enrollment protocols' real clients: certbot and lego (ACME), certmonger with D-Bus for its
# SCEP helper, micromdm's scepclient (SCEP), and openssl cmp (in openssl) for CMP.
TEST_PACKAGES=(chromium libnss3-tools certbot lego certmonger dbus scep)
command -v node >/dev/null 2>&1 || TEST_PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || TEST_PACKAGES+=(npm)

log() { printf '==> %s\n' "$*"; }

install_missing() {  # install_missing PACKAGE...
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "quickstart: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# playwright-core (tests/browser/package-lock.json pins it), into tests/browser/node_modules.
install_browser_driver() {
  local lock=tests/browser/package-lock.json stamp=tests/browser/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
    log "installing playwright-core for the browser tests"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build() {  # build DIR [cmake options...]
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  fi
  cmake --build "$dir" -j "$(nproc)"
}

case "${1:-}" in
  up)
    install_missing "${PACKAGES[@]}"
    log "building (Release)"
    build build -DCMAKE_BUILD_TYPE=Release -DPKILAB_BUILD_TESTS=OFF -DPKILAB_BUILD_BENCH=OFF
    state=${PKILAB_STATE:-$PWD/pkilab-state}
    log "standing up the default lab in $state"
    ./build/lab/pkilab --state "$state" lab up lab/default/lab.yaml
    echo
    echo "The pkilab command is ./build/lab/pkilab; this lab's state is $state (export PKILAB_STATE=$state)."
    echo "Starting pkilab serve (Ctrl-C stops it): web enrollment, the console and the REST API on"
    echo "https://127.0.0.1:8443 (trust $state/cas/lab-root-ca/ca.pem), CRLs and OCSP on http://127.0.0.1:8080."
    echo "The administrator's user name and password follow."
    exec ./build/lab/pkilab --state "$state" serve
    ;;
  test)
    install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_browser_driver
    log "building with AddressSanitizer and UndefinedBehaviorSanitizer"
    build build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPKILAB_SANITIZE=ON -DPKILAB_BUILD_BENCH=ON
    log "running every test"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    ctest --test-dir build-test -j "$(nproc)" --output-on-failure --timeout 600
    ;;
  bench)
    install_missing "${PACKAGES[@]}"
    log "building the benchmarks (Release, no sanitizers: figures from a sanitizer build mean nothing)"
    build build-bench -DCMAKE_BUILD_TYPE=Release -DPKILAB_BUILD_TESTS=OFF -DPKILAB_BUILD_BENCH=ON
    ./build-bench/bench/bench_issue "${@:2}"
    echo
    ./build-bench/bench/bench_plugins
    echo
    ./build-bench/bench/bench_crl
    if [ -x ./build-bench/bench/bench_ocsp ]; then echo; ./build-bench/bench/bench_ocsp; fi
    if [ -x ./build-bench/bench/bench_http ]; then echo; ./build-bench/bench/bench_http; fi
    ;;
  *)
    echo "usage: $0 up|test|bench" >&2
    exit 2
    ;;
esac
