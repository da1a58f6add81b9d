#!/usr/bin/env bash
# nsrun.sh — the NSS part of one data-set size, run inside inns.sh's mount
# namespace (so the peers' fixed paths show this size's data).
#
# Usage: nsrun.sh SIZE DATA_DIR LDAPIDM_DIR BIN_DIR OUT_DIR RESULTS_DIR QUICK
# Appends to RESULTS_DIR/nss.tsv   (size module metric stat value)
#        and RESULTS_DIR/first.tsv (size variant stat value)
set -uo pipefail
size=$1 data=$2 ldir=$3 bin=$4 out=$5 res=$6 quick=$7
# shellcheck disable=SC1091
. "$data/params.sh"

if [ "$quick" = 1 ]; then
	ops=2000 budget=300 tput=300 runs=50
else
	ops=20000 budget=2000 tput=1000 runs=200
fi
multi=/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

# module label, path, service
mods=()
if [ -f "$out/libnss_ldapidm.so.2" ]; then
	mods+=("ldapidm $out/libnss_ldapidm.so.2 ldapidm")
else
	echo "nsrun: $out/libnss_ldapidm.so.2 not built; ldapidm column left empty" >&2
fi
mods+=("nsscache $multi/libnss_cache.so.2 cache")
mods+=("extrausers /usr/lib/libnss_extrausers.so.2 extrausers")

export LDAPIDM_CACHE_DIR=$ldir
for m in "${mods[@]}"; do
	read -r label path svc <<<"$m"
	echo "==> nssbench $label at $size users" >&2
	# timeout: a module that deadlocks must not hang the whole run.
	timeout 900 "$bin/nssbench" -m "$path" -s "$svc" -l "$label" -u "$NUSERS" -f "$FIRST_UID" \
		-p "$PROBE_USER" -P "$PRIMARY_GID" -k "$PROBE_GROUPS" \
		-b "$BIG_GROUP" -B "$BIG_MEMBERS" -g "$SMALL_GROUP" -G "$SMALL_MEMBERS" \
		-n "$ops" -t "$budget" -d "$tput" | sed "s/^/$size\t/" >>"$res/nss.tsv"
	rc=${PIPESTATUS[0]}
	[ "$rc" -eq 0 ] || echo "nsrun: nssbench $label exited $rc (see nss.tsv 'error' lines)" >&2
done

# First lookup in a fresh process, through glibc and a private nsswitch.conf
# bind-mounted over /etc/nsswitch.conf for each variant in turn. Every variant
# runs with the same environment (LD_LIBRARY_PATH so glibc finds the ldapidm
# module in out/), so the difference to `files` is the module's own cost.
# `files` looks up root (the only data it has); the others a user in the
# middle of the synthetic range.
variants=("files files root")
[ -f "$out/libnss_ldapidm.so.2" ] && variants+=("ldapidm ldapidm $MIDDLE_USER")
variants+=("nsscache cache $MIDDLE_USER" "extrausers extrausers $MIDDLE_USER")
conf=$(mktemp "${TMPDIR:-/tmp}/ldapidm-bench-nsswitch.XXXXXX")
trap 'umount /etc/nsswitch.conf 2>/dev/null; rm -f "$conf"' EXIT
for v in "${variants[@]}"; do
	read -r label svc who <<<"$v"
	printf 'passwd: %s\ngroup: %s\nshadow: files\nhosts: files\n' "$svc" "$svc" >"$conf"
	chmod 0644 "$conf"
	mount --bind "$conf" /etc/nsswitch.conf
	echo "==> first lookup via $svc ($runs runs)" >&2
	LD_LIBRARY_PATH=$out timeout 300 "$bin/firstlookup" "$runs" "$who" | sed "s/^/$size\t$label\t/" >>"$res/first.tsv"
	umount /etc/nsswitch.conf
done
exit 0
