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
exec slapd -d 0 -f "$CONF" -h "ldap:/// ldaps:/// ldapi:///"
