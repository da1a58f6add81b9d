# shellcheck shell=bash
# client.sh — what the scenarios ask of a client host: the refresher's
# status, waiting for pulls, and the LDAP part of getent enumerations.
#
# Status comes from `ldapidm-refresher status --json` run inside the client,
# exactly what an operator runs; its exit code (non-zero when unhealthy) is
# not an error here, the JSON says why.

CLIENT=client1
CACHE_DIR=/var/lib/ldapidm

status_json() { on "$CLIENT" "ldapidm-refresher status --json" 2>/dev/null || true; }

# jq_py EXPR: evaluates a Python expression over the JSON on stdin (bound to
# d); prints "" for a missing key instead of failing. The host's python3 is
# used so the client image needs nothing beyond python3-minimal.
jq_py() {
	python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1], {"d": d})
except Exception:
    v = ""
print("" if v is None else v)' "$1"
}

# st EXPR: one value from the current status, e.g. st 'd["status"]["generation"]'.
st() { status_json | jq_py "$1"; }

last_success() { st 'd["status"]["last_success"]'; }
last_attempt() { st 'd["status"]["last_attempt"]'; }

# wait_fresh_pull [TIMEOUT]: returns once a pull that STARTED after this call
# has succeeded: the first success seen after the call may have started
# before it, the one after that cannot have.
wait_fresh_pull() {
	local timeout=${1:-90} t0 t1
	t0=$(last_success)
	wait_until "$timeout" "a successful pull (after $t0)" success_changed "$t0" || return 1
	t1=$(last_success)
	wait_until "$timeout" "a second successful pull (after $t1)" success_changed "$t1"
}
success_changed() { local s; s=$(last_success); [ -n "$s" ] && [ "$s" != "$1" ]; }

# wait_failed_attempt: returns once an attempt that started after this call
# has failed (status carries its error).
wait_failed_attempt() {
	local timeout=${1:-90} a0
	a0=$(last_attempt)
	wait_until "$timeout" "a failed attempt (after $a0)" attempt_failed_since "$a0"
}
attempt_failed_since() {
	local j
	j=$(status_json)
	[ "$(jq_py 'd["status"]["last_attempt"]' <<<"$j")" != "$1" ] &&
		[ -n "$(jq_py 'd["status"].get("last_error", "")' <<<"$j")" ]
}

wait_healthy() { wait_until "${1:-90}" "refresher healthy" healthy; }
healthy() { [ "$(st 'd["health"]')" = ok ]; }

# ldap_passwd: the LDAP part of `getent passwd` in the client (every line
# that /etc/passwd does not hold), with the password field dropped, sorted:
# the format of data/passwd.txt.
ldap_passwd() {
	on "$CLIENT" 'getent passwd | grep -vxFf /etc/passwd' | awk -F: -v OFS=: '{print $1,$3,$4,$5,$6,$7}' | sort
}
# ldap_group: the LDAP part of `getent group`, group password dropped.
ldap_group() {
	on "$CLIENT" 'getent group | grep -vxFf /etc/group' | awk -F: -v OFS=: '{print $1,$3,$4}' | sort
}

# cache_counts: "users groups shadow" counted in the published SQLite files,
# plus what their meta tables claim, read-only: "U G S MU MG".
cache_counts() {
	on "$CLIENT" "sqlite3 -readonly -separator ' ' $CACHE_DIR/cache.db \
		\"select (select count(*) from passwd),(select count(*) from grp),
		  (select value from meta where key='users'),(select value from meta where key='groups')\" &&
		sqlite3 -readonly $CACHE_DIR/shadow.db 'select count(*) from shadow'" | tr '\n' ' '
}

refresher_pid() { on "$CLIENT" 'systemctl show -p MainPID --value ldapidm-refresher'; }
