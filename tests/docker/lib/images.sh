# shellcheck shell=bash
# images.sh — the image cache. Four images, layered so that a warm engine
# rebuilds only the thin top layer of the client when out/ changes:
#
#   debian:bookworm            imported from debootstrap (no registry here)
#   ldapidm-test-base          + slapd, ldap-utils, openssl, procps
#   ├─ ldapidm-test-slapd      + slapd.conf and entrypoint (the LDAP servers)
#   └─ ldapidm-test-client-base + systemd, python3-minimal, sqlite3, …
#      └─ ldapidm-test-client  + out/ installed the way a user installs it
#
# Images are kept after a run (they are the cache); containers, networks and
# volumes are not.

DT_DIR=${DT_DIR:?}

# debian_mirror prints the first Debian archive URL the host's apt uses, so
# debootstrap and apt inside builds reach the same (only reachable) mirror.
debian_mirror() {
	local url
	url=$(grep -hoE '^URIs:[[:space:]]*[^[:space:]]+/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		head -n1 | awk '{print $2}')
	if [ -z "$url" ]; then
		url=$(grep -hoE '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+/debian/?[[:space:]]' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1 | awk '{print $NF}')
	fi
	printf '%s\n' "${url:-http://deb.debian.org/debian}"
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# ensure_debian_image imports debian:bookworm from a debootstrap tree when
# the engine lacks it (it can pull nothing).
ensure_debian_image() {
	image_exists debian:bookworm && return 0
	command -v debootstrap >/dev/null || die "debian:bookworm missing and debootstrap not installed (apt-get install debootstrap)"
	local mirror root
	mirror=$(debian_mirror)
	root=$(mktemp -d /tmp/ldapidm-debootstrap.XXXXXX)
	say "debootstrap bookworm from $mirror (one-time, ~1 min)"
	if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
		tail -n 20 "$root.log" >&2
		rm -rf "$root" "$root.log"
		die "debootstrap failed"
	fi
	# apt caches and lists are dead weight in an image.
	rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
	tar -C "$root" -c . | docker import - debian:bookworm >/dev/null || die "docker import failed"
	rm -rf "$root" "$root.log"
}

# build_image TAG DIR [ARGS...]: an ordinary docker build on host networking,
# so apt inside reaches the host's mirror. Output goes to a log shown only on
# failure.
build_image() {
	local tag=$1 dir=$2 log
	shift 2
	log=$(mktemp /tmp/ldapidm-build.XXXXXX)
	if ! docker build --network host -q -t "$tag" "$@" "$dir" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		rm -f "$log"
		die "docker build $tag failed"
	fi
	rm -f "$log"
}

ensure_images() {
	ensure_debian_image
	local mirror
	mirror=$(debian_mirror)
	build_image ldapidm-test-base "$DT_DIR/images/base" --build-arg "MIRROR=$mirror"
	build_image ldapidm-test-slapd "$DT_DIR/images/slapd"
	build_image ldapidm-test-client-base "$DT_DIR/images/client-base"
	build_client_image
}

# build_client_image stages what a user would have after cloning and
# building (out/, build.sh, docs/, examples/) plus the client's test files,
# then installs with `./build.sh install --no-build` inside the image.
build_client_image() {
	local stage
	stage=$(mktemp -d /tmp/ldapidm-client-ctx.XXXXXX)
	mkdir -p "$stage/src/out"
	# Only what `build.sh install` installs: out/ also holds bench tools.
	cp -a "$OUT_DIR/libnss_ldapidm.so.2" "$OUT_DIR/ldapidm-refresher" "$OUT_DIR/ldapidm" "$stage/src/out/"
	cp -a "$REPO/build.sh" "$stage/src/"
	[ -d "$REPO/docs" ] && cp -a "$REPO/docs" "$stage/src/"
	[ -d "$REPO/examples" ] && cp -a "$REPO/examples" "$stage/src/"
	cp -a "$DT_DIR/images/client/." "$stage/"
	build_image ldapidm-test-client "$stage"
	rm -rf "$stage"
	# Each new out/ supersedes the previous client image; drop the old ones
	# (dangling, and ours by label) so the cache does not grow per run.
	docker image prune -f --filter label=ldapidm.dt.image=1 >/dev/null 2>&1 || true
}
