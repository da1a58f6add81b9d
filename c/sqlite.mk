# sqlite.mk — the SQLite inside libnss_ldapidm.so.2, compiled from source.
#
# Source: the SQLite amalgamation (sqlite3-binding.c/.h, SQLite 3.50.4 at
# mattn/go-sqlite3 v1.14.32) of the github.com/mattn/go-sqlite3 module that
# go.mod already requires, fetched by the go command and checked against
# go.sum, so the C module's SQLite is pinned and verified like any Go
# dependency and needs no other download. (The Go side links the system's
# libsqlite3 with -tags=libsqlite3; that SQLite never enters the module.)
#
# Why not Debian's libsqlite3.a, which we linked before: the module lives
# in every process, and a general-purpose build carries code and defaults
# the read path never uses. Measured at 100,000 users (bench/, README):
#   - text 1,260 KB -> ~590 KB. The kernel maps file pages around each
#     fault (64 KiB fault-around), so a fresh process's first lookup paged
#     in the whole text: peak RSS vs `files` +1,408 KB -> ~+850 KB.
#   - warm getpwnam_r of one user 0.72 -> ~0.6 us; random user among
#     100,000 1.14 -> ~1.0 us; enumeration 16.3 -> ~14 ms (fewer mutexes and
#     allocations: options below).
# -Os rather than -O2: -O2 was ~10% faster per lookup but its text
# (870 KB) put the first-lookup RSS back over 1 MB.
#
# Only options SQLite documents as safe with the amalgamation (the parser
# is pre-generated, so grammar-changing SQLITE_OMIT_* are not used).
SQLITE_OPTS := \
	-DSQLITE_THREADSAFE=2 \
	-DSQLITE_DEFAULT_MEMSTATUS=0 \
	-DSQLITE_DEFAULT_PCACHE_INITSZ=0 \
	-DSQLITE_DEFAULT_LOOKASIDE=512,32 \
	-DSQLITE_TEMP_STORE=3 \
	-DSQLITE_DQS=0 \
	-DSQLITE_MAX_EXPR_DEPTH=0 \
	-DSQLITE_LIKE_DOESNT_MATCH_BLOBS \
	-DSQLITE_USE_ALLOCA \
	-DSQLITE_DEFAULT_FOREIGN_KEYS=0 \
	-DSQLITE_OMIT_LOAD_EXTENSION \
	-DSQLITE_OMIT_DEPRECATED \
	-DSQLITE_OMIT_SHARED_CACHE \
	-DSQLITE_OMIT_PROGRESS_CALLBACK \
	-DSQLITE_OMIT_DECLTYPE \
	-DSQLITE_OMIT_JSON \
	-DSQLITE_OMIT_WAL
# What each buys:
#   THREADSAFE=2       multi-thread mode: no per-connection mutex. Safe
#                      because a connection is only ever used under its
#                      pool slot's or walk's mutex (pool.c, enum.c), which
#                      is also what fork.c relies on.
#   DEFAULT_MEMSTATUS=0  no global mutex around every malloc (two threads
#                      scale).
#   PCACHE_INITSZ=0    no 20-page bulk allocation on first use: a process
#                      that looks up one user reads ~6 pages.
#   LOOKASIDE=512,32   16 KB of lookaside per connection instead of 120 KB,
#                      enough for our prepared lookups.
#   TEMP_STORE=3       never a temp file (the module writes nothing).
#   OMIT_LOAD_EXTENSION  no dlopen() path from inside every host process.
#   OMIT_WAL           the writer never makes a WAL file (rollback journal,
#                      renamed into place); a WAL-mode file is refused
#                      (UNAVAIL) instead of creating -wal/-shm files.
#   the rest           defaults the read path never needs (SQLite's
#                      "recommended compile-time options").

# The go command resolves the pinned module (downloading it into the module
# cache if needed), once per make run (:=, not a recursive variable that
# would run it at every expansion). SQLITE_DIR=... on the command line
# overrides it.
SQLITE_MOD := github.com/mattn/go-sqlite3
ifeq ($(origin SQLITE_DIR),undefined)
SQLITE_DIR := $(shell cd $(CURDIR)/.. && go mod download $(SQLITE_MOD) >/dev/null 2>&1; \
	go list -m -f '{{.Dir}}' $(SQLITE_MOD) 2>/dev/null)
endif
SQLITE_C := $(SQLITE_DIR)/sqlite3-binding.c
SQLITE_H := $(SQLITE_DIR)/sqlite3-binding.h

OBJ := $(OUT)/obj
SQLITE_O := $(OBJ)/sqlite3.o
SQLITE_INC := $(OBJ)/include
SQLITE_CFLAGS := -Os -g -fPIC -fvisibility=hidden -ffunction-sections -fdata-sections \
	-fstack-protector-strong $(SQLITE_OPTS)

# The source is a prerequisite: its path names the module version, so a
# go.mod bump rebuilds. (wildcard: a missing source reaches the recipe's
# clear message instead of make's "no rule".)
$(SQLITE_O): $(CURDIR)/sqlite.mk $(CURDIR)/Makefile $(wildcard $(SQLITE_C))
	@test -n "$(SQLITE_DIR)" -a -f "$(SQLITE_C)" || { echo "c/sqlite.mk: SQLite amalgamation not found (go mod download $(SQLITE_MOD) failed?): '$(SQLITE_C)'" >&2; exit 1; }
	@mkdir -p $(OBJ) $(SQLITE_INC)
	cp -f $(SQLITE_H) $(SQLITE_INC)/sqlite3.h
	$(CC) $(SQLITE_CFLAGS) -c -o $@.tmp $(SQLITE_C)
	@mv -f $@.tmp $@
