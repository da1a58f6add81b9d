#!/bin/sh
# Starts slapd in the foreground. On the first start it bulk-loads
# /seed/data.ldif (copied in by run.sh); later starts (docker start after a
# docker stop, the failover scenario) reuse the database as it was left.
set -eu
CONF=/etc/ldap/ldapidm-test.conf
DB=/var/lib/ldapidm-test/db
mkdir -p "$DB" /run/slapd
if [ ! -f "$DB/data.mdb" ]; then
	slapadd -q -f "$CONF" -l /seed/data.ldif
fi
# -d stats: connection and operation log on stderr (docker logs), which the
# scenarios read to see that the refresher binds over TLS.
exec slapd -d stats -f "$CONF" -h "ldap:/// ldaps:/// ldapi:///"
