# shellcheck shell=bash
# Scenario "netcut": the client's network is cut (docker network disconnect)
# while a pull is running. The pull must fail whole: the previous cache stays
# published (same generation, complete), lookups keep answering, and after
# the network returns the refresher recovers by itself.
#
# A pull is started with SIGHUP (reload and refresh now) and the cut follows
# after a short random delay. Whether the cut landed inside the pull is read
# afterwards from status: a pull that had already finished shows a new
# success; then the round is repeated with a shorter delay.

scenario_netcut() {
	local c want g0 js try landed=0 dur delay
	c=$(cname "$CLIENT")
	want=$(sort "$DATA/passwd.txt")
	dur=$(st 'd["status"]["duration_seconds"]')
	say "  last pull took ${dur}s"
	for try in 1 2 3 4 5 6 7 8; do
		wait_healthy 60 || { fail "refresher not healthy before the cut"; return 1; }
		local s0
		s0=$(last_success)
		g0=$(st 'd["cache"]["generation"]')
		# Random delay within the first half of a pull, shrinking each try.
		delay=$(python3 -c "import random; print(round(random.uniform(0, $dur / 2 / $try), 3))")
		on "$CLIENT" 'kill -HUP "$(systemctl show -p MainPID --value ldapidm-refresher)"' || { fail "SIGHUP"; return 1; }
		sleep "$delay"
		docker network disconnect "$NET" "$c" || { fail "docker network disconnect"; return 1; }
		# The attempt in flight ends (failed or, if the cut came too late,
		# succeeded); then one more must fail with no network at all.
		wait_failed_attempt 120 || { fail "no failed attempt reported after the cut"; docker network connect "$NET" "$c"; return 1; }
		js=$(status_json)
		if [ "$(jq_py 'd["status"]["last_success"]' <<<"$js")" != "$s0" ]; then
			say "  try $try: the pull finished before the cut (delay ${delay}s); again"
			docker network connect "$NET" "$c" || { fail "docker network connect"; return 1; }
			continue
		fi
		landed=1
		say "  try $try: cut ${delay}s after SIGHUP; the pull failed: $(jq_py 'd["status"]["last_error"][:120]' <<<"$js")"
		expect_eq "generation unchanged after the cut" "$(jq_py 'd["cache"]["generation"]' <<<"$js")" "$g0"
		check "cache files complete (counts match meta)" cache_complete
		check "no temp file published as the cache" on "$CLIENT" "test -s $CACHE_DIR/cache.db && test -s $CACHE_DIR/shadow.db"
		check "enumeration answers while cut off" diff_quiet "$(ldap_passwd)" "$want"
		check "id alice answers while cut off" on "$CLIENT" 'test "$(id -u alice)" = 2001'
		docker network connect "$NET" "$c" || { fail "docker network connect"; return 1; }
		break
	done
	check "a cut landed inside a pull in 8 tries" test "$landed" -eq 1
	check "refresher recovers after the network returns" wait_healthy 90
	check "a pull succeeds after the network returns" wait_fresh_pull
}

# cache_complete: the published generation's tables hold exactly what its
# meta says and what the directory holds (the run's data set).
cache_complete() {
	local n u g mu mg s
	n=$(wc -l <"$DATA/passwd.txt")
	read -r u g mu mg s <<<"$(cache_counts)"
	if [ "$u" = "$n" ] && [ "$mu" = "$n" ] && [ "$s" = "$n" ] && [ "$g" = "$mg" ] &&
		[ "$g" = "$(wc -l <"$DATA/group.txt")" ]; then
		return 0
	fi
	say "    cache counts users=$u (meta $mu) groups=$g (meta $mg) shadow=$s; want $n users"
	return 1
}
