#!/usr/bin/python3
"""The forking-server pattern, through /etc/nsswitch.conf.

A parent resolves users (so the module has state: an open cache, prepared
statements), keeps a thread resolving in a loop, and forks workers that
resolve again — the shape of sshd, cron or a pre-fork web server. Each child
must answer correctly and exit; a child that hangs (a lock held across fork)
is killed after HANG_S and counted as failed. Prints one line per problem and
"forkserver ok N" on success; exit status 0 only if every child answered.

usage: forkserver.py USER GROUP EXPECTED_UID NCHILDREN
"""
import grp
import os
import pwd
import signal
import sys
import threading
import time

HANG_S = 30


def lookup(user, group, uid):
    p = pwd.getpwnam(user)
    if p.pw_uid != uid:
        return "getpwnam(%s).pw_uid=%d want %d" % (user, p.pw_uid, uid)
    if pwd.getpwuid(uid).pw_name != user:
        return "getpwuid(%d) is not %s" % (uid, user)
    g = grp.getgrnam(group)
    if user not in g.gr_mem:
        return "%s not in getgrnam(%s).gr_mem" % (user, group)
    if g.gr_gid not in os.getgrouplist(user, p.pw_gid):
        return "getgrouplist(%s) lacks %d" % (user, g.gr_gid)
    return None


def main():
    user, group, uid, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    err = lookup(user, group, uid)
    if err:
        print("parent: " + err)
        return 1
    stop = threading.Event()

    def churn():
        while not stop.is_set():
            lookup(user, group, uid)

    threads = [threading.Thread(target=churn, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    bad = 0
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            try:
                e = lookup(user, group, uid)
                if e is None and len(pwd.getpwall()) < 2:
                    e = "getpwall returned almost nothing"
            except Exception as ex:  # any exception is a wrong answer
                e = repr(ex)
            if e:
                os.write(1, ("child %d: %s\n" % (i, e)).encode())
            os._exit(1 if e else 0)
        deadline = time.monotonic() + HANG_S
        while True:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                print("child %d: hung after fork" % i)
                status = 1
                break
            time.sleep(0.01)
        if status != 0:
            bad += 1
    stop.set()
    if bad:
        print("forkserver: %d of %d children failed" % (bad, n))
        return 1
    print("forkserver ok %d" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
