// Command gocshared is NOT part of ldapidm: it is the control group for the
// design decision that the NSS module is plain C.
//
// Built with -buildmode=c-shared it becomes libnss_gocs.so.2, a minimal NSS
// module written in Go that answers getpwnam_r for synthetic users, the way a
// Go c-shared NSS module (Ubuntu's first aad-auth) does. bench/gocshared/run.sh
// loads it and out/libnss_ldapidm.so.2 into the same probe (probe/probe.c) and
// prints what each does to its host: fork hangs, threads, address space,
// signal handlers, survival under `ulimit -v`. The numbers go in the README.
package main
