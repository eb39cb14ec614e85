// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The route tables in the kernel, IPv6 and IPv4, set up as the module
 * does (frr-module/ebpf_mirror.c): the top array of the probe object
 * mapped, a group array created apart (BPF_F_MMAPABLE | BPF_F_INNER_MAP)
 * and put in slot 0 of the groups map (FE_LPM6_GROUPS), lib/fe_lpm6
 * writing both through mmap. The group arrays start at 16 groups; when
 * the builder runs out (-ENOSPC) the array is doubled the module's way:
 * a larger array, the groups copied, fe_lpm6_regroup, the slot swapped.
 *
 * fe_lpm6_lookup and fe_lpm4_lookup (bpf/fe_lpm6.h), run by
 * BPF_PROG_TEST_RUN in an XDP program (fe_lpm6_probe.bpf.c), must answer
 * as the userspace fe_lpm6_lookup on the same memory does:
 *  - on DFZ-like tables, IPv6 of 1k and 100k prefixes (bench/dfz6.h),
 *    IPv4 of 1k and 100k (bench/dfz4.h, with a few /25../32), for random
 *    addresses inside the prefixes, their boundaries, anywhere;
 *  - after every growth of a group array, on the prefixes added so far;
 *  - after live updates (withdrawals folding groups, replaced values, new
 *    prefixes in reused groups, a default route).
 * Also checks that the flat mmap views are the maps' own value layout,
 * that an IPv4 table uses two group levels at most (16-8-8), and prints
 * the cost of one program run.
 *
 * Needs root (BPF); exit 77 (skip) without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/dfz4.h"
#include "bench/dfz6.h"
#include "lib/fe_lpm6.h"
#include "frr-module/ebpf_maputil.h"
#include "fe_lpm6_probe.skel.h"

#define SKIP 77
#define GROUPS_START 16 /* small, so that the tables grow many times */
/* The groups limit (ebpf map-size): 100k IPv6 prefixes need ~130k. */
#define GROUPS_CAP 196608

static int prog_fd;
static unsigned int failures, compared;

/* A route table as the module keeps one (struct mtable). */
struct table {
	const char *name;
	bool v4;
	struct bpf_map *top_map, *groups_map;
	uint32_t *top;
	int grp_fd;
	uint32_t *grp;
	uint32_t ngroups;
	unsigned int grown;
	struct fe_lpm6 *b;
	/* what growth checks look up: the prefixes added so far */
	const void *set;
	long nset;
};

static struct table t6 = { .name = "IPv6", .grp_fd = -1 };
static struct table t4 = { .name = "IPv4", .v4 = true, .grp_fd = -1 };

/* Ethernet + IP header + 8 bytes the program writes the value into. */
struct pkt6 {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	uint32_t out[2];
} __attribute__((packed));

struct pkt4 {
	struct ethhdr eth;
	struct iphdr ip;
	uint32_t out[2];
} __attribute__((packed));

static int run_probe(void *in, void *out, size_t len, uint32_t repeat,
		     uint32_t *duration)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = len, .repeat = repeat);

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
	return 0;
}

/*
 * Run the program on a packet to a (IPv4: the first 4 bytes): 0 and
 * *value on a hit, -ENOENT.
 */
static int bpf_lookup(bool v4, const uint8_t a[16], uint32_t *value,
		      uint32_t repeat, uint32_t *duration)
{
	int rc;

	if (v4) {
		struct pkt4 in = { 0 }, out = { 0 };

		in.eth.h_proto = htons(ETH_P_IP);
		in.ip.version = 4;
		in.ip.ihl = 5;
		in.ip.ttl = 64;
		in.ip.protocol = 253; /* experimental */
		in.ip.tot_len = htons(sizeof(in.ip) + sizeof(in.out));
		memcpy(&in.ip.daddr, a, 4);
		rc = run_probe(&in, &out, sizeof(in), repeat, duration);
		*value = out.out[0];
	} else {
		struct pkt6 in = { 0 }, out = { 0 };

		in.eth.h_proto = htons(ETH_P_IPV6);
		in.ip6.version = 6;
		in.ip6.hop_limit = 64;
		in.ip6.payload_len = htons(sizeof(in.out));
		in.ip6.nexthdr = 59; /* no next header */
		memcpy(&in.ip6.daddr, a, 16);
		rc = run_probe(&in, &out, sizeof(in), repeat, duration);
		*value = out.out[0];
	}
	return rc;
}

static void compare(const struct table *t, const uint8_t a[16])
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = fe_lpm6_lookup(t->b, a, &v1);
	int r2 = bpf_lookup(t->v4, a, &v2, 1, NULL);

	compared++;
	if (r1 != r2 || (r1 == 0 && v1 != v2)) {
		char buf[INET6_ADDRSTRLEN];

		if (failures++ < 10)
			fprintf(stderr, "FAIL %s: userspace %d/%u, BPF %d/%u\n",
				inet_ntop(t->v4 ? AF_INET : AF_INET6, a, buf,
					  sizeof(buf)),
				r1, v1, r2, v2);
	}
}

/* a + delta (+1 or -1), as a 128-bit number. */
static void step(uint8_t a[16], int delta)
{
	for (int i = 15; i >= 0; i--) {
		uint8_t old = a[i];

		a[i] = (uint8_t)(old + delta);
		if (delta > 0 ? a[i] != 0 : old != 0)
			break;
	}
}

static void compare_set6(const struct table *t, const struct dfz6_prefix *set,
			 long n, long nprobe, uint64_t *s)
{
	for (long i = 0; i < nprobe; i++) {
		const struct dfz6_prefix *p = &set[dfz6_rnd(s) % n];
		uint8_t a[16];

		memcpy(a, p->a, 16);
		switch (i % 6) {
		case 0:
			break; /* first address */
		case 1:
			step(a, -1); /* just before */
			break;
		case 2: /* last address, and just after */
		case 3:
			for (int b = p->len; b < 128; b++)
				a[b / 8] |= 0x80 >> (b % 8);
			if (i % 6 == 3)
				step(a, 1);
			break;
		case 4:
			dfz6_addr_in(p, a, s);
			break;
		default: {
			uint64_t r[2] = { dfz6_rnd(s), dfz6_rnd(s) };

			memcpy(a, r, 16);
			a[0] = 0x20 | (a[0] & 0x0f); /* 2000::/4 */
			break;
		}
		}
		compare(t, a);
	}
}

static void compare_set4(const struct table *t, const struct dfz4_prefix *set,
			 long n, long nprobe, uint64_t *s)
{
	for (long i = 0; i < nprobe; i++) {
		const struct dfz4_prefix *p = &set[dfz6_rnd(s) % n];
		uint32_t last = p->addr | (p->len >= 32 ? 0 : ~0u >> p->len);
		uint32_t x;
		uint8_t a[16];

		switch (i % 6) {
		case 0:
			x = p->addr; /* first address */
			break;
		case 1:
			x = p->addr - 1; /* just before */
			break;
		case 2:
			x = last;
			break;
		case 3:
			x = last + 1; /* just after */
			break;
		case 4:
			x = dfz4_addr_in(p, s);
			break;
		default:
			x = (uint32_t)dfz6_rnd(s); /* anywhere */
			break;
		}
		dfz4_to16(x, a);
		compare(t, a);
	}
}

static void compare_table(const struct table *t, long nprobe, uint64_t *s)
{
	if (!t->nset)
		return;
	if (t->v4)
		compare_set4(t, t->set, t->nset, nprobe, s);
	else
		compare_set6(t, t->set, t->nset, nprobe, s);
}

/* The mmap view and the map's values are the same bytes. */
static int check_layout(int fd, const uint32_t *flat, uint32_t key)
{
	struct fe_lpm6_val v;

	if (bpf_map_lookup_elem(fd, &key, &v))
		return -1;
	return memcmp(&v, flat + (size_t)key * FE_LPM6_ENTRIES, sizeof(v));
}

/* A fresh, empty table on a small group array (the module's table_map). */
static int table_reset(struct table *t)
{
	fe_lpm6_free(t->b);
	t->b = NULL;
	ebpf_group_array_drop(t->grp_fd, t->grp, t->ngroups);
	t->grp = NULL;
	t->grp_fd = -1;
	t->grown = 0;
	t->nset = 0;
	t->ngroups = GROUPS_START;
	if (ebpf_group_array_new(t->ngroups, &t->grp_fd, &t->grp))
		return -1;
	/* the probe runs only when told: nothing reads while it clears */
	t->b = fe_lpm6_new(t->top, t->grp, t->ngroups);
	if (!t->b ||
	    ebpf_group_array_publish(bpf_map__fd(t->groups_map), t->grp_fd))
		return -1;
	return 0;
}

/*
 * Out of groups: double the array (up to GROUPS_CAP), copy, regroup,
 * swap the slot, as the module's table_grow; then the BPF lookup must
 * still agree with the userspace one, now on the new array.
 */
static int table_grow(struct table *t, uint64_t *s)
{
	uint32_t n, *mem;
	int fd, rc;

	if (t->ngroups >= GROUPS_CAP)
		return -ENOSPC;
	n = t->ngroups > GROUPS_CAP / 2 ? GROUPS_CAP : t->ngroups * 2;
	rc = ebpf_group_array_new(n, &fd, &mem);
	if (rc)
		return rc;
	memcpy(mem, t->grp, (size_t)t->ngroups * sizeof(struct fe_lpm6_val));
	rc = fe_lpm6_regroup(t->b, mem, n);
	if (!rc)
		rc = ebpf_group_array_publish(bpf_map__fd(t->groups_map), fd);
	if (rc) {
		printf("FAIL: %s growth to %u groups: %s\n", t->name, n,
		       strerror(-rc));
		exit(1);
	}
	ebpf_group_array_drop(t->grp_fd, t->grp, t->ngroups);
	t->grp_fd = fd;
	t->grp = mem;
	t->ngroups = n;
	t->grown++;
	compare_table(t, 2000, s);
	return 0;
}

static int table_add(struct table *t, const uint8_t a[16], uint8_t len,
		     uint32_t value, uint64_t *s)
{
	int rc = fe_lpm6_add(t->b, a, len, value);

	if (rc == -ENOSPC) {
		rc = table_grow(t, s);
		if (!rc)
			rc = fe_lpm6_add(t->b, a, len, value);
	}
	return rc;
}

static uint32_t value_of(long i)
{
	/* Some non-unicast kinds, encoded as the mirror does. */
	return i % 50 == 0 ? 0x800000 | (uint32_t)(i % 4) :
			     (uint32_t)(i % 0x7fffff) + 1;
}

static void timing(const struct table *t, const char *what,
		   const uint8_t a[16])
{
	const uint32_t repeat = 1000000;
	uint32_t v, ns;

	bpf_lookup(t->v4, a, &v, repeat, &ns);
	printf("  one XDP run, %s: %u ns (BPF_PROG_TEST_RUN, repeat %u)\n",
	       what, ns, repeat);
}

/* Stats, layout of the mmap views, and (IPv4) the levels used. */
static void check_table(const struct table *t, const char *when)
{
	struct fe_lpm6_stats st;
	unsigned int bad = 0;

	fe_lpm6_stats(t->b, &st);
	printf("  %s%s, %u prefixes: %u groups (%u pending) in an array of %u (grown %u times, %.1f MB used, %.0f bytes a prefix)\n",
	       t->name, when, st.rules, st.groups_used, st.groups_pending,
	       t->ngroups, t->grown,
	       st.group_bytes / 1e6,
	       (double)(st.group_bytes + st.top_bytes) / st.rules);
	for (uint32_t key = 0; key < FE_LPM6_TOP_VALUES; key += 7)
		bad += !!check_layout(bpf_map__fd(t->top_map), t->top, key);
	for (uint32_t key = 0; key < st.groups_used; key += 101)
		bad += !!check_layout(t->grp_fd, t->grp, key);
	if (bad)
		printf("FAIL: %s: mmap view differs from the map values\n",
		       t->name);
	if (t->v4) {
		for (int l = 3; l < FE_LPM6_LEVELS; l++)
			if (st.groups_level[l]) {
				printf("FAIL: IPv4 table uses group level %d (%u groups)\n",
				       l, st.groups_level[l]);
				bad++;
			}
		printf("  IPv4 groups by level: 1: %u, 2: %u\n",
		       st.groups_level[1], st.groups_level[2]);
	}
	/* without a growth, the swap of the slot went untested */
	if (!t->grown) {
		printf("FAIL: %s: the group array never grew\n", t->name);
		bad++;
	}
	failures += bad;
}

/* One IPv6 table size: load, compare, update live, compare again. */
static int run_size6(long n, uint64_t seed)
{
	struct table *t = &t6;
	struct dfz6_prefix *set = calloc(2 * n, sizeof(*set));
	uint64_t s = seed;
	uint8_t a[16] = { 0 };

	if (!set || dfz6_gen(set, 2 * n, seed) || table_reset(t))
		return -1;
	t->set = set;
	for (long i = 0; i < n; i++) {
		if (table_add(t, set[i].a, set[i].len, value_of(i), &s)) {
			printf("FAIL: add of prefix %ld\n", i);
			return -1;
		}
		t->nset = i + 1;
	}
	check_table(t, "");
	compare_set6(t, set, n, 30000, &s);
	timing(t, "miss (no default route)", a);

	/*
	 * Live updates: withdraw a third, replace a third's values, add
	 * n/3 new prefixes after a grace period (freed groups reused), and
	 * a default route.
	 */
	for (long i = 0; i < n; i += 3)
		if (fe_lpm6_del(t->b, set[i].a, set[i].len))
			return -1;
	for (long i = 1; i < n; i += 3)
		if (table_add(t, set[i].a, set[i].len, value_of(i + 7), &s))
			return -1;
	compare_set6(t, set, n, 15000, &s);
	fe_lpm6_grace(t->b); /* no program runs concurrently here */
	for (long i = n; i < n + n / 3; i++) {
		if (table_add(t, set[i].a, set[i].len, value_of(i), &s))
			return -1;
		t->nset = i + 1;
	}
	if (table_add(t, a, 0, 4242, &s))
		return -1;
	check_table(t, " after updates");
	compare_set6(t, set, n + n / 3, 30000, &s);

	for (long i = 0; i < n; i++)
		if (set[i].len == 48) {
			dfz6_addr_in(&set[i], a, &s);
			timing(t, "a /48 (5 levels)", a);
			break;
		}
	for (long i = 0; i < n; i++)
		if (set[i].len == 128) {
			timing(t, "a /128 (15 levels)", set[i].a);
			break;
		}
	t->nset = 0;
	free(set);
	return 0;
}

/* The same for an IPv4 table. */
static int run_size4(long n, uint64_t seed)
{
	struct table *t = &t4;
	struct dfz4_prefix *set = calloc(2 * n, sizeof(*set));
	uint64_t s = seed;
	uint8_t a[16] = { 0 };

	if (!set || dfz4_gen(set, 2 * n, &s, DFZ4_LONGER) || table_reset(t))
		return -1;
	t->set = set;
	for (long i = 0; i < n; i++) {
		dfz4_to16(set[i].addr, a);
		if (table_add(t, a, set[i].len, value_of(i), &s)) {
			printf("FAIL: add of prefix %ld\n", i);
			return -1;
		}
		t->nset = i + 1;
	}
	check_table(t, "");
	compare_set4(t, set, n, 30000, &s);
	dfz4_to16(0xe0000001, a); /* 224.0.0.1: no prefix there */
	timing(t, "miss (no default route)", a);

	for (long i = 0; i < n; i += 3) {
		dfz4_to16(set[i].addr, a);
		if (fe_lpm6_del(t->b, a, set[i].len))
			return -1;
	}
	for (long i = 1; i < n; i += 3) {
		dfz4_to16(set[i].addr, a);
		if (table_add(t, a, set[i].len, value_of(i + 7), &s))
			return -1;
	}
	compare_set4(t, set, n, 15000, &s);
	fe_lpm6_grace(t->b);
	for (long i = n; i < n + n / 3; i++) {
		dfz4_to16(set[i].addr, a);
		if (table_add(t, a, set[i].len, value_of(i), &s))
			return -1;
		t->nset = i + 1;
	}
	memset(a, 0, sizeof(a));
	if (table_add(t, a, 0, 4242, &s))
		return -1;
	check_table(t, " after updates");
	compare_set4(t, set, n + n / 3, 30000, &s);

	for (long i = 0; i < n; i++)
		if (set[i].len == 24) {
			dfz4_to16(dfz4_addr_in(&set[i], &s), a);
			timing(t, "a /24 (2 levels)", a);
			break;
		}
	for (long i = 0; i < n; i++)
		if (set[i].len == 32) {
			dfz4_to16(set[i].addr, a);
			timing(t, "a /32 (3 levels)", a);
			break;
		}
	t->nset = 0;
	free(set);
	return 0;
}

static int table_open(struct table *t, struct bpf_map *top_map,
		      struct bpf_map *groups_map)
{
	t->top_map = top_map;
	t->groups_map = groups_map;
	t->top = mmap(NULL, (size_t)FE_LPM6_TOP_ENTRIES * 4,
		      PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(top_map),
		      0);
	if (t->top == MAP_FAILED) {
		printf("FAIL: mmap of %s's top: %s\n", t->name, strerror(errno));
		return -1;
	}
	return 0;
}

static void table_close(struct table *t)
{
	fe_lpm6_free(t->b);
	ebpf_group_array_drop(t->grp_fd, t->grp, t->ngroups);
	munmap(t->top, (size_t)FE_LPM6_TOP_ENTRIES * 4);
}

int main(void)
{
	struct fe_lpm6_probe *skel;
	int rc;

	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF)\n");
		return SKIP;
	}
	skel = fe_lpm6_probe__open();
	if (!skel) {
		printf("SKIP: cannot open the BPF object: %s\n", strerror(errno));
		return SKIP;
	}
	rc = fe_lpm6_probe__load(skel);
	if (rc) {
		/* A verifier rejection is a failure; no permission a skip. */
		printf("%s: loading the probe: %s\n",
		       rc == -EPERM ? "SKIP" : "FAIL", strerror(-rc));
		return rc == -EPERM ? SKIP : 1;
	}
	prog_fd = bpf_program__fd(skel->progs.lpm6_probe);
	if (table_open(&t6, skel->maps.top, skel->maps.groups) ||
	    table_open(&t4, skel->maps.top4, skel->maps.groups4))
		return 1;
	if (run_size6(1000, 61) || run_size6(100000, 62) ||
	    run_size4(1000, 63) || run_size4(100000, 64)) {
		printf("FAIL: building the table\n");
		return 1;
	}
	printf("%s: %u lookups compared, %u differ\n",
	       failures ? "FAIL" : "PASS", compared, failures);
	table_close(&t6);
	table_close(&t4);
	fe_lpm6_probe__destroy(skel);
	return failures ? 1 : 0;
}
