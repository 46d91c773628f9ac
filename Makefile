# SPDX-License-Identifier: GPL-2.0
#
# mshare: top-level build.  `make help` lists the targets.
#
#   make            module, userspace programs and selftests
#   make check      all of it, tested in a QEMU VM on the stock Debian kernel
#   make demo       the demonstration, in the same VM
#
# Variables: KVER (kernel version the VM boots, default: the one scripts/deps.sh
# chose), KDIR (tree to build the module against, default: its headers),
# VMLINUZ (kernel image the VM boots), KMODDIR (its /lib/modules directory).

TOP	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE	:= $(TOP)/.cache
BUILD	:= $(TOP)/build

KVER	?= $(shell cat $(CACHE)/kver 2>/dev/null)
KDIR	?= /lib/modules/$(KVER)/build
VMLINUZ	?= /boot/vmlinuz-$(KVER)
KMODDIR	?= /lib/modules/$(KVER)
KSRC	:= $(CACHE)/linux

CC	?= gcc
CFLAGS	?= -O2 -g
USER_CFLAGS := $(CPPFLAGS) $(CFLAGS) -Wall -Wextra -Werror -std=gnu11 -I$(TOP)/uapi \
	-I$(TOP)/userspace/lib
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS	:= $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null)
# kselftest_harness.h is written for the kernel's -Wall selftest build: its
# macros trip these -Wextra warnings in every test, so only they are relaxed.
SELFTEST_CFLAGS := $(USER_CFLAGS) -I$(KSRC)/tools/testing/selftests -D_GNU_SOURCE \
	-Wno-unused-parameter -Wno-clobbered -Wno-sign-compare

export KVER VMLINUZ KMODDIR

# Every selftests/*.c is a program: *_test binaries are run by the suite,
# the others are helpers those tests exec.
SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/*.c))
SELFTEST_HDRS := $(wildcard selftests/*.h)

.PHONY: all module userspace selftests pkgtest deps check deb check-packages \
	demo sparse checkpatch install clean help need-kver debug-kernel \
	debug-module check-debug realclient bench bench-baseline test-module \
	test-kmod check-kernels soak regen check-regen check-ynl manlint

all: module test-module userspace selftests pkgtest manlint

need-kver:
	@if [ -z "$(KVER)" ]; then \
		echo "No kernel chosen yet: run 'make deps' (or scripts/deps.sh) first." >&2; \
		exit 1; fi

module: need-kver
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 modules

# The same sources with the suite's knobs (MSHARE_TEST_HOOKS: the
# debug_skip_flush parameter of the stale-TLB test's control run, the
# debug_global_asid one of the global-ASID test), built in a directory of
# its own; mshare.ko never has them.
TEST_MOD := $(BUILD)/test-module
KMOD_SRCS := Kbuild VERSION $(wildcard kmod/*.[ch]) $(wildcard uapi/linux/*.h)

define copy-kmod
	mkdir -p $(1)/kmod $(1)/uapi/linux && cp Kbuild VERSION $(1)/ && \
	cp kmod/*.[ch] $(1)/kmod/ && cp uapi/linux/*.h $(1)/uapi/linux/
endef

test-module: need-kver
	@$(call copy-kmod,$(TEST_MOD))
	$(MAKE) -C $(KDIR) M=$(TEST_MOD) W=1 MSHARE_TEST_HOOKS=y modules

# Test-only kernel modules (selftests/kmod/), loaded only by the suite.
TEST_KMOD := $(BUILD)/test-kmod
test-kmod: need-kver
	mkdir -p $(TEST_KMOD) && cp selftests/kmod/Kbuild selftests/kmod/*.[ch] $(TEST_KMOD)/
	$(MAKE) -C $(KDIR) M=$(TEST_KMOD) W=1 modules
	@mkdir -p $(BUILD)/selftests
	cp $(TEST_KMOD)/*.ko $(BUILD)/selftests/

# The project's version: one source, the VERSION file (Kbuild reads it for
# MODULE_VERSION, debian/changelog must match it: `make deb` checks).
VERSION	:= $(shell cat $(TOP)/VERSION)

# libmshare's ABI: SONAME libmshare.so.$(LIB_SOVERSION); symbols versioned
# by userspace/lib/libmshare.map (Documentation/packaging.rst).
LIB_SOVERSION := 1
LIB_VERSION := 1.0.0
LIB	:= $(BUILD)/lib/libmshare.a
SOLIB	:= $(BUILD)/lib/libmshare.so.$(LIB_VERSION)
LIB_MAP	:= userspace/lib/libmshare.map
LIB_SRCS := $(wildcard userspace/lib/*.c)
LIB_PUB_HDRS := userspace/lib/mshare.h userspace/lib/mshare_nl.h
LIB_HDRS := $(wildcard userspace/lib/*.h) uapi/linux/mshare.h
ATTACH_ONLY := $(BUILD)/lib/attach-only
# libmshare(3) and a page per call group; the .so pages name the others.
MAN3	:= $(wildcard Documentation/man/*.3)
MSHARECTL := $(BUILD)/msharectl
DEMO	:= $(BUILD)/mshare-demo
BENCH	:= $(BUILD)/mshare-bench
PRELOAD	:= $(BUILD)/libmshare-preload.so

userspace: $(LIB) $(SOLIB) $(ATTACH_ONLY) $(MSHARECTL) $(DEMO) $(BENCH) $(PRELOAD)

$(BUILD)/lib/%.o: userspace/lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -c -o $@ $<

$(LIB): $(patsubst userspace/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
	rm -f $@
	ar rcs $@ $^

# Linked with the version script, then checked: the headers' functions, the
# map and the exports must agree (scripts/lib-exports-check).
$(SOLIB): $(patsubst userspace/lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS)) $(LIB_MAP) \
	  scripts/lib-exports-check
	$(CC) -shared -Wl,-soname,libmshare.so.$(LIB_SOVERSION) \
		-Wl,--version-script=$(LIB_MAP) -Wl,-z,defs -Wl,--as-needed \
		$(LDFLAGS) -o $@.tmp $(filter %.o,$^) $(NL_LIBS)
	CC="$(CC)" scripts/lib-exports-check $@.tmp $(LIB_MAP) $(LIB_PUB_HDRS) -- \
		-I$(TOP)/uapi -I$(TOP)/userspace/lib $(NL_CFLAGS)
	mv $@.tmp $@
	ln -sf $(notdir $@) $(BUILD)/lib/libmshare.so.$(LIB_SOVERSION)
	ln -sf libmshare.so.$(LIB_SOVERSION) $(BUILD)/lib/libmshare.so

# The attach API needs no libnl: a program that includes only mshare.h,
# compiled without libnl's include directory and linked against the .so.
$(ATTACH_ONLY): selftests/external/mshare_attach_only.c userspace/lib/mshare.h \
		uapi/linux/mshare.h $(SOLIB)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $< -L$(BUILD)/lib -lmshare

# msharectl -V prints the project's version: the VERSION file, if any.
MSHARECTL_VERSION := $(if $(wildcard $(TOP)/VERSION),\
	-DMSHARECTL_VERSION='"$(shell cat $(TOP)/VERSION)"')

$(MSHARECTL): userspace/msharectl/msharectl.c $(LIB) $(LIB_HDRS) \
	      $(wildcard $(TOP)/VERSION)
	$(CC) $(USER_CFLAGS) $(MSHARECTL_VERSION) $(NL_CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIB) $(NL_LIBS)

$(DEMO): userspace/bench/mshare-demo.c userspace/bench/bench_proc.h $(LIB) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(NL_LIBS)

$(BENCH): userspace/bench/mshare-bench.c userspace/bench/bench_proc.h $(LIB) \
	  $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(NL_LIBS) -lm -lpthread

# LD_PRELOAD adoption: only mmap, mmap64, munmap, mremap, shmget, shmat,
# shmdt and shmctl are exported (EXPORT in userspace/preload/preload.h).
PRELOAD_SRCS := $(wildcard userspace/preload/*.c)
$(PRELOAD): $(PRELOAD_SRCS) userspace/preload/preload.h $(LIB) $(LIB_HDRS)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -fPIC -shared -fvisibility=hidden \
		-Wl,-soname,libmshare-preload.so -Wl,--exclude-libs,ALL \
		$(LDFLAGS) -o $@ $(PRELOAD_SRCS) $(LIB) $(NL_LIBS) -ldl -lpthread

# preload_test finds the library next to itself in the VM.
$(BUILD)/selftests/libmshare-preload.so: $(PRELOAD)
	@mkdir -p $(dir $@)
	cp $< $@

# The soak tier's program (selftests/soak/, Documentation/testing.rst).
SOAK	:= $(BUILD)/mshare-soak
SOAK_SRCS := $(wildcard selftests/soak/*.c)
$(SOAK): $(SOAK_SRCS) selftests/soak/soak.h selftests/mshare_util.h $(LIB) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -D_GNU_SOURCE -I$(TOP)/selftests $(NL_CFLAGS) -o $@ \
		$(SOAK_SRCS) $(LIB) $(NL_LIBS) -lpthread
build/mshare-soak: $(SOAK) ;

selftests: $(SELFTESTS) $(BUILD)/selftests/libmshare-preload.so test-kmod $(SOAK)


# make install/uninstall, and a program built from pkg-config alone, for
# the VM's install cases (scripts/install-test, scripts/guest/install-check.sh).
PKGTEST	:= $(BUILD)/pkgtest/.done
pkgtest: $(PKGTEST)
# (The module only has to exist: which build of it is installed here does
# not matter, the VM installs the one it tests.)
$(PKGTEST): $(LIB) $(SOLIB) $(MSHARECTL) $(PRELOAD) $(LIB_HDRS) $(LIB_MAP) \
	    userspace/lib/libmshare.pc.in selftests/external/mshare_consumer.c \
	    scripts/install-test Makefile VERSION packaging/60-mshare.rules \
	    userspace/msharectl/msharectl.8 $(MAN3) \
	    selftests/external/mshare_attach_only.c \
	    userspace/msharectl/bash-completion/msharectl | module
	CC="$(CC)" scripts/install-test $(BUILD)/pkgtest
	touch $@

# `make build/selftests/x` (relative) means the same as the absolute target.
build/selftests/%: $(BUILD)/selftests/% ;

$(BUILD)/selftests/%: selftests/%.c $(SELFTEST_HDRS) $(wildcard selftests/kmod/*.h) \
		$(LIB) $(LIB_HDRS)
	@test -f $(KSRC)/tools/testing/selftests/kselftest_harness.h || \
		{ echo "kselftest_harness.h missing: run 'make deps'" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(SELFTEST_CFLAGS) $(NL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(NL_LIBS)

deps:
	$(TOP)/scripts/deps.sh

# The manual pages, checked by groff: any warning fails the build.
MANLINT	:= $(BUILD)/manlint.done
manlint: $(MANLINT)
$(MANLINT): $(MAN3) userspace/msharectl/msharectl.8 scripts/man-lint $(LIB_MAP)
	$(TOP)/scripts/man-lint --map $(LIB_MAP) $(MAN3) userspace/msharectl/msharectl.8
	@mkdir -p $(dir $@) && touch $@

# ---- install ------------------------------------------------------------
# `make install` puts the module built for $(KVER) in
# /lib/modules/$(KVER)/updates and runs depmod (not with DESTDIR: the
# package's or image's own depmod does it there), and the userspace under
# $(PREFIX); `make uninstall` removes exactly that.  `make install-dkms`
# installs the module's source for DKMS instead (dkms.conf included).
# Documentation/packaging.rst explains the layout.
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
LIBDIR	?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# The preload library is not linked against: a private directory.
PRELOADDIR ?= $(LIBDIR)/mshare
# udev reads rules from /usr/lib (packages) and /etc (the admin's).
UDEVRULESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)
MODDIR	?= /lib/modules/$(KVER)/updates
DKMSDIR	?= /usr/src/mshare-$(VERSION)
DEPMOD	?= depmod

# Headers under their own directory: include/mshare/mshare.h and
# mshare_nl.h, and the uapi header as include/mshare/linux/mshare.h, so that
# #include <linux/mshare.h> in them finds it through libmshare.pc's
# -I$${includedir}/mshare, never a /usr/include/linux/ name.
INST_HDRDIR = $(INCLUDEDIR)/mshare
INST_FILES = \
	$(BINDIR)/msharectl \
	$(MANDIR)/man8/msharectl.8 \
	$(addprefix $(MANDIR)/man3/,$(notdir $(MAN3))) \
	$(BASHCOMPDIR)/msharectl \
	$(LIBDIR)/libmshare.so.$(LIB_VERSION) \
	$(LIBDIR)/libmshare.so.$(LIB_SOVERSION) \
	$(LIBDIR)/libmshare.so \
	$(LIBDIR)/libmshare.a \
	$(PKGCONFIGDIR)/libmshare.pc \
	$(INST_HDRDIR)/mshare.h \
	$(INST_HDRDIR)/mshare_nl.h \
	$(INST_HDRDIR)/linux/mshare.h \
	$(PRELOADDIR)/libmshare-preload.so \
	$(UDEVRULESDIR)/60-mshare.rules
# Directories that are ours alone: uninstall removes them once empty.
INST_DIRS = $(INST_HDRDIR)/linux $(INST_HDRDIR) $(PRELOADDIR)

DKMS_SRCS := Kbuild VERSION $(wildcard kmod/*.c kmod/*.h) uapi/linux/mshare.h

.PHONY: install-module install-userspace install-dkms uninstall \
	uninstall-module uninstall-userspace uninstall-dkms

install: install-module install-userspace

install-module: module
	install -D -m 644 mshare.ko $(DESTDIR)$(MODDIR)/mshare.ko
	@if [ -z "$(DESTDIR)" ]; then echo "$(DEPMOD) -a $(KVER)"; $(DEPMOD) -a $(KVER); \
	else echo "DESTDIR set: depmod left to the target system"; fi

install-userspace: userspace
	install -D -m 755 $(MSHARECTL) $(DESTDIR)$(BINDIR)/msharectl
	install -D -m 644 userspace/msharectl/msharectl.8 \
		$(DESTDIR)$(MANDIR)/man8/msharectl.8
	install -D -m 644 -t $(DESTDIR)$(MANDIR)/man3 $(MAN3)
	install -D -m 644 userspace/msharectl/bash-completion/msharectl \
		$(DESTDIR)$(BASHCOMPDIR)/msharectl
	install -D -m 644 $(SOLIB) $(DESTDIR)$(LIBDIR)/libmshare.so.$(LIB_VERSION)
	ln -sf libmshare.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libmshare.so.$(LIB_SOVERSION)
	ln -sf libmshare.so.$(LIB_SOVERSION) $(DESTDIR)$(LIBDIR)/libmshare.so
	install -D -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libmshare.a
	install -d $(DESTDIR)$(PKGCONFIGDIR)
	sed -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		-e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		userspace/lib/libmshare.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/libmshare.pc
	install -D -m 644 -t $(DESTDIR)$(INST_HDRDIR) $(LIB_PUB_HDRS)
	install -D -m 644 uapi/linux/mshare.h $(DESTDIR)$(INST_HDRDIR)/linux/mshare.h
	install -D -m 755 $(PRELOAD) $(DESTDIR)$(PRELOADDIR)/libmshare-preload.so
	install -D -m 644 packaging/60-mshare.rules $(DESTDIR)$(UDEVRULESDIR)/60-mshare.rules

install-dkms:
	install -d $(DESTDIR)$(DKMSDIR)
	for f in $(DKMS_SRCS); do install -D -m 644 $$f $(DESTDIR)$(DKMSDIR)/$$f || exit; done
	sed 's/#MODULE_VERSION#/$(VERSION)/' packaging/dkms.conf \
		>$(DESTDIR)$(DKMSDIR)/dkms.conf

uninstall: uninstall-module uninstall-userspace

uninstall-module:
	rm -f $(DESTDIR)$(MODDIR)/mshare.ko
	@if [ -z "$(DESTDIR)" ]; then echo "$(DEPMOD) -a $(KVER)"; $(DEPMOD) -a $(KVER); fi

uninstall-userspace:
	rm -f $(addprefix $(DESTDIR),$(INST_FILES))
	-rmdir $(addprefix $(DESTDIR),$(INST_DIRS)) 2>/dev/null

uninstall-dkms:
	rm -f $(addprefix $(DESTDIR)$(DKMSDIR)/,$(DKMS_SRCS) dkms.conf)
	-rmdir $(DESTDIR)$(DKMSDIR)/kmod $(DESTDIR)$(DKMSDIR)/uapi/linux \
		$(DESTDIR)$(DKMSDIR)/uapi $(DESTDIR)$(DKMSDIR) 2>/dev/null

check: all
	$(TOP)/scripts/vm-check-all

# Debian packages (Documentation/packaging.rst): built into build/deb/ and
# lintian-checked; then installed, used and purged in a fresh Debian 12
# chroot, the DKMS-built module tested in the VM.  Not part of `make check`.
deb:
	$(TOP)/scripts/make-deb

check-packages: all deb
	$(TOP)/scripts/check-packages

demo: all
	$(TOP)/scripts/vm-demo

# PostgreSQL 15 and pgbench, stock and with libmshare-preload.so, in one VM
# boot (Documentation/realclient.rst).  Not part of `make check`.
realclient: module userspace
	$(TOP)/scripts/realclient/run

# The benchmark harness: a VM run, results and plots in build/bench/.
# MSHARE_BENCH_ARGS go to mshare-bench (e.g. "-b B7"); B7 runs once more
# on the module of BENCH_BASE (bench-baseline).
bench: all bench-baseline
	$(TOP)/scripts/vm-bench $(MSHARE_BENCH_ARGS)

# The module as it was at commit BENCH_BASE (the landed tree before the
# global lock went), for B7's before/after rows: its Kbuild, kmod/ and
# uapi/ extracted into a directory of their own and built there.  Outside
# a git checkout there is no baseline and B7 runs once.
BENCH_BASE ?= 4524ae3
BENCH_BASE_DIR := $(BUILD)/bench-baseline

bench-baseline: need-kver
	@if ! c=$$(git -C $(TOP) rev-parse --short --verify -q $(BENCH_BASE)^{commit}); then \
		echo "bench-baseline: no commit $(BENCH_BASE) here: no baseline module" >&2; \
		rm -rf $(BENCH_BASE_DIR); exit 0; fi; \
	if [ "$$(cat $(BENCH_BASE_DIR)/commit 2>/dev/null)" != "$$c" ]; then \
		rm -rf $(BENCH_BASE_DIR) && mkdir -p $(BENCH_BASE_DIR) && \
		git -C $(TOP) archive $$c Kbuild kmod uapi | tar -x -C $(BENCH_BASE_DIR) && \
		echo $$c >$(BENCH_BASE_DIR)/commit || exit 1; \
	fi; \
	$(MAKE) -C $(KDIR) M=$(BENCH_BASE_DIR) W=1 modules

# The debug tier: a kernel with KASAN, lockdep, DEBUG_VM, PAGE_TABLE_CHECK,
# kmemleak and fault injection (scripts/debug-kernel/), built once and
# cached outside the clone, and the module built against it in its own
# directory so that the stock build is left alone.
DEBUG_MOD := $(BUILD)/debug-module
DEBUG_PATTERNS := possible circular locking|possible recursive locking|inconsistent lock state|sleeping function called from invalid context|unreferenced object|page_table_check|kmemleak-report

debug-kernel:
	$(TOP)/scripts/debug-kernel/build

DEBUG_TEST_KMOD := $(BUILD)/debug-test-kmod

debug-module:
	@kdir=$$($(TOP)/scripts/debug-kernel/build | tail -1) && \
	$(call copy-kmod,$(DEBUG_MOD)) && \
	$(MAKE) -C $$kdir M=$(DEBUG_MOD) W=1 modules && \
	mkdir -p $(DEBUG_TEST_KMOD) && \
	cp selftests/kmod/Kbuild selftests/kmod/*.[ch] $(DEBUG_TEST_KMOD)/ && \
	$(MAKE) -C $$kdir M=$(DEBUG_TEST_KMOD) W=1 modules

# The selftests, then a 3-minute soak (scripts/vm-soak), each in its own VM.
check-debug: debug-module userspace selftests pkgtest
	@kdir=$$($(TOP)/scripts/debug-kernel/build | tail -1) || exit 1; \
	VMLINUZ=$$kdir/arch/x86/boot/bzImage MSHARE_KO=$(DEBUG_MOD)/mshare.ko \
	MSHARE_TEST_KMOD_DIR=$(DEBUG_TEST_KMOD) \
	MSHARE_CHECK_NAME=check-debug MSHARE_VM_TIMEOUT=$${MSHARE_VM_TIMEOUT:-3600} \
	MSHARE_VM_PATTERNS='$(DEBUG_PATTERNS)' $(TOP)/scripts/vm-check; \
	rc=$$?; \
	VMLINUZ=$$kdir/arch/x86/boot/bzImage MSHARE_KO=$(DEBUG_MOD)/mshare.ko \
	MSHARE_SOAK_NAME=check-debug-soak SOAK_MINUTES=3 \
	MSHARE_VM_PATTERNS='$(DEBUG_PATTERNS)' $(TOP)/scripts/vm-soak || rc=1; \
	exit $$rc

# The soak tier: every role of selftests/soak/ at once for SOAK_MINUTES
# (default 30) on the debug kernel; Documentation/testing.rst.
SOAK_MINUTES ?= 30
soak: debug-module userspace selftests
	@kdir=$$($(TOP)/scripts/debug-kernel/build | tail -1) && \
	VMLINUZ=$$kdir/arch/x86/boot/bzImage MSHARE_KO=$(DEBUG_MOD)/mshare.ko \
	SOAK_MINUTES=$(SOAK_MINUTES) MSHARE_VM_PATTERNS='$(DEBUG_PATTERNS)' \
	$(TOP)/scripts/vm-soak

# The suite on every kernel a Debian user is likely to run: 6.1, 6.12,
# 6.12 PREEMPT_RT and the newest in trixie-backports (scripts/kernels.sh
# fetches them; the newest builds in a trixie chroot).  The module, its
# test build and the test modules are built for each in
# build/kernels/<name>/; the suite, then tlb_test on 4 vCPUs with the test
# build, run on each; a table kernel -> result ends the run.
# MSHARE_KERNELS="6.1 newest" picks kernels; SMOKE=1 runs a short subset.
check-kernels: userspace selftests pkgtest
	$(TOP)/scripts/deps.sh --kernels
	$(TOP)/scripts/check-kernels $(if $(SMOKE),--smoke)

sparse: need-kver
	$(MAKE) -C $(KDIR) M=$(TOP) W=1 C=2 modules

# The netlink family's single source, Documentation/netlink/specs/mshare.yaml:
# `make regen` regenerates kmod/netlink-gen.[ch] with the kernel's ynl-gen-c
# (scripts/ynl/) and checks uapi/linux/mshare.h's enums against it;
# `make check-regen` changes nothing and fails if either is out of date
# (Documentation/netlink.rst).
regen:
	CC="$(CC)" $(TOP)/scripts/ynl-regen

check-regen:
	CC="$(CC)" $(TOP)/scripts/ynl-regen --check

# The module driven by the kernel's cli.py and the spec alone, in a VM (the
# host's Python goes in); not part of `make check`.
check-ynl: module
	$(TOP)/scripts/ynl-vm-check

checkpatch:
	perl $(KSRC)/scripts/checkpatch.pl --no-tree -f \
		kmod/*.c kmod/*.h uapi/linux/*.h

clean:
	-[ -d "$(KDIR)" ] && $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf $(BUILD)

help:
	@echo "make [all]      build mshare.ko (+ its test build), userspace and selftests"
	@echo "make deps       install packages, extract kernel-source files"
	@echo "make install    the module (+ depmod), msharectl, libmshare, the preload"
	@echo "                (PREFIX, DESTDIR, LIBDIR...; make uninstall removes them)"
	@echo "make install-dkms  the module's source for DKMS, in /usr/src/mshare-VERSION"
	@echo "make deb        Debian packages in build/deb/ (lintian-checked)"
	@echo "make check-packages  install them in a fresh Debian 12 chroot, test, purge"
	@echo "make check      run the selftests in a QEMU VM (stock kernel)"
	@echo "make demo       run the demonstration in a QEMU VM"
	@echo "make realclient PostgreSQL + pgbench in a QEMU VM, stock vs. the preload"
	@echo "make bench      run the benchmarks in a QEMU VM (table, CSV, plots in build/bench/);"
	@echo "                MSHARE_BENCH_ARGS=\"-b B7\" picks scenarios (mshare-bench -h)"
	@echo "make bench-baseline  build the module of BENCH_BASE (4524ae3) for B7's baseline"
	@echo "make check-debug  the selftests and a 3-minute soak on the debug kernel (KASAN, lockdep...)"
	@echo "make check-kernels  the selftests on 6.1, 6.12, 6.12-rt and the newest kernel"
	@echo "make soak       every path at once for SOAK_MINUTES (default 30) on the debug kernel"
	@echo "make debug-kernel build (once, cached) that kernel"
	@echo "make sparse     build the module under sparse (C=2)"
	@echo "make manlint    check the manual pages with groff (part of make)"
	@echo "make checkpatch run checkpatch.pl on kmod/ and uapi/"
	@echo "make regen      regenerate kmod/netlink-gen.[ch] from the netlink spec"
	@echo "make check-regen  fail if they or uapi/linux/mshare.h disagree with the spec"
	@echo "make check-ynl  drive the module with the kernel's cli.py and the spec, in a VM"
	@echo "make clean      remove build outputs"
