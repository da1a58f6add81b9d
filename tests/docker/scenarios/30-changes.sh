# shellcheck shell=bash
# Scenario "changes": edits made in the directory show on the client after
# the next pull, with nobody touching the client: a new user appears, a
# deleted one disappears, a changed shell and changed memberships show.
# The edits are undone at the end (and checked gone again).

CHANGE_LDIF='dn: uid=dave,ou=people,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
uid: dave
cn: Dave Example
sn: dave
uidNumber: 2004
gidNumber: 3002
homeDirectory: /home/dave
loginShell: /bin/bash

dn: uid=user04999,ou=people,dc=example,dc=org
changetype: delete

dn: uid=bob,ou=people,dc=example,dc=org
changetype: modify
replace: loginShell
loginShell: /bin/dash

dn: cn=ops,ou=groups,dc=example,dc=org
changetype: modify
add: memberUid
memberUid: carol
-
delete: memberUid
memberUid: bob
'

UNDO_LDIF="dn: uid=dave,ou=people,dc=example,dc=org
changetype: delete

dn: uid=user04999,ou=people,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
uid: user04999
cn: Bulk User 4999
sn: user04999
uidNumber: 14999
gidNumber: 3002
homeDirectory: /home/user04999
loginShell: /bin/sh
userPassword: {CRYPT}$USER_HASH
shadowLastChange: 19000
shadowMin: 0
shadowMax: 99999
shadowWarning: 7

dn: uid=bob,ou=people,dc=example,dc=org
changetype: modify
replace: loginShell
loginShell: /bin/sh

dn: cn=ops,ou=groups,dc=example,dc=org
changetype: modify
replace: memberUid
memberUid: bob
memberUid: alice
"

scenario_changes() {
	if [ "$NUSERS" -ne 5000 ]; then
		say "  (changes assumes user04999 exists: LDAPIDM_DT_USERS=5000)"
	fi
	check "user to be deleted is served before" on "$CLIENT" 'getent passwd user04999 >/dev/null'
	check "dave unknown before" on_fails "$CLIENT" 'getent passwd dave'
	local g0
	g0=$(st 'd["cache"]["generation"]')
	ldap_modify_all "$CHANGE_LDIF" || { fail "ldapmodify on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after the change"; return 1; }
	say "  generation $g0 -> $(st 'd["cache"]["generation"]')"

	expect_eq "added user appears" "$(on "$CLIENT" 'getent passwd dave')" \
		"dave:x:2004:3002:Dave Example:/home/dave:/bin/bash"
	expect_eq "added user resolves by uid" "$(on "$CLIENT" 'getent passwd 2004 | cut -d: -f1')" dave
	check "deleted user disappears by name" on_fails "$CLIENT" 'getent passwd user04999'
	check "deleted user disappears by uid" on_fails "$CLIENT" 'getent passwd 14999'
	check "deleted user gone from enumeration" on "$CLIENT" '! getent passwd | grep -q ^user04999:'
	expect_eq "changed shell shows" "$(on "$CLIENT" 'getent passwd bob | cut -d: -f7')" /bin/dash
	expect_eq "getent group ops shows the new members" "$(on "$CLIENT" 'getent group ops')" "ops:*:3003:alice,carol"
	expect_eq "id -Gn carol gained ops" "$(on "$CLIENT" 'id -Gn carol' | tr ' ' '\n' | sort | xargs)" "devs ldapusers ops"
	expect_eq "id -Gn bob lost ops" "$(on "$CLIENT" 'id -Gn bob' | tr ' ' '\n' | sort | xargs)" "staff"
	expect_eq "su runs the new shell" "$(on "$CLIENT" 'su bob -c "ps -o comm= -p \$\$"' 2>&1)" dash

	ldap_modify_all "$UNDO_LDIF" || { fail "undoing the change on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after undoing"; return 1; }
	check "undo: dave gone again" on_fails "$CLIENT" 'getent passwd dave'
	check "undo: enumeration equals the directory again" diff_quiet "$(ldap_passwd)" "$(sort "$DATA/passwd.txt")"
	check "undo: groups equal the directory again" diff_quiet "$(ldap_group)" "$(sort "$DATA/group.txt")"
}
