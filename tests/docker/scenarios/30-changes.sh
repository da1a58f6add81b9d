# shellcheck shell=bash
# Scenario "changes": edits made in the directory show on the client after
# the next pull, with nobody touching the client: a new user appears, a
# deleted one disappears, a changed shell and changed memberships show.
# The edits are undone at the end (and checked gone again).

# change_ldif / undo_ldif: the edit and its inverse. The deleted user is the
# last bulk user, which no bulk group lists (groups cover the first 2,500).
change_ldif() {
	cat <<LDIF
dn: uid=dave,ou=people,dc=example,dc=org
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

dn: uid=$DEL_USER,ou=people,dc=example,dc=org
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
LDIF
}

undo_ldif() {
	cat <<LDIF
dn: uid=dave,ou=people,dc=example,dc=org
changetype: delete

dn: uid=$DEL_USER,ou=people,dc=example,dc=org
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
objectClass: shadowAccount
uid: $DEL_USER
cn: Bulk User $((NUSERS - 1))
sn: $DEL_USER
uidNumber: $DEL_UID
gidNumber: 3002
homeDirectory: /home/$DEL_USER
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
LDIF
}

# LONGLIVED_PY DELUSER: resolves before the change, then polls (one process,
# one loaded module) until dave exists and DELUSER is gone; reports in
# /tmp/longlived.out. Gives up after 120 s.
LONGLIVED_PY='
import pwd, sys, time
def has(n):
    try:
        return pwd.getpwnam(n).pw_uid
    except KeyError:
        return None
out = open("/tmp/longlived.out", "w", buffering=1)
out.write("before %s %s\n" % (has("dave"), has(sys.argv[1])))
for _ in range(1200):
    if has("dave") == 2004 and has(sys.argv[1]) is None:
        out.write("changed 2004 gone\n")
        break
    time.sleep(0.1)
'

scenario_changes() {
	DEL_USER=$(printf 'user%05d' $((NUSERS - 1)))
	DEL_UID=$((10000 + NUSERS - 1))
	check "user to be deleted is served before" on "$CLIENT" "getent passwd $DEL_USER >/dev/null"
	check "dave unknown before" on_fails "$CLIENT" 'getent passwd dave'
	# A long-running process (a daemon that never restarts) that resolved
	# users before the change must see it too: the module notices the
	# republished cache by itself.
	docker exec -d "$(cname "$CLIENT")" python3 -c "$LONGLIVED_PY" "$DEL_USER" ||
		{ fail "starting the long-lived process"; return 1; }
	wait_until 30 "the long-lived process started" on "$CLIENT" 'test -s /tmp/longlived.out' ||
		{ fail "long-lived process did not start"; return 1; }
	local g0
	g0=$(st 'd["cache"]["generation"]')
	ldap_modify_all "$(change_ldif)" || { fail "ldapmodify on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after the change"; return 1; }
	say "  generation $g0 -> $(st 'd["cache"]["generation"]')"

	expect_eq "added user appears" "$(on "$CLIENT" 'getent passwd dave')" \
		"dave:x:2004:3002:Dave Example:/home/dave:/bin/bash"
	expect_eq "added user resolves by uid" "$(on "$CLIENT" 'getent passwd 2004 | cut -d: -f1')" dave
	check "deleted user disappears by name" on_fails "$CLIENT" "getent passwd $DEL_USER"
	check "deleted user disappears by uid" on_fails "$CLIENT" "getent passwd $DEL_UID"
	check "deleted user gone from enumeration" on "$CLIENT" "! getent passwd | grep ^$DEL_USER: >/dev/null"
	expect_eq "changed shell shows" "$(on "$CLIENT" 'getent passwd bob | cut -d: -f7')" /bin/dash
	expect_eq "getent group ops shows the new members" "$(on "$CLIENT" 'getent group ops')" "ops:*:3003:alice,carol"
	expect_eq "id -Gn carol gained ops" "$(on "$CLIENT" 'id -Gn carol' | tr ' ' '\n' | sort | xargs)" "devs ldapusers ops"
	expect_eq "id -Gn bob lost ops" "$(on "$CLIENT" 'id -Gn bob' | tr ' ' '\n' | sort | xargs)" "team"
	expect_eq "su runs the new shell" "$(on "$CLIENT" 'su bob -c "ps -o comm= -p \$\$"' 2>&1)" dash

	check "the long-lived process resolved the old state first" \
		on "$CLIENT" "grep -qx 'before None $DEL_UID' /tmp/longlived.out"
	check "a process started before the change sees it, without restarting" \
		wait_until 60 "the long-lived process to see dave and lose $DEL_USER" \
		on "$CLIENT" 'grep -qx "changed 2004 gone" /tmp/longlived.out'
	on "$CLIENT" 'cat /tmp/longlived.out' | sed 's/^/    long-lived: /' >&2

	ldap_modify_all "$(undo_ldif)" || { fail "undoing the change on the servers"; return 1; }
	wait_fresh_pull || { fail "no successful pull after undoing"; return 1; }
	check "undo: dave gone again" on_fails "$CLIENT" 'getent passwd dave'
	check "undo: enumeration equals the directory again" diff_quiet "$(ldap_passwd)" "$(sort "$DATA/passwd.txt")"
	check "undo: groups equal the directory again" diff_quiet "$(ldap_group)" "$(sort "$DATA/group.txt")"
}
