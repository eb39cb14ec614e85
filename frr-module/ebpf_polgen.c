// SPDX-License-Identifier: GPL-2.0-or-later
/* Policy generations: see ebpf_polgen.h. */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <linux/membarrier.h>
#include <sys/syscall.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ebpf_maputil.h"
#include "ebpf_polgen.h"

/*
 * Wait for an RCU grace period: every XDP/TC program run that started
 * before has finished (they run inside RCU read sections), so none
 * still holds a pointer into the generation switched away from.
 * MEMBARRIER_CMD_GLOBAL is synchronize_rcu() on more than one CPU; where
 * it is refused (nohz_full), sleep well beyond any program's run.
 */
static void grace_period(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(50 * 1000);
}

int ebpf_polgen_maps_of(struct bpf_object *obj, struct ebpf_polgen_maps *m)
{
	m->trie4[0] = bpf_object__find_map_fd_by_name(obj, FE_MAP_POLICY4);
	m->trie4[1] = bpf_object__find_map_fd_by_name(obj, FE_MAP_POLICY4_G1);
	m->trie6[0] = bpf_object__find_map_fd_by_name(obj, FE_MAP_POLICY6);
	m->trie6[1] = bpf_object__find_map_fd_by_name(obj, FE_MAP_POLICY6_G1);
	m->mask = bpf_object__find_map_fd_by_name(obj, FE_MAP_POLMASK);
	m->config = bpf_object__find_map_fd_by_name(obj, FE_MAP_CONFIG);
	if (m->trie4[0] < 0 || m->trie4[1] < 0 || m->trie6[0] < 0 ||
	    m->trie6[1] < 0 || m->mask < 0 || m->config < 0)
		return -ENOENT;
	return 0;
}

int ebpf_polgen_begin(const struct ebpf_polgen_maps *m)
{
	struct fe_config cur = {};
	uint32_t zero = 0;
	int gen;

	if (bpf_map_lookup_elem(m->config, &zero, &cur))
		return -errno;
	gen = !(cur.policy_gen & 1);
	grace_period();
	ebpf_map_clear(m->trie4[gen], sizeof(struct fe_lpm4_key));
	ebpf_map_clear(m->trie6[gen], sizeof(struct fe_lpm6_key));
	return gen;
}

int ebpf_polgen_publish(const struct ebpf_polgen_maps *m, int gen,
			const struct fe_polmask mask[2], struct fe_config *cfg)
{
	uint32_t zero = 0;

	for (int v6 = 0; v6 < 2; v6++) {
		uint32_t key = FE_POLMASK_KEY(gen, v6);

		if (bpf_map_update_elem(m->mask, &key, &mask[v6], BPF_ANY))
			return -errno;
	}
	cfg->policy_gen = gen;
	if (bpf_map_update_elem(m->config, &zero, cfg, BPF_ANY))
		return -errno;
	return 0;
}
