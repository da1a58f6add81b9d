# shellcheck shell=bash
# Scenario "lookups": what a user of the client host sees through
# /etc/nsswitch.conf (no `getent -s`): single lookups, enumeration against
# the expected directory, id with supplementary groups, ls -l owners, su,
# Python's pwd/grp, and a forking server.

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		say "  ok: $1"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

# expected_group_lines: data/group.txt in ldap_group's format (name:gid:members).
scenario_lookups() {
	expect_eq "getent passwd alice" "$(on "$CLIENT" 'getent passwd alice')" \
		"alice:x:2001:3000:Alice Example:/home/alice:/bin/bash"
	expect_eq "getent passwd 2002 (by uid)" "$(on "$CLIENT" 'getent passwd 2002')" \
		"bob:x:2002:3000:Bob Example:/home/bob:/bin/sh"
	expect_eq "getent group devs" "$(on "$CLIENT" 'getent group devs')" "devs:*:3001:alice,carol"
	expect_eq "getent group 3003 (by gid)" "$(on "$CLIENT" 'getent group 3003')" "ops:*:3003:bob,alice"
	check "getent passwd of an unknown user fails" on_fails "$CLIENT" 'getent passwd nosuchuser'
	check "local root still comes from /etc/passwd" \
		on "$CLIENT" 'test "$(getent passwd root)" = "$(grep ^root: /etc/passwd)"'

	local got want
	got=$(ldap_passwd)
	want=$(sort "$DATA/passwd.txt")
	expect_eq "getent passwd enumeration: LDAP users" "$(wc -l <<<"$got")" "$(wc -l <<<"$want")"
	check "getent passwd enumeration equals the directory" diff_quiet "$got" "$want"
	got=$(ldap_group)
	want=$(sort "$DATA/group.txt")
	check "getent group enumeration equals the directory" diff_quiet "$got" "$want"
	got=$(on "$CLIENT" 'getent shadow | grep -vxFf /etc/shadow | wc -l')
	expect_eq "getent shadow enumeration (as root): one line per user" "$got" "$(wc -l <"$DATA/passwd.txt")"

	expect_eq "id -u alice" "$(on "$CLIENT" 'id -u alice')" 2001
	expect_eq "id -gn alice" "$(on "$CLIENT" 'id -gn alice')" team
	expect_eq "id -G alice (supplementary groups)" "$(on "$CLIENT" 'id -G alice' | tr ' ' '\n' | sort -n | xargs)" "3000 3001 3003"
	expect_eq "id -Gn alice" "$(on "$CLIENT" 'id -Gn alice' | tr ' ' '\n' | sort | xargs)" "devs ops team"
	# user00030 is the 31st bulk user: grp0001 holds users 25..49.
	expect_eq "id -Gn user00030" "$(on "$CLIENT" 'id -Gn user00030' | tr ' ' '\n' | sort | xargs)" "grp0001 ldapusers"

	expect_eq "ls -l shows LDAP owner and group" \
		"$(on "$CLIENT" 'ls -l /srv/owned/alices-file' | awk '{print $3, $4}')" "alice devs"
	expect_eq "ls -ln agrees on the numbers" \
		"$(on "$CLIENT" 'ls -ln /srv/owned/alices-file' | awk '{print $3, $4}')" "2001 3001"

	expect_eq "su -s /bin/sh alice -c id" "$(on "$CLIENT" 'su -s /bin/sh alice -c id' 2>&1)" \
		"uid=2001(alice) gid=3000(team) groups=3000(team),3001(devs),3003(ops)"
	expect_eq "su to a bulk user" "$(on "$CLIENT" 'su -s /bin/sh user04000 -c "id -un"' 2>&1)" user04000

	check "python3 pwd/grp agree with the directory" on "$CLIENT" "python3 - <<'PY'
import grp, os, pwd, sys
p = pwd.getpwnam('alice')
assert (p.pw_uid, p.pw_gid, p.pw_gecos, p.pw_dir, p.pw_shell) == (2001, 3000, 'Alice Example', '/home/alice', '/bin/bash'), p
assert pwd.getpwuid(2002).pw_name == 'bob'
g = grp.getgrnam('ops')
assert (g.gr_gid, g.gr_mem) == (3003, ['bob', 'alice']), g
assert grp.getgrgid(3001).gr_name == 'devs'
assert sorted(os.getgrouplist('alice', 3000)) == [3000, 3001, 3003], os.getgrouplist('alice', 3000)
names = {e.pw_name for e in pwd.getpwall()}
assert {'root', 'alice', 'user00000', '$(printf 'user%05d' $((NUSERS - 1)))'} <= names, len(names)
assert len([e for e in grp.getgrall() if e.gr_name.startswith('grp')]) == $NGROUPS
for bad in ('nosuchuser', 'alice:x', 'ALICE', ''):
    try:
        pwd.getpwnam(bad)
        sys.exit('getpwnam(%r) succeeded' % bad)
    except KeyError:
        pass
PY"
	local binds
	binds=$(reader_binds ldap1)
	check "the refresher bound to ldap1 ($(grep -c . <<<"$binds") binds)" test -n "$binds"
	check "every bind of the refresher was over StartTLS (ssf > 0)" not_grep ' ssf=0$' "$binds"
	check "forking server: parent + lookup threads, 50 forked workers" \
		on "$CLIENT" 'python3 /usr/local/lib/ldapidm-test/forkserver.py alice devs 2001 50'
}

not_grep() { ! grep -q -- "$1" <<<"$2"; }

on_fails() { ! on "$@" >/dev/null 2>&1; }

# diff_quiet A B: equal, or prints the first differences.
diff_quiet() {
	[ "$1" = "$2" ] && return 0
	diff <(printf '%s\n' "$1") <(printf '%s\n' "$2") | head -n 10 >&2
	return 1
}
