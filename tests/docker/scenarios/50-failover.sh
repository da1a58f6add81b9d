# shellcheck shell=bash
# Scenario "failover": the first server stopped, the pull goes through the
# second and status says so; both stopped, every lookup keeps answering from
# the cache while status reports the failure and the cache's age. Both are
# started again at the end and the refresher must recover by itself.

scenario_failover() {
	local want g0 js
	want=$(sort "$DATA/passwd.txt")

	stop_server ldap1 || { fail "docker stop ldap1"; return 1; }
	if wait_fresh_pull; then
		js=$(status_json)
		local srv
		srv=$(jq_py 'd["status"]["directories"][0]["server"]' <<<"$js")
		check "status names ldap2 as the server that answered (got '$srv')" grep -q ldap2 <<<"$srv"
		expect_eq "status health with ldap1 down" "$(jq_py 'd["health"]' <<<"$js")" ok
		check "lookups through the pull from ldap2" diff_quiet "$(ldap_passwd)" "$want"
	else
		fail "no successful pull through ldap2 while ldap1 is down"
	fi

	g0=$(st 'd["cache"]["generation"]')
	stop_server ldap2 || { fail "docker stop ldap2"; resume_server ldap1; return 1; }
	if wait_failed_attempt; then
		js=$(status_json)
		local rc=0
		on "$CLIENT" 'ldapidm-refresher status >/dev/null 2>&1' || rc=$?
		check "ldapidm-refresher status exits non-zero (got $rc)" test "$rc" -ne 0
		expect_eq "status health with both down" "$(jq_py 'd["health"]' <<<"$js")" "last attempt failed"
		check "status carries the error ($(jq_py 'd["status"]["last_error"][:100]' <<<"$js"))" \
			test -n "$(jq_py 'd["status"]["last_error"]' <<<"$js")"
		check "status counts consecutive failures" test "$(jq_py 'd["status"]["consecutive_failures"]' <<<"$js")" -ge 1
		local age
		age=$(jq_py 'd["cache_age_seconds"]' <<<"$js")
		check "status reports the cache's age (got '$age')" python3 -c "import sys; sys.exit(0 if float('$age') > 0 else 1)"
		expect_eq "generation unchanged while both are down" "$(jq_py 'd["cache"]["generation"]' <<<"$js")" "$g0"
		check "enumeration still answers from the cache" diff_quiet "$(ldap_passwd)" "$want"
		check "group enumeration still answers from the cache" diff_quiet "$(ldap_group)" "$(sort "$DATA/group.txt")"
		expect_eq "getent passwd alice from the cache" "$(on "$CLIENT" 'getent passwd alice')" \
			"alice:x:2001:3000:Alice Example:/home/alice:/bin/bash"
		expect_eq "id -G alice from the cache" "$(on "$CLIENT" 'id -G alice' | tr ' ' '\n' | sort -n | xargs)" "3000 3001 3003"
		check "getent shadow alice from the cache" on "$CLIENT" 'getent shadow alice >/dev/null'
		check "su to an LDAP user with both servers down" on "$CLIENT" 'su -s /bin/sh alice -c true'
	else
		fail "no failed attempt reported with both servers down"
	fi

	resume_server ldap1 || fail "ldap1 did not come back"
	resume_server ldap2 || fail "ldap2 did not come back"
	check "refresher recovers by itself" wait_healthy 90
	check "a pull succeeds again" wait_fresh_pull
	say "  after recovery the pull used: $(st 'd["status"]["directories"][0]["server"]')"
}
