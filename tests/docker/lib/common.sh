# shellcheck shell=bash
# common.sh — logging, scenario accounting and wait helpers shared by run.sh
# and every scenario. Sourced, never executed.
#
# A scenario is a shell function `scenario_NAME` that returns 0 when every
# check it made passed. Checks call `check` / `fail`, which record the first
# failure's reason so the closing summary says why, not just which.

# Names of everything this run creates carry RUN_ID, so two runs on one
# engine never collide and cleanup removes only what this run made.
: "${RUN_ID:=ldapidm-dt-$$}"
NET="$RUN_ID-net"

PASSED=0
FAILED=0
FAILED_NAMES=()
CUR_FAILS=0

say() { printf '[docker-tests %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "FATAL: $*"; exit 2; }

# fail records one failed check of the current scenario and goes on, so one
# run reports every broken expectation, not only the first.
fail() {
	CUR_FAILS=$((CUR_FAILS + 1))
	say "  check failed: $*"
}

# check DESCRIPTION CMD... runs CMD and records a failure when it fails.
check() {
	local what=$1
	shift
	if "$@"; then
		say "  ok: $what"
	else
		fail "$what"
	fi
}

# run_scenario NAME: runs scenario_NAME, prints PASS/FAIL, counts it. A
# scenario that aborts (non-zero return) counts as failed even with no check
# recorded.
run_scenario() {
	local name=$1 rc start
	CUR_FAILS=0
	start=$(date +%s)
	say "--- scenario $name"
	if "scenario_$name"; then rc=0; else rc=$?; fi
	if [ "$rc" -ne 0 ] && [ "$CUR_FAILS" -eq 0 ]; then
		fail "scenario aborted (exit $rc)"
	fi
	if [ "$CUR_FAILS" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		printf 'PASS %s (%ss)\n' "$name" "$(($(date +%s) - start))"
	else
		FAILED=$((FAILED + 1))
		FAILED_NAMES+=("$name")
		printf 'FAIL %s (%d checks failed, %ss)\n' "$name" "$CUR_FAILS" "$(($(date +%s) - start))"
	fi
}

# wait_until TIMEOUT_S DESCRIPTION CMD...: polls CMD every 0.5 s. The timeout
# only bounds a hang; it never decides what a fast or slow result means.
wait_until() {
	local timeout=$1 what=$2 deadline
	shift 2
	deadline=$(($(date +%s) + timeout))
	while ! "$@" >/dev/null 2>&1; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			say "  timed out after ${timeout}s waiting for: $what"
			return 1
		fi
		sleep 0.5
	done
}
