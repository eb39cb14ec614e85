// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-path counters of the nexthop groups. The fast path counts what its
 * direct path forwards at fe_pathstats_v1[slot * FE_SLOT_PATHS + i], the
 * slot written in the group (an array index: no hash lookup a packet).
 * Each write of a group takes a fresh, zeroed slot; the old one retires,
 * and once no program can still be counting in it (a grace tick later)
 * its counts are added to fe_pathsums_v1 by (nexthop, group), it is
 * zeroed and given again. Both maps are pinned with the mirror, so the
 * counts outlive a zebra restart like fe_nhstats_v2's.
 */
#include "lib/zebra.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/log.h"

#include "lib/fe_slots.h"

#include "ebpf_maputil.h"
#include "ebpf_pathstats.h"

static struct {
	struct fe_slots *slots;
	int stats_fd, sums_fd;
	int ncpu;
	struct fe_fwd_stats *pc; /* FE_SLOT_PATHS * ncpu values */
	uint64_t tick;           /* reap calls so far */
} ps = { .stats_fd = -1, .sums_fd = -1 };

static void key_of(const struct fe_nexthop *nh, uint32_t nhg_id,
		   struct fe_nh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = nh->ifindex;
	k->family = nh->type == FE_NH_IPV6 ? AF_INET6 : AF_INET;
	if (nh->type != FE_NH_IFINDEX)
		memcpy(k->gw, nh->addr, sizeof(k->gw));
	k->nhg_id = nhg_id;
}

/* A slot's counters, summed over the CPUs, into sum[FE_SLOT_PATHS]. */
static int slot_read(uint16_t slot, struct fe_fwd_stats *sum)
{
	memset(sum, 0, sizeof(*sum) * FE_SLOT_PATHS);
	for (uint32_t i = 0; i < FE_SLOT_PATHS; i++) {
		uint32_t key = slot * FE_SLOT_PATHS + i;

		if (bpf_map_lookup_elem(ps.stats_fd, &key, ps.pc))
			return -errno;
		for (int c = 0; c < ps.ncpu; c++) {
			sum[i].packets += ps.pc[c].packets;
			sum[i].bytes += ps.pc[c].bytes;
		}
	}
	return 0;
}

static void slot_zero(uint16_t slot)
{
	memset(ps.pc, 0, sizeof(*ps.pc) * ps.ncpu);
	for (uint32_t i = 0; i < FE_SLOT_PATHS; i++) {
		uint32_t key = slot * FE_SLOT_PATHS + i;

		bpf_map_update_elem(ps.stats_fd, &key, ps.pc, BPF_ANY);
	}
}

int ebpf_pathstats_open(int stats_fd, int sums_fd, int nhg_fd, bool adopted)
{
	ps.ncpu = libbpf_num_possible_cpus();
	if (stats_fd < 0 || sums_fd < 0 || ps.ncpu <= 0)
		return -EINVAL;
	ps.slots = fe_slots_new(FE_STATS_SLOTS);
	ps.pc = calloc(ps.ncpu, sizeof(*ps.pc));
	if (!ps.slots || !ps.pc) {
		ebpf_pathstats_close();
		return -ENOMEM;
	}
	ps.stats_fd = stats_fd;
	ps.sums_fd = sums_fd;
	if (adopted) {
		/* The pinned groups keep counting in their slots; every other
		 * slot may hold what an earlier zebra never harvested.
		 */
		static struct fe_nhg_val v;
		size_t n = 0;
		uint32_t *ids = ebpf_map_keys(nhg_fd, sizeof(*ids), &n);

		for (size_t i = 0; i < n; i++)
			if (!bpf_map_lookup_elem(nhg_fd, &ids[i], &v) &&
			    v.stats_slot)
				fe_slots_adopt(ps.slots, v.stats_slot, ids[i],
					       &v);
		free(ids);
		for (uint32_t s = 1; s < FE_STATS_SLOTS; s++)
			if (!fe_slots_get(ps.slots, s))
				slot_zero(s);
	}
	return 0;
}

void ebpf_pathstats_close(void)
{
	fe_slots_free(ps.slots);
	ps.slots = NULL;
	free(ps.pc);
	ps.pc = NULL;
	ps.stats_fd = ps.sums_fd = -1;
}

uint16_t ebpf_pathstats_take(uint32_t id, const struct fe_nhg_val *v)
{
	return ps.slots ? fe_slots_take(ps.slots, id, v) : 0;
}

void ebpf_pathstats_drop(uint16_t slot)
{
	fe_slots_drop(ps.slots, slot);
}

void ebpf_pathstats_published(uint32_t id, uint16_t slot)
{
	fe_slots_retire_others(ps.slots, id, slot, ps.tick);
}

void ebpf_pathstats_release(uint32_t id)
{
	fe_slots_retire_others(ps.slots, id, 0, ps.tick);
}

typedef void (*path_count_cb)(const struct fe_nh_key *k, uint64_t packets,
			      uint64_t bytes, void *arg);

/* cb for each path of the slot that counted something, by its key. */
static void slot_counts(uint16_t slot, const struct fe_slot_info *in,
			path_count_cb cb, void *arg)
{
	struct fe_fwd_stats sum[FE_SLOT_PATHS];

	if (slot_read(slot, sum))
		return;
	for (uint16_t i = 0; i < in->count && i < FE_SLOT_PATHS; i++) {
		struct fe_nh_key k;

		if (!sum[i].packets)
			continue;
		key_of(&in->nh[i], in->nhg_id, &k);
		cb(&k, sum[i].packets, sum[i].bytes, arg);
	}
}

/* Add one path's counts to fe_pathsums_v1; arg counts the failures. */
static void sums_add(const struct fe_nh_key *k, uint64_t packets,
		     uint64_t bytes, void *arg)
{
	struct fe_fwd_stats have = {};
	unsigned int *lost = arg;

	bpf_map_lookup_elem(ps.sums_fd, k, &have);
	have.packets += packets;
	have.bytes += bytes;
	if (bpf_map_update_elem(ps.sums_fd, k, &have, BPF_ANY))
		(*lost)++;
}

/* Add a retired slot's counts to fe_pathsums_v1, then zero it. */
static void harvest(uint16_t slot, const struct fe_slot_info *in, void *arg)
{
	slot_counts(slot, in, sums_add, arg);
	slot_zero(slot);
}

void ebpf_pathstats_reap(void)
{
	static bool logged;
	unsigned int lost = 0;

	if (!ps.slots)
		return;
	/* Retired at tick t, reaped from tick t + 2 on: a whole tick (1 s)
	 * since the group stopped naming it, and a program runs for
	 * microseconds.
	 */
	if (ps.tick >= 2)
		fe_slots_reap(ps.slots, ps.tick - 2, harvest, &lost);
	ps.tick++;
	if (lost && !logged) {
		logged = true;
		zlog_warn("ebpf: %s is full: forwarding counts of %u retired paths were not kept",
			  FE_MAP_PATHSUMS, lost);
	}
}

struct each_arg {
	path_count_cb cb;
	void *arg;
};

static void each_slot(uint16_t slot, const struct fe_slot_info *in, void *arg)
{
	struct each_arg *ea = arg;

	slot_counts(slot, in, ea->cb, ea->arg);
}

void ebpf_pathstats_foreach(void (*cb)(const struct fe_nh_key *k,
				       uint64_t packets, uint64_t bytes,
				       void *arg),
			    void *arg)
{
	struct each_arg ea = { .cb = cb, .arg = arg };
	struct fe_nh_key *keys;
	size_t n = 0;

	if (!ps.slots)
		return;
	fe_slots_foreach(ps.slots, each_slot, &ea);
	keys = ebpf_map_keys(ps.sums_fd, sizeof(*keys), &n);
	for (size_t i = 0; i < n; i++) {
		struct fe_fwd_stats v;

		if (!bpf_map_lookup_elem(ps.sums_fd, &keys[i], &v))
			cb(&keys[i], v.packets, v.bytes, arg);
	}
	free(keys);
}

static void zero_slot(uint16_t slot, const struct fe_slot_info *in, void *arg)
{
	slot_zero(slot);
}

void ebpf_pathstats_clear(void)
{
	if (!ps.slots)
		return;
	fe_slots_foreach(ps.slots, zero_slot, NULL);
	ebpf_map_clear(ps.sums_fd, sizeof(struct fe_nh_key));
}
