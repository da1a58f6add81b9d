# shellcheck shell=bash
# topology.sh — the private network, the two LDAP servers and the client
# hosts; and the cleanup that removes all of them (run.sh traps it).
#
# Every object carries the label ldapidm.dt.run=$RUN_ID: cleanup removes by
# that label, so it catches what a half-finished start left behind and never
# touches anything another run or another engineer created.

LABEL="ldapidm.dt.run=$RUN_ID"
SERVERS=(ldap1 ldap2)

# cname NAME: the container name of a topology member for this run.
cname() { printf '%s-%s' "$RUN_ID" "$1"; }

create_network() {
	# --internal: the containers reach each other and nothing else.
	docker network create --internal --label "$LABEL" "$NET" >/dev/null || die "docker network create failed"
}

# start_server NAME DATADIR TLSDIR: a slapd container known as NAME on the
# private network, loaded from DATADIR/data.ldif at its first start.
start_server() {
	local name=$1 data=$2 tls=$3 c
	c=$(cname "$name")
	docker create --name "$c" --hostname "$name" --network "$NET" --network-alias "$name" \
		--label "$LABEL" ldapidm-test-slapd >/dev/null || return 1
	docker cp "$data/data.ldif" "$c:/seed/data.ldif" || return 1
	docker cp "$tls/." "$c:/etc/ldap/tls" >/dev/null || return 1
	docker start "$c" >/dev/null || return 1
}

# server_up NAME: the server answers an anonymous search. (Anonymous, so
# that every bind as the reader in a server's log is the refresher's.)
server_up() {
	docker exec "$(cname "$1")" ldapsearch -x -LLL -H ldap://localhost -b "$SUFFIX" -s base dn >/dev/null 2>&1
}

# reader_binds NAME: the reader's BIND lines from NAME's slapd log.
reader_binds() {
	docker logs "$(cname "$1")" 2>&1 | grep -F "BIND dn=\"$READER_DN\" mech=SIMPLE"
}

stop_server() { docker stop -t 10 "$(cname "$1")" >/dev/null; }
resume_server() {
	docker start "$(cname "$1")" >/dev/null && wait_until 60 "$1 answering" server_up "$1"
}

# start_client NAME TLSDIR: a client host booting systemd as PID 1 (systemd
# needs /run on tmpfs and the cgroup tree; no --privileged). The servers'
# CA goes where the client's ldapidm.conf `cafile` points before it boots.
start_client() {
	local name=$1 tls=$2 c
	c=$(cname "$name")
	docker create --name "$c" --hostname "$name" --network "$NET" --label "$LABEL" \
		--tmpfs /run --tmpfs /run/lock --tmpfs /tmp -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
		ldapidm-test-client >/dev/null || return 1
	docker cp "$tls/ca.crt" "$c:/etc/ldapidm/ca.crt" || return 1
	docker start "$c" >/dev/null || return 1
	wait_until 120 "systemd in $name reaching a running state" client_booted "$name"
}

client_booted() {
	local s
	s=$(docker exec "$(cname "$1")" systemctl is-system-running 2>/dev/null) || true
	[ "$s" = running ] || [ "$s" = degraded ]
}

# on HOST CMD...: runs CMD (a shell command line) inside HOST as root.
on() {
	local h=$1
	shift
	docker exec "$(cname "$h")" sh -c "$*"
}

# on_user HOST USER CMD...: runs CMD inside HOST as USER via docker exec -u
# (no su: that is a separate check).
on_user() {
	local h=$1 u=$2
	shift 2
	docker exec -u "$u" "$(cname "$h")" sh -c "$*"
}

# ldap_modify_all LDIF: applies a changetype LDIF to both servers as the
# rootdn (they hold the same data without replication).
ldap_modify_all() {
	local s
	for s in "${SERVERS[@]}"; do
		printf '%s\n' "$1" | docker exec -i "$(cname "$s")" \
			ldapmodify -x -H ldap://localhost -D "$ADMIN_DN" -w "$ADMIN_PW" >/dev/null || return 1
	done
}

# restore_topology puts back what a failed scenario may have left broken:
# both servers running, the client on the network, the refresher healthy.
# Run after every scenario so that one failure does not cascade.
restore_topology() {
	local s c ok=0
	for s in "${SERVERS[@]}"; do
		if [ "$(docker inspect -f '{{.State.Running}}' "$(cname "$s")" 2>/dev/null)" != true ]; then
			say "restore: starting $s"
			resume_server "$s" || ok=1
		fi
	done
	c=$(cname "$CLIENT")
	if [ -z "$(docker inspect -f "{{with index .NetworkSettings.Networks \"$NET\"}}on{{end}}" "$c" 2>/dev/null)" ]; then
		say "restore: reconnecting $CLIENT"
		docker network connect "$NET" "$c" || ok=1
	fi
	if ! healthy; then
		say "restore: waiting for the refresher"
		wait_healthy 120 || ok=1
	fi
	return "$ok"
}

# cleanup removes every container, network and volume of this run.
cleanup() {
	local ids
	ids=$(docker ps -aq --filter "label=$LABEL")
	# shellcheck disable=SC2086
	[ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1
	ids=$(docker network ls -q --filter "label=$LABEL")
	# shellcheck disable=SC2086
	[ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1
	ids=$(docker volume ls -q --filter "label=$LABEL")
	# shellcheck disable=SC2086
	[ -n "$ids" ] && docker volume rm $ids >/dev/null 2>&1
	return 0
}
