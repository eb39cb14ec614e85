// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPv6 LPM table in the kernel: the builder (lib/fe_lpm6.c) writes the
 * two BPF array maps through mmap, and fe_lpm6_lookup (bpf/fe_lpm6.h), run
 * by BPF_PROG_TEST_RUN in an XDP program, must answer as the userspace
 * lookup on the same memory does, on DFZ-like tables of 1k and 100k
 * prefixes (bench/dfz6.h): for random addresses inside the prefixes,
 * their boundaries, anywhere; then again after live updates (withdrawals
 * folding groups, replaced values, new prefixes in reused groups). Also
 * checks that the flat mmap view is the maps' own value layout, and prints
 * the cost of one program run.
 *
 * Needs root (BPF); exit 77 (skip) without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_ether.h>
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

#include "bench/dfz6.h"
#include "lib/fe_lpm6.h"
#include "fe_lpm6_probe.skel.h"

#define SKIP 77
#define NGROUPS 196608 /* 192 MiB: 100k DFZ-like prefixes need ~130k */

static int prog_fd;
static struct fe_lpm6 *tab;
static unsigned int failures, compared;

/* Ethernet + IPv6 + 8 bytes the program writes the value into. */
struct pkt {
	struct ethhdr eth;
	struct ipv6hdr ip6;
	uint32_t out[2];
} __attribute__((packed));

/* Run the program on a packet to a: 0 and *value on a hit, -ENOENT. */
static int bpf_lookup(const uint8_t a[16], uint32_t *value, uint32_t repeat,
		      uint32_t *duration)
{
	struct pkt in = { 0 }, out = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &in,
		    .data_size_in = sizeof(in), .data_out = &out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	in.eth.h_proto = htons(ETH_P_IPV6);
	in.ip6.version = 6;
	in.ip6.hop_limit = 64;
	in.ip6.payload_len = htons(sizeof(in.out));
	in.ip6.nexthdr = 59; /* no next header */
	memcpy(&in.ip6.daddr, a, 16);
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

static void compare(const uint8_t a[16])
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = fe_lpm6_lookup(tab, a, &v1);
	int r2 = bpf_lookup(a, &v2, 1, NULL);

	compared++;
	if (r1 != r2 || (r1 == 0 && v1 != v2)) {
		char buf[INET6_ADDRSTRLEN];

		if (failures++ < 10)
			fprintf(stderr, "FAIL %s: userspace %d/%u, BPF %d/%u\n",
				inet_ntop(AF_INET6, a, buf, sizeof(buf)), r1, v1,
				r2, v2);
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

static void compare_set(const struct dfz6_prefix *set, long n, long nprobe,
			uint64_t *s)
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
		compare(a);
	}
}

/* The mmap view and the map's values are the same bytes. */
static int check_layout(int fd, const uint32_t *flat, uint32_t key)
{
	struct fe_lpm6_val v;

	if (bpf_map_lookup_elem(fd, &key, &v))
		return -1;
	return memcmp(&v, flat + (size_t)key * FE_LPM6_ENTRIES, sizeof(v));
}

static uint32_t value_of(long i)
{
	/* Some non-unicast kinds, encoded as the mirror does. */
	return i % 50 == 0 ? 0x800000 | (uint32_t)(i % 4) :
			     (uint32_t)(i % 0x7fffff) + 1;
}

static void timing(const char *what, const uint8_t a[16])
{
	const uint32_t repeat = 1000000;
	uint32_t v, ns;

	bpf_lookup(a, &v, repeat, &ns);
	printf("  one XDP run, %s: %u ns (BPF_PROG_TEST_RUN, repeat %u)\n",
	       what, ns, repeat);
}

/* One table size: load, compare, update live, compare again. */
static int run_size(struct fe_lpm6_probe *skel, uint32_t *top, uint32_t *grp,
		    long n, uint64_t seed)
{
	struct dfz6_prefix *set = calloc(2 * n, sizeof(*set));
	struct fe_lpm6_stats st;
	uint64_t s = seed;
	uint8_t a[16] = { 0 };

	if (!set || dfz6_gen(set, 2 * n, seed))
		return -1;
	fe_lpm6_free(tab);
	tab = fe_lpm6_new(top, grp, NGROUPS); /* nothing reads meanwhile */
	if (!tab)
		return -1;
	for (long i = 0; i < n; i++)
		if (fe_lpm6_add(tab, set[i].a, set[i].len, value_of(i))) {
			printf("FAIL: add of prefix %ld\n", i);
			return -1;
		}
	fe_lpm6_stats(tab, &st);
	printf("  %u prefixes: %u groups (%.1f MB, %.0f bytes a prefix)\n",
	       st.rules, st.groups_used, st.group_bytes / 1e6,
	       (double)(st.group_bytes + st.top_bytes) / st.rules);
	for (uint32_t key = 0; key < FE_LPM6_TOP_VALUES; key += 7)
		failures += !!check_layout(bpf_map__fd(skel->maps.top), top,
					   key);
	for (uint32_t key = 0; key < st.groups_used; key += 101)
		failures += !!check_layout(bpf_map__fd(skel->maps.groups), grp,
					   key);
	if (failures)
		printf("FAIL: mmap view differs from the map values\n");
	compare_set(set, n, 30000, &s);
	timing("miss (no default route)", a);

	/*
	 * Live updates: withdraw a third, replace a third's values, add
	 * n/3 new prefixes after a grace period (freed groups reused), and
	 * a default route.
	 */
	for (long i = 0; i < n; i += 3)
		if (fe_lpm6_del(tab, set[i].a, set[i].len))
			return -1;
	for (long i = 1; i < n; i += 3)
		if (fe_lpm6_add(tab, set[i].a, set[i].len, value_of(i + 7)))
			return -1;
	compare_set(set, n, 15000, &s);
	fe_lpm6_grace(tab); /* no program runs concurrently here */
	for (long i = n; i < n + n / 3; i++)
		if (fe_lpm6_add(tab, set[i].a, set[i].len, value_of(i)))
			return -1;
	if (fe_lpm6_add(tab, a, 0, 4242))
		return -1;
	fe_lpm6_stats(tab, &st);
	printf("  after updates: %u prefixes, %u groups, %u pending\n",
	       st.rules, st.groups_used, st.groups_pending);
	compare_set(set, n + n / 3, 30000, &s);

	for (long i = 0; i < n; i++)
		if (set[i].len == 48) {
			dfz6_addr_in(&set[i], a, &s);
			timing("a /48 (5 levels)", a);
			break;
		}
	for (long i = 0; i < n; i++)
		if (set[i].len == 128) {
			timing("a /128 (15 levels)", set[i].a);
			break;
		}
	free(set);
	return 0;
}

int main(void)
{
	const size_t top_len = (size_t)FE_LPM6_TOP_ENTRIES * 4;
	const size_t grp_len = (size_t)NGROUPS * FE_LPM6_ENTRIES * 4;
	struct fe_lpm6_probe *skel;
	uint32_t *top, *grp;
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
	bpf_map__set_max_entries(skel->maps.groups, NGROUPS);
	rc = fe_lpm6_probe__load(skel);
	if (rc) {
		/* A verifier rejection is a failure; no permission a skip. */
		printf("%s: loading the probe: %s\n",
		       rc == -EPERM ? "SKIP" : "FAIL", strerror(-rc));
		return rc == -EPERM ? SKIP : 1;
	}
	prog_fd = bpf_program__fd(skel->progs.lpm6_probe);
	top = mmap(NULL, top_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(skel->maps.top), 0);
	grp = mmap(NULL, grp_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(skel->maps.groups), 0);
	if (top == MAP_FAILED || grp == MAP_FAILED) {
		printf("FAIL: mmap of the maps: %s\n", strerror(errno));
		return 1;
	}
	if (run_size(skel, top, grp, 1000, 61) ||
	    run_size(skel, top, grp, 100000, 62)) {
		printf("FAIL: building the table\n");
		return 1;
	}
	printf("%s: %u lookups compared, %u differ\n",
	       failures ? "FAIL" : "PASS", compared, failures);
	fe_lpm6_free(tab);
	munmap(top, top_len);
	munmap(grp, grp_len);
	fe_lpm6_probe__destroy(skel);
	return failures ? 1 : 0;
}
