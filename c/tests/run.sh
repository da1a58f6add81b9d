#!/usr/bin/env bash
# c/tests/run.sh — C ABI tests of the real libnss_ldapidm.so.2.
#
# Run by ./build.sh test after `go test ./...`:  OUT=<abs out dir> bash c/tests/run.sh
#
# Builds a synthetic cache with nss/internal/testcache/mkcache (6,000 users,
# a 5,000-member group, awkward names; getent-format expectations beside
# it; schema version 3, so every harness's getpwnam_r reads name buckets
# and its getpwuid_r uid buckets of 1 to 4 users),
# builds the harnesses in this directory, and checks:
#   symbols     only _nss_ldapidm_* exported, no Go runtime, no libsqlite3
#               dependency, soname, BIND_NOW, RELRO
#   getent      passwd/group/shadow/initgroups through glibc's getent -s
#               ldapidm, keyed and enumerated, equal to the expectations
#   nobody      an unprivileged reader gets passwd/group, no shadow data
#   erange      every entry point from a 1-byte buffer upward (erange.c)
#   nomem       every entry point with the Nth allocation failing, cold and
#               warm: ENOMEM or UNAVAIL, never a false NOTFOUND or a wrong
#               entry; the next call right; a cold lookup's own path
#               allocations ENOMEM exactly (nomem.c)
#   threads     8 threads x 100,000 checked lookups (threads.c)
#   stack       every lookup kind and every walk, cold, warm and re-checked,
#               on a thread with a 64 KiB stack; each call's stack use is
#               measured and must stay under 16 KiB (stack.c)
#   fork        2,000 children forked under 4 looking-up threads (fork.c)
#   atfork      lookups from another library's atfork prepare/parent/child
#               handlers: UNAVAIL or correct, never a hang (atfork.c)
#   inplace     cache.db truncated and rewritten in place under a process
#               that has it open: no SIGBUS, UNAVAIL or correct (inplace.c)
#   hostile     host signal handlers/mask, thread count, O_CLOEXEC, through
#               glibc (unshare -m + private nsswitch.conf) and dlopen, also
#               under ulimit -v 65536 (hostile.c)
#   hostsqlite  a host linked with -lsqlite3 keeps its own SQLite
#   versions    caches written before name buckets (user_version 2) and
#               before packed blocks (1) are still served: getent
#               enumerations and keyed lookups, erange
#   broken      truncated/random/empty/versioned/wrong-kind/symlinked/
#               writable/missing caches: UNAVAIL everywhere, no output;
#               damaged packed blocks (mkcache -damage): lookups work,
#               enumerations end UNAVAIL; damaged name buckets (mkcache
#               -damage-bucket): that getpwnam_r UNAVAIL, all else works;
#               damaged uid buckets (mkcache -damage-uid-bucket): that
#               getpwuid_r UNAVAIL, all else works; all under valgrind
#   valgrind    memcheck of one harness (no errors, no definite leaks)
# Speed numbers printed here are information, never pass/fail.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-$ROOT/out}
SO=$OUT/libnss_ldapidm.so.2
case " ${GOFLAGS:-} " in
*-tags=libsqlite3*) ;;
*) export GOFLAGS="${GOFLAGS:-} -tags=libsqlite3" ;; # mattn/go-sqlite3 on the system libsqlite3
esac
export CGO_ENABLED=1

failures=0
ok() { printf 'ok   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }
# A missing part skips, unless LDAPIDM_REQUIRE_ALL=1 (./build.sh test).
missing() {
	if [ "${LDAPIDM_REQUIRE_ALL:-}" = 1 ]; then fail "required but unavailable: $*"; else printf 'skip %s\n' "$*"; fi
}

[ -f "$SO" ] || make -s -C "$ROOT/c" OUT="$OUT"

WORK=$(mktemp -d /tmp/ldapidm-ctests.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK" # nobody must reach the cache and the module
mkdir -m 755 "$WORK/bin" "$WORK/lib" "$WORK/cache" "$WORK/expect" "$WORK/small" "$WORK/small-expect"
cp "$SO" "$WORK/lib/"
chmod 644 "$WORK/lib/libnss_ldapidm.so.2"
LIB=$WORK/lib
CACHE=$WORK/cache
EXPECT=$WORK/expect

# ---------------------------------------------------------------- symbols
exported=$(nm -D --defined-only "$SO" | awk '{print $3}' | sort)
stray=$(printf '%s\n' "$exported" | grep -v '^_nss_ldapidm_' || true)
want_syms="endgrent endpwent endspent getgrent_r getgrgid_r getgrnam_r getpwent_r getpwnam_r getpwuid_r getspent_r getspnam_r initgroups_dyn setgrent setpwent setspent"
[ -z "$stray" ] && ok "exports only _nss_ldapidm_* ($(printf '%s\n' "$exported" | wc -l) symbols)" || fail "exports other symbols: $stray"
for s in $want_syms; do
	printf '%s\n' "$exported" | grep -qx "_nss_ldapidm_$s" || fail "missing export _nss_ldapidm_$s"
done
if nm -a "$SO" 2>/dev/null | grep -Eq 'runtime\.|_cgo_|crosscall'; then fail "Go runtime symbols in the module"; else ok "no Go runtime symbols"; fi
if ldd "$SO" | grep -q sqlite; then fail "module depends on a shared libsqlite3: $(ldd "$SO" | grep sqlite)"; else ok "ldd: no libsqlite3"; fi
readelf -d "$SO" | grep -q 'SONAME.*\[libnss_ldapidm.so.2\]' && ok "soname libnss_ldapidm.so.2" || fail "soname"
readelf -d "$SO" | grep -Eq 'BIND_NOW|FLAGS.*NOW' && ok "BIND_NOW (-z now)" || fail "not linked -z now"
readelf -lW "$SO" | grep -q GNU_RELRO && ok "GNU_RELRO" || fail "no RELRO segment"
if nm -D --undefined-only "$SO" | grep -q 'sqlite3'; then fail "module imports sqlite3 symbols"; else ok "no sqlite3 symbol imported"; fi
# The SQLite inside is the pinned amalgamation c/sqlite.mk compiles (its
# source id, a hash of the exact sources, is compiled into the library).
srcid=$(sed -n 's/^#define SQLITE_SOURCE_ID *"\(.*\)"/\1/p' "$OUT/obj/include/sqlite3.h" 2>/dev/null || true)
if [ -n "$srcid" ] && grep -aqF "$srcid" "$SO"; then ok "SQLite is the pinned amalgamation (${srcid%% *})"; else fail "SQLite source id '$srcid' not found in the module"; fi

# ------------------------------------------------------------ build
CFLAGS="-O2 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -pthread"
for h in erange threads stack fork atfork inplace hostile broken; do
	gcc $CFLAGS -o "$WORK/bin/$h" "$HERE/$h.c" "$HERE/harness.c" -ldl
done
# nomem defines malloc/calloc/realloc; -rdynamic exports them so the
# dlopen'ed module binds to them.
gcc $CFLAGS -rdynamic -o "$WORK/bin/nomem" "$HERE/nomem.c" "$HERE/harness.c" -ldl
gcc $CFLAGS -o "$WORK/bin/hostsqlite" "$HERE/hostsqlite.c" "$HERE/harness.c" -ldl -lsqlite3
(cd "$ROOT" && go build -o "$WORK/bin/mkcache" ./nss/internal/testcache/mkcache)
"$WORK/bin/mkcache" -dir "$CACHE" -users 6000 -groups 40 -gen A -text "$EXPECT"
"$WORK/bin/mkcache" -dir "$WORK/small" -users 60 -groups 5 -gen S -text "$WORK/small-expect"
v=$(sqlite3 "$CACHE/cache.db" 'PRAGMA user_version' 2>/dev/null || echo "?")
nb=$(sqlite3 "$CACHE/cache.db" 'SELECT (SELECT count(*) FROM passwd_name) || "/" || (SELECT count(*) FROM passwd_uid)' 2>/dev/null || echo "?")
[ "$v" = 3 ] && [ "$nb" = 6000/2400 ] && ok "fixtures built (6,000 users; 60 users), schema version 3 ($nb name/uid buckets)" \
	|| fail "fixture cache.db has user_version $v and $nb name/uid buckets, want 3 and 6000/2400"

export OUT=$LIB LDAPIDM_CACHE_DIR=$CACHE LDAPIDM_EXPECT=$EXPECT
G() { LD_LIBRARY_PATH=$LIB getent -s ldapidm "$@"; }

# ---------------------------------------------------------------- getent
for m in passwd group shadow; do
	if G "$m" >"$WORK/got.$m" && cmp -s "$WORK/got.$m" "$EXPECT/$m"; then
		ok "getent -s ldapidm $m: enumeration equals the fixture ($(wc -l <"$WORK/got.$m") entries)"
	else
		fail "getent -s ldapidm $m enumeration differs: $(diff "$WORK/got.$m" "$EXPECT/$m" | head -3)"
	fi
done
mapfile -t names < <(cut -d: -f1 "$EXPECT/passwd")
if G initgroups "${names[@]}" >"$WORK/got.ig" && cmp -s "$WORK/got.ig" "$EXPECT/initgroups"; then
	ok "getent -s ldapidm initgroups: all ${#names[@]} users equal the fixture"
else
	fail "getent initgroups differs: $(diff "$WORK/got.ig" "$EXPECT/initgroups" | head -3)"
fi
keyed_bad=0
while IFS= read -r line; do
	IFS=: read -r n _ id _ <<<"$line"
	[ "$(G passwd "$n")" = "$line" ] || { keyed_bad=1; fail "getent passwd $n"; }
	[ "$(G passwd "$id")" = "$line" ] || { keyed_bad=1; fail "getent passwd $id"; }
	[ "$(G shadow "$n")" = "$(grep -m1 -F "$n:" "$EXPECT/shadow")" ] || { keyed_bad=1; fail "getent shadow $n"; }
done < <(sed -n '1,8p;100p;5999p' "$EXPECT/passwd")
while IFS= read -r line; do
	IFS=: read -r n _ id _ <<<"$line"
	[ "$(G group "$n")" = "$line" ] || { keyed_bad=1; fail "getent group $n"; }
	[ "$(G group "$id")" = "$line" ] || { keyed_bad=1; fail "getent group $id"; }
done <"$EXPECT/group"
[ $keyed_bad = 0 ] && ok "getent keyed lookups (passwd by name and uid, shadow, every group by name and gid)"
# Misses: a name; uids below the first uid bucket, inside the first
# bucket's range (100004: user 4 has the largest uid instead), and between
# the last ordinary user and the largest uid.
miss_bad=0
for key in no-such-user 99999 100004 106000; do
	set +e
	out=$(G passwd "$key" 2>&1); rc=$?
	set -e
	[ $rc = 2 ] && [ -z "$out" ] || { miss_bad=1; fail "getent passwd $key (a miss): rc $rc output '$out'"; }
done
[ $miss_bad = 0 ] && ok "getent misses (a name, uids below, inside and past the buckets): exit 2, no output"

# ---------------------------------------------------------------- nobody
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups env LD_LIBRARY_PATH="$LIB" LDAPIDM_CACHE_DIR="$CACHE")
	for m in passwd group; do
		if "${AS_NOBODY[@]}" getent -s ldapidm "$m" >"$WORK/nobody.$m" && cmp -s "$WORK/nobody.$m" "$EXPECT/$m"; then
			ok "nobody: getent $m works"
		else
			fail "nobody: getent $m"
		fi
	done
	for mode in 600 640; do
		chmod "$mode" "$CACHE/shadow.db"
		[ "$mode" = 640 ] && chgrp shadow "$CACHE/shadow.db"
		set +e
		out=$("${AS_NOBODY[@]}" getent -s ldapidm shadow a 2>&1); rc=$?
		all=$("${AS_NOBODY[@]}" getent -s ldapidm shadow 2>&1)
		set -e
		if [ $rc = 2 ] && [ -z "$out" ] && [ -z "$all" ]; then
			ok "nobody: shadow.db $mode: getent shadow a exits 2, nothing printed"
		else
			fail "nobody: shadow.db $mode: rc $rc, output '$out$all'"
		fi
	done
	chgrp root "$CACHE/shadow.db"
	chmod 600 "$CACHE/shadow.db"
	# LDAPIDM_CACHE_DIR is read with secure_getenv: a setuid program run by
	# nobody must ignore it (else any user could feed su a cache of their
	# own). The broken harness passes only when every entry point is
	# UNAVAIL: setuid it must pass (the default dir is absent here), and
	# the same binary without the setuid bit must fail (the variable is
	# honoured, lookups succeed).
	if [ -e /var/lib/ldapidm ]; then
		missing "secure_getenv test (/var/lib/ldapidm exists on this machine)"
	else
		cp "$WORK/bin/broken" "$WORK/bin/broken-suid"
		chmod 4755 "$WORK/bin/broken-suid"
		set +e
		"${AS_NOBODY[@]}" OUT="$LIB" "$WORK/bin/broken-suid" a 100000 g000 20000 >"$WORK/suid.out" 2>&1; rc_suid=$?
		chmod 0755 "$WORK/bin/broken-suid"
		"${AS_NOBODY[@]}" OUT="$LIB" "$WORK/bin/broken-suid" a 100000 g000 20000 >/dev/null 2>&1; rc_plain=$?
		set -e
		if [ $rc_suid = 0 ] && [ ! -s "$WORK/suid.out" ] && [ $rc_plain != 0 ]; then
			ok "setuid program ignores LDAPIDM_CACHE_DIR (secure_getenv); a plain one honours it"
		else
			fail "secure_getenv: setuid rc $rc_suid ($(head -c 200 "$WORK/suid.out")), plain rc $rc_plain"
		fi
	fi
else
	missing "unprivileged reader test (needs root and setpriv)"
fi

# ---------------------------------------------------------------- harnesses
"$WORK/bin/erange" && ok "erange" || fail "erange"
"$WORK/bin/nomem" && ok "nomem" || fail "nomem"
"$WORK/bin/threads" 8 100000 && ok "threads" || fail "threads"
"$WORK/bin/stack" 64 16 && ok "stack: 64 KiB thread stack, every call under 16 KiB" || fail "stack"
"$WORK/bin/fork" 2000 && ok "fork" || fail "fork"
"$WORK/bin/atfork" 200 && ok "atfork" || fail "atfork"
# In-place damage happens on private copies; generation B has the same
# users with different lines.
mkdir -m 755 "$WORK/inplace" "$WORK/inplace-b" "$WORK/inplace-b-expect"
cp "$CACHE/cache.db" "$CACHE/shadow.db" "$WORK/inplace/"
"$WORK/bin/mkcache" -dir "$WORK/inplace-b" -users 6000 -groups 40 -gen B -text "$WORK/inplace-b-expect"
LDAPIDM_CACHE_DIR="$WORK/inplace" "$WORK/bin/inplace" "$CACHE/cache.db" "$WORK/inplace-b/cache.db" "$WORK/inplace-b-expect" \
	&& ok "inplace" || fail "inplace"

# ---------------------------------------------------------------- hostile hosts
run_quiet() { # name, command...: passes when it exits 0 and prints nothing
	local name=$1
	shift
	set +e
	"$@" >"$WORK/q.out" 2>"$WORK/q.err"
	local rc=$?
	set -e
	if [ $rc = 0 ] && [ ! -s "$WORK/q.out" ] && [ ! -s "$WORK/q.err" ]; then
		ok "$name"
	else
		fail "$name: rc $rc, stdout '$(head -c 300 "$WORK/q.out")', stderr '$(head -c 300 "$WORK/q.err")'"
	fi
}
run_quiet "hostile host via dlopen" env HOSTILE_EXPECT_FDS=1 "$WORK/bin/hostile" dlopen a big
run_quiet "hostile host via dlopen, ulimit -v 65536" bash -c "ulimit -v 65536 && HOSTILE_EXPECT_FDS=1 '$WORK/bin/hostile' dlopen a big"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	printf 'passwd: ldapidm\ngroup: ldapidm\nshadow: ldapidm\n' >"$WORK/nsswitch.conf"
	NS="mount --bind '$WORK/nsswitch.conf' /etc/nsswitch.conf && export LD_LIBRARY_PATH='$LIB' HOSTILE_EXPECT_FDS=1"
	run_quiet "hostile host via glibc (private nsswitch.conf)" unshare -m bash -c "$NS && '$WORK/bin/hostile' glibc a big"
	run_quiet "hostile host via glibc, ulimit -v 65536" unshare -m bash -c "$NS && ulimit -v 65536 && '$WORK/bin/hostile' glibc a big"
	set +e
	idout=$(unshare -m bash -c "$NS && id a" 2>&1)
	set -e
	want_id="uid=100000(a) gid=20000(g000) groups=20000(g000),20007(g007),20014(g014),20021(g021),20028(g028),20035(g035),30000(big),30002(solo)"
	[ "$idout" = "$want_id" ] && ok "id a through glibc: $idout" || fail "id a: '$idout', want '$want_id'"
else
	missing "glibc-path hostile host (needs root and unshare)"
fi
"$WORK/bin/hostsqlite" a && ok "hostsqlite" || fail "hostsqlite"

# ---------------------------------------------------------------- versions 1, 2
# A host upgraded while its directory was unreachable keeps its older cache
# until the next pull: version 2 (getpwnam_r reads passwd.name's row) and
# version 1 (no packed blocks either: enumerated row by row) are served as
# before.
for ver in 2 1; do
	VD=$WORK/v$ver VE=$WORK/v$ver-expect
	mkdir -m 755 "$VD" "$VE"
	"$WORK/bin/mkcache" -dir "$VD" -users 6000 -groups 40 -gen A -version $ver -text "$VE"
	v_bad=0
	for m in passwd group shadow; do
		LDAPIDM_CACHE_DIR="$VD" G "$m" >"$WORK/v$ver.$m" && cmp -s "$WORK/v$ver.$m" "$VE/$m" || { v_bad=1; fail "version $ver cache: getent $m differs"; }
	done
	while IFS= read -r line; do
		IFS=: read -r n _ id _ <<<"$line"
		[ "$(LDAPIDM_CACHE_DIR="$VD" G passwd "$n")" = "$line" ] || { v_bad=1; fail "version $ver cache: getent passwd $n"; }
		[ "$(LDAPIDM_CACHE_DIR="$VD" G passwd "$id")" = "$line" ] || { v_bad=1; fail "version $ver cache: getent passwd $id"; }
	done < <(sed -n '1,8p;100p;5999p' "$VE/passwd")
	[ $v_bad = 0 ] && ok "version $ver cache: getent enumerations and keyed lookups equal the fixture"
	LDAPIDM_CACHE_DIR="$VD" LDAPIDM_EXPECT="$VE" "$WORK/bin/erange" && ok "erange on a version $ver cache" || fail "erange on a version $ver cache"
done

# ---------------------------------------------------------------- broken caches
good=$CACHE
broken_case() { # name, setup snippet run in $D
	local name=$1 setup=$2 D
	D=$(mktemp -d "$WORK/broken.XXXXXX")
	chmod 755 "$D"
	(cd "$D" && eval "$setup")
	run_quiet "broken cache: $name -> UNAVAIL" env LDAPIDM_CACHE_DIR="$D" "$WORK/bin/broken" a 100000 g000 20000
	chmod 755 "$D"
}
broken_case "missing" ":"
broken_case "empty files" ": >cache.db; : >shadow.db; chmod 644 cache.db shadow.db"
broken_case "truncated" "head -c \$((\$(stat -c %s '$good/cache.db') / 2)) '$good/cache.db' >cache.db; head -c 20000 '$good/shadow.db' >shadow.db"
broken_case "random bytes" "head -c 65536 /dev/urandom >cache.db; head -c 65536 /dev/urandom >shadow.db"
broken_case "unknown user_version" "cp '$good/cache.db' '$good/shadow.db' .; sqlite3 cache.db 'PRAGMA user_version=4'; sqlite3 shadow.db 'PRAGMA user_version=99'"
broken_case "wrong meta.kind" "cp '$good/cache.db' shadow.db; cp '$good/shadow.db' cache.db; chmod 644 cache.db; chmod 600 shadow.db"
broken_case "symlinks" "ln -s '$good/cache.db' cache.db; ln -s '$good/shadow.db' shadow.db"
broken_case "group-writable files" "cp '$good/cache.db' '$good/shadow.db' .; chmod 664 cache.db; chmod 660 shadow.db"
broken_case "world-writable files" "cp '$good/cache.db' '$good/shadow.db' .; chmod 646 cache.db; chmod 602 shadow.db"
broken_case "world-writable dir" "cp '$good/cache.db' '$good/shadow.db' .; chmod 757 ."
broken_case "group-writable dir" "cp '$good/cache.db' '$good/shadow.db' .; chmod 775 ."
broken_case "fifos" "mkfifo -m 644 cache.db; mkfifo -m 600 shadow.db"
# Damaged packed blocks: the rows are sound, so lookups answer; each walk
# hands out the intact blocks, then UNAVAIL. valgrind (when present) turns
# any read outside a blob into a failure.
intact=$("$WORK/bin/mkcache" -intact)
VG=()
command -v valgrind >/dev/null && VG=(valgrind -q --error-exitcode=9)
mapfile -t damages < <("$WORK/bin/mkcache" -damage list)
for dmg in "${damages[@]}"; do
	D=$(mktemp -d "$WORK/damaged.XXXXXX")
	chmod 755 "$D"
	"$WORK/bin/mkcache" -dir "$D" -users 60 -groups 5 -gen D -damage "$dmg"
	run_quiet "damaged blocks: $dmg -> lookups answer, walks end UNAVAIL${VG:+ (valgrind)}" \
		env LDAPIDM_CACHE_DIR="$D" "${VG[@]}" "$WORK/bin/broken" enum a 100000 g000 20000 "$intact"
done

# Damaged name buckets (version 3): the bucket of user a is broken, all
# else is sound: getpwnam_r(a) is UNAVAIL, everything else answers.
mapfile -t damages < <("$WORK/bin/mkcache" -damage-bucket list)
for dmg in "${damages[@]}"; do
	D=$(mktemp -d "$WORK/bucket.XXXXXX")
	chmod 755 "$D"
	"$WORK/bin/mkcache" -dir "$D" -users 60 -groups 5 -gen D -damage-bucket "$dmg"
	run_quiet "damaged name bucket: $dmg -> getpwnam_r UNAVAIL, all else answers${VG:+ (valgrind)}" \
		env LDAPIDM_CACHE_DIR="$D" "${VG[@]}" "$WORK/bin/broken" bucket a 100000 g000 20000 u00010
done

# Damaged uid buckets (version 3): the bucket holding uid 100000 (user a,
# first of four) is broken: getpwuid_r(100000) is UNAVAIL, getpwnam_r(a),
# getpwuid_r(100010) (another bucket) and everything else answer.
mapfile -t damages < <("$WORK/bin/mkcache" -damage-uid-bucket list)
for dmg in "${damages[@]}"; do
	D=$(mktemp -d "$WORK/uidbucket.XXXXXX")
	chmod 755 "$D"
	"$WORK/bin/mkcache" -dir "$D" -users 60 -groups 5 -gen D -damage-uid-bucket "$dmg"
	run_quiet "damaged uid bucket: $dmg -> getpwuid_r UNAVAIL, all else answers${VG:+ (valgrind)}" \
		env LDAPIDM_CACHE_DIR="$D" "${VG[@]}" "$WORK/bin/broken" uidbucket a 100000 g000 20000 100010
done

D=$(mktemp -d "$WORK/broken.XXXXXX"); chmod 755 "$D"
set +e
out=$(LD_LIBRARY_PATH=$LIB LDAPIDM_CACHE_DIR=$D getent -s ldapidm passwd a 2>&1); rc=$?
set -e
[ $rc = 2 ] && [ -z "$out" ] && ok "getent on a missing cache: exit 2, no output" || fail "getent on missing cache: rc $rc '$out'"

# ---------------------------------------------------------------- valgrind
if command -v valgrind >/dev/null; then
	if LDAPIDM_CACHE_DIR="$WORK/small" LDAPIDM_EXPECT="$WORK/small-expect" \
		valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$WORK/bin/erange" >"$WORK/vg.out" 2>"$WORK/vg.err"; then
		ok "valgrind memcheck: erange on a 60-user cache, no errors, no definite leaks"
	else
		fail "valgrind: $(head -c 2000 "$WORK/vg.err")"
	fi
else
	missing "valgrind"
fi

if [ $failures -ne 0 ]; then
	echo "c/tests: $failures failure(s)" >&2
	exit 1
fi
echo "c/tests: all passed"
