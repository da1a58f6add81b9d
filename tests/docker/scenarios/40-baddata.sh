# shellcheck shell=bash
# Scenario "baddata": hostile entries in the directory are rejected at
# ingest and reported in status, the rest of the directory is still served,
# and the local root is untouched. Hostile bytes travel as LDIF base64
# values so they reach slapd exactly.

# bad_ldif: uid 0; a ':' in a user name; an LDAP user called root; a newline
# in gecos forging a passwd line; a group with gid 0; a ',' in a group name.
bad_ldif() {
	cat <<LDIF
dn: uid=evil0,ou=people,$SUFFIX
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: evil0
cn: evil0
sn: evil0
uidNumber: 0
gidNumber: 3002
homeDirectory: /root
loginShell: /bin/sh

dn: cn=badcolon,ou=people,$SUFFIX
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
cn: badcolon
sn: badcolon
uid:: $(ldif_b64 'bad:name')
uidNumber: 2100
gidNumber: 3002
homeDirectory: /home/badcolon
loginShell: /bin/sh

dn: uid=root,ou=people,$SUFFIX
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: root
cn: LDAP root
sn: root
uidNumber: 2101
gidNumber: 3002
homeDirectory: /home/ldaproot
loginShell: /bin/sh

dn: uid=nlgecos,ou=people,$SUFFIX
changetype: add
objectClass: inetOrgPerson
objectClass: posixAccount
uid: nlgecos
cn:: $(ldif_b64 $'Mallory\nmallory::0:0::/:/bin/sh')
sn: nlgecos
uidNumber: 2102
gidNumber: 3002
homeDirectory: /home/nlgecos
loginShell: /bin/sh

dn: cn=evilgroup,ou=groups,$SUFFIX
changetype: add
objectClass: posixGroup
cn: evilgroup
gidNumber: 0
memberUid: alice

dn: cn=bad\2Cgroup,ou=groups,$SUFFIX
changetype: add
objectClass: posixGroup
cn:: $(ldif_b64 'bad,group')
gidNumber: 3100
LDIF
}

BAD_DNS=("uid=evil0,ou=people,$SUFFIX" "cn=badcolon,ou=people,$SUFFIX" "uid=root,ou=people,$SUFFIX"
	"uid=nlgecos,ou=people,$SUFFIX" "cn=evilgroup,ou=groups,$SUFFIX" "cn=bad\\2Cgroup,ou=groups,$SUFFIX")
# What status must name for each, matched case-insensitively: the ',' group's
# DN may come back escaped as \, or \2C.
BAD_MATCH=("uid=evil0," "cn=badcolon," "uid=root," "uid=nlgecos," "cn=evilgroup," "cn=bad\\")

scenario_baddata() {
	local root_line root_group
	root_line=$(on "$CLIENT" 'grep ^root: /etc/passwd')
	root_group=$(on "$CLIENT" 'grep ^root: /etc/group')
	ldap_modify_all "$(bad_ldif)" || { fail "adding the hostile entries"; return 1; }
	wait_fresh_pull || { fail "no successful pull with hostile entries present (one bad entry must not fail the pull)"; return 1; }

	local js dn
	js=$(status_json)
	expect_eq "status health after the pull" "$(jq_py 'd["health"]' <<<"$js")" ok
	local rejected
	rejected=$(jq_py 'd["status"]["rejected"]' <<<"$js")
	check "status counts at least ${#BAD_DNS[@]} rejected entries (got '$rejected')" test "${rejected:-0}" -ge "${#BAD_DNS[@]}"
	for dn in "${BAD_MATCH[@]}"; do
		check "status names the entry $dn… with a reason" rejection_listed "$js" "$dn"
	done
	say "  reasons: $(jq_py '"; ".join("%s (%d)" % (g["reason"], g["count"]) for g in d["status"]["rejections"])' <<<"$js")"

	expect_eq "getent passwd root is the local line" "$(on "$CLIENT" 'getent passwd root')" "$root_line"
	expect_eq "getent passwd 0 is the local root" "$(on "$CLIENT" 'getent passwd 0')" "$root_line"
	expect_eq "getent group 0 is the local root group" "$(on "$CLIENT" 'getent group 0')" "$root_group"
	expect_eq "only one root in the enumeration" "$(on "$CLIENT" 'getent passwd | grep -c ^root:')" 1
	check "uid-0 LDAP user not served" on_fails "$CLIENT" 'getent passwd evil0'
	check "user with ':' in its name not served" on_fails "$CLIENT" "getent passwd 'bad:name'"
	check "uid 2100 (the ':' user) not served" on_fails "$CLIENT" 'getent passwd 2100'
	check "LDAP root's uid 2101 not served" on_fails "$CLIENT" 'getent passwd 2101'
	check "user with a newline in gecos not served" on_fails "$CLIENT" 'getent passwd nlgecos'
	check "no forged mallory line" on "$CLIENT" '! getent passwd | grep ^mallory >/dev/null'
	check "gid-0 LDAP group not served" on_fails "$CLIENT" 'getent group evilgroup'
	check "group with ',' in its name not served" on_fails "$CLIENT" 'getent group 3100'
	check "id root unchanged" on "$CLIENT" 'test "$(id root)" = "uid=0(root) gid=0(root) groups=0(root)"'
	check "everything else is served: enumeration equals the directory" diff_quiet "$(ldap_passwd)" "$(sort "$DATA/passwd.txt")"
	check "everything else is served: groups equal the directory" diff_quiet "$(ldap_group)" "$(sort "$DATA/group.txt")"

	local del
	del=$(printf 'dn: %s\nchangetype: delete\n\n' "${BAD_DNS[@]}")
	ldap_modify_all "$del" || { fail "removing the hostile entries"; return 1; }
	wait_fresh_pull || { fail "no successful pull after removing them"; return 1; }
	expect_eq "status: nothing rejected once they are gone" "$(st 'd["status"]["rejected"]')" 0
}

# rejection_listed JSON PREFIX: an example DN starts with PREFIX (any case).
rejection_listed() {
	local examples
	examples=$(jq_py '"\n".join(e for g in d["status"].get("rejections") or [] for e in g["examples"])' <<<"$1")
	grep -qiF -- "$2" <<<"$examples"
}
