#!/usr/bin/env bash
# demo.sh — ldapidm end to end on a throwaway LDAP server, touching nothing
# of the host: a private slapd on 127.0.0.1 (examples/demo), one
# `ldapidm-refresher --once` into a temporary cache, then lookups through
# the real NSS module with `getent -s ldapidm`, and `id`/`ls -l` inside a
# private mount namespace whose /etc/nsswitch.conf names ldapidm (the
# host's file is never modified). Everything is removed on exit.
#
#   OUT=/abs/path/to/out bash examples/demo.sh     (./build.sh demo does this)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/out}
for f in "$OUT/libnss_ldapidm.so.2" "$OUT/ldapidm-refresher"; do
	[ -e "$f" ] || { echo "demo.sh: $f missing; run ./build.sh first" >&2; exit 1; }
done

# As build.sh: link the system libsqlite3 rather than compile a second copy.
case " ${GOFLAGS:-} " in *libsqlite3*) ;; *) export GOFLAGS="${GOFLAGS:-} -tags=libsqlite3" ;; esac

WORK=$(mktemp -d /tmp/ldapidm-demo.XXXXXX)
DEMO_PID=
cleanup() {
	local rc=$?
	exec 3>&- 2>/dev/null || true # closing the fifo stops the server too
	if [ -n "$DEMO_PID" ]; then
		kill -TERM "$DEMO_PID" 2>/dev/null || true
		wait "$DEMO_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "starting a private slapd on 127.0.0.1 with 12 users and 4 groups"
(cd "$ROOT" && go build -o "$WORK/demo-slapd" ./examples/demo)
mkfifo "$WORK/hold"
"$WORK/demo-slapd" -dir "$WORK" <"$WORK/hold" 2>"$WORK/demo-slapd.log" &
DEMO_PID=$!
exec 3>"$WORK/hold"
for _ in $(seq 1 600); do
	[ -e "$WORK/ready" ] && break
	kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo-slapd.log" >&2; exit 1; }
	sleep 0.1
done
[ -e "$WORK/ready" ] || { echo "demo.sh: slapd did not come up" >&2; cat "$WORK/demo-slapd.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$WORK/env"
echo "ldaps server: $LDAPS_URL"

step "configuration ($CONF, mode $(stat -c %a "$CONF"); the password is shown here only because it guards a throwaway server)"
sed 's/^/    /' "$CONF"
show "$OUT/ldapidm-refresher" -n -f "$CONF"

step "one refresh"
show "$OUT/ldapidm-refresher" --once -f "$CONF"
ls -l "$CACHE"

export LD_LIBRARY_PATH="$OUT" LDAPIDM_CACHE_DIR="$CACHE"
step "lookups through the real module (getent -s ldapidm)"
show getent -s ldapidm passwd
show getent -s ldapidm group
show getent -s ldapidm passwd alice
show getent -s ldapidm initgroups alice

step "a private mount namespace whose /etc/nsswitch.conf says 'files ldapidm'"
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	cat >"$WORK/nsswitch.conf" <<-'NSS'
	passwd:  files ldapidm
	group:   files ldapidm
	shadow:  files
	hosts:   files dns
	NSS
	touch "$WORK/owned-by-alice"
	# unshare(1) makes the new namespace's mounts private, so the bind
	# mount below is invisible to the rest of the host.
	unshare -m -- bash -euc '
		mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf
		echo "\$ id alice";                   id alice
		echo "\$ chown alice:engineering $1/owned-by-alice"
		chown alice:engineering "$1/owned-by-alice"
		echo "\$ ls -l $1/owned-by-alice";    ls -l "$1/owned-by-alice"
	' demo "$WORK"
	echo "outside the namespace the host sees only numbers:"
	show ls -ln "$WORK/owned-by-alice"
else
	echo "(skipped: needs root and unshare(1) for a private mount namespace)"
fi

step "refresher status"
show "$OUT/ldapidm-refresher" status --cachedir "$CACHE"

step "done; removing $WORK and stopping slapd"
