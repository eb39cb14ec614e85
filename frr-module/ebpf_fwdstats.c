// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Forwarding counters per nexthop and per group. The datapath counts in
 * one map keyed by (nexthop, group), one lookup a packet; the sums per
 * nexthop and per group are made here, from a snapshot of the map that
 * serves the many queries of one show command (each command starts with
 * ebpf_fwdstats_begin(), so it never shows an earlier command's figures;
 * a long one takes it again when older than SNAP_MAX_AGE).
 */
#include "lib/zebra.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/memory.h"
#include "lib/monotime.h"

#include "ebpf_fastpath.h"
#include "ebpf_fwdstats.h"
#include "ebpf_maputil.h"
#include "ebpf_mirror.h"
#include "fe_fwd.skel.h"

#define SNAP_MAX_AGE_US 500000

struct fwd_sum {
	struct fe_nh_key k; /* per nexthop: nhg_id 0; per group: only it */
	uint64_t packets, bytes;
};

static struct {
	struct fwd_sum *by_nh, *by_nhg;
	size_t n_nh, n_nhg;
	struct timeval at;
	bool valid;
} snap;

static int map_fd(void)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();

	return skel ? bpf_map__fd(skel->maps.fe_nhstats_v2) : -1;
}

static int cmp_sum(const void *a, const void *b)
{
	return memcmp(&((const struct fwd_sum *)a)->k,
		      &((const struct fwd_sum *)b)->k, sizeof(struct fe_nh_key));
}

/* Sort and add up entries with equal keys; returns the new count. */
static size_t merge(struct fwd_sum *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), cmp_sum);
	for (size_t i = 0; i < n; i++) {
		if (out && cmp_sum(&v[out - 1], &v[i]) == 0) {
			v[out - 1].packets += v[i].packets;
			v[out - 1].bytes += v[i].bytes;
		} else {
			v[out++] = v[i];
		}
	}
	return out;
}

/* Growable lists of one snapshot. */
struct snap_build {
	struct fwd_sum *nh, *nhg;
	size_t n, cap;
};

static void snap_add(const struct fe_nh_key *k, uint64_t packets,
		     uint64_t bytes, void *arg)
{
	struct snap_build *b = arg;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->nh = XREALLOC(MTYPE_TMP, b->nh, sizeof(*b->nh) * b->cap);
		b->nhg = XREALLOC(MTYPE_TMP, b->nhg, sizeof(*b->nhg) * b->cap);
	}
	b->nh[b->n].k = *k;
	b->nh[b->n].k.nhg_id = 0;
	b->nh[b->n].packets = packets;
	b->nh[b->n].bytes = bytes;
	memset(&b->nhg[b->n].k, 0, sizeof(*k));
	b->nhg[b->n].k.nhg_id = k->nhg_id;
	b->nhg[b->n].packets = packets;
	b->nhg[b->n].bytes = bytes;
	b->n++;
}

/*
 * fe_nhstats_v2 (what the fast path counted by key) plus the mirror's
 * per-path counters (the direct path's slots, and retired slots' sums).
 */
static void snap_take(void)
{
	int fd = map_fd(), ncpu = libbpf_num_possible_cpus();
	struct snap_build b = {};
	struct fe_fwd_stats *pc;
	struct fe_nh_key *keys;
	size_t n = 0;

	XFREE(MTYPE_TMP, snap.by_nh);
	XFREE(MTYPE_TMP, snap.by_nhg);
	snap.n_nh = snap.n_nhg = 0;
	snap.valid = false;
	if (fd < 0 || ncpu <= 0)
		return;
	keys = ebpf_map_keys(fd, sizeof(*keys), &n);
	pc = XCALLOC(MTYPE_TMP, sizeof(*pc) * ncpu);
	for (size_t i = 0; i < n; i++) {
		uint64_t packets = 0, bytes = 0;

		if (bpf_map_lookup_elem(fd, &keys[i], pc))
			continue; /* aged out meanwhile */
		for (int c = 0; c < ncpu; c++) {
			packets += pc[c].packets;
			bytes += pc[c].bytes;
		}
		snap_add(&keys[i], packets, bytes, &b);
	}
	free(keys);
	XFREE(MTYPE_TMP, pc);
	ebpf_mirror_path_counts(snap_add, &b);
	snap.by_nh = b.nh;
	snap.by_nhg = b.nhg;
	snap.n_nh = b.n ? merge(snap.by_nh, b.n) : 0;
	snap.n_nhg = b.n ? merge(snap.by_nhg, b.n) : 0;
	monotime(&snap.at);
	snap.valid = true;
}

static void snap_fresh(void)
{
	if (!snap.valid || monotime_since(&snap.at, NULL) > SNAP_MAX_AGE_US)
		snap_take();
}

static int snap_find(const struct fwd_sum *v, size_t n,
		     const struct fe_nh_key *k, uint64_t *packets,
		     uint64_t *bytes)
{
	struct fwd_sum key = { .k = *k };
	const struct fwd_sum *hit;

	*packets = *bytes = 0;
	hit = n ? bsearch(&key, v, n, sizeof(*v), cmp_sum) : NULL;
	if (!hit)
		return -ENOENT;
	*packets = hit->packets;
	*bytes = hit->bytes;
	return 0;
}

int ebpf_fastpath_nh_stats(const struct fe_nh_key *k, uint64_t *packets,
			   uint64_t *bytes)
{
	struct fe_nh_key nh = *k;

	snap_fresh();
	nh.nhg_id = 0;
	return snap_find(snap.by_nh, snap.n_nh, &nh, packets, bytes);
}

int ebpf_fastpath_nhg_stats(uint32_t nhg_id, uint64_t *packets,
			    uint64_t *bytes)
{
	struct fe_nh_key k = { .nhg_id = nhg_id };

	snap_fresh();
	return snap_find(snap.by_nhg, snap.n_nhg, &k, packets, bytes);
}

int ebpf_fastpath_nh_foreach(int (*cb)(const struct fe_nh_key *k,
				       uint64_t packets, uint64_t bytes,
				       void *arg),
			     void *arg)
{
	int ret = 0;

	snap_take(); /* a listing shows the counters as they are now */
	for (size_t i = 0; !ret && i < snap.n_nh; i++)
		ret = cb(&snap.by_nh[i].k, snap.by_nh[i].packets,
			 snap.by_nh[i].bytes, arg);
	return ret;
}

void ebpf_fwdstats_begin(void)
{
	snap.valid = false;
}

void ebpf_fwdstats_clear(void)
{
	int fd = map_fd();

	if (fd >= 0)
		ebpf_map_clear(fd, sizeof(struct fe_nh_key));
	ebpf_mirror_path_counts_clear();
	snap.valid = false;
}
