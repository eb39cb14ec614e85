// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DIR-24-8 in the kernel: the builder (lib/fe_dir24.c) writes the two
 * BPF array maps through mmap, and fe_dir24_lookup (bpf/fe_dir24.h), run
 * by BPF_PROG_TEST_RUN in an XDP program, must answer as the userspace
 * lookup on the same memory does: after adds, after withdrawals (groups
 * folded and reused), for prefix boundaries and random addresses. Also
 * checks that the flat mmap view is the map's own value layout, and
 * prints the cost of one program run.
 *
 * Needs root (BPF); exit 77 (skip) without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/fe_dir24.h"
#include "fe_dir24_probe.skel.h"

#define SKIP 77
#define NGROUPS 4096
#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct rule {
	uint32_t addr;
	uint8_t depth;
};

static int prog_fd;
static struct fe_dir24 *dir;
static unsigned int failures, compared;

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t mask_of(uint8_t depth)
{
	return depth ? ~0U << (32 - depth) : 0;
}

/* Ethernet + IPv4 + 8 bytes the program writes the value into. */
struct pkt {
	struct ethhdr eth;
	struct iphdr ip;
	uint32_t out[2];
} __attribute__((packed));

/* Run the program on a packet to addr: 0 and *value on a hit, -ENOENT. */
static int bpf_lookup(uint32_t addr, uint32_t *value, uint32_t repeat,
		      uint32_t *duration)
{
	struct pkt in = { 0 }, out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &in,
		    .data_size_in = sizeof(in), .data_out = &out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	in.eth.h_proto = htons(ETH_P_IP);
	in.ip.version = 4;
	in.ip.ihl = 5;
	in.ip.ttl = 64;
	in.ip.tot_len = htons(sizeof(in) - sizeof(in.eth));
	in.ip.daddr = htonl(addr);
	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "test_run: %s\n", strerror(errno));
		exit(1);
	}
	if (duration)
		*duration = opts.duration;
	if (opts.retval == XDP_DROP)
		return -ENOENT;
	if (opts.retval != XDP_TX) {
		fprintf(stderr, "unexpected XDP verdict %u\n", opts.retval);
		exit(1);
	}
	*value = out.out[0];
	return 0;
}

static void compare(uint32_t addr)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = fe_dir24_lookup(dir, addr, &v1);
	int r2 = bpf_lookup(addr, &v2, 1, NULL);

	compared++;
	if (r1 != r2 || (r1 == 0 && v1 != v2)) {
		if (failures++ < 10)
			fprintf(stderr,
				"FAIL %u.%u.%u.%u: userspace %d/%u, BPF %d/%u\n",
				addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff,
				addr & 0xff, r1, v1, r2, v2);
	}
}

/* Addresses in 8 /16s of 10/8, where most prefixes are. */
static uint32_t dense_addr(uint64_t *s)
{
	uint64_t r = rnd(s);

	return IP(10, r & 7, 0, 0) | (uint32_t)(r >> 32 & 0xffff);
}

static void compare_set(const struct rule *set, size_t n, size_t nprobe,
			uint64_t *s)
{
	for (size_t i = 0; i < nprobe; i++) {
		const struct rule *r = &set[rnd(s) % n];
		uint32_t last = r->addr | ~mask_of(r->depth);

		switch (i % 6) {
		case 0:
			compare(r->addr);
			break;
		case 1:
			compare(last);
			break;
		case 2:
			compare(r->addr - 1);
			break;
		case 3:
			compare(last + 1);
			break;
		case 4:
			compare(dense_addr(s));
			break;
		default:
			compare((uint32_t)rnd(s));
			break;
		}
	}
}

/* The mmap view and the map's values are the same bytes. */
static int check_layout(int fd, const uint32_t *flat, uint32_t key)
{
	struct fe_dir24_val v;

	if (bpf_map_lookup_elem(fd, &key, &v))
		return -1;
	return memcmp(&v, flat + (size_t)key * FE_DIR24_ENTRIES, sizeof(v));
}

/* An address resolved in tbl24 or in a group, found or not. */
static uint32_t find_addr(const uint32_t *t24, uint64_t *s, bool ext,
			  bool hit)
{
	for (;;) {
		uint32_t a = rnd(s) & 1 ? dense_addr(s) : (uint32_t)rnd(s);
		uint32_t e = t24[a >> 8], v;

		if (FE_DIR24_IS_EXT(e) == ext &&
		    (fe_dir24_lookup(dir, a, &v) == 0) == hit)
			return a;
	}
}

static void timing(const char *what, uint32_t addr)
{
	const uint32_t repeat = 1000000;
	uint32_t v, ns;

	bpf_lookup(addr, &v, repeat, &ns);
	printf("  one XDP run, %s: %u ns (BPF_PROG_TEST_RUN, repeat %u)\n",
	       what, ns, repeat);
}

int main(void)
{
	const size_t n = 40000;
	const size_t t24_len = (size_t)FE_DIR24_TBL24_ENTRIES * 4;
	const size_t t8_len = (size_t)NGROUPS * FE_DIR24_ENTRIES * 4;
	struct fe_dir24_probe *skel;
	struct fe_dir24_stats st;
	uint32_t *t24, *t8;
	struct rule *set;
	uint64_t s = 24;
	size_t k = 0;
	uint32_t v;
	int rc;

	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF)\n");
		return SKIP;
	}
	skel = fe_dir24_probe__open();
	if (!skel) {
		printf("SKIP: cannot open the BPF object: %s\n", strerror(errno));
		return SKIP;
	}
	bpf_map__set_max_entries(skel->maps.tbl8, NGROUPS);
	rc = fe_dir24_probe__load(skel);
	if (rc) {
		/* A verifier rejection is a failure; no permission a skip. */
		printf("%s: loading the probe: %s\n",
		       rc == -EPERM ? "SKIP" : "FAIL", strerror(-rc));
		return rc == -EPERM ? SKIP : 1;
	}
	prog_fd = bpf_program__fd(skel->progs.dir24_probe);
	t24 = mmap(NULL, t24_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(skel->maps.tbl24), 0);
	t8 = mmap(NULL, t8_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		  bpf_map__fd(skel->maps.tbl8), 0);
	if (t24 == MAP_FAILED || t8 == MAP_FAILED) {
		printf("FAIL: mmap of the maps: %s\n", strerror(errno));
		return 1;
	}
	dir = fe_dir24_new(t24, t8, NGROUPS);
	if (!dir) {
		printf("FAIL: fe_dir24_new: %s\n", strerror(errno));
		return 1;
	}

	/*
	 * A default route, 30000 prefixes nesting in 8 /16s (a third of
	 * them longer than /24), 10000 DFZ-like ones anywhere.
	 */
	set = calloc(n + 1, sizeof(*set));
	if (!set)
		return 1;
	set[k++] = (struct rule){ 0, 0 };
	if (fe_dir24_add(dir, 0, 0, 4242))
		return 1;
	while (k < n) {
		uint64_t r = rnd(&s);
		uint8_t depth;
		uint32_t addr;

		if (k < 30000) {
			depth = r % 3 == 0 ? 25 + (r >> 8) % 8 :
					     12 + (r >> 8) % 13;
			addr = dense_addr(&s);
		} else {
			depth = 8 + (r >> 8) % 17;
			addr = (uint32_t)rnd(&s);
		}
		addr &= mask_of(depth);
		if (fe_dir24_get(dir, addr, depth, &v) == 0)
			continue; /* distinct prefixes: each withdrawn once */
		rc = fe_dir24_add(dir, addr, depth, (uint32_t)(r >> 40));
		if (rc == -ENOSPC)
			continue;
		if (rc) {
			printf("FAIL: add: %s\n", strerror(-rc));
			return 1;
		}
		set[k++] = (struct rule){ addr, depth };
	}
	fe_dir24_stats(dir, &st);
	printf("  %u prefixes, %u tbl8 groups\n", st.rules, st.groups_used);

	for (uint32_t key = 0; key < FE_DIR24_TBL24_VALUES; key += 97)
		if (check_layout(bpf_map__fd(skel->maps.tbl24), t24, key))
			failures++;
	for (uint32_t key = 0; key < NGROUPS; key += 13)
		if (check_layout(bpf_map__fd(skel->maps.tbl8), t8, key))
			failures++;
	if (failures)
		printf("FAIL: mmap view differs from the map values\n");

	compare_set(set, k, 6000, &s);

	/* Withdraw half, fold groups, reuse them after the grace period. */
	for (size_t i = 0; i < k; i += 2) {
		if (fe_dir24_del(dir, set[i].addr, set[i].depth)) {
			printf("FAIL: del\n");
			return 1;
		}
	}
	/* Nothing runs the program concurrently here: grace is immediate. */
	fe_dir24_grace(dir);
	for (size_t i = 0; i < k; i += 2) {
		uint64_t r = rnd(&s);

		set[i].depth = 25 + r % 8;
		set[i].addr = dense_addr(&s) & mask_of(set[i].depth);
		if (fe_dir24_get(dir, set[i].addr, set[i].depth, &v) == 0 ||
		    fe_dir24_add(dir, set[i].addr, set[i].depth,
				 (uint32_t)(r >> 40)) == -ENOSPC)
			set[i] = set[i + 1];
	}
	fe_dir24_stats(dir, &st);
	printf("  after churn: %u prefixes, %u tbl8 groups\n", st.rules,
	       st.groups_used);
	compare_set(set, k, 6000, &s);

	timing("tbl24 hit", find_addr(t24, &s, false, true));
	timing("tbl8 hit", find_addr(t24, &s, true, true));
	fe_dir24_del(dir, 0, 0);
	timing("miss", find_addr(t24, &s, false, false));

	printf("%s: %u lookups compared, %u differ\n",
	       failures ? "FAIL" : "PASS", compared, failures);
	fe_dir24_free(dir);
	munmap(t24, t24_len);
	munmap(t8, t8_len);
	fe_dir24_probe__destroy(skel);
	free(set);
	return failures ? 1 : 0;
}
