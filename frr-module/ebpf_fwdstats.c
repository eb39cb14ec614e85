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

static void snap_take(void)
{
	int fd = map_fd(), ncpu = libbpf_num_possible_cpus();
	struct fe_fwd_stats *pc;
	struct fe_nh_key *keys;
	size_t n = 0, m = 0;

	XFREE(MTYPE_TMP, snap.by_nh);
	XFREE(MTYPE_TMP, snap.by_nhg);
	snap.n_nh = snap.n_nhg = 0;
	snap.valid = false;
	if (fd < 0 || ncpu <= 0)
		return;
	keys = ebpf_map_keys(fd, sizeof(*keys), &n);
	pc = XCALLOC(MTYPE_TMP, sizeof(*pc) * ncpu);
	snap.by_nh = XCALLOC(MTYPE_TMP, sizeof(struct fwd_sum) * (n + 1));
	snap.by_nhg = XCALLOC(MTYPE_TMP, sizeof(struct fwd_sum) * (n + 1));
	for (size_t i = 0; i < n; i++) {
		struct fwd_sum s = { .k = keys[i] };

		if (bpf_map_lookup_elem(fd, &keys[i], pc))
			continue; /* aged out meanwhile */
		for (int c = 0; c < ncpu; c++) {
			s.packets += pc[c].packets;
			s.bytes += pc[c].bytes;
		}
		snap.by_nh[m] = s;
		snap.by_nh[m].k.nhg_id = 0;
		memset(&snap.by_nhg[m].k, 0, sizeof(s.k));
		snap.by_nhg[m].k.nhg_id = s.k.nhg_id;
		snap.by_nhg[m].packets = s.packets;
		snap.by_nhg[m].bytes = s.bytes;
		m++;
	}
	snap.n_nh = merge(snap.by_nh, m);
	snap.n_nhg = merge(snap.by_nhg, m);
	free(keys);
	XFREE(MTYPE_TMP, pc);
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
	snap.valid = false;
}
