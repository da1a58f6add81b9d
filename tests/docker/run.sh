#!/usr/bin/env bash
# run.sh — ldapidm on real hosts: Debian containers with a real
# /etc/nsswitch.conf, two LDAP servers on a private network, and the
# refresher running under systemd as it does in production.
#
#   bash tests/docker/run.sh            every scenario
#   LDAPIDM_DT_ONLY="lookups shadow" bash tests/docker/run.sh   a subset
#   LDAPIDM_DT_USERS=5000               bulk users in the directory
#   LDAPIDM_DT_KEEP=1                   leave containers up (debugging)
#   LDAPIDM_OUT=DIR                     install DIR instead of ./out
#
# Exit status 0 only if every scenario passed; the last line is
# "N passed, M failed". Containers, networks and volumes of the run are
# removed at exit, also on failure; images stay as the cache (lib/images.sh).
set -uo pipefail

DT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DT_DIR/../.." && pwd)
# The built tree to install on the clients (LDAPIDM_OUT as for go test).
OUT_DIR=${LDAPIDM_OUT:-$REPO/out}
export DT_DIR REPO OUT_DIR

# shellcheck source=lib/common.sh
. "$DT_DIR/lib/common.sh"
# shellcheck source=lib/images.sh
. "$DT_DIR/lib/images.sh"
# shellcheck source=lib/data.sh
. "$DT_DIR/lib/data.sh"
# shellcheck source=lib/topology.sh
. "$DT_DIR/lib/topology.sh"
# shellcheck source=lib/client.sh
. "$DT_DIR/lib/client.sh"
for f in "$DT_DIR"/scenarios/*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done

# Run order: read-only checks first, then the scenarios that change the
# directory, stop servers or kill the refresher. Each leaves the topology
# as it found it (servers up, client connected, refresher healthy).
ALL_SCENARIOS=(lookups shadow changes baddata nscd failover netcut killpull)
NUSERS=${LDAPIDM_DT_USERS:-5000}
NGROUPS=100

WORK=$(mktemp -d /tmp/ldapidm-dt.XXXXXX)
export DATA="$WORK/data"

SUMMARY_PRINTED=0
finish() {
	local rc=$?
	if [ "$SUMMARY_PRINTED" -eq 0 ]; then
		# Setup died: every scenario that did not run counts as failed, so
		# the closing line never reads as a pass.
		local planned=${#ALL_SCENARIOS[@]}
		[ -n "${LDAPIDM_DT_ONLY:-}" ] && planned=$(wc -w <<<"$LDAPIDM_DT_ONLY")
		printf '%d passed, %d failed\n' "$PASSED" "$((planned - PASSED))"
		[ "$rc" -eq 0 ] && rc=1
	fi
	if [ -n "${LDAPIDM_DT_KEEP:-}" ]; then
		say "LDAPIDM_DT_KEEP set: leaving run $RUN_ID up (remove: docker rm -f \$(docker ps -aq --filter label=$LABEL); docker network rm $NET)"
	else
		cleanup
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

if ! command -v docker >/dev/null || ! docker info >/dev/null 2>&1; then
	die "no Docker engine answers"
fi
command -v python3 >/dev/null || die "python3 is needed on the host (status JSON)"

for f in libnss_ldapidm.so.2 ldapidm-refresher ldapidm; do
	if [ ! -f "$OUT_DIR/$f" ]; then
		[ "$OUT_DIR" = "$REPO/out" ] || die "$OUT_DIR/$f missing"
		say "out/$f missing: ./build.sh build"
		"$REPO/build.sh" build || die "./build.sh build failed"
		break
	fi
done

T0=$(date +%s)
say "images"
ensure_images
say "directory data: $NUSERS bulk users, $NGROUPS groups"
gen_data "$DATA" "$NUSERS" "$NGROUPS"
gen_tls "$WORK/tls" || die "certificate generation failed"

say "topology $RUN_ID"
create_network
for s in "${SERVERS[@]}"; do
	start_server "$s" "$DATA" "$WORK/tls" || die "starting $s failed"
done
for s in "${SERVERS[@]}"; do
	wait_until 120 "$s answering" server_up "$s" || die "$s does not answer"
done
start_client "$CLIENT" "$WORK/tls" || die "client $CLIENT did not boot"
if ! wait_healthy 120; then
	on "$CLIENT" 'systemctl status --no-pager ldapidm-refresher; journalctl --no-pager -n 40 -u ldapidm-refresher' >&2
	die "the refresher never published a first cache"
fi
say "setup done in $(($(date +%s) - T0))s; first pull took $(st 'd["status"]["duration_seconds"]')s"

if [ -n "${LDAPIDM_DT_ONLY:-}" ]; then
	read -r -a SCENARIOS <<<"$LDAPIDM_DT_ONLY"
else
	SCENARIOS=("${ALL_SCENARIOS[@]}")
fi
for sc in "${SCENARIOS[@]}"; do
	declare -F "scenario_$sc" >/dev/null || die "unknown scenario $sc (${ALL_SCENARIOS[*]})"
	run_scenario "$sc"
	restore_topology || say "restore after $sc failed; later scenarios may fail with it"
done

say "docker suite took $(($(date +%s) - T0))s"
if [ "$FAILED" -gt 0 ]; then
	say "failed: ${FAILED_NAMES[*]}"
fi
printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
SUMMARY_PRINTED=1
[ "$FAILED" -eq 0 ]
