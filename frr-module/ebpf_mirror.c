// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mirror's map handling: create or adopt the pinned maps, write and
 * remove routes and nexthop groups, sweep stale entries after a restart.
 *
 * The shadow (lib/fe_shadow) remembers which prefixes and NHGs this zebra
 * has written: it gives NHG reference counts (an NHG leaves the map when no
 * route uses it and zebra no longer holds it) and, after a restart, tells
 * live entries from the stale ones a previous zebra left behind.
 */
#include "lib/zebra.h"

#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"
#include "lib/privs.h"

#include "fe_lpm6.h"
#include "fe_resilient.h"
#include "fe_shadow.h"
#include "ebpf_debug.h"
#include "ebpf_errors.h"
#include "ebpf_maputil.h"
#include "ebpf_mirror.h"
#include "ebpf_pathstats.h"
#include "fe_mirror.skel.h"

extern struct zebra_privs_t zserv_privs;

struct ebpf_mirror_counters ebpf_counters;

static const char *const map_names[EBPF_MAP_COUNT] = {
	[EBPF_MAP_ROUTE4] = FE_MAP_ROUTE4,
	[EBPF_MAP_ROUTE6] = FE_MAP_ROUTE6,
	[EBPF_MAP_NHG] = FE_MAP_NHG,
	[EBPF_MAP_NHGRES] = FE_MAP_NHG_RES,
	[EBPF_MAP_L4_TOP] = FE_MAP_LPM4_TOP,
	[EBPF_MAP_L4_GRP] = FE_MAP_LPM4_GROUPS,
	[EBPF_MAP_L4_STATE] = "fe_l4_state_v1",
	[EBPF_MAP_L6_TOP] = FE_MAP_LPM6_TOP,
	[EBPF_MAP_L6_GRP] = FE_MAP_LPM6_GROUPS,
	[EBPF_MAP_L6_STATE] = "fe_l6_state_v1",
	[EBPF_MAP_PATHSTATS] = FE_MAP_PATHSTATS,
	[EBPF_MAP_PATHSUMS] = FE_MAP_PATHSUMS,
};

/*
 * Also the initial configuration (m.size_cfg). For the groups maps of the
 * route tables it is the most their group array may grow to (the map
 * itself has one slot).
 */
#define MAP_SIZE_DEFAULTS                                   \
	{                                                   \
		[EBPF_MAP_ROUTE4] = FE_ROUTE4_MAX_DEFAULT,  \
		[EBPF_MAP_ROUTE6] = FE_ROUTE6_MAX_DEFAULT,  \
		[EBPF_MAP_NHG] = FE_NHG_MAX_DEFAULT,        \
		[EBPF_MAP_NHGRES] = FE_NHG_MAX_DEFAULT,     \
		[EBPF_MAP_L4_TOP] = FE_LPM6_TOP_VALUES,     \
		[EBPF_MAP_L4_GRP] = FE_L4_GROUPS_MAX_DEFAULT, \
		[EBPF_MAP_L4_STATE] = 1,                    \
		[EBPF_MAP_L6_TOP] = FE_LPM6_TOP_VALUES,     \
		[EBPF_MAP_L6_GRP] = FE_L6_GROUPS_MAX_DEFAULT, \
		[EBPF_MAP_L6_STATE] = 1,                    \
		[EBPF_MAP_PATHSTATS] = FE_PATHSTATS_ENTRIES, \
		[EBPF_MAP_PATHSUMS] = FE_NHSTATS_MAX,       \
	}

static const uint32_t map_size_defaults[EBPF_MAP_COUNT] = MAP_SIZE_DEFAULTS;

/*
 * A route table (bpf/fe_lpm6.h) the mirror builds through mmap, next to
 * the route trie of its family: its top array, and a group array it
 * makes itself and puts in the slot of the groups map, replacing it by a
 * larger one when the builder runs out of groups. The datapath uses the
 * table while its state map says 1.
 */
struct mtable {
	const char *name, *family, *size_word;
	enum ebpf_map_id top_id, groups_id, state_id;
	atomic_uint_fast64_t *errors;
	struct fe_lpm6 *b;
	uint32_t *top, *groups;
	size_t top_len;
	int groups_fd;	  /* the group array in the groups map's slot */
	uint32_t ngroups; /* its size */
	uint32_t grown;	  /* times it was replaced by a larger one */
	bool degraded; /* an update failed: the datapath uses the trie */
	uint64_t mark;
	bool marked;
};

static struct mtable t4 = {
	.name = "IPv4 table", .family = "IPv4", .size_word = "dir24-groups",
	.top_id = EBPF_MAP_L4_TOP, .groups_id = EBPF_MAP_L4_GRP,
	.state_id = EBPF_MAP_L4_STATE, .errors = &ebpf_counters.l4_errors,
	.groups_fd = -1,
};

static struct mtable t6 = {
	.name = "IPv6 table", .family = "IPv6", .size_word = "lpm6-groups",
	.top_id = EBPF_MAP_L6_TOP, .groups_id = EBPF_MAP_L6_GRP,
	.state_id = EBPF_MAP_L6_STATE, .errors = &ebpf_counters.l6_errors,
	.groups_fd = -1,
};

static struct {
	pthread_mutex_t lock;
	char pin_path[256];
	uint32_t size_cfg[EBPF_MAP_COUNT];
	unsigned int reconcile_delay;

	struct fe_mirror *skel;
	int fd[EBPF_MAP_COUNT];
	uint32_t size_active[EBPF_MAP_COUNT];
	struct fe_shadow *shadow;
	enum ebpf_sync_state state;
	char reason[512];
	bool adopted;
	time_t opened_at, synced_at, last_change;

	/* Log each kind of write failure once per open, count them all. */
	bool logged_full, logged_write;

	/* Scratch values: too large for the dplane thread's stack. */
	struct fe_nhg_val nhg_val, member_val, repair_val, prev_val;
	struct fe_res_table res, res_prev;
	struct fe_nhg nhg_tmp;

	/* Which group each group's slot table was last seeded from, so
	 * that a million routes moving A -> B rebuild B's table once.
	 */
	struct {
		uint32_t id, from;
	} seeded[4096];

	/* Paths marked down by local repair, to restore when links return. */
	struct repaired {
		uint32_t nhg_id;
		uint32_t ifindex;
		uint16_t idx;
		uint16_t weight;
	} *repaired;
	size_t nrepaired, repaired_cap;
} m = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.pin_path = FE_PIN_ROOT_DEFAULT,
	.size_cfg = MAP_SIZE_DEFAULTS,
	.reconcile_delay = EBPF_RECONCILE_DELAY_DEFAULT,
	.fd = { [0 ... EBPF_MAP_COUNT - 1] = -1 },
	.state = EBPF_SYNC_WAIT_CONFIG,
};

void ebpf_mirror_lock(void)
{
	pthread_mutex_lock(&m.lock);
}

void ebpf_mirror_unlock(void)
{
	pthread_mutex_unlock(&m.lock);
}

const char *ebpf_sync_state_str(enum ebpf_sync_state s)
{
	switch (s) {
	case EBPF_SYNC_WAIT_CONFIG:
		return "waiting for configuration";
	case EBPF_SYNC_RECONCILING:
		return "reconciling with maps of a previous run";
	case EBPF_SYNC_IN_SYNC:
		return "in sync";
	case EBPF_SYNC_FAILED:
		return "failed (not mirroring)";
	}
	return "unknown";
}

const char *ebpf_sync_state_json(enum ebpf_sync_state s)
{
	switch (s) {
	case EBPF_SYNC_WAIT_CONFIG:
		return "waitConfig";
	case EBPF_SYNC_RECONCILING:
		return "reconciling";
	case EBPF_SYNC_IN_SYNC:
		return "inSync";
	case EBPF_SYNC_FAILED:
		return "failed";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */
/* ------------------------------------------------------------------ */

const char *ebpf_mirror_pin_path(void)
{
	return m.pin_path;
}

bool ebpf_mirror_pin_path_is_default(void)
{
	return strcmp(m.pin_path, FE_PIN_ROOT_DEFAULT) == 0;
}

void ebpf_mirror_set_map_size(enum ebpf_map_id id, uint32_t entries)
{
	m.size_cfg[id] = entries ? entries : map_size_defaults[id];
}

uint32_t ebpf_mirror_map_size(enum ebpf_map_id id)
{
	return m.size_cfg[id];
}

uint32_t ebpf_mirror_map_size_default(enum ebpf_map_id id)
{
	return map_size_defaults[id];
}

void ebpf_mirror_set_reconcile_delay(unsigned int seconds)
{
	m.reconcile_delay = seconds;
}

unsigned int ebpf_mirror_reconcile_delay(void)
{
	return m.reconcile_delay;
}

static int mkdir_p(const char *path)
{
	char buf[256];
	char *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static const char *fs_type_name(long type, char *buf, size_t size)
{
	switch (type) {
	case SYSFS_MAGIC:
		return "sysfs";
	case TMPFS_MAGIC:
		return "tmpfs";
	case EXT4_SUPER_MAGIC:
		return "ext2/3/4";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case PROC_SUPER_MAGIC:
		return "procfs";
	}
	snprintf(buf, size, "a filesystem of type 0x%lx", type);
	return buf;
}

/*
 * Before creating anything, the nearest existing directory of the pin
 * path must be on bpffs in zebra's mount namespace. Under `ip netns exec`
 * /sys is a fresh sysfs whose fs/bpf is an empty directory: mkdir there
 * fails with ENOENT, which would hide the real cause.
 */
static int check_bpffs_ancestor(const char *path, char *err, size_t errlen)
{
	char dir[256], tbuf[48];
	struct statfs sfs;
	char *slash;
	int ret = 0;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir))
		return 0; /* mkdir_p reports it */
	frr_with_privs (&zserv_privs) {
		while (statfs(dir, &sfs)) {
			slash = strrchr(dir, '/');
			if (errno != ENOENT || !slash) {
				ret = -errno;
				break;
			}
			if (slash == dir)
				slash[1] = '\0';
			else
				*slash = '\0';
		}
	}
	/* Anything but a missing directory: mkdir_p and statfs report it. */
	if (ret || sfs.f_type == BPF_FS_MAGIC)
		return 0;

	if (strcmp(dir, path) == 0)
		snprintf(err, errlen,
			 "pin path %s is on %s, not on a bpf filesystem, in zebra's mount namespace",
			 path, fs_type_name(sfs.f_type, tbuf, sizeof(tbuf)));
	else
		snprintf(err, errlen,
			 "pin path %s: its nearest existing directory %s is on %s, not on a bpf filesystem, in zebra's mount namespace",
			 path, dir, fs_type_name(sfs.f_type, tbuf, sizeof(tbuf)));
	if (strcmp(dir, "/sys") == 0 || strncmp(dir, "/sys/", 5) == 0)
		strlcat(err,
			"; under `ip netns exec` /sys is a fresh sysfs without bpffs: use a pin path on a bpffs outside /sys, prepared by `frr-ebpf-prepare PATH` (it mounts one), with `ebpf pin-path PATH`; without a netns, `frr-ebpf-prepare` mounts /sys/fs/bpf",
			errlen);
	else
		strlcat(err,
			"; prepare it with `frr-ebpf-prepare PATH` (it mounts a bpffs there) before zebra starts",
			errlen);
	return -ENOTSUP;
}

/* The pin root must be on bpffs, or pinning fails in a confusing way. */
static int check_bpffs(const char *path, char *err, size_t errlen)
{
	struct statfs sfs;
	int ret;

	ret = check_bpffs_ancestor(path, err, errlen);
	if (ret)
		return ret;
	frr_with_privs (&zserv_privs) {
		ret = mkdir_p(path);
	}
	if (ret) {
		snprintf(err, errlen, "cannot create %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	if (statfs(path, &sfs)) {
		ret = -errno;
		snprintf(err, errlen, "cannot stat %s: %s", path,
			 strerror(errno));
		return ret;
	}
	if (sfs.f_type != BPF_FS_MAGIC) {
		snprintf(err, errlen,
			 "%s is not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf)",
			 path);
		return -ENOTSUP;
	}
	return 0;
}

static void map_pin_file(char *buf, size_t size, const char *root,
			 enum ebpf_map_id id)
{
	snprintf(buf, size, "%s/%s", root, map_names[id]);
}

/*
 * Move the pins of open maps to a new root: pin there first, then unpin
 * the old ones, so a failure leaves everything where it was.
 */
static int move_pins(const char *to, char *err, size_t errlen)
{
	char path[512];
	int i, ret = 0;

	for (i = 0; i < EBPF_MAP_COUNT; i++) {
		map_pin_file(path, sizeof(path), to, i);
		if (access(path, F_OK) == 0) {
			snprintf(err, errlen,
				 "%s already holds frr-ebpf maps (%s); remove them first",
				 to, map_names[i]);
			return -EEXIST;
		}
	}
	frr_with_privs (&zserv_privs) {
		for (i = 0; i < EBPF_MAP_COUNT; i++) {
			map_pin_file(path, sizeof(path), to, i);
			if (bpf_obj_pin(m.fd[i], path)) {
				ret = -errno;
				snprintf(err, errlen, "cannot pin %s: %s", path,
					 strerror(errno));
				break;
			}
		}
		if (ret) {
			while (--i >= 0) {
				map_pin_file(path, sizeof(path), to, i);
				unlink(path);
			}
		} else {
			for (i = 0; i < EBPF_MAP_COUNT; i++) {
				map_pin_file(path, sizeof(path), m.pin_path, i);
				unlink(path);
			}
			rmdir(m.pin_path); /* only succeeds when empty */
		}
	}
	return ret;
}

int ebpf_mirror_set_pin_path(const char *path, char *err, size_t errlen)
{
	char norm[256];
	size_t len;
	int ret = 0;

	if (!path || path[0] != '/') {
		snprintf(err, errlen, "pin path must be absolute");
		return -EINVAL;
	}
	len = strlcpy(norm, path, sizeof(norm));
	if (len >= sizeof(norm) - 32) {
		snprintf(err, errlen, "pin path too long (max %zu characters)",
			 sizeof(norm) - 32);
		return -ENAMETOOLONG;
	}
	while (len > 1 && norm[len - 1] == '/')
		norm[--len] = '\0';

	ebpf_mirror_lock();
	if (strcmp(norm, m.pin_path) == 0)
		goto out;
	if (m.skel) {
		ret = check_bpffs(norm, err, errlen);
		if (!ret)
			ret = move_pins(norm, err, errlen);
	}
	if (!ret)
		strlcpy(m.pin_path, norm, sizeof(m.pin_path));
out:
	ebpf_mirror_unlock();
	return ret;
}

/* ------------------------------------------------------------------ */
/* Open and close                                                      */
/* ------------------------------------------------------------------ */

static int libbpf_to_zlog(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	char buf[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	zlog_info("ebpf: libbpf: %s", buf);
	return 0;
}

/* A pinned map of a previous run keeps its size: adopt it. */
static uint32_t pinned_max_entries(const char *path)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	uint32_t max = 0;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		max = info.max_entries;
	close(fd);
	return max;
}

/*
 * Maps of earlier layouts (their names end in an older version). A fast
 * path loaded by an older module keeps its own references and forwards
 * until it is replaced; the names go, so nothing reads them by mistake.
 */
static const char *const retired_pins[] = {
	"fe_d24_tbl24_v1", /* DIR-24-8: 64 MiB whatever the table */
	"fe_d24_tbl8_v1",
	"fe_d24_state_v1",
	"fe_l6_grp_v1", /* IPv6 groups before they could grow */
};

static void retired_pins_remove(void)
{
	char path[512];

	for (size_t i = 0; i < array_size(retired_pins); i++) {
		snprintf(path, sizeof(path), "%s/%s", m.pin_path,
			 retired_pins[i]);
		if (unlink(path) == 0)
			zlog_notice("ebpf: removed %s, a map of an earlier version",
				    path);
	}
}

static void open_failed(int err, const char *fmt, ...) PRINTFRR(2, 3);
static void open_failed(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m.reason, sizeof(m.reason), fmt, ap);
	va_end(ap);
	m.state = EBPF_SYNC_FAILED;
	flog_err(EC_EBPF_MAP_OPEN,
		 "ebpf: mirror disabled: %s; zebra keeps installing routes in the kernel",
		 m.reason);
	(void)err;
}

static void table_set_ready(struct mtable *t, bool ready)
{
	uint32_t zero = 0, v = ready && !t->degraded;

	bpf_map_update_elem(m.fd[t->state_id], &zero, &v, BPF_ANY);
}

static void tables_set_ready(bool ready)
{
	table_set_ready(&t4, ready);
	table_set_ready(&t6, ready);
}

/* A group array of n groups, mapped: 0, or a negative errno. */
static int group_array_new(uint32_t n, int *fd, uint32_t **mem)
{
	int ret = 0;

	frr_with_privs (&zserv_privs) {
		ret = ebpf_group_array_new(n, fd, mem);
	}
	return ret;
}

static void table_unmap(struct mtable *t)
{
	fe_lpm6_free(t->b);
	t->b = NULL;
	if (t->top && t->top != MAP_FAILED)
		munmap(t->top, t->top_len);
	t->top = NULL;
	/* The array stays in the pinned groups map for the fast path. */
	ebpf_group_array_drop(t->groups_fd, t->groups, t->ngroups);
	t->groups = NULL;
	t->groups_fd = -1;
}

/*
 * Map the top array and make a small group array for a builder, which
 * clears both: the datapath is told not to use the table until it is
 * complete again (tables_set_ready). An array of a previous run in the
 * groups map is replaced, the table being rebuilt from the RIB anyway.
 */
static int table_map(struct mtable *t)
{
	uint32_t zero = 0, off = 0, cap = m.size_cfg[t->groups_id];
	int ret;

	bpf_map_update_elem(m.fd[t->state_id], &zero, &off, BPF_ANY);
	t->degraded = t->marked = false;
	t->grown = 0;
	t->top_len = (size_t)m.size_active[t->top_id] * 1024;
	t->top = mmap(NULL, t->top_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      m.fd[t->top_id], 0);
	if (t->top == MAP_FAILED) {
		ret = -errno;
		t->top = NULL;
		return ret;
	}
	t->ngroups = MIN(cap, FE_TBL_GROUPS_INITIAL);
	ret = group_array_new(t->ngroups, &t->groups_fd, &t->groups);
	if (!ret) {
		t->b = fe_lpm6_new(t->top, t->groups, t->ngroups);
		ret = t->b ? ebpf_group_array_publish(m.fd[t->groups_id],
						      t->groups_fd)
			   : -ENOMEM;
	}
	if (ret)
		table_unmap(t);
	return ret;
}

/*
 * The builder is out of groups: copy the group array into one twice as
 * large (up to the configured limit) and swap it in. Programs that
 * fetched the old array finish on it, a consistent copy; nothing writes
 * between the copy and the swap (one writer, under the lock). On error
 * the old array stays.
 */
static int table_grow(struct mtable *t)
{
	uint32_t cap = m.size_cfg[t->groups_id], n, *mem = NULL;
	int fd = -1, ret;

	if (t->ngroups >= cap)
		return -ENOSPC;
	n = t->ngroups > cap / 2 ? cap : MAX(t->ngroups * 2, 16U);
	ret = group_array_new(n, &fd, &mem);
	if (ret)
		return ret;
	memcpy(mem, t->groups, (size_t)t->ngroups * sizeof(struct fe_lpm6_val));
	ret = fe_lpm6_regroup(t->b, mem, n);
	if (!ret) {
		ret = ebpf_group_array_publish(m.fd[t->groups_id], fd);
		if (ret) {
			/* the builder is on the new array, the fast path on
			 * the old one: give the table up (the caller
			 * degrades it) */
			fe_lpm6_free(t->b);
			t->b = NULL;
		}
	}
	if (ret) {
		ebpf_group_array_drop(fd, mem, n);
		return ret;
	}
	ebpf_group_array_drop(t->groups_fd, t->groups, t->ngroups);
	t->groups_fd = fd;
	t->groups = mem;
	t->ngroups = n;
	t->grown++;
	if (IS_EBPF_DEBUG_MIRROR)
		zlog_debug("ebpf: %s groups grown to %u", t->name, n);
	return 0;
}

static void tables_close(void)
{
	table_unmap(&t4);
	table_unmap(&t6);
}

static int tables_open(void)
{
	int ret = table_map(&t4);

	if (!ret)
		ret = table_map(&t6);
	if (ret)
		tables_close();
	return ret;
}

/* A prefix's address as the builder takes it: IPv4 in front, then 0. */
static void table_addr(const struct fe_prefix *p, uint8_t a[16])
{
	memset(a, 0, 16);
	memcpy(a, p->addr, p->family == AF_INET ? 4 : 16);
}

static int table_add(struct mtable *t, const struct fe_prefix *p,
		     uint32_t value)
{
	uint8_t a[16];
	int ret;

	table_addr(p, a);
	ret = fe_lpm6_add(t->b, a, p->len, value);
	/* a prefix needs a few groups at most: one growth is enough */
	if (ret == -ENOSPC) {
		ret = table_grow(t);
		if (!ret)
			ret = t->b ? fe_lpm6_add(t->b, a, p->len, value)
				   : -ENOMEM;
	}
	return ret;
}

static int table_del(struct mtable *t, const struct fe_prefix *p)
{
	uint8_t a[16];

	table_addr(p, a);
	return fe_lpm6_del(t->b, a, p->len);
}

/* The table value of a route (see fe_maps.h): the same in both tables. */
uint32_t ebpf_mirror_table_value(uint8_t kind, uint32_t nhg_id)
{
	if (kind != FE_ROUTE_UNICAST)
		return FE_TBL_NONUNICAST | kind;
	return nhg_id < FE_TBL_NONUNICAST ? nhg_id : FE_TBL_LPM;
}

static uint32_t table_value(const struct fe_route *r)
{
	return ebpf_mirror_table_value(r->kind, r->nhg_id);
}

int ebpf_mirror_table_lookup(const struct fe_prefix *dst, uint32_t *value,
			     bool *in_use)
{
	const struct mtable *t = dst->family == AF_INET ? &t4 : &t6;
	uint32_t zero = 0, ready = 0;
	uint8_t a[16];
	int ret = -ENOTCONN;

	ebpf_mirror_lock();
	if (t->b) {
		table_addr(dst, a);
		/* the memory the fast path reads, read the same way */
		ret = fe_lpm6_lookup(t->b, a, value);
		bpf_map_lookup_elem(m.fd[t->state_id], &zero, &ready);
	}
	*in_use = ready;
	ebpf_mirror_unlock();
	return ret;
}

/* A failed update leaves the table wrong somewhere: stop using it. */
static void table_failed(struct mtable *t, int err, const struct fe_prefix *p)
{
	char pfx[64];

	atomic_fetch_add(t->errors, 1);
	if (t->degraded)
		return;
	t->degraded = true;
	table_set_ready(t, false);
	flog_err(EC_EBPF_MAP_FULL,
		 "ebpf: %s update of %s failed (%s): the fast path looks %s routes up in the LPM trie from now on; raise `ebpf map-size %s` and restart zebra",
		 t->name, fe_prefix_str(p, pfx, sizeof(pfx)), strerror(-err),
		 t->family, t->size_word);
}

static void table_grace(struct mtable *t)
{
	struct fe_lpm6_stats ls;

	if (!t->b) /* given up after a failed growth */
		return;
	if (t->marked)
		fe_lpm6_grace_upto(t->b, t->mark);
	fe_lpm6_stats(t->b, &ls);
	t->marked = ls.groups_pending != 0;
	t->mark = fe_lpm6_grace_mark(t->b);
}

void ebpf_mirror_grace(void)
{
	ebpf_mirror_lock();
	if (!m.skel)
		goto out;
	/* counter slots retired over a tick ago: none is counted in now */
	ebpf_pathstats_reap();
	/*
	 * Groups freed before the marks may still be read by a program that
	 * started before; membarrier(GLOBAL) waits for an RCU grace period,
	 * after which none can. Without membarrier, a tick (1 s) apart is
	 * the same in practice: a program runs for microseconds.
	 */
	if (t4.marked || t6.marked)
		syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
	table_grace(&t4);
	table_grace(&t6);
out:
	ebpf_mirror_unlock();
}

int ebpf_mirror_open(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_map *maps[EBPF_MAP_COUNT];
	char path[512], err[512];
	int i, ret = 0;

	ebpf_mirror_lock();
	if (m.skel)
		goto out;

	libbpf_set_print(libbpf_to_zlog);
	ret = check_bpffs(m.pin_path, err, sizeof(err));
	if (ret) {
		open_failed(ret, "%s", err);
		goto out;
	}

	opts.pin_root_path = m.pin_path;
	m.skel = fe_mirror__open_opts(&opts);
	if (!m.skel) {
		ret = -errno;
		open_failed(ret, "cannot open the BPF object: %s",
			    strerror(errno));
		goto out;
	}
	maps[EBPF_MAP_ROUTE4] = m.skel->maps.fe_route4_v1;
	maps[EBPF_MAP_ROUTE6] = m.skel->maps.fe_route6_v1;
	maps[EBPF_MAP_NHG] = m.skel->maps.fe_nhg_v1;
	maps[EBPF_MAP_NHGRES] = m.skel->maps.fe_nhgres_v1;
	maps[EBPF_MAP_L4_TOP] = m.skel->maps.fe_l4_top_v1;
	maps[EBPF_MAP_L4_GRP] = m.skel->maps.fe_l4_grp_v1;
	maps[EBPF_MAP_L4_STATE] = m.skel->maps.fe_l4_state_v1;
	maps[EBPF_MAP_L6_TOP] = m.skel->maps.fe_l6_top_v1;
	maps[EBPF_MAP_L6_GRP] = m.skel->maps.fe_l6_grp_v2;
	maps[EBPF_MAP_L6_STATE] = m.skel->maps.fe_l6_state_v1;
	maps[EBPF_MAP_PATHSTATS] = m.skel->maps.fe_pathstats_v1;
	maps[EBPF_MAP_PATHSUMS] = m.skel->maps.fe_pathsums_v1;

	m.adopted = false;
	frr_with_privs (&zserv_privs) {
		for (i = 0; i < EBPF_MAP_COUNT; i++) {
			uint32_t pinned;

			map_pin_file(path, sizeof(path), m.pin_path, i);
			pinned = pinned_max_entries(path);
			if (pinned)
				m.adopted = true;
			/* one slot, for the group array sized as it grows */
			if (i == EBPF_MAP_L4_GRP || i == EBPF_MAP_L6_GRP) {
				m.size_active[i] = m.size_cfg[i];
				continue;
			}
			m.size_active[i] = pinned ? pinned : m.size_cfg[i];
			bpf_map__set_max_entries(maps[i], m.size_active[i]);
		}
		retired_pins_remove();
		ret = fe_mirror__load(m.skel);
	}
	if (ret) {
		open_failed(ret, "cannot create or pin maps under %s: %s",
			    m.pin_path, strerror(-ret));
		fe_mirror__destroy(m.skel);
		m.skel = NULL;
		goto out;
	}
	for (i = 0; i < EBPF_MAP_COUNT; i++)
		m.fd[i] = bpf_map__fd(maps[i]);

	ret = tables_open();
	if (ret) {
		open_failed(ret, "cannot map the IPv4 and IPv6 route tables: %s",
			    strerror(-ret));
		fe_mirror__destroy(m.skel);
		m.skel = NULL;
		goto out;
	}

	m.shadow = fe_shadow_new();
	if (!m.shadow ||
	    ebpf_pathstats_open(m.fd[EBPF_MAP_PATHSTATS],
				m.fd[EBPF_MAP_PATHSUMS], m.fd[EBPF_MAP_NHG],
				m.adopted)) {
		ret = -ENOMEM;
		fe_shadow_free(m.shadow);
		m.shadow = NULL;
		open_failed(ret, "out of memory for the shadow table or the counter slots");
		fe_mirror__destroy(m.skel);
		m.skel = NULL;
		goto out;
	}

	m.opened_at = m.last_change = monotime(NULL);
	m.logged_full = m.logged_write = false;
	memset(m.seeded, 0, sizeof(m.seeded));
	m.reason[0] = '\0';
	/* A fresh table fills as routes arrive, like the tries; an adopted
	 * one was cleared above and is only trusted once the RIB replayed.
	 */
	tables_set_ready(!m.adopted);
	if (m.adopted) {
		m.state = EBPF_SYNC_RECONCILING;
		zlog_notice("ebpf: adopted pinned maps under %s; stale entries are removed once the RIB has been replayed (reconcile-delay %us)",
			    m.pin_path, m.reconcile_delay);
	} else {
		m.state = EBPF_SYNC_IN_SYNC;
		m.synced_at = m.opened_at;
		zlog_notice("ebpf: mirror maps created under %s", m.pin_path);
	}
out:
	ebpf_mirror_unlock();
	return ret;
}

void ebpf_mirror_close(void)
{
	int i;

	ebpf_mirror_lock();
	/* Pins stay: the fast path keeps forwarding while zebra is down. */
	tables_close();
	if (m.skel)
		fe_mirror__destroy(m.skel);
	m.skel = NULL;
	for (i = 0; i < EBPF_MAP_COUNT; i++)
		m.fd[i] = -1;
	fe_shadow_free(m.shadow);
	m.shadow = NULL;
	ebpf_pathstats_close();
	free(m.repaired);
	m.repaired = NULL;
	m.nrepaired = m.repaired_cap = 0;
	ebpf_mirror_unlock();
}

void ebpf_mirror_path_counts(void (*cb)(const struct fe_nh_key *k,
					 uint64_t packets, uint64_t bytes,
					 void *arg),
			     void *arg)
{
	ebpf_mirror_lock();
	ebpf_pathstats_foreach(cb, arg);
	ebpf_mirror_unlock();
}

void ebpf_mirror_path_counts_clear(void)
{
	ebpf_mirror_lock();
	ebpf_pathstats_clear();
	ebpf_mirror_unlock();
}

bool ebpf_mirror_is_open(void)
{
	return m.skel != NULL;
}

int ebpf_mirror_map_fd(enum ebpf_map_id id)
{
	return m.skel ? m.fd[id] : -1;
}

/* ------------------------------------------------------------------ */
/* Writes (lock held, dplane thread)                                   */
/* ------------------------------------------------------------------ */

static int map_error(int err, const char *what, const char *detail)
{
	atomic_fetch_add(&ebpf_counters.errors, 1);
	if (err == -E2BIG || err == -ENOSPC || err == -ENOMEM) {
		atomic_fetch_add(&ebpf_counters.map_full, 1);
		if (!m.logged_full) {
			m.logged_full = true;
			flog_err(EC_EBPF_MAP_FULL,
				 "ebpf: %s map full writing %s (%s); further entries are counted, not logged",
				 what, detail, strerror(-err));
		}
	} else if (!m.logged_write) {
		m.logged_write = true;
		flog_err(EC_EBPF_MAP_WRITE,
			 "ebpf: %s map write failed for %s: %s; further failures are counted, not logged",
			 what, detail, strerror(-err));
	}
	return err;
}

static int map_update(enum ebpf_map_id id, const void *key, const void *val)
{
	if (bpf_map_update_elem(m.fd[id], key, val, BPF_ANY))
		return -errno;
	return 0;
}

static int map_delete(enum ebpf_map_id id, const void *key)
{
	if (bpf_map_delete_elem(m.fd[id], key) && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * The resilient slot table of the group just encoded in m.nhg_val, built
 * from the table it replaces: the group's own (zebra updated it in place)
 * or, for a new group, that of the group the route used before (zebra
 * gives a changed path set a new id), so only the flows of changed paths
 * move. 0, or negative errno when the group has no path up.
 */
static int res_build(uint32_t id, uint32_t seed_id)
{
	int fd_res = m.fd[EBPF_MAP_NHGRES], fd_nhg = m.fd[EBPF_MAP_NHG];
	uint32_t from = 0;

	if (bpf_map_lookup_elem(fd_res, &id, &m.res_prev) == 0 &&
	    bpf_map_lookup_elem(fd_nhg, &id, &m.prev_val) == 0)
		from = id;
	else if (seed_id &&
		 bpf_map_lookup_elem(fd_res, &seed_id, &m.res_prev) == 0 &&
		 bpf_map_lookup_elem(fd_nhg, &seed_id, &m.prev_val) == 0)
		from = seed_id;
	if (from && fe_res_build(&m.res, &m.nhg_val, &m.res_prev,
				 &m.prev_val) == 0)
		return 0;
	return fe_res_build(&m.res, &m.nhg_val, NULL, NULL);
}

/*
 * A route moved to a group that already exists (zebra often moves routes
 * back to a group it kept): carry the flows over from the group the route
 * left, unless that transition was handled already.
 */
static void res_reseed(uint32_t id, uint32_t from)
{
	unsigned int slot = id % array_size(m.seeded);

	if (m.seeded[slot].id == id && m.seeded[slot].from == from)
		return;
	m.seeded[slot].id = id;
	m.seeded[slot].from = from;
	if (bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &id, &m.nhg_val) ||
	    bpf_map_lookup_elem(m.fd[EBPF_MAP_NHGRES], &from, &m.res_prev) ||
	    bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &from, &m.prev_val))
		return;
	if (fe_res_build(&m.res, &m.nhg_val, &m.res_prev, &m.prev_val) == 0)
		map_update(EBPF_MAP_NHGRES, &id, &m.res);
}

static int nhg_write(const struct fe_nhg *g, uint32_t seed_id)
{
	char detail[32];
	int ret, res;

	ret = fe_nhg_encode(g, &m.nhg_val);
	if (ret)
		return ret;
	/* a fresh counter slot: its index i is this write's path i */
	m.nhg_val.stats_slot = ebpf_pathstats_take(g->id, &m.nhg_val);
	res = res_build(g->id, seed_id);
	ret = map_update(EBPF_MAP_NHG, &g->id, &m.nhg_val);
	if (ret) {
		ebpf_pathstats_drop(m.nhg_val.stats_slot);
		snprintf(detail, sizeof(detail), "nhg %u", g->id);
		return map_error(ret, "nexthop-group", detail);
	}
	ebpf_pathstats_published(g->id, m.nhg_val.stats_slot);
	/* Group first: a table never names paths its group lacks for long,
	 * and the datapath falls back to weighted while counts differ.
	 */
	if (res == 0)
		map_update(EBPF_MAP_NHGRES, &g->id, &m.res);
	else
		map_delete(EBPF_MAP_NHGRES, &g->id);
	return 0;
}

/* Drop an NHG from the map once nothing uses or holds it. */
static void nhg_release(uint32_t id)
{
	int ret;

	if (!id || !fe_shadow_nhg_unused(m.shadow, id))
		return;
	ret = map_delete(EBPF_MAP_NHG, &id);
	if (ret) {
		map_error(ret, "nexthop-group", "delete");
	} else {
		atomic_fetch_add(&ebpf_counters.nhg_deletes, 1);
		/* still in the map, it still counts in its slot */
		ebpf_pathstats_release(id);
	}
	map_delete(EBPF_MAP_NHGRES, &id);
}

static bool not_open(void)
{
	if (m.skel)
		return false;
	atomic_fetch_add(&ebpf_counters.skipped_not_open, 1);
	return true;
}

int ebpf_mirror_route_set(const struct fe_route *r, const struct fe_nhg *g,
			  bool *replaced)
{
	union fe_route_key key;
	struct fe_route_val val;
	enum ebpf_map_id id;
	struct mtable *table;
	uint32_t old_nhg = 0;
	bool wrote_nhg = false;
	char pfx[64];
	size_t keylen;
	int ret;

	if (not_open())
		return -ENOTCONN;
	ret = fe_route_encode(r, &key, &keylen, &val);
	if (ret)
		return ret;
	id = r->dst.family == AF_INET ? EBPF_MAP_ROUTE4 : EBPF_MAP_ROUTE6;
	table = r->dst.family == AF_INET ? &t4 : &t6;

	/*
	 * The group goes in first, so the fast path never sees a route
	 * whose group is missing. Zebra's NHG ids name their content, so a
	 * group already present is not written again.
	 */
	if (r->kind == FE_ROUTE_UNICAST) {
		uint32_t seed = 0;

		fe_shadow_route_get(m.shadow, &r->dst, &seed);
		if (!fe_shadow_nhg_has(m.shadow, r->nhg_id)) {
			ret = nhg_write(g, seed);
			if (ret)
				return ret;
			wrote_nhg = true;
			atomic_fetch_add(&ebpf_counters.nhg_installs, 1);
		} else if (seed && seed != r->nhg_id) {
			res_reseed(r->nhg_id, seed);
		}
	}

	ret = map_update(id, &key, &val);
	if (ret) {
		if (wrote_nhg && map_delete(EBPF_MAP_NHG, &r->nhg_id) == 0)
			ebpf_pathstats_release(r->nhg_id);
		return map_error(ret, id == EBPF_MAP_ROUTE4 ? "route4" : "route6",
				 fe_prefix_str(&r->dst, pfx, sizeof(pfx)));
	}

	if (table->b) {
		ret = table_add(table, &r->dst, table_value(r));
		if (ret)
			table_failed(table, ret, &r->dst);
	}
	if (r->nhg_id)
		fe_shadow_nhg_ref(m.shadow, r->nhg_id);
	ret = fe_shadow_route_set(m.shadow, &r->dst, r->nhg_id, &old_nhg);
	if (ret < 0) {
		/* Out of memory: the map entry stands, reconcile may lose it. */
		fe_shadow_nhg_unref(m.shadow, r->nhg_id);
		return map_error(ret, "shadow", "route");
	}
	*replaced = (ret == 0);
	if (*replaced)
		fe_shadow_nhg_unref(m.shadow, old_nhg), nhg_release(old_nhg);
	return 0;
}

int ebpf_mirror_route_del(const struct fe_prefix *p)
{
	struct fe_route r = { .dst = *p, .kind = FE_ROUTE_BLACKHOLE };
	union fe_route_key key;
	struct fe_route_val val;
	struct mtable *table;
	uint32_t old_nhg = 0;
	char pfx[64];
	size_t keylen;
	int ret;

	if (not_open())
		return -ENOTCONN;
	ret = fe_route_encode(&r, &key, &keylen, &val);
	if (ret)
		return ret;
	ret = map_delete(p->family == AF_INET ? EBPF_MAP_ROUTE4
					      : EBPF_MAP_ROUTE6,
			 &key);
	if (ret)
		return map_error(ret, "route", fe_prefix_str(p, pfx, sizeof(pfx)));
	table = p->family == AF_INET ? &t4 : &t6;
	if (table->b)
		ret = table_del(table, p);
	if (ret && ret != -ENOENT)
		table_failed(table, ret, p);
	if (fe_shadow_route_del(m.shadow, p, &old_nhg) == 0 && old_nhg) {
		fe_shadow_nhg_unref(m.shadow, old_nhg);
		nhg_release(old_nhg);
	}
	return 0;
}

int ebpf_mirror_route_get(const struct fe_prefix *p, struct fe_route_val *val,
			  struct fe_nhg_val *nhg)
{
	struct fe_route r = { .dst = *p, .kind = FE_ROUTE_BLACKHOLE };
	union fe_route_key key;
	struct fe_route_val dummy;
	size_t keylen;

	if (!m.skel)
		return -ENOTCONN;
	if (!fe_shadow_route_has(m.shadow, p) ||
	    fe_route_encode(&r, &key, &keylen, &dummy) ||
	    bpf_map_lookup_elem(m.fd[p->family == AF_INET ? EBPF_MAP_ROUTE4
							  : EBPF_MAP_ROUTE6],
				&key, val))
		return -ENOENT;
	nhg->count = 0;
	if (val->kind == FE_ROUTE_UNICAST &&
	    bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &val->nhg_id, nhg))
		return -ENOENT;
	return 0;
}

int ebpf_mirror_nhg_set(const struct fe_nhg *g, bool *replaced)
{
	int ret;

	if (not_open())
		return -ENOTCONN;
	*replaced = fe_shadow_nhg_has(m.shadow, g->id);
	ret = nhg_write(g, 0);
	if (ret)
		return ret;
	fe_shadow_nhg_hold(m.shadow, g->id, true);
	return 0;
}

/*
 * A group NHG names its members by id, as the kernel's nexthop objects
 * do: its paths are the members' paths (already in the map, zebra installs
 * members first) with the group's weights.
 */
int ebpf_mirror_nhg_group_set(uint32_t id, const uint32_t *members,
			      const uint16_t *weights, unsigned int count,
			      bool *replaced)
{
	struct fe_nhg *g = &m.nhg_tmp;
	unsigned int i, j;
	int ret;

	if (not_open())
		return -ENOTCONN;
	memset(g, 0, sizeof(*g));
	g->id = id;
	for (i = 0; i < count; i++) {
		if (bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &members[i],
					&m.member_val))
			return -ENOENT;
		for (j = 0; j < m.member_val.count; j++) {
			const struct fe_nexthop *src = &m.member_val.nh[j];
			struct fe_nh nh = {
				.type = src->type,
				.ifindex = src->ifindex,
				.weight = weights[i] ? weights[i] : 1,
				.flags = src->flags,
			};

			memcpy(nh.addr, src->addr, sizeof(nh.addr));
			ret = fe_nhg_add(g, &nh);
			if (ret)
				return ret;
		}
	}
	return ebpf_mirror_nhg_set(g, replaced);
}

int ebpf_mirror_nhg_del(uint32_t id)
{
	if (not_open())
		return -ENOTCONN;
	if (!fe_shadow_nhg_has(m.shadow, id))
		return 0;
	fe_shadow_nhg_hold(m.shadow, id, false);
	nhg_release(id);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Fast local repair                                                   */
/* ------------------------------------------------------------------ */

static int remember_repair(uint32_t nhg_id, uint32_t ifindex, uint16_t idx,
			   uint16_t weight)
{
	if (m.nrepaired == m.repaired_cap) {
		size_t cap = m.repaired_cap ? m.repaired_cap * 2 : 64;
		void *grown = realloc(m.repaired, cap * sizeof(*m.repaired));

		if (!grown)
			return -ENOMEM;
		m.repaired = grown;
		m.repaired_cap = cap;
	}
	m.repaired[m.nrepaired++] = (struct repaired){ nhg_id, ifindex, idx,
						       weight };
	return 0;
}

struct repair_walk {
	uint32_t ifindex;
	int written;
};

static int repair_down_cb(uint32_t id, uint32_t refs, bool held, void *arg)
{
	struct repair_walk *w = arg;
	struct fe_nhg_val *v = &m.repair_val;
	bool changed = false;

	if (bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &id, v))
		return 0;
	for (unsigned int i = 0; i < v->count && i < FE_MAX_PATHS; i++) {
		if (v->nh[i].ifindex != w->ifindex || v->nh[i].weight == 0)
			continue;
		if (remember_repair(id, w->ifindex, i, v->nh[i].weight))
			break;
		v->total_weight -= v->nh[i].weight;
		v->nh[i].weight = 0;
		changed = true;
	}
	if (changed && bpf_map_update_elem(m.fd[EBPF_MAP_NHG], &id, v,
					   BPF_EXIST) == 0)
		w->written++;
	return 0;
}

int ebpf_mirror_link_state(uint32_t ifindex, bool up)
{
	struct repair_walk w = { .ifindex = ifindex };
	size_t i, kept = 0;

	ebpf_mirror_lock();
	if (!m.skel)
		goto out;
	if (!up) {
		fe_shadow_nhg_foreach(m.shadow, repair_down_cb, &w);
		atomic_fetch_add(&ebpf_counters.repair_events, 1);
		atomic_fetch_add(&ebpf_counters.repair_nhg_writes, w.written);
		goto out;
	}
	/* Back up: restore each marked path still as we left it. */
	for (i = 0; i < m.nrepaired; i++) {
		struct repaired *r = &m.repaired[i];
		struct fe_nhg_val *v = &m.repair_val;

		if (r->ifindex != ifindex) {
			m.repaired[kept++] = *r;
			continue;
		}
		if (bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &r->nhg_id, v) ||
		    r->idx >= v->count || v->nh[r->idx].ifindex != ifindex ||
		    v->nh[r->idx].weight != 0)
			continue; /* zebra rewrote the group: it knows best */
		v->nh[r->idx].weight = r->weight;
		v->total_weight += r->weight;
		if (bpf_map_update_elem(m.fd[EBPF_MAP_NHG], &r->nhg_id, v,
					BPF_EXIST) == 0)
			w.written++;
	}
	m.nrepaired = kept;
	atomic_fetch_add(&ebpf_counters.repair_nhg_writes, w.written);
out:
	ebpf_mirror_unlock();
	return w.written;
}

/* ------------------------------------------------------------------ */
/* Reconcile                                                           */
/* ------------------------------------------------------------------ */

void ebpf_mirror_note_change(time_t now)
{
	m.last_change = now;
}

/*
 * Due once the delay has passed and the RIB has been quiet for two
 * seconds (the replay is over), or at the latest after four delays.
 */
bool ebpf_mirror_reconcile_due(time_t now)
{
	time_t start = m.opened_at + m.reconcile_delay;

	if (m.state != EBPF_SYNC_RECONCILING || now < start)
		return false;
	return now - m.last_change >= 2 ||
	       now >= m.opened_at + 4 * (time_t)m.reconcile_delay;
}

/* Remove the route keys the shadow does not know (stale). */
static int sweep_routes(enum ebpf_map_id id, int family, uint64_t *swept)
{
	size_t keylen = family == AF_INET ? sizeof(struct fe_lpm4_key)
					  : sizeof(struct fe_lpm6_key);
	union fe_route_key key;
	struct fe_prefix p;
	size_t n;
	uint8_t *keys = ebpf_map_keys(m.fd[id], keylen, &n);

	for (size_t i = 0; i < n; i++) {
		memset(&key, 0, sizeof(key));
		memcpy(&key, keys + i * keylen, keylen);
		if (fe_route_key_decode(family, &key, &p) == 0 &&
		    fe_shadow_route_has(m.shadow, &p))
			continue;
		if (map_delete(id, &key) == 0)
			(*swept)++;
	}
	free(keys);
	return 0;
}

static int sweep_nhgs(uint64_t *swept)
{
	size_t n;
	uint32_t *ids = ebpf_map_keys(m.fd[EBPF_MAP_NHG], sizeof(*ids), &n);

	for (size_t i = 0; i < n; i++) {
		if (fe_shadow_nhg_has(m.shadow, ids[i]))
			continue;
		if (map_delete(EBPF_MAP_NHG, &ids[i]) == 0) {
			(*swept)++;
			ebpf_pathstats_release(ids[i]);
		}
		map_delete(EBPF_MAP_NHGRES, &ids[i]);
	}
	free(ids);
	return 0;
}

int ebpf_mirror_reconcile(void)
{
	uint64_t swept = 0;
	int ret;

	if (!m.skel)
		return -ENOTCONN;
	/* Routes before groups: a stale route must not outlive its group. */
	ret = sweep_routes(EBPF_MAP_ROUTE4, AF_INET, &swept);
	if (!ret)
		ret = sweep_routes(EBPF_MAP_ROUTE6, AF_INET6, &swept);
	if (!ret)
		ret = sweep_nhgs(&swept);
	atomic_fetch_add(&ebpf_counters.stale_swept, swept);
	if (ret) {
		flog_err(EC_EBPF_RECONCILE,
			 "ebpf: reconcile incomplete (%s), %" PRIu64 " stale entries removed; will retry",
			 strerror(-ret), swept);
		return ret;
	}
	m.state = EBPF_SYNC_IN_SYNC;
	m.synced_at = monotime(NULL);
	tables_set_ready(true);
	zlog_notice("ebpf: reconcile done, %" PRIu64 " stale entries removed",
		    swept);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Read back                                                           */
/* ------------------------------------------------------------------ */

int ebpf_mirror_route_lookup(const struct fe_prefix *addr,
			     struct fe_prefix *matched,
			     struct fe_route_val *val)
{
	struct fe_route r = { .kind = FE_ROUTE_BLACKHOLE };
	union fe_route_key key;
	struct fe_route_val dummy;
	size_t keylen;
	int ret = -ENOENT;

	ebpf_mirror_lock();
	if (!m.skel) {
		ret = -ENOTCONN;
		goto out;
	}
	/* The shadow knows the exact prefixes: try them longest first. */
	for (int len = addr->len; len >= 0; len--) {
		if (fe_prefix_set(&r.dst, addr->family, addr->addr, len))
			break;
		if (!fe_shadow_route_has(m.shadow, &r.dst))
			continue;
		if (fe_route_encode(&r, &key, &keylen, &dummy) == 0 &&
		    bpf_map_lookup_elem(m.fd[addr->family == AF_INET
						     ? EBPF_MAP_ROUTE4
						     : EBPF_MAP_ROUTE6],
					&key, val) == 0) {
			*matched = r.dst;
			ret = 0;
		}
		break;
	}
out:
	ebpf_mirror_unlock();
	return ret;
}

int ebpf_mirror_nhg_get(uint32_t id, struct fe_nhg_val *val, uint32_t *refs,
			bool *held)
{
	int ret = -ENOTCONN;

	ebpf_mirror_lock();
	if (m.skel) {
		ret = bpf_map_lookup_elem(m.fd[EBPF_MAP_NHG], &id, val) ? -ENOENT
									: 0;
		if (fe_shadow_nhg_get(m.shadow, id, refs, held)) {
			*refs = 0;
			*held = false;
		}
	}
	ebpf_mirror_unlock();
	return ret;
}

static int id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* In id order: what an operator reads and scripts diff. */
int ebpf_mirror_nhg_foreach(int (*cb)(uint32_t id, void *arg), void *arg)
{
	uint32_t *ids = NULL;
	size_t n = 0;
	int ret = 0;

	/* Collect under the lock, call back without it. */
	ebpf_mirror_lock();
	if (m.skel)
		ids = ebpf_map_keys(m.fd[EBPF_MAP_NHG], sizeof(*ids), &n);
	ebpf_mirror_unlock();
	if (ids)
		qsort(ids, n, sizeof(*ids), id_cmp);
	for (size_t i = 0; i < n && !ret; i++)
		ret = cb(ids[i], arg);
	free(ids);
	return ret;
}

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

static void table_state(const struct mtable *t, struct ebpf_table_state *ts)
{
	struct fe_lpm6_stats ls;
	uint32_t zero = 0, ready = 0;

	if (!t->b)
		return;
	fe_lpm6_stats(t->b, &ls);
	ts->rules = ls.rules;
	ts->groups_used = ls.groups_used;
	ts->groups_total = ls.groups_total;
	ts->groups_max = m.size_cfg[t->groups_id];
	ts->grown = t->grown;
	ts->bytes = ls.top_bytes + ls.pool_bytes + ls.rules_bytes;
	bpf_map_lookup_elem(m.fd[t->state_id], &zero, &ready);
	ts->ready = ready;
	ts->degraded = t->degraded;
}

void ebpf_mirror_get_state(struct ebpf_mirror_state *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	ebpf_mirror_lock();
	st->state = m.state;
	strlcpy(st->reason, m.reason, sizeof(st->reason));
	strlcpy(st->pin_path, m.pin_path, sizeof(st->pin_path));
	st->adopted = m.adopted;
	st->opened_at = m.opened_at;
	st->synced_at = m.synced_at;
	if (m.shadow) {
		st->routes_v4 = fe_shadow_route_count(m.shadow, AF_INET);
		st->routes_v6 = fe_shadow_route_count(m.shadow, AF_INET6);
		st->nhgs = fe_shadow_nhg_count(m.shadow);
		st->shadow_bytes = fe_shadow_mem_bytes(m.shadow);
	}
	for (i = 0; i < EBPF_MAP_COUNT; i++) {
		struct ebpf_map_usage *u = &st->maps[i];

		u->name = map_names[i];
		u->configured_entries = m.size_cfg[i];
		u->max_entries = m.skel ? m.size_active[i] : m.size_cfg[i];
		if (m.skel)
			u->memory_bytes = ebpf_map_memlock(m.fd[i]);
	}
	table_state(&t4, &st->l4);
	table_state(&t6, &st->l6);
	for (i = 0; i < 2; i++) {
		const struct mtable *t = i ? &t6 : &t4;
		struct ebpf_map_usage *u = &st->maps[t->groups_id];

		/* the groups map is a slot: count the array in it */
		if (t->b) {
			u->max_entries = t->ngroups;
			u->memory_bytes += ebpf_map_memlock(t->groups_fd);
		}
	}
	for (i = 0; i < EBPF_MAP_COUNT; i++)
		st->map_bytes += st->maps[i].memory_bytes;
	st->maps[EBPF_MAP_ROUTE4].entries = st->routes_v4;
	st->maps[EBPF_MAP_ROUTE6].entries = st->routes_v6;
	st->maps[EBPF_MAP_NHG].entries = st->nhgs;
	ebpf_mirror_unlock();
}
