# shellcheck shell=bash
# Scenario "nscd": a host that also runs nscd (glibc's caching daemon, which
# loads our module into itself and answers every process from its own
# cache). nscd keeps an answer for its time-to-live, here an hour for both
# positive and negative entries (images/client-base), so a changed shell or
# a new user can show within a pull only if the refresher told nscd to drop
# its passwd and group caches after publishing (refresher/nscd: `nscd -i`,
# from inside the hardened unit). A user first looked up while absent is
# the negative-cache case that bit nss-pam-ldapd (#23).

nscd_edit_ldif() {
	cat <<LDIF
dn: uid=erin,ou=people,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: erin
cn: Erin Example
sn: erin
uidNumber: 2005
gidNumber: 3002
homeDirectory: /home/erin
loginShell: /bin/sh

dn: uid=bob,ou=people,dc=example,dc=org
changetype: modify
replace: loginShell
loginShell: /bin/dash

dn: cn=ops,ou=groups,dc=example,dc=org
changetype: modify
add: memberUid
memberUid: carol
LDIF
}

nscd_undo_ldif() {
	cat <<LDIF
dn: uid=erin,ou=people,dc=example,dc=org
changetype: delete

dn: uid=bob,ou=people,dc=example,dc=org
changetype: modify
replace: loginShell
loginShell: /bin/sh

dn: cn=ops,ou=groups,dc=example,dc=org
changetype: modify
delete: memberUid
memberUid: carol
LDIF
}

# nscd_stat MAP TEXT: the number nscd -g prints before TEXT in MAP's section.
nscd_stat() {
	on "$CLIENT" "nscd -g" | awk -v m="$1" -v t="$2" '
		/cache:$/ { cur = $1 }
		cur == m && index($0, t) { print $1; exit }'
}

scenario_nscd() {
	on "$CLIENT" 'systemctl start nscd' || { fail "systemctl start nscd"; return 1; }
	wait_until 30 "nscd answering" on "$CLIENT" 'nscd -g' ||
		{ fail "nscd did not start"; on "$CLIENT" 'systemctl status --no-pager nscd' >&2; return 1; }
	local ret=0
	nscd_checks || ret=1
	on "$CLIENT" 'systemctl stop nscd' || fail "systemctl stop nscd"
	return $ret
}

nscd_checks() {
	local since
	expect_eq "bob's shell before" "$(on "$CLIENT" 'getent passwd bob | cut -d: -f7')" /bin/sh
	check "erin unknown before (now in nscd's negative cache)" on_fails "$CLIENT" 'getent passwd erin'
	expect_eq "ops before" "$(on "$CLIENT" 'getent group ops')" "ops:*:3003:bob,alice"
	# Lookups go through nscd and are then answered from its cache (shared
	# memory: a hit is not even counted): a first lookup of a name is one
	# more miss, the same lookup again is not.
	local m0 m1 m2
	m0=$(nscd_stat passwd "cache misses on positive entries")
	on "$CLIENT" 'getent passwd carol >/dev/null'
	m1=$(nscd_stat passwd "cache misses on positive entries")
	on "$CLIENT" 'getent passwd carol >/dev/null'
	m2=$(nscd_stat passwd "cache misses on positive entries")
	check "getent consults nscd (misses $m0 -> $m1)" test "${m1:-0}" -gt "${m0:-0}"
	check "and the same lookup again is answered from its cache (misses stay $m2)" test "${m2:-x}" = "${m1:-y}"

	since=$(on "$CLIENT" 'date "+%Y-%m-%d %H:%M:%S"')
	ldap_modify_all "$(nscd_edit_ldif)" || { fail "ldapmodify on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after the change"; return 1; }
	expect_eq "changed shell shows through nscd at once" \
		"$(on "$CLIENT" 'getent passwd bob | cut -d: -f7')" /bin/dash
	expect_eq "a user nscd had cached as absent shows" \
		"$(on "$CLIENT" 'getent passwd erin')" "erin:x:2005:3002:Erin Example:/home/erin:/bin/sh"
	expect_eq "group change shows through nscd" "$(on "$CLIENT" 'getent group ops')" "ops:*:3003:bob,alice,carol"
	check "the refresher logged no nscd failure" on_fails "$CLIENT" \
		"journalctl --no-pager -u ldapidm-refresher --since '$since' | grep -i 'nscd invalidation failed'"

	ldap_modify_all "$(nscd_undo_ldif)" || { fail "undoing the change on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after undoing"; return 1; }
	expect_eq "undo: shell back through nscd" "$(on "$CLIENT" 'getent passwd bob | cut -d: -f7')" /bin/sh
	check "undo: erin gone through nscd" on_fails "$CLIENT" 'getent passwd erin'
	expect_eq "undo: ops back through nscd" "$(on "$CLIENT" 'getent group ops')" "ops:*:3003:bob,alice"
}
