#!/usr/bin/env python3
"""gendata.py — one synthetic directory, written in every format the peers read.

Usage: gendata.py --users N --groups G --out DIR [--seed S] [--ldif SUFFIX]

Writes into DIR:
  passwd, group, shadow        files(5) format: what `ldapidm import` reads and
                               what libnss-extrausers reads from
                               /var/lib/extrausers/{passwd,group,shadow}
  passwd.cache, group.cache    the same bytes, under nsscache's names
  passwd.cache.ixname .ixuid   nsscache sorted indexes (format below)
  group.cache.ixname  .ixgid
  params.sh                    shell variables naming the probe entries
  data.ldif                    with --ldif SUFFIX: the same users (account +
                               posixAccount under ou=people) and groups
                               (posixGroup + memberUid under ou=groups), for
                               slapadd in the refresher pull benchmark

The data (deterministic for a given seed):
  users  u000001 … uN, uid 100000+i, primary gid 199999 ("bench", no members)
  groups "bench" then g000001 … (G groups in total), gid 200000+j
    g(G/2)   "big": 5,000 members spread over the whole user range
    g(G/2+1) "small": 3 members
    every other group: 10 members drawn at random
  PROBE (a user in the middle of the range) is a member of exactly 20 groups:
  the big one and 19 regular ones spread over the group range. No other
  group lists it, so getgrouplist(PROBE) must return 20 supplementary gids.

nsscache index format, as libnss-cache 0.18 reads it (nss_cache.c,
_nss_cache_bsearch2): fixed-width records, each `key NUL offset NUL padding-NULs
'\n'`, where the width is taken from the first '\n', records sorted by
strcmp() of the key (so uids sort as decimal strings), and offset is the byte
offset of the entry's line in the .cache file. The module refuses an index
older than its .cache file (mtime), so indexes are written last.
"""

import argparse
import os
import random

FIRST_UID = 100000
PRIMARY_GID = 199999
FIRST_GID = 200000
BIG_MEMBERS = 5000
SMALL_MEMBERS = 3
REGULAR_MEMBERS = 10
PROBE_GROUPS = 20


def user_name(i):
    return "u%06d" % i


def group_name(j):
    return "g%06d" % j


def build(n_users, n_groups, seed):
    """Returns (users, groups, probe, big, small): users as passwd tuples,
    groups as (name, gid, [members]) with "bench" first, and the names of the
    probe user and of the big and small groups."""
    if n_users < BIG_MEMBERS or n_groups < PROBE_GROUPS + 3:
        raise SystemExit("gendata: need at least %d users and %d groups"
                         % (BIG_MEMBERS, PROBE_GROUPS + 3))
    rnd = random.Random(seed)
    users = []
    for i in range(1, n_users + 1):
        name = user_name(i)
        users.append((name, "x", FIRST_UID + i, PRIMARY_GID,
                      "Bench User %d" % i, "/home/" + name, "/bin/bash"))
    probe_i = n_users // 2 + 7
    probe = user_name(probe_i)
    others = [i for i in range(1, n_users + 1) if i != probe_i]

    # The big and the small group sit in the middle of the group list, so a
    # module that scans the file pays an average price for them, not the
    # best case of the first lines.
    big_j, small_j = n_groups // 2, n_groups // 2 + 1
    regular = [j for j in range(1, n_groups) if j not in (big_j, small_j)]
    # Regular groups the probe joins: 19 spread evenly over the range.
    probe_slots = set(regular[(k * len(regular)) // (PROBE_GROUPS - 1)]
                      for k in range(PROBE_GROUPS - 1))
    assert len(probe_slots) == PROBE_GROUPS - 1
    groups = [("bench", PRIMARY_GID, [])]
    for j in range(1, n_groups):
        if j == big_j:
            big = sorted(rnd.sample(others, BIG_MEMBERS - 1) + [probe_i])
            names = [user_name(i) for i in big]
        elif j == small_j:
            names = [user_name(i) for i in sorted(rnd.sample(others, SMALL_MEMBERS))]
        else:
            names = [user_name(i) for i in sorted(rnd.sample(others, REGULAR_MEMBERS))]
            if j in probe_slots:
                names.append(probe)
        groups.append((group_name(j), FIRST_GID + j, names))
    assert len(groups) == n_groups
    n_probe = sum(1 for g in groups if probe in g[2])
    assert n_probe == PROBE_GROUPS, n_probe
    return users, groups, probe, group_name(big_j), group_name(small_j)


def write_lines(path, lines):
    """Writes lines and returns each line's byte offset (for the indexes)."""
    offsets = []
    pos = 0
    with open(path, "wb") as f:
        for line in lines:
            b = (line + "\n").encode()
            offsets.append(pos)
            f.write(b)
            pos += len(b)
    return offsets


def write_index(path, pairs):
    """pairs: (key, offset). Fixed-width, strcmp-sorted, see module doc."""
    pairs = sorted(((k.encode(), str(o).encode()) for k, o in pairs),
                   key=lambda p: p[0])
    width = max(len(k) for k, _ in pairs) + max(len(o) for _, o in pairs)
    with open(path, "wb") as f:
        for k, o in pairs:
            f.write(k + b"\0" + o + b"\0" + b"\0" * (width - len(k) - len(o)) + b"\n")


def write_ldif(path, suffix, users, groups):
    top = suffix.split(",")[0].split("=", 1)[1]
    with open(path, "w") as f:
        f.write("dn: %s\nobjectClass: dcObject\nobjectClass: organization\n"
                "dc: %s\no: %s\n\n" % (suffix, top, top))
        for ou in ("people", "groups"):
            f.write("dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n"
                    % (ou, suffix, ou))
        for name, _pw, uid, gid, gecos, home, shell in users:
            f.write("dn: uid=%s,ou=people,%s\nobjectClass: account\n"
                    "objectClass: posixAccount\nuid: %s\ncn: %s\nuidNumber: %d\n"
                    "gidNumber: %d\nhomeDirectory: %s\nloginShell: %s\ngecos: %s\n\n"
                    % (name, suffix, name, gecos, uid, gid, home, shell, gecos))
        for name, gid, members in groups:
            f.write("dn: cn=%s,ou=groups,%s\nobjectClass: posixGroup\ncn: %s\n"
                    "gidNumber: %d\n" % (name, suffix, name, gid))
            for m in members:
                f.write("memberUid: %s\n" % m)
            f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--groups", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=2696)
    ap.add_argument("--ldif", metavar="SUFFIX")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    users, groups, probe, big, small = build(a.users, a.groups, a.seed)

    pw_lines = [":".join(str(x) for x in u) for u in users]
    gr_lines = ["%s:x:%d:%s" % (g[0], g[1], ",".join(g[2])) for g in groups]
    sp_lines = ["%s:*:19000:0:99999:7:::" % u[0] for u in users]
    pw_off = write_lines(os.path.join(a.out, "passwd"), pw_lines)
    gr_off = write_lines(os.path.join(a.out, "group"), gr_lines)
    write_lines(os.path.join(a.out, "shadow"), sp_lines)
    write_lines(os.path.join(a.out, "passwd.cache"), pw_lines)
    write_lines(os.path.join(a.out, "group.cache"), gr_lines)
    write_lines(os.path.join(a.out, "shadow.cache"), sp_lines)
    # Indexes after their .cache files: libnss-cache compares mtimes.
    write_index(os.path.join(a.out, "passwd.cache.ixname"),
                [(u[0], o) for u, o in zip(users, pw_off)])
    write_index(os.path.join(a.out, "passwd.cache.ixuid"),
                [(str(u[2]), o) for u, o in zip(users, pw_off)])
    write_index(os.path.join(a.out, "group.cache.ixname"),
                [(g[0], o) for g, o in zip(groups, gr_off)])
    write_index(os.path.join(a.out, "group.cache.ixgid"),
                [(str(g[1]), o) for g, o in zip(groups, gr_off)])
    if a.ldif:
        write_ldif(os.path.join(a.out, "data.ldif"), a.ldif, users, groups)

    with open(os.path.join(a.out, "params.sh"), "w") as f:
        f.write("NUSERS=%d\nNGROUPS=%d\nPROBE_USER=%s\nPRIMARY_GID=%d\n"
                "BIG_GROUP=%s\nBIG_MEMBERS=%d\nSMALL_GROUP=%s\nSMALL_MEMBERS=%d\n"
                "PROBE_GROUPS=%d\nFIRST_UID=%d\nMIDDLE_USER=%s\n"
                % (len(users), len(groups), probe, PRIMARY_GID,
                   big, BIG_MEMBERS, small, SMALL_MEMBERS,
                   PROBE_GROUPS, FIRST_UID, user_name(len(users) // 2)))


if __name__ == "__main__":
    main()
