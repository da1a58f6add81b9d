# shellcheck shell=bash
# Scenario "shadow": hashes reach root through getent shadow, and nobody
# else: an ordinary user's lookup fails and prints no hash, and shadow.db is
# not readable by others.

scenario_shadow() {
	local line
	line=$(on "$CLIENT" 'getent shadow alice')
	expect_eq "getent shadow alice (root): name" "$(cut -d: -f1 <<<"$line")" alice
	expect_eq "getent shadow alice (root): the directory's hash, without {CRYPT}" \
		"$(cut -d: -f2 <<<"$line")" "$USER_HASH"
	expect_eq "getent shadow alice (root): lastchg:min:max:warn" "$(cut -d: -f3-6 <<<"$line")" "19000:0:99999:7"

	local out rc
	out=$(on "$CLIENT" "su nobody -s /bin/sh -c 'getent shadow alice'" 2>&1)
	rc=$?
	check "getent shadow as nobody fails (exit $rc)" test "$rc" -ne 0
	check "getent shadow as nobody prints no hash" no_hash_in "$out"
	out=$(on_user "$CLIENT" localuser 'getent shadow; cat /var/lib/ldapidm/shadow.db' 2>&1)
	check "enumeration and a direct read as localuser show no hash" no_hash_in "$out"
	check "shadow.db is not readable by others" \
		on "$CLIENT" 'test "$(stat -c %A /var/lib/ldapidm/shadow.db | cut -c8)" = -'
	check "cache.db holds no hash" on "$CLIENT" '! grep -qaF "\$6\$ldapidmdt" /var/lib/ldapidm/cache.db'
	# A user still resolves its own passwd entry unprivileged.
	expect_eq "getent passwd alice as nobody" "$(on "$CLIENT" "su nobody -s /bin/sh -c 'getent passwd alice'")" \
		"alice:x:2001:3000:Alice Example:/home/alice:/bin/bash"
}

no_hash_in() {
	case "$1" in
	*'$6$'*) say "    output held a hash: ${1:0:80}"; return 1 ;;
	esac
}
