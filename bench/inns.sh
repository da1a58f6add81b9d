#!/usr/bin/env bash
# inns.sh DATA_DIR CMD... — run CMD in a private mount namespace where the
# peers' fixed paths show DATA_DIR's files (written by gendata.py):
#   /var/lib/extrausers/{passwd,group,shadow}   (bind mount of a temp dir)
#   /etc/{passwd,group,shadow}.cache + .ix*     (bind mount of a copy of
#                                                /etc with DATA_DIR's cache
#                                                files added)
# /etc is a copy, not an overlay: an overlay made libnss-cache ~25% slower
# (open/stat through overlayfs), which would flatter ldapidm. The copy holds
# only what every user may read anyway (files readable by others, in
# directories searchable by others): no /etc/shadow, no private keys.
# Nothing is written to the host's /etc or /var/lib: the mounts exist only in
# the namespace and vanish with it. Must be started under `unshare -m`
# (run.sh does that); it refuses to run in the host's mount namespace.
set -euo pipefail
data=$1
shift
if [ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
	echo "inns.sh: not in a private mount namespace (run under unshare -m)" >&2
	exit 2
fi
# Belt and braces: unshare(1) already makes mounts private; make sure no
# mount below can propagate back to the host.
mount --make-rprivate /
top=$(mktemp -d "${TMPDIR:-/tmp}/ldapidm-bench-ns.XXXXXX")
trap 'umount /etc /var/lib/extrausers 2>/dev/null; rm -rf "$top"' EXIT
mkdir -p "$top/etc" "$top/extrausers"
chmod 0755 "$top" "$top/etc"
for f in passwd group shadow; do
	cp -p "$data/$f" "$top/extrausers/$f"
done
(cd /etc && find . -mindepth 1 \( -type d ! -perm -o=rx -prune \) -o \
	\( -type f ! -perm -o=r \) -o -print0) |
	tar -C /etc --null --no-recursion -T - -cf - | tar -C "$top/etc" -xpf -
# -p keeps mtimes: libnss-cache refuses an index older than its .cache file.
for f in passwd.cache group.cache shadow.cache passwd.cache.ixname passwd.cache.ixuid \
	group.cache.ixname group.cache.ixgid; do
	cp -p "$data/$f" "$top/etc/$f"
done
# The mount point comes with the libnss-extrausers package; never create it.
[ -d /var/lib/extrausers ] || { echo "inns.sh: /var/lib/extrausers missing (install libnss-extrausers)" >&2; exit 2; }
mount --bind "$top/extrausers" /var/lib/extrausers
mount --bind "$top/etc" /etc
export LDAPIDM_BENCH_NS_TOP=$top
"$@"
