# shellcheck shell=bash
# Scenario "killpull": the refresher is SIGKILLed at 20 random points of a
# pull and systemd restarts it (the unit's Restart=). After every kill the
# published cache is a complete generation; after the restarted refresher's
# next successful pull no temporary file is left in the cache directory.
#
# Each round: wait until the current process has published (status.pid is
# its MainPID), SIGHUP it (refresh now), SIGKILL it after a random delay —
# in [0, 1.2 D] (D: the last pull's duration) or, every other round, in
# [0.8 D, 1.3 D] around the publish — all inside the client so no docker
# round trip blurs the timing.

KILL_ROUNDS=20
# Files that belong in the cache directory between pulls.
CACHE_FILES_OK='^(cache\.db|shadow\.db|status\.json|refresher\.lock|\.publish\.lock)$'

scenario_killpull() {
	local i pid dur delay g0 g1 mid=0 temps=0 leftovers
	dur=$(st 'd["status"]["duration_seconds"]')
	say "  last pull took ${dur}s; $KILL_ROUNDS kills"
	for i in $(seq 1 "$KILL_ROUNDS"); do
		if ! wait_until 90 "round $i: refresher restarted and published" refresher_settled; then
			fail "round $i: the refresher did not come back after the last kill"
			on "$CLIENT" 'systemctl status --no-pager ldapidm-refresher | head -n 5' >&2
			return 1
		fi
		if [ "$i" -gt 1 ]; then
			leftovers=$(on "$CLIENT" "ls -A $CACHE_DIR" | grep -vE "$CACHE_FILES_OK" | xargs)
			check "round $i: no temp file after the restarted refresher's pull (found: ${leftovers:-none})" test -z "$leftovers"
		fi
		pid=$(refresher_pid)
		g0=$(st 'd["cache"]["generation"]')
		# Odd rounds anywhere in the pull; even rounds near its end, where
		# the cache files are renamed and status.json is written.
		if [ $((i % 2)) -eq 1 ]; then
			delay=$(python3 -c "import random; print(round(random.uniform(0, 1.2 * $dur), 3))")
		else
			delay=$(python3 -c "import random; print(round(random.uniform(0.8 * $dur, 1.3 * $dur), 3))")
		fi
		on "$CLIENT" "kill -HUP $pid && sleep $delay && kill -KILL $pid && ls -A $CACHE_DIR" >"$WORK/ls.$i" ||
			{ fail "round $i: kill"; return 1; }
		grep -q 'tmp' "$WORK/ls.$i" && temps=$((temps + 1))
		g1=$(on "$CLIENT" "sqlite3 -readonly $CACHE_DIR/cache.db \"select value from meta where key='generation'\"")
		[ "$g1" = "$g0" ] && mid=$((mid + 1))
		check "round $i (kill at ${delay}s): cache is a complete generation ($g1)" cache_complete
		check "round $i: enumeration equals the directory" enum_count_ok
		check "round $i: both files pass sqlite's quick_check" on "$CLIENT" \
			"test \"\$(sqlite3 -readonly $CACHE_DIR/cache.db 'pragma quick_check'; sqlite3 -readonly $CACHE_DIR/shadow.db 'pragma quick_check')\" = 'ok
ok'"
	done
	wait_until 90 "refresher restarted after the last kill" refresher_settled || fail "refresher did not come back"
	leftovers=$(on "$CLIENT" "ls -A $CACHE_DIR" | grep -vE "$CACHE_FILES_OK" | xargs)
	check "no temp file after the last restart's pull (found: ${leftovers:-none})" test -z "$leftovers"
	say "  $mid of $KILL_ROUNDS kills landed before the pull published; $temps while a temp file existed"
	# A run where every kill came after the publish tested nothing.
	check "at least one kill landed inside a pull" test "$mid" -ge 1
}

# refresher_settled: the service runs and its current process has finished
# a successful pull (its own status report, no error).
refresher_settled() {
	local pid js
	pid=$(refresher_pid)
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 1
	js=$(status_json)
	[ "$(jq_py 'd["status"]["pid"]' <<<"$js")" = "$pid" ] &&
		[ -z "$(jq_py 'd["status"].get("last_error", "")' <<<"$js")" ]
}

enum_count_ok() {
	local n
	n=$(on "$CLIENT" 'getent passwd | grep -cvxFf /etc/passwd')
	[ "$n" = "$(wc -l <"$DATA/passwd.txt")" ] || { say "    enumeration has $n LDAP users"; return 1; }
}
