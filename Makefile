# hpagent — hidden-primary DNS zone distribution agent.
# GPL-3.0-or-later. See README.md for the two set-up commands.

PKGS     := sqlite3 openssl libcurl libevent libzscanner libknot libdnssec jansson \
            libsystemd
BUILD    ?= build
# Where `make install` puts things, and the defaults compiled in from them
# (build/build.h): the configuration SYSCONFDIR/hpagent/hpagent.conf, the
# database LOCALSTATEDIR/lib/hpagent/hpagent.db.
PREFIX        ?= /usr/local
SBINDIR       ?= $(PREFIX)/sbin
MANDIR        ?= $(PREFIX)/share/man
DOCDIR        ?= $(PREFIX)/share/doc/hpagent
SYSCONFDIR    ?= /etc
LOCALSTATEDIR ?= /var
UNITDIR       ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
DESTDIR       ?=
BIN      ?= hpagent
CC       ?= cc
OPT      ?= -O2 -g
# Our flags first; CPPFLAGS, CFLAGS and LDFLAGS from the environment or the
# command line come after them, so that they win.
HP_CPPFLAGS = -D_GNU_SOURCE -I. -I$(BUILD) $(PKG_CFLAGS)
HP_CFLAGS   = -std=c11 $(OPT) -Wall -Wextra -Wshadow \
              -Wno-missing-field-initializers
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
HP_LIBS     = $(PKG_LIBS) -levent_pthreads -lpthread -lm
COMPILE     = $(CC) $(HP_CPPFLAGS) $(CPPFLAGS) $(HP_CFLAGS) $(CFLAGS)
LINK        = $(CC) $(HP_CFLAGS) $(CFLAGS) $(LDFLAGS)

# Layers (docs/DESIGN.md): dns <- store, notify, signer <- agent. Every .c of the
# tree goes into build/libhp.a but agent/cli/main.c, the dispatcher.
SRC_DIRS := dns store notify signer agent/conf agent/publish agent/http \
            agent/daemon agent/cli
LIB_SRC  := $(filter-out agent/cli/main.c,$(sort $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema_sql.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/bench/*.c tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/%.c=$(BUILD)/tests/%)
SCHEMA   := $(sort $(wildcard schema/*.sql))

.PHONY: all deps test-deps run test unit tools asan bench fuzz clean check-style \
        install uninstall FORCE

# `make` only builds; the targets that run something (run, test, bench,
# fuzz, deps) install the Debian packages they need (tools/deps.sh).
all: $(BIN) tools

# Every package needed to build, test and benchmark (make run needs fewer).
deps test-deps:
	@sh tools/deps.sh test

$(BIN): $(BUILD)/agent/cli/main.o $(BUILD)/libhp.a
	$(LINK) -o $@ $^ $(HP_LIBS) $(LDLIBS)

# The version and the installed paths, rewritten only when they change.
$(BUILD)/build.h: FORCE
	@mkdir -p $(BUILD)
	@sh tools/gen-build-h.sh $@ '$(PREFIX)' '$(SYSCONFDIR)' '$(LOCALSTATEDIR)'
FORCE:

$(LIB_OBJ) $(BUILD)/agent/cli/main.o: | $(BUILD)/build.h

# A thin archive: members are kept by path, so that agent/cli/conf.o and
# agent/conf/conf.o do not collide.
$(BUILD)/libhp.a: $(LIB_OBJ)
	@rm -f $@
	ar rcsT $@ $^

# Header dependencies: the .d files -MMD writes (-MP: a header that is
# gone is not an error).
$(BUILD)/%.o: %.c | check-style
	@mkdir -p $(dir $@)
	$(COMPILE) -MMD -MP -c -o $@ $<

# The migrations are compiled into the binary: schema/NNN_name.sql, in order.
$(BUILD)/schema_sql.c: $(SCHEMA) tools/embed-schema.sh
	@mkdir -p $(BUILD)
	sh tools/embed-schema.sh $(SCHEMA) > $@

$(BUILD)/schema_sql.o: $(BUILD)/schema_sql.c
	$(COMPILE) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(BUILD)/libhp.a
	@mkdir -p $(dir $@)
	$(COMPILE) $(LDFLAGS) -MMD -MP -o $@ $< $(BUILD)/libhp.a $(HP_LIBS) \
	    -lcmocka $(LDLIBS)

$(BUILD)/tests/%: tests/%.c $(BUILD)/libhp.a
	@mkdir -p $(dir $@)
	$(COMPILE) $(LDFLAGS) -MMD -MP -o $@ $< $(BUILD)/libhp.a $(HP_LIBS) \
	    $(LDLIBS)

tools: $(TOOL_BIN)

unit: $(UNIT_BIN)

# The main job on the embedded default: the example config, a SQLite file
# under run/, the example zone imported, then the daemon in the foreground.
run:
	@sh tools/deps.sh build
	@$(MAKE) --no-print-directory $(BIN)
	@sh tools/run-example.sh ./$(BIN)

test: test-deps
	@$(MAKE) --no-print-directory $(BIN) unit tools
	@HPAGENT=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(BUILD) sh tests/run.sh

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan BIN=build-asan/hpagent \
	    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	    build-asan/hpagent unit tools
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    HPAGENT=$(CURDIR)/build-asan/hpagent BUILD=$(CURDIR)/build-asan sh tests/run.sh

bench: test-deps
	@$(MAKE) --no-print-directory $(BIN) tools
	@HPAGENT=$(CURDIR)/$(BIN) BUILD=$(CURDIR)/$(BUILD) sh tests/bench/run.sh

# Fuzzing (tests/fuzz/fuzz_*.c, clang + libFuzzer, ASan + UBSan): each
# target runs FUZZ_TIME s (default 60) from tests/fuzz/corpus/<t>/ and
# tests/fuzz/regress/<t>/; any crash, leak or sanitizer report fails.
# make test replays those inputs without libFuzzer (tests/tools/
# fuzzreplay_*.c, tests/scenario/fuzz_regress.sh).
FUZZ_TIME    ?= 60
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))

fuzz:
	@sh tools/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize=fuzzer-no-link" \
	    $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%)
	@FUZZ_TIME=$(FUZZ_TIME) sh tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TARGETS)

$(FUZZ_BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libhp.a
	@mkdir -p $(dir $@)
	$(COMPILE) $(LDFLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< \
	    $(FUZZ_BUILD)/libhp.a $(HP_LIBS) $(LDLIBS)

# Banned calls, as curl's checksrc does.
check-style:
	@if grep -nE '\b(sprintf|strcpy|strcat|strtok|gets)\(' $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.[ch])); then \
	    echo "banned function used (see STYLE)"; exit 1; fi

# `make install [PREFIX=/usr/local] [DESTDIR=...]`: the binary, the man
# pages, the example configuration and the systemd unit (its paths follow
# PREFIX). The configuration itself is the operator's: installed as
# hpagent.conf only when there is none.
$(BUILD)/hpagent.service $(BUILD)/logrotate: $(BUILD)/%: contrib/%.in $(BUILD)/build.h
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    -e 's|@STATEDIR@|$(LOCALSTATEDIR)/lib/hpagent|g' $< > $@

install: $(BIN) $(BUILD)/hpagent.service $(BUILD)/logrotate
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/hpagent
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/hpagent
	install -m 0644 contrib/hpagent.8 $(DESTDIR)$(MANDIR)/man8/hpagent.8
	install -m 0644 contrib/hpagent.conf.5 $(DESTDIR)$(MANDIR)/man5/hpagent.conf.5
	install -m 0644 agent.conf.example $(DESTDIR)$(DOCDIR)/hpagent.conf.example
	install -m 0644 $(BUILD)/logrotate $(DESTDIR)$(DOCDIR)/logrotate.hpagent
	install -m 0644 contrib/grafana-hpagent.json $(DESTDIR)$(DOCDIR)/grafana-hpagent.json
	install -m 0644 $(BUILD)/hpagent.service $(DESTDIR)$(UNITDIR)/hpagent.service
	test -e $(DESTDIR)$(SYSCONFDIR)/hpagent/hpagent.conf || \
	    install -m 0640 agent.conf.example $(DESTDIR)$(SYSCONFDIR)/hpagent/hpagent.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/hpagent $(DESTDIR)$(MANDIR)/man8/hpagent.8 \
	    $(DESTDIR)$(MANDIR)/man5/hpagent.conf.5 $(DESTDIR)$(UNITDIR)/hpagent.service
	rm -rf $(DESTDIR)$(DOCDIR)

clean:
	rm -rf $(BUILD) build-asan build-fuzz $(BIN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
