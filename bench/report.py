#!/usr/bin/env python3
"""report.py RESULTS_DIR — turn one run's raw TSV into the README table.

Reads nss.tsv (size module metric stat value), first.tsv (size variant stat
value), pull.tsv (who stat value) and machine.txt (key value) from
RESULTS_DIR; writes report.md there and prints it. Every target is computed
from numbers of this one run (ratios, so a loaded machine moves both sides)
and printed as met / missed / n/a; nothing here decides an exit status.
"""

import os
import sys

MODULES = ["ldapidm", "nsscache", "extrausers"]
LOOKUPS = [
    ("getpwnam_hit", "getpwnam_r, hit (random user)"),
    ("getpwnam_same", "getpwnam_r, hit (same user again)"),
    ("getpwnam_miss", "getpwnam_r, miss"),
    ("getpwuid", "getpwuid_r, hit"),
    ("getgrnam_small", "getgrnam_r, 3-member group"),
    ("getgrnam_big", "getgrnam_r, 5,000-member group"),
    ("getgrouplist", "getgrouplist, user in 20 groups"),
]


def read_tsv(path, ncols):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= ncols:
                rows.append(parts[:ncols - 1] + ["\t".join(parts[ncols - 1:])])
    return rows


def load(res):
    nss = {}
    for size, mod, metric, stat, value in read_tsv(os.path.join(res, "nss.tsv"), 5):
        nss[(int(size), mod, metric, stat)] = value
    first = {}
    for size, var, stat, value in read_tsv(os.path.join(res, "first.tsv"), 4):
        first[(int(size), var, stat)] = value
    pull = {}
    for who, stat, value in read_tsv(os.path.join(res, "pull.tsv"), 3):
        pull[(who, stat)] = value
    machine = {}
    for k, v in read_tsv(os.path.join(res, "machine.txt"), 2):
        machine[k] = v
    return nss, first, pull, machine


def num(d, key):
    v = d.get(key)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def fmt_ns(ns):
    if ns is None:
        return "—"
    us = ns / 1000.0
    if us < 10:
        return "%.2f µs" % us
    if us < 1000:
        return "%.1f µs" % us
    if us < 10000:
        return "%.2f ms" % (us / 1000)
    return "%.1f ms" % (us / 1000)


def fmt_int(v):
    return "—" if v is None else "{:,.0f}".format(v)


def cell(nss, size, mod, metric):
    err = nss.get((size, mod, metric, "error"))
    if err:
        return "error"
    med = num(nss, (size, mod, metric, "median_ns"))
    p99 = num(nss, (size, mod, metric, "p99_ns"))
    if med is None:
        return "—"
    return "%s (p99 %s)" % (fmt_ns(med), fmt_ns(p99))


def lookup_table(nss, first, size):
    out = []
    out.append("| %s users | ldapidm | libnss-cache | libnss-extrausers |" % "{:,}".format(size))
    out.append("|---|---|---|---|")
    for metric, title in LOOKUPS:
        cells = [cell(nss, size, m, metric) for m in MODULES]
        if metric == "getgrouplist":
            vias = [nss.get((size, m, metric, "via")) for m in MODULES]
            cells = [c + (" ¹" if v == "getgrent scan" else "") for c, v in zip(cells, vias)]
        out.append("| %s | %s |" % (title, " | ".join(cells)))
    cells = []
    for m in MODULES:
        med = num(nss, (size, m, "enum_users", "median_ns"))
        cells.append("error" if nss.get((size, m, "enum_users", "error")) else
                     ("—" if med is None else "%.1f ms" % (med / 1e6)))
    out.append("| enumerate all users (setpwent/getpwent_r) | %s |" % " | ".join(cells))
    for t in (1, 2):
        cells = []
        for m in MODULES:
            v = num(nss, (size, m, "tput_%dthread" % t, "ops_per_s"))
            c = fmt_int(v) if not nss.get((size, m, "tput_%dthread" % t, "error")) else "error"
            if t == 2:
                one = num(nss, (size, m, "tput_1thread", "ops_per_s"))
                if v and one:
                    c += " (×%.2f)" % (v / one)
            cells.append(c)
        out.append("| getpwnam_r hits/s, %d thread%s | %s |" % (t, "s" if t > 1 else "", " | ".join(cells)))
    # First lookup in a fresh process, as a delta over `files`.
    base_t = num(first, (size, "files", "median_ns"))
    base_r = num(first, (size, "files", "hwm_kb"))
    tc, rc = [], []
    for var in ("ldapidm", "nsscache", "extrausers"):
        t = num(first, (size, var, "median_ns"))
        r = num(first, (size, var, "hwm_kb"))
        found = first.get((size, var, "found"), "")
        if t is None or base_t is None:
            tc.append("—")
            rc.append("—")
            continue
        ok = "" if found.split("/")[0] == found.split("/")[-1] else " (found %s)" % found
        tc.append("%+.2f ms%s" % ((t - base_t) / 1e6, ok))
        if r is None or base_r is None:
            rc.append("—")
            continue
        a, ba = num(first, (size, var, "anon_kb")), num(first, (size, "files", "anon_kb"))
        f, bf = num(first, (size, var, "file_kb")), num(first, (size, "files", "file_kb"))
        split = ""
        if None not in (a, ba, f, bf):
            split = " (anon %+.0f, file %+.0f)" % (a - ba, f - bf)
        rc.append("%+.0f kB%s" % (r - base_r, split))
    out.append("| first getpwnam() in a fresh process, vs `files` (%s) | %s |"
               % (fmt_ns(base_t), " | ".join(tc)))
    out.append("| peak RSS (VmHWM) of that process, vs `files` (%s kB) | %s |"
               % (fmt_int(base_r), " | ".join(rc)))
    return out


def verdict(ok):
    if ok is None:
        return "n/a"
    return "met" if ok else "**missed**"


def targets(nss, first, pull, big):
    rows = []

    def med(mod, metric, size=big):
        if nss.get((size, mod, metric, "error")):
            return None
        return num(nss, (size, mod, metric, "median_ns"))

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    hit = med("ldapidm", "getpwnam_hit")
    r_cache = ratio(med("nsscache", "getpwnam_hit"), hit)
    r_extra = ratio(med("extrausers", "getpwnam_hit"), hit)
    rows.append(("getpwnam_r hit vs libnss-cache", "≥ 50× faster",
                 "—" if r_cache is None else "%.0f×" % r_cache,
                 None if r_cache is None else r_cache >= 50))
    same = med("ldapidm", "getpwnam_same")
    r_same = ratio(med("nsscache", "getpwnam_same"), same)
    rows.append(("getpwnam_r hit vs libnss-cache, same user again", "(≥ 50× faster)",
                 "—" if r_same is None else "%.0f×" % r_same,
                 None if r_same is None else r_same >= 50))
    rows.append(("getpwnam_r hit vs libnss-extrausers", "≥ 1,000× faster",
                 "—" if r_extra is None else "{:,.0f}×".format(r_extra),
                 None if r_extra is None else r_extra >= 1000))
    rows.append(("getpwnam_r hit, ldapidm", "≲ 2 µs", fmt_ns(hit),
                 None if hit is None else hit <= 2000))
    miss = med("ldapidm", "getpwnam_miss")
    rm = ratio(miss, hit)
    rows.append(("getpwnam_r miss / hit, ldapidm", "≤ 2", "—" if rm is None else "%.2f" % rm,
                 None if rm is None else rm <= 2))
    gl = med("ldapidm", "getgrouplist")
    rows.append(("getgrouplist, ldapidm", "< 10 µs", fmt_ns(gl), None if gl is None else gl < 10000))
    re_ = ratio(med("ldapidm", "enum_users"), med("extrausers", "enum_users"))
    rows.append(("enumeration, ldapidm / extrausers", "≤ 1.5", "—" if re_ is None else "%.2f" % re_,
                 None if re_ is None else re_ <= 1.5))
    t1 = num(nss, (big, "ldapidm", "tput_1thread", "ops_per_s"))
    t2 = num(nss, (big, "ldapidm", "tput_2thread", "ops_per_s"))
    rt = ratio(t2, t1)
    rows.append(("2-thread / 1-thread throughput, ldapidm", "≥ 1.6", "—" if rt is None else "%.2f" % rt,
                 None if rt is None else rt >= 1.6))
    ft = num(first, (big, "ldapidm", "median_ns"))
    fb = num(first, (big, "files", "median_ns"))
    d = None if ft is None or fb is None else (ft - fb) / 1e6
    rows.append(("first lookup, ldapidm − files", "≤ 0.5 ms", "—" if d is None else "%+.2f ms" % d,
                 None if d is None else d <= 0.5))
    rr = num(first, (big, "ldapidm", "hwm_kb"))
    rb = num(first, (big, "files", "hwm_kb"))
    dr = None if rr is None or rb is None else rr - rb
    rows.append(("first lookup peak RSS, ldapidm − files", "< 1 MB (1,024 kB)",
                 "—" if dr is None else "%+.0f kB" % dr, None if dr is None else dr < 1024))

    rw = num(pull, ("refresher", "wall_s"))
    lw = num(pull, ("ldapsearch", "wall_s"))
    rwr = ratio(rw, lw)
    rows.append(("pull wall time, refresher / ldapsearch", "≤ 1.3", "—" if rwr is None else "%.2f" % rwr,
                 None if rwr is None else rwr <= 1.3))
    rss = num(pull, ("refresher", "maxrss_kb"))
    rows.append(("refresher peak RSS", "< 150 MB", "—" if rss is None else "%.0f MB" % (rss / 1024),
                 None if rss is None else rss < 150 * 1024))
    rc = num(pull, ("refresher", "cpu_s"))
    sc = num(pull, ("refresher", "slapd_cpu_s"))
    rows.append(("refresher CPU vs slapd CPU during the pull", "refresher < slapd",
                 "—" if rc is None or sc is None else "%.2f s vs %.2f s" % (rc, sc),
                 None if rc is None or sc is None else rc < sc))
    return rows


def pull_table(pull):
    if not pull:
        return []
    users = pull.get(("data", "users"), "0")
    groups = pull.get(("data", "groups"), "0")
    out = ["| pull of {:,} users, {:,} groups | wall | peak RSS | CPU (user+sys) | slapd CPU meanwhile |"
           .format(int(users), int(groups)), "|---|---|---|---|---|"]
    for who, title in (("refresher", "`ldapidm-refresher -f conf --once --force` (pull + publish)"),
                       ("ldapsearch", "`ldapsearch -E pr=1000/noprompt` → /dev/null")):
        if pull.get((who, "error")):
            err = pull[(who, "error")].replace("|", "\\|")
            out.append("| %s | error: %s | | | |" % (title, err[:200]))
            continue
        w = num(pull, (who, "wall_s"))
        r = num(pull, (who, "maxrss_kb"))
        c = num(pull, (who, "cpu_s"))
        s = num(pull, (who, "slapd_cpu_s"))
        out.append("| %s | %s | %s | %s | %s |" % (
            title, "—" if w is None else "%.2f s" % w, "—" if r is None else "%.1f MB" % (r / 1024),
            "—" if c is None else "%.2f s" % c, "—" if s is None else "%.2f s" % s))
    phases = [(k, num(pull, ("refresher", "phase_%s_s" % k))) for k in ("read", "validate", "publish")]
    if any(v is not None for _, v in phases):
        out.append("")
        out.append("Refresher phases (its own log, last run): " + ", ".join(
            "%s %.2f s" % (k, v) for k, v in phases if v is not None) + ".")
    return out


def main():
    res = sys.argv[1]
    nss, first, pull, machine = load(res)
    disk = {}
    for size, what, b in read_tsv(os.path.join(res, "sizes.tsv"), 3):
        disk.setdefault(int(size), {})[what] = int(b)
    sizes = sorted({k[0] for k in nss} | {k[0] for k in first})
    big = max(sizes) if sizes else 0
    md = []
    md.append("Measured %s on %s × %s, %s, glibc %s (%s)." % (
        machine.get("date_utc", "?"), machine.get("nproc", "?"), machine.get("cpu", "?"),
        machine.get("kernel", "?"), machine.get("glibc", "?"),
        "quick run" if machine.get("quick") == "1" else "full run"))
    md.append("Load average at start %s, at end %s. Per-lookup times are medians of single calls "
              "(clock_gettime around each call, %s ns of it clock overhead), p99 in brackets."
              % (machine.get("loadavg_start", "?"), machine.get("loadavg_end", "?"),
                 nss.get((big, "ldapidm", "clock", "overhead_ns"),
                         nss.get((big, "nsscache", "clock", "overhead_ns"), "?"))))
    md.append("")
    for size in sizes:
        md.extend(lookup_table(nss, first, size))
        how = machine.get("cache_built_by_%d" % size)
        notes = ["¹ the module has no `initgroups_dyn`; the harness does what glibc then does: "
                 "setgrent/getgrent_r over every group, comparing every member."]
        notes.append("First lookup: a fresh process (exec → `getpwnam()` returned, module load "
                     "included), median of %s runs, through glibc with a private nsswitch.conf "
                     "(`passwd: <module>`); `files` looks up root in the host's /etc/passwd, the "
                     "others a user in the middle of the data set. Peak RSS counts file-backed "
                     "pages too (the module's own code and any file pages it maps)."
                     % ("50" if machine.get("quick") == "1" else "200"))
        if how:
            notes.append("ldapidm cache built by: %s." % how)
        sz = disk.get(size)
        if sz:
            notes.append("On disk (passwd + group maps): ldapidm cache.db %s, libnss-cache files + "
                         "indexes %s, libnss-extrausers files %s." % tuple(
                             "%.1f MB" % (sz[k] / 1e6) if k in sz else "—"
                             for k in ("ldapidm", "nsscache", "extrausers")))
        md.append("")
        md.extend(notes)
        md.append("")
    errs = sorted("%s users, %s, %s: %s" % (k[0], k[1], k[2], v)
                  for k, v in nss.items() if k[3] == "error")
    if errs:
        md.append("Errors (wrong answers are reported, not timed):")
        md.extend("- " + e for e in errs)
        md.append("")
    pt = pull_table(pull)
    if pt:
        md.extend(pt)
        md.append("")
    md.append("| target (at {:,} users) | wanted | measured | |".format(big))
    md.append("|---|---|---|---|")
    for name, want, got, ok in targets(nss, first, pull, big):
        md.append("| %s | %s | %s | %s |" % (name, want, got, verdict(ok)))
    md.append("")
    md.append("Reproduce: `./build.sh bench%s` (or, after `./build.sh build`, "
              "`OUT=$PWD/out bash bench/run.sh%s`); raw numbers in bench/results/<stamp>/."
              % ((" " + machine["args"]) if machine.get("args") else "",
                 (" " + machine["args"]) if machine.get("args") else ""))
    md.append("")
    text = "\n".join(md) + "\n"
    with open(os.path.join(res, "report.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
