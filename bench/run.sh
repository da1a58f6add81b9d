#!/usr/bin/env bash
# bench/run.sh — ldapidm's numbers, side by side with the peers, from one run.
#
#   OUT=/abs/out bash bench/run.sh [--quick] [--no-pull]
#
# (./build.sh bench builds first and calls this.) Numbers, never pass/fail:
# the script exits 0 whenever it ran, prints a table, and leaves
#   bench/results/<UTC stamp>/   raw TSV (nss.tsv, first.tsv, pull.tsv),
#                                machine.txt, report.txt, report.md, logs
#   bench/results/latest.md      the Markdown table for the README
#
# Parts:
#  1. NSS lookups: bench/gendata.py writes one synthetic data set per size
#     (10,000 users / 1,000 groups; 100,000 users / 10,000 groups), fed to
#     ldapidm (cache.db and shadow.db written by `out/ldapidm import`),
#     libnss-extrausers and libnss-cache; bench/c/nssbench calls each module's
#     entry points directly; bench/c/firstlookup times a fresh process's first
#     getpwnam() through glibc. The peers' fixed paths are served from a
#     private mount namespace (bench/inns.sh); the host's files are untouched.
#  2. Refresher pull (bench/pull.sh): a private slapd on 127.0.0.1 with
#     100,000 users and 10,000 groups; `ldapidm-refresher --once --force` vs
#     a paged ldapsearch dump of the same entries.
# --quick: 10,000 users only, fewer iterations, pull at 10,000 users.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/out}
BENCH=$ROOT/bench
QUICK=0 PULL=1
for a in "$@"; do
	case "$a" in
	--quick) QUICK=1 ;;
	--no-pull) PULL=0 ;;
	*) echo "run.sh: unknown argument $a (--quick, --no-pull)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh: needs root (mount namespaces for the peers' fixed paths)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 missing" >&2; exit 2; }
[ -x "$OUT/ldapidm" ] || { echo "run.sh: $OUT/ldapidm missing (./build.sh build)" >&2; exit 2; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$BENCH/results/$STAMP
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ldapidm-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$RES"
: >"$RES/nss.tsv"
: >"$RES/first.tsv"
log() { printf '==> %s\n' "$*" >&2; }

machine() {
	echo "date_utc	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc	$(nproc)"
	echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "kernel	$(uname -sr)"
	echo "clocksource	$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
	echo "glibc	$(ldd --version | head -1 | awk '{print $NF}')"
	echo "mem_total	$(awk '/MemTotal/{print $2" kB"}' /proc/meminfo)"
	echo "loadavg_start	$(cut -d' ' -f1-3 /proc/loadavg)"
	for p in libnss-extrausers libnss-cache slapd libsqlite3-0; do
		echo "pkg_$p	$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)"
	done
	echo "quick	$QUICK"
	echo "args	$*"
}
machine "$@" >"$RES/machine.txt"

log "building harnesses into $OUT/bench"
make -s -C "$BENCH/c" OUT="$OUT" >&2 || { echo "run.sh: harness build failed" >&2; exit 1; }

# build_ldapidm_cache DATA DIR: the ldapidm cache for one data set, written
# by the product's own writer (`ldapidm import`), as a refresher would.
build_ldapidm_cache() {
	local data=$1 dir=$2
	mkdir -p "$dir"
	"$OUT/ldapidm" import --cachedir "$dir" --passwd "$data/passwd" \
		--group "$data/group" --shadow "$data/shadow" --force >"$RES/import-$(basename "$data").log" 2>&1 ||
		{ log "ldapidm import failed: $(tail -3 "$RES/import-$(basename "$data").log")"; return 1; }
	echo "ldapidm import"
}

if [ "$QUICK" = 1 ]; then
	SIZES="10000:1000"
else
	SIZES="10000:1000 100000:10000"
fi
for sz in $SIZES; do
	users=${sz%%:*} groups=${sz##*:}
	data=$WORK/data-$users ldir=$WORK/ldapidm-$users
	log "generating $users users, $groups groups"
	python3 "$BENCH/gendata.py" --users "$users" --groups "$groups" --out "$data" || exit 1
	how=$(build_ldapidm_cache "$data" "$ldir") || { echo "run.sh: could not build the ldapidm cache" >&2; exit 1; }
	echo "cache_built_by_$users	$how" >>"$RES/machine.txt"
	{
		printf '%s\tldapidm\t%s\n' "$users" "$(stat -c %s "$ldir/cache.db")"
		printf '%s\textrausers\t%s\n' "$users" "$(cat "$data/passwd" "$data/group" | wc -c)"
		printf '%s\tnsscache\t%s\n' "$users" "$(cat "$data/passwd.cache" "$data/group.cache" "$data"/*.cache.ix* | wc -c)"
	} >>"$RES/sizes.tsv"
	log "NSS lookups at $users users (ldapidm cache by $how)"
	unshare -m bash "$BENCH/inns.sh" "$data" \
		bash "$BENCH/nsrun.sh" "$users" "$data" "$ldir" "$OUT/bench" "$OUT" "$RES" "$QUICK" \
		2> >(tee -a "$RES/nss.log" >&2)
	rm -rf "$data" "$ldir"
done

if [ "$PULL" = 1 ]; then
	if [ "$QUICK" = 1 ]; then pu=10000 pg=1000 pr=1; else pu=100000 pg=10000 pr=3; fi
	log "refresher pull at $pu users"
	bash "$BENCH/pull.sh" "$pu" "$pg" "$OUT" "$RES" "$WORK/pull" "$pr" 2> >(tee -a "$RES/pull.log" >&2) ||
		log "pull benchmark did not complete (see $RES/pull.log)"
fi
echo "loadavg_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/machine.txt"

python3 "$BENCH/report.py" "$RES" || { echo "run.sh: report failed" >&2; exit 1; }
cp "$RES/report.md" "$BENCH/results/latest.md"
ln -sfn "$STAMP" "$BENCH/results/latest"
log "results in $RES; Markdown table in bench/results/latest.md"
exit 0
