# shellcheck shell=bash
# data.sh — the directory the servers are loaded with, and what a correct
# pull must make of it. gen_data writes, into DIR:
#   data.ldif    the whole tree, for slapadd on both servers
#   passwd.txt   name:uid:gid:gecos:home:shell of every LDAP user, the order
#                and fields getent passwd shows (passwd field aside)
#   group.txt    name:gid:members of every LDAP group
# Both servers get the same data (no replication needed: the scenarios that
# change the directory apply each change to both, see ldap_modify_all).

SUFFIX="dc=example,dc=org"
ADMIN_DN="cn=admin,$SUFFIX"
ADMIN_PW="adminpw"
READER_DN="cn=reader,$SUFFIX"
READER_PW="readerpw"
# crypt(3) of "secret" (openssl passwd -6 -salt ldapidmdt secret); a fixed
# value so the shadow checks can look for it byte for byte.
USER_HASH='$6$ldapidmdt$MQ2PwN9SbzRPVplQVHEFnr.yWsT1mE4thGafLCPWysK7Lm2hNa1hwyXe6cFaO89zZ8TwF75oiP8MhD4kCAb1N1'

# gen_data DIR NUSERS NGROUPS: NUSERS bulk users (plus the named ones) and
# NGROUPS bulk groups of 25 consecutive members each.
gen_data() {
	local dir=$1 nusers=$2 ngroups=$3
	mkdir -p "$dir"
	awk -v suffix="$SUFFIX" -v readerdn="$READER_DN" -v readerpw="$READER_PW" \
		-v hash="$USER_HASH" -v nusers="$nusers" -v ngroups="$ngroups" \
		-v ldif="$dir/data.ldif" -v pw="$dir/passwd.txt" -v gr="$dir/group.txt" '
	function user(name, uid, gid, gecos, shell) {
		home = "/home/" name
		printf "dn: uid=%s,ou=people,%s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nobjectClass: shadowAccount\nuid: %s\ncn: %s\nsn: %s\nuidNumber: %d\ngidNumber: %d\nhomeDirectory: %s\nloginShell: %s\nuserPassword: {CRYPT}%s\nshadowLastChange: 19000\nshadowMin: 0\nshadowMax: 99999\nshadowWarning: 7\n\n", name, suffix, name, gecos, name, uid, gid, home, shell, hash > ldif
		printf "%s:%d:%d:%s:%s:%s\n", name, uid, gid, gecos, home, shell > pw
	}
	function group(name, gid, members,   n, m, i) {
		printf "dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\ngidNumber: %d\n", name, suffix, name, gid > ldif
		n = split(members, m, ",")
		for (i = 1; i <= n; i++) printf "memberUid: %s\n", m[i] > ldif
		printf "\n" > ldif
		printf "%s:%d:%s\n", name, gid, members > gr
	}
	BEGIN {
		printf "dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: example\n\n", suffix > ldif
		printf "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: %s\n\n", readerdn, readerpw > ldif
		printf "dn: ou=people,%s\nobjectClass: organizationalUnit\nou: people\n\n", suffix > ldif
		printf "dn: ou=groups,%s\nobjectClass: organizationalUnit\nou: groups\n\n", suffix > ldif
		user("alice", 2001, 3000, "Alice Example", "/bin/bash")
		user("bob", 2002, 3000, "Bob Example", "/bin/sh")
		user("carol", 2003, 3002, "Carol Example", "/bin/bash")
		for (i = 0; i < nusers; i++) user(sprintf("user%05d", i), 10000 + i, 3002, sprintf("Bulk User %d", i), "/bin/sh")
		group("team", 3000, "")
		group("devs", 3001, "alice,carol")
		group("ldapusers", 3002, "")
		group("ops", 3003, "bob,alice")
		for (j = 0; j < ngroups; j++) {
			members = ""
			for (k = 0; k < 25; k++) members = members (k ? "," : "") sprintf("user%05d", (j * 25 + k) % nusers)
			group(sprintf("grp%04d", j), 20000 + j, members)
		}
	}'
}

# ldif_b64 VALUE prints VALUE base64-encoded on one line, for `attr:: …`
# lines carrying bytes LDIF would otherwise mangle (':' leading, newlines).
ldif_b64() { printf '%s' "$1" | base64 -w0; }

# gen_tls DIR: a private CA and one server certificate valid for both
# server names, so the servers can offer StartTLS/ldaps.
gen_tls() {
	local dir=$1
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=ldapidm test CA" \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" >/dev/null 2>&1 || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=ldap1" \
		-keyout "$dir/server.key" -out "$dir/server.csr" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=DNS:ldap1,DNS:ldap2\n' >"$dir/san.ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
		-days 2 -extfile "$dir/san.ext" -out "$dir/server.crt" >/dev/null 2>&1 || return 1
	chmod 0644 "$dir/server.key"
}
