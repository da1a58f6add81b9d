#!/usr/bin/env bash
# The evidence behind "no Go runtime inside host processes": the same probe
# (probe/probe.c) loads out/libnss_ldapidm.so.2 and a minimal Go c-shared NSS module
# (module.go, the control group) and prints what each does to its host.
# Numbers only; it exits 0 whenever it ran. Usage: OUT=/abs/out run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/out}
work=$(mktemp -d)
chmod 0755 "$work" # the ulimit -u probe runs as nobody
trap 'rm -rf "$work"' EXIT

gcc -O2 -Wall -o "$work/probe" "$ROOT/bench/gocshared/probe/probe.c" -ldl -lpthread
(cd "$ROOT" && go build -buildmode=c-shared -o "$work/libnss_gocs.so.2" ./bench/gocshared)

# An ldapidm cache with the probe's users u1..u1000.
mkdir -m 0755 "$work/cache"
for i in $(seq 1 1000); do echo "u$i:x:$((100000 + i)):100000:user u$i:/home/u$i:/bin/sh"; done >"$work/passwd"
echo "probe:x:100000:" >"$work/group"
"$OUT/ldapidm" import --cachedir "$work/cache" --passwd "$work/passwd" --group "$work/group" --force >/dev/null
export LDAPIDM_CACHE_DIR="$work/cache"

run() { # label module service args...
	local label=$1 mod=$2 svc=$3
	shift 3
	printf '%-8s %-28s ' "$label" "$*"
	timeout 600 "$work/probe" "$mod" "$svc" "$@" 2>&1 | paste -sd' ' | cut -c1-220
}
for m in "C:$OUT/libnss_ldapidm.so.2:ldapidm" "Go:$work/libnss_gocs.so.2:gocs"; do
	IFS=: read -r label mod svc <<<"$m"
	run "$label" "$mod" "$svc" load
	run "$label" "$mod" "$svc" fork 200 2
	run "$label" "$mod" "$svc" forkgc 20
	for v in 65536 524288 1048576; do
		printf '%-8s %-28s ' "$label" "ulimit -v $v"
		if out=$(bash -c "ulimit -v $v; exec '$work/probe' '$mod' '$svc' load" 2>&1); then
			echo "$out" | head -1
		else
			echo "killed or failed: $(echo "$out" | grep -m1 -E 'fatal|error|failed' || echo "exit $?")"
		fi
	done
	printf '%-8s %-28s ' "$label" "ulimit -u 4 (as nobody)"
	if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups bash -c "ulimit -u 4; exec '$work/probe' '$mod' '$svc' load" 2>&1); then
		echo "$out" | head -1
	else
		echo "killed or failed: $(echo "$out" | grep -m1 -E 'fatal|error|failed|resource' || echo exit)"
	fi
done
