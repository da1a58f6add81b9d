#!/usr/bin/env bash
# build.sh — the one entry point for building, testing, demoing, benchmarking
# and installing ldapidm. Each subcommand is a small function; the work it
# delegates lives beside the code it concerns (c/Makefile, c/tests/run.sh,
# tests/docker/run.sh, bench/run.sh, examples/demo.sh).
#
#   ./build.sh [build]   the NSS module and the Go binaries into ./out/
#   ./build.sh test      install missing packages, build, run every test
#   ./build.sh demo      throwaway slapd on loopback → refresh → getent/id
#   ./build.sh bench     benchmarks (numbers, never pass/fail)
#   ./build.sh install [--force] [--no-build]   module into the multiarch
#                        libdir, binaries, unit and man pages; refuses to
#                        overwrite a different installed module unless --force
#                        is given; --no-build installs ./out as it is
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT="$ROOT/out"
cd "$ROOT"

# The Go writer uses mattn/go-sqlite3 against the system libsqlite3 (the same
# SQLite the module links statically), instead of compiling a second copy.
export GOFLAGS="${GOFLAGS:-} -tags=libsqlite3"
export CGO_ENABLED=1

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Debian packages each part needs. Installed only when missing, so a fresh
# machine passes `./build.sh test` and a prepared one does no apt work.
BUILD_PKGS=(gcc make libc6-dev libsqlite3-dev pkg-config)
TEST_PKGS=(slapd ldap-utils openssl util-linux procps psmisc sqlite3 python3 valgrind)
BENCH_PKGS=(libnss-extrausers libnss-cache valgrind time)
DOCKER_PKGS=(debootstrap)

ensure_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run as root or install them"
	log "apt-get install ${missing[*]}"
	# No system slapd instance: the tests start private ones on loopback.
	echo 'slapd slapd/no_configuration boolean true' | debconf-set-selections 2>/dev/null || true
	if [ -z "${LDAPIDM_APT_UPDATED:-}" ]; then
		apt-get update -q >/dev/null || die "apt-get update failed"
		export LDAPIDM_APT_UPDATED=1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
		|| die "apt-get install ${missing[*]} failed"
	# Debian's postinst may start a system slapd; ours never use it.
	if printf '%s\n' "${missing[@]}" | grep -qx slapd; then
		(service slapd stop || true) >/dev/null 2>&1
	fi
}

cmd_build() {
	ensure_pkgs "${BUILD_PKGS[@]}"
	command -v go >/dev/null || die "go not found (Go 1.26 is required)"
	mkdir -p "$OUT"
	log "module: out/libnss_ldapidm.so.2"
	make -s -C c OUT="$OUT"
	log "Go binaries: out/"
	go build -o "$OUT/" ./cmd/...
}

cmd_test() {
	# Tests that need a real part (slapd, root, docker) fail instead of
	# skipping when this is set, so CI cannot go green by skipping.
	export LDAPIDM_REQUIRE_ALL=1
	ensure_pkgs "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
	cmd_build
	log "go vet"
	go vet ./...
	log "go test (unit, cgo read path, slapd end-to-end)"
	LDAPIDM_OUT="$OUT" go test -count=1 -timeout 30m ./...
	log "C ABI harnesses (c/tests)"
	OUT="$OUT" bash c/tests/run.sh
	if [ -n "${LDAPIDM_SKIP_DOCKER:-}" ]; then
		log "tests/docker skipped (LDAPIDM_SKIP_DOCKER set)"
	elif ! docker info >/dev/null 2>&1; then
		log "tests/docker skipped: no Docker engine on this machine"
	else
		ensure_pkgs "${DOCKER_PKGS[@]}"
		log "tests/docker"
		bash tests/docker/run.sh
	fi
	log "all tests passed"
}

cmd_demo() {
	ensure_pkgs "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
	cmd_build
	OUT="$OUT" bash examples/demo.sh
}

cmd_bench() {
	ensure_pkgs "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${BENCH_PKGS[@]}"
	cmd_build
	OUT="$OUT" bash bench/run.sh "$@"
}

cmd_install() {
	local force=0 build=1 a
	for a in "$@"; do
		case "$a" in
		--force) force=1 ;;
		# --no-build installs what ./out already holds, on a host without gcc
		# or Go (a container image, a package build); out/ must be complete.
		--no-build) build=0 ;;
		*) die "install: unknown option '$a' (--force, --no-build)" ;;
		esac
	done
	if [ "$build" -eq 1 ]; then
		cmd_build
	else
		for a in libnss_ldapidm.so.2 ldapidm-refresher ldapidm; do
			[ -f "$OUT/$a" ] || die "install --no-build: $OUT/$a missing (run ./build.sh build first)"
		done
	fi
	local multiarch libdir dest
	# Without gcc, the multiarch triplet of a glibc system is <machine>-linux-gnu.
	multiarch=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
	libdir="/lib/$multiarch"
	[ -d "$libdir" ] || libdir="/usr/lib/$multiarch"
	dest="$libdir/libnss_ldapidm.so.2"
	if [ -e "$dest" ] && ! cmp -s "$dest" "$OUT/libnss_ldapidm.so.2"; then
		[ "$force" -eq 1 ] || die "$dest exists and differs; rerun with --force to replace it"
	fi
	# install(1) writes a temp file and renames it: processes that already
	# mapped the old module keep their copy intact.
	install -D -m 0644 "$OUT/libnss_ldapidm.so.2" "$dest"
	install -D -m 0755 "$OUT/ldapidm-refresher" /usr/local/sbin/ldapidm-refresher
	install -D -m 0755 "$OUT/ldapidm" /usr/local/bin/ldapidm
	install -d -m 0755 /var/lib/ldapidm
	if [ -f examples/ldapidm-refresher.service ] && [ -d /etc/systemd/system ]; then
		install -D -m 0644 examples/ldapidm-refresher.service /etc/systemd/system/ldapidm-refresher.service
	fi
	local m
	for m in docs/*.[0-9]; do
		[ -f "$m" ] || continue
		install -D -m 0644 "$m" "/usr/local/share/man/man${m##*.}/$(basename "$m")"
	done
	command -v ldconfig >/dev/null && ldconfig || true
	log "installed $dest; add 'ldapidm' to passwd, group and shadow in /etc/nsswitch.conf"
}

sub=${1:-build}
[ $# -gt 0 ] && shift
case "$sub" in
build) cmd_build "$@" ;;
test) cmd_test "$@" ;;
demo) cmd_demo "$@" ;;
bench) cmd_bench "$@" ;;
install) cmd_install "$@" ;;
*) die "unknown command '$sub' (build, test, demo, bench, install)" ;;
esac
