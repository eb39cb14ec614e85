// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zebra_ebpf: mirror zebra's RIB into pinned eBPF maps.
 *
 * Load with `zebra -M ebpf`. Init only registers hooks: the dataplane
 * provider, the detectors' rib_update hook and the CLI at late init (before the dplane starts, so the
 * initial RIB is seen), the maps once the configuration has been read (so
 * a configured pin path is honoured from the first route).
 */
#include "lib/zebra.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>

#include "lib/libfrr.h"
#include "lib/module.h"
#include "lib/version.h"

#include "frr_compat.h"
#include "ebpf_detect.h"
#include "ebpf_dplane.h"
#include "ebpf_errors.h"
#include "ebpf_events.h"
#include "ebpf_fastpath.h"
#include "ebpf_memory.h"
#include "ebpf_policy.h"
#include "ebpf_policy_hold.h"
#include "ebpf_repair.h"
#include "ebpf_mirror.h"
#include "ebpf_vty.h"
#include "ebpf_yang.h"

DEFINE_MGROUP(EBPF, "eBPF fast path and RIB mirror");

static int ebpf_late_init(struct fe_loop *tm)
{
	ebpf_error_init();
	ebpf_vty_init();
	ebpf_fastpath_vty_init();
	ebpf_policy_init();
	ebpf_policy_vty_init();
	ebpf_policy_hold_init(tm);
	ebpf_show_init();
	ebpf_events_vty_init();
	ebpf_detect_init(tm);
	ebpf_detect_vty_init();
	ebpf_yang_init();
	if (ebpf_dplane_register())
		flog_err(EC_EBPF_MAP_OPEN,
			 "ebpf: cannot register the dataplane provider; mirror disabled");
	return 0;
}

static struct fe_task *sweep_thread;

/*
 * Fast-path links a previous zebra pinned stay attached (forwarding goes
 * on) until the configuration had its chance to claim them, the same
 * delay the mirror gives the RIB to replay.
 */
static void ebpf_sweep_links(struct fe_task *t)
{
	ebpf_fastpath_sweep_unclaimed();
}

static int ebpf_config_post(struct fe_loop *tm)
{
	/* A failure is logged and shown; zebra carries on either way. */
	ebpf_mirror_open();
	ebpf_dplane_config_ready();
	/* Timers first: loading the fast path starts the event reader. */
	ebpf_fastpath_start(tm);
	ebpf_fastpath_apply_deferred();
	ebpf_repair_start(tm);
	event_add_timer(tm, ebpf_sweep_links, NULL,
			ebpf_mirror_reconcile_delay(), &sweep_thread);
	return 0;
}

static int ebpf_fini(void)
{
	EVENT_OFF(sweep_thread);
	ebpf_detect_fini();
	ebpf_repair_stop();
	ebpf_fastpath_close();
	ebpf_policy_hold_fini();
	ebpf_policy_fini();
	return 0;
}

/*
 * The module is binary-coupled to the FRR whose headers it was compiled
 * with (struct layouts, hook and dplane signatures), and FRR loads a
 * module without checking its version. The built-for version lives in
 * this one marker string, which the version-check test patches in a copy
 * of the .so to get a module "built for" another FRR.
 *
 * Why the module's references to FRR are weak: FRR's loader dlopen()s a
 * module with RTLD_NOW, so a module built for another FRR release used to
 * fail there, before this check could run, on the first function that
 * release renamed (8.4's _thread_add_timer is 10.x's _event_add_timer),
 * and zebra exited ("loader error ... undefined symbol"). After linking,
 * weaken_frr_refs (see subdir.am) marks every unversioned undefined symbol
 * of the .so weak: FRR's, libfrr's and zebra's, while libc's and libbpf's
 * stay versioned and strict. dlopen() then succeeds in any FRR, a symbol
 * the running one lacks is NULL, and nothing version-specific runs before
 * this check: what runs before it (the memory group and type constructors,
 * XREF_SETUP's xref_block_add, and the flog_err below: struct memgroup,
 * memtype, xref, xrefdata, xref_logmsg and vzlogx()) is the same in 8.4
 * and 10.x. The price: a zebra of the right release that lacks a symbol
 * (another build of it) is no longer refused by dlopen() but by
 * frr_symbols_missing() below.
 */
#define FE_BUILT_FOR_PREFIX "frr-ebpf: built for FRR "
static const char fe_built_for[] __attribute__((used)) =
	FE_BUILT_FOR_PREFIX FRR_VERSION;

/* major.minor.patch of "8.4.4", "9.1-dev" (patch 0), ... */
static bool frr_version_parse(const char *s, unsigned int v[3])
{
	v[0] = v[1] = v[2] = 0;
	return s && sscanf(s, "%u.%u.%u", &v[0], &v[1], &v[2]) >= 2;
}

/*
 * The version a loaded FRR module reports. frrmod_list starts with
 * libfrr's own entry and then the daemon's (FRR_DAEMON_INFO); the fields
 * read here lead their structs since modules exist, so reading them is
 * safe in any FRR.
 */
static const char *frr_running_version(const char *name)
{
	struct frrmod_runtime *r;

	for (r = frrmod_list; r; r = r->next)
		if (r->info && r->info->name && !strcmp(r->info->name, name))
			return r->info->version;
	return NULL;
}

static bool frr_version_matches(void)
{
	const char *built = fe_built_for + sizeof(FE_BUILT_FOR_PREFIX) - 1;
	const char *libfrr = frr_running_version("libfrr");
	const char *zebra = frr_running_version("zebra");
	unsigned int b[3], l[3], z[3];

	if (frr_version_parse(built, b) && frr_version_parse(libfrr, l)
	    && frr_version_parse(zebra, z) && !memcmp(b, l, sizeof(b))
	    && !memcmp(b, z, sizeof(b)))
		return true;
	/* The error table is registered at late init, which a refused
	 * module never reaches; the code still prints with the line. Only
	 * --log targets and start-up stderr exist yet, not the config's.
	 */
	flog_err(EC_EBPF_VERSION,
		 "ebpf: module built for FRR %s, loaded into zebra %s (libfrr %s): not initialised, no hooks and no commands registered; zebra runs without the eBPF mirror and fast path. Install frr-ebpf built for FRR %s (configure it against that FRR's source) and restart zebra",
		 built, zebra ? zebra : "(unknown)",
		 libfrr ? libfrr : "(unknown)",
		 zebra ? zebra : "(unknown)");
	return false;
}

/*
 * The dynamic loader's own check, which the weak references turned off:
 * every unversioned reference in this .so's dynamic symbol table (read
 * from the file) must be defined by the running zebra or its libraries.
 * Returns how many are not, the first one's name in first. Unreadable
 * file: 0 (the version matched; nothing better to go by).
 */
static unsigned int frr_symbols_missing(char *first, size_t len)
{
	Elf_Data *syms = NULL, *vers = NULL;
	unsigned int missing = 0;
	Elf_Scn *scn = NULL;
	size_t i, n = 0, strndx = 0;
	Dl_info self;
	GElf_Shdr sh;
	Elf *e;
	int fd;

	if (!dladdr(fe_built_for, &self) || !self.dli_fname
	    || elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(self.dli_fname, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	e = elf_begin(fd, ELF_C_READ, NULL);
	while (e && (scn = elf_nextscn(e, scn)) && gelf_getshdr(scn, &sh)) {
		if (sh.sh_type == SHT_DYNSYM && sh.sh_entsize) {
			syms = elf_getdata(scn, NULL);
			n = sh.sh_size / sh.sh_entsize;
			strndx = sh.sh_link;
		} else if (sh.sh_type == SHT_GNU_versym)
			vers = elf_getdata(scn, NULL);
	}
	for (i = 1; syms && i < n; i++) {
		GElf_Versym ver = 0;
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(syms, i, &sym) || sym.st_shndx != SHN_UNDEF)
			continue;
		/* versioned (libc, libbpf): the loader checked it */
		if (vers && gelf_getversym(vers, i, &ver) && (ver & 0x7fff) > 1)
			continue;
		name = elf_strptr(e, strndx, sym.st_name);
		/* crtstuff's optional hooks, weak in every .so */
		if (!name || !*name || !strcmp(name, "__gmon_start__")
		    || !strncmp(name, "_ITM_", 5))
			continue;
		/* libc only here: FRR's strlcpy may be the missing one */
		if (!dlsym(RTLD_DEFAULT, name) && !missing++)
			snprintf(first, len, "%s", name);
	}
	if (e)
		elf_end(e);
	close(fd);
	return missing;
}

static bool frr_symbols_present(void)
{
	char first[128] = "";
	unsigned int missing = frr_symbols_missing(first, sizeof(first));

	if (!missing)
		return true;
	flog_err(EC_EBPF_VERSION,
		 "ebpf: zebra %s lacks %u of the FRR functions and variables the module was linked against (%s%s): not initialised, no hooks and no commands registered; zebra runs without the eBPF mirror and fast path. Rebuild frr-ebpf against the source this zebra was built from and restart zebra",
		 FRR_VERSION, missing, first, missing > 1 ? ", ..." : "");
	return false;
}

static int ebpf_module_init(void)
{
	/* Returning an error would make zebra exit: refuse by doing nothing. */
	if (!frr_version_matches() || !frr_symbols_present())
		return 0;

	hook_register(frr_late_init, ebpf_late_init);
	hook_register(frr_config_post, ebpf_config_post);
	hook_register(frr_fini, ebpf_fini);
	return 0;
}

FRR_MODULE_SETUP(.name = "zebra_ebpf", .version = FE_VERSION,
		 .description = "mirror of zebra's RIB in pinned eBPF maps",
		 .init = ebpf_module_init, );
