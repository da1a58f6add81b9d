#!/usr/bin/env bash
# pull.sh — refresher pull vs a plain paged ldapsearch of the same entries.
#
# Usage: pull.sh USERS GROUPS OUT_DIR RESULTS_DIR WORK_DIR [RUNS]
#
# Starts a private slapd (mdb, 127.0.0.1, random free port) loaded offline
# with slapadd -q from bench/gendata.py's LDIF, then alternates RUNS times:
#   ldapsearch -E pr=1000/noprompt   users, then groups, same attributes the
#                                    refresher asks for, output to /dev/null
#   ldapidm-refresher -f CONF --once --force   (pull + validate + publish)
# each under /usr/bin/time (wall, peak RSS, user+sys CPU), reading slapd's
# utime+stime from /proc/PID/stat before and after. Medians over the runs
# go to RESULTS_DIR/pull.tsv (who stat value). A refresher run only counts
# when the cache it published holds every user and group.
set -uo pipefail
users=$1 groups=$2 out=$3 res=$4 work=$5 runs=${6:-3}
bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suffix="dc=bench,dc=test"
tsv=$res/pull.tsv
: >"$tsv"
emit() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$tsv"; }
fail() { emit "$1" error "$2"; echo "pull.sh: $1: $2" >&2; }

for b in /usr/sbin/slapd /usr/sbin/slapadd ldapsearch /usr/bin/time sqlite3; do
	command -v "$b" >/dev/null || { fail setup "$b missing (apt-get install slapd ldap-utils time sqlite3)"; exit 1; }
done
if [ ! -x "$out/ldapidm-refresher" ]; then
	fail refresher "$out/ldapidm-refresher not built"
fi

mkdir -p "$work/db" "$work/cache"
emit data users "$users"
emit data groups "$groups"
python3 "$bench/gendata.py" --users "$users" --groups "$groups" --out "$work/data" --ldif "$suffix" || exit 1

cat >"$work/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
pidfile $work/slapd.pid
argsfile $work/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit unlimited
database mdb
maxsize 2147483648
suffix "$suffix"
rootdn "cn=admin,$suffix"
rootpw bench-only-not-a-secret
directory $work/db
index objectClass eq
index uid,cn,memberUid eq
index uidNumber,gidNumber eq
limits * size.soft=unlimited size.hard=unlimited size.prtotal=unlimited
access to * by * read
EOF
echo "==> slapadd $users users, $groups groups" >&2
/usr/sbin/slapadd -q -f "$work/slapd.conf" -l "$work/data/data.ldif" >"$work/slapadd.log" 2>&1 ||
	{ fail setup "slapadd failed: $(tail -3 "$work/slapadd.log")"; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="ldap://127.0.0.1:$port"
# -d 0: stay in the foreground so $! is slapd itself, and log nothing.
/usr/sbin/slapd -d 0 -h "$url/" -f "$work/slapd.conf" >"$work/slapd.log" 2>&1 &
slapd_pid=$!
trap 'kill "$slapd_pid" 2>/dev/null; wait "$slapd_pid" 2>/dev/null' EXIT
for _ in $(seq 100); do
	ldapsearch -x -LLL -H "$url" -b "" -s base namingContexts >/dev/null 2>&1 && break
	sleep 0.1
done
ldapsearch -x -LLL -H "$url" -b "" -s base >/dev/null 2>&1 || { fail setup "slapd did not start: $(tail -3 "$work/slapd.log")"; exit 1; }

# ypldap.conf(5) grammar plus ldapidm's extensions (cachedir, pagesize).
# Anonymous bind: the slapd above lets anyone read, and both contenders then
# do the same work on the server side.
cat >"$work/ldapidm.conf" <<EOF
interval 3600
cachedir "$work/cache"
pagesize 1000
directory "127.0.0.1" port $port {
	basedn "ou=people,$suffix"
	groupdn "ou=groups,$suffix"
	passwd filter "(objectClass=posixAccount)"
	attribute name maps to "uid"
	fixed attribute passwd "*"
	attribute uid maps to "uidNumber"
	attribute gid maps to "gidNumber"
	attribute gecos maps to "gecos"
	attribute home maps to "homeDirectory"
	attribute shell maps to "loginShell"
	group filter "(objectClass=posixGroup)"
	attribute groupname maps to "cn"
	fixed attribute grouppasswd "*"
	attribute groupgid maps to "gidNumber"
	list groupmembers maps to "memberUid"
}
EOF
chmod 0600 "$work/ldapidm.conf"
cp "$work/ldapidm.conf" "$res/pull-ldapidm.conf"

slapd_ticks() { awk '{print $14 + $15}' "/proc/$slapd_pid/stat"; }
hz=$(getconf CLK_TCK)

# timed WHO CMD...: one run; appends "wall rss_kb cpu_s slapd_cpu_s" to $work/WHO.runs.
timed() {
	local who=$1
	shift
	local before after
	before=$(slapd_ticks)
	local rc=0
	/usr/bin/time -f '%e %M %U %S' -o "$work/time.out" "$@" >"$work/$who.stdout" 2>"$work/$who.stderr" || rc=$?
	if [ "$rc" -ne 0 ]; then
		# The refresher logs key=value lines; its last err= says why.
		local why
		why=$(grep -o 'err=.*' "$work/$who.stderr" | tail -1)
		[ -n "$why" ] || why=$(tail -c 300 "$work/$who.stderr" | tr '\n\t' '  ')
		fail "$who" "exit status $rc: $why"
		return 1
	fi
	after=$(slapd_ticks)
	awk -v s="$((after - before))" -v hz="$hz" '{printf "%s %s %.2f %.2f\n", $1, $2, $3 + $4, s / hz}' \
		"$work/time.out" >>"$work/$who.runs"
}

search() {
	ldapsearch -x -LLL -H "$url" -b "ou=people,$suffix" -E pr=1000/noprompt \
		"(objectClass=posixAccount)" uid uidNumber gidNumber gecos homeDirectory loginShell >/dev/null &&
		ldapsearch -x -LLL -H "$url" -b "ou=groups,$suffix" -E pr=1000/noprompt \
			"(objectClass=posixGroup)" cn gidNumber memberUid >/dev/null
}
export -f search
export url suffix

# Check the dump really returns every entry once before timing it.
got=$(ldapsearch -x -LLL -H "$url" -b "$suffix" -E pr=1000/noprompt \
	"(|(objectClass=posixAccount)(objectClass=posixGroup))" dn | grep -c '^dn:')
[ "$got" -eq $((users + groups)) ] || { fail ldapsearch "returned $got entries, want $((users + groups))"; exit 1; }
# Warm slapd's caches once so neither contender pays for the first read.
bash -c search

ok_refresher=1
[ -x "$out/ldapidm-refresher" ] || ok_refresher=0
for i in $(seq "$runs"); do
	echo "==> pull run $i/$runs: ldapsearch" >&2
	timed ldapsearch bash -c search || break
	[ "$ok_refresher" = 1 ] || continue
	echo "==> pull run $i/$runs: ldapidm-refresher --once --force" >&2
	# Every run is a first pull: an empty cache dir, so no run can take a
	# shortcut because the previous one left an identical cache behind.
	rm -rf "$work/cache" && mkdir -p "$work/cache"
	timed refresher timeout 600 "$out/ldapidm-refresher" -f "$work/ldapidm.conf" --once --force || { ok_refresher=0; continue; }
	n_u=$(sqlite3 "file:$work/cache/cache.db?mode=ro" 'SELECT count(*) FROM passwd' 2>&1)
	n_g=$(sqlite3 "file:$work/cache/cache.db?mode=ro" 'SELECT count(*) FROM grp' 2>&1)
	if [ "$n_u" != "$users" ] || [ "$n_g" != "$groups" ]; then
		fail refresher "published cache holds $n_u users, $n_g groups; want $users, $groups"
		ok_refresher=0
		rm -f "$work/refresher.runs"
	fi
done
cp "$work/refresher.stderr" "$res/pull-refresher.stderr" 2>/dev/null

# Where the refresher's time goes, from its own log of the last run: the
# LDAP read, then validation (to "pull complete"), then the publish.
if [ -s "$work/refresher.runs" ]; then
	python3 - "$work/refresher.stderr" >>"$tsv" <<'PY'
import re, sys
from datetime import datetime
t = {}
read = None
for line in open(sys.argv[1]):
    m = re.search(r'time=(\S+) .*msg="([^"]+)"', line)
    if not m:
        continue
    ts = datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
    t.setdefault(m.group(2), ts)
    d = re.search(r'msg="directory read".* duration=([0-9.]+)(ms|s)\b', line)
    if d:
        read = float(d.group(1)) / (1000 if d.group(2) == "ms" else 1)
if read is not None:
    print("refresher\tphase_read_s\t%.2f" % read)
if "directory read" in t and "pull complete" in t:
    print("refresher\tphase_validate_s\t%.2f" % (t["pull complete"] - t["directory read"]).total_seconds())
if "pull complete" in t and "cache published" in t:
    print("refresher\tphase_publish_s\t%.2f" % (t["cache published"] - t["pull complete"]).total_seconds())
PY
fi

# Medians per column over the runs.
for who in ldapsearch refresher; do
	[ -s "$work/$who.runs" ] || continue
	cp "$work/$who.runs" "$res/pull-$who.runs"
	emit "$who" runs "$(wc -l <"$work/$who.runs")"
	col=1
	for stat in wall_s maxrss_kb cpu_s slapd_cpu_s; do
		emit "$who" "$stat" "$(cut -d' ' -f$col "$work/$who.runs" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
		col=$((col + 1))
	done
done
exit 0
