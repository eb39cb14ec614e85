// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * map_memory: what the route maps cost in kernel memory, by table size,
 * and what one route change costs the writer. IPv4 tables of 1k, 100k
 * and 1M DFZ-like prefixes (bench/dfz4.h), IPv6 of 10k and 200k
 * (bench/dfz6.h).
 *
 * The maps are the real ones: bpf/fe_mirror.bpf.o loaded with libbpf,
 * nothing pinned (a router running on the machine is never touched),
 * capacities as the module's defaults; a fresh instance per size. As the
 * module does (frr-module/ebpf_mirror.c): every prefix goes into the LPM
 * trie (fe_route4_v1 / fe_route6_v1, BPF_F_NO_PREALLOC) and into the
 * route table, whose top array (fe_l4_top_v1 / fe_l6_top_v1) is written
 * through mmap and whose group array is created apart, starts at
 * FE_TBL_GROUPS_INITIAL groups, sits in the groups map's slot
 * (fe_l4_grp_v1 / fe_l6_grp_v2) and doubles when the builder runs out.
 *
 * Memory is the kernel's own account, "memlock:" of /proc/self/fdinfo:
 * what counts against a memlock limit (or the cgroup), per map. Then
 * --changes random changes (default 10000): a present prefix withdrawn,
 * a new one announced, each in the table (fe_lpm6_del/_add, growth
 * included) and in the trie (bpf_map_delete_elem/_update_elem), timed
 * apart. The builder's own heap (rule store) is userspace memory, printed
 * for scale only.
 *
 *   bench/map_memory [--changes N] [--max-routes N] [--json FILE]
 *
 * Needs root (BPF).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/dfz4.h"
#include "bench/dfz6.h"
#include "frr_ebpf_abi.h"
#include "lib/fe_lpm6.h"
#include "frr-module/ebpf_maputil.h"
#include "fe_mirror.skel.h"

/* trie, top, groups map, group array */
#define NMAPS 4

struct result {
	const char *family;
	long routes;
	uint64_t memlock[NMAPS];
	uint64_t total;
	uint32_t ngroups, groups_used, grown; /* after loading */
	uint32_t ngroups_end, grown_end;      /* after the changes */
	uint64_t builder_heap;
	double load_s;
	/* per change, ns: table add, table del, trie update, trie delete */
	double tbl_add, tbl_del, trie_add, trie_del;
};

/* A route table as the module keeps one. */
struct table {
	int groups_map_fd;
	uint32_t *top;
	int grp_fd;
	uint32_t *grp;
	uint32_t ngroups, cap, grown;
	struct fe_lpm6 *b;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int table_open(struct table *t, int top_fd, int groups_map_fd,
		      uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	t->groups_map_fd = groups_map_fd;
	t->cap = cap;
	t->ngroups = FE_TBL_GROUPS_INITIAL;
	t->top = mmap(NULL, (size_t)FE_LPM6_TOP_ENTRIES * 4,
		      PROT_READ | PROT_WRITE, MAP_SHARED, top_fd, 0);
	if (t->top == MAP_FAILED ||
	    ebpf_group_array_new(t->ngroups, &t->grp_fd, &t->grp))
		return -1;
	t->b = fe_lpm6_new(t->top, t->grp, t->ngroups);
	if (!t->b || ebpf_group_array_publish(groups_map_fd, t->grp_fd))
		return -1;
	return 0;
}

static void table_close(struct table *t)
{
	fe_lpm6_free(t->b);
	ebpf_group_array_drop(t->grp_fd, t->grp, t->ngroups);
	munmap(t->top, (size_t)FE_LPM6_TOP_ENTRIES * 4);
}

/* The module's table_grow: double (up to cap), copy, regroup, swap. */
static int table_grow(struct table *t)
{
	uint32_t n, *mem;
	int fd, rc;

	if (t->ngroups >= t->cap)
		return -ENOSPC;
	n = t->ngroups > t->cap / 2 ? t->cap : t->ngroups * 2;
	rc = ebpf_group_array_new(n, &fd, &mem);
	if (rc)
		return rc;
	memcpy(mem, t->grp, (size_t)t->ngroups * sizeof(struct fe_lpm6_val));
	rc = fe_lpm6_regroup(t->b, mem, n);
	if (!rc)
		rc = ebpf_group_array_publish(t->groups_map_fd, fd);
	if (rc) {
		ebpf_group_array_drop(fd, mem, n);
		return rc;
	}
	ebpf_group_array_drop(t->grp_fd, t->grp, t->ngroups);
	t->grp_fd = fd;
	t->grp = mem;
	t->ngroups = n;
	t->grown++;
	return 0;
}

static int table_add(struct table *t, const uint8_t a[16], uint8_t len,
		     uint32_t value)
{
	int rc = fe_lpm6_add(t->b, a, len, value);

	if (rc == -ENOSPC) {
		rc = table_grow(t);
		if (!rc)
			rc = fe_lpm6_add(t->b, a, len, value);
	}
	return rc;
}

/* One prefix in both forms: the builder's 16 bytes, the trie's key. */
struct route {
	uint8_t a[16];
	uint8_t len;
};

static void trie_key(bool v4, const struct route *r, void *key)
{
	if (v4) {
		struct fe_lpm4_key *k = key;

		k->prefixlen = r->len;
		memcpy(k->addr, r->a, 4);
	} else {
		struct fe_lpm6_key *k = key;

		k->prefixlen = r->len;
		memcpy(k->addr, r->a, 16);
	}
}

/* NHG ids as a full table has them: a few hundred groups. */
static uint32_t nhg_of(long i)
{
	return (uint32_t)(i % 509) + 1;
}

/*
 * Prefixes generated: the table's n, then the new ones of the changes.
 * At least CHG_POOL of those, so that the table itself does not depend on
 * --changes (dfz6_gen's set depends on how many it makes).
 */
#define CHG_POOL 10000

static int run(bool v4, long n, long nchg, uint64_t seed, struct result *res)
{
	long ngen = n + (nchg > CHG_POOL ? nchg : CHG_POOL);
	struct route *set = calloc(ngen, sizeof(*set));
	struct fe_route_val rv = { .kind = FE_ROUTE_UNICAST, .protocol = 186 };
	struct fe_lpm6_key key; /* large enough for either */
	struct fe_lpm6_stats st;
	struct fe_mirror *skel;
	struct bpf_map *m, *route_map, *groups_map;
	struct table t;
	uint64_t s = seed;
	long *present; /* set index of each of the n present prefixes */
	double t0, ta = 0, td = 0, ra = 0, rd = 0;
	int route_fd;

	memset(res, 0, sizeof(*res));
	res->family = v4 ? "IPv4" : "IPv6";
	res->routes = n;
	present = calloc(n, sizeof(*present));
	if (!set || !present)
		return -1;
	if (v4) {
		struct dfz4_prefix *p = calloc(ngen, sizeof(*p));

		if (!p || dfz4_gen(p, ngen, &s, 0))
			return -1;
		for (long i = 0; i < ngen; i++) {
			dfz4_to16(p[i].addr, set[i].a);
			set[i].len = p[i].len;
		}
		free(p);
	} else {
		struct dfz6_prefix *p = calloc(ngen, sizeof(*p));

		if (!p || dfz6_gen(p, ngen, seed))
			return -1;
		for (long i = 0; i < ngen; i++) {
			memcpy(set[i].a, p[i].a, 16);
			set[i].len = p[i].len;
		}
		free(p);
	}

	skel = fe_mirror__open();
	if (!skel)
		return -1;
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (fe_mirror__load(skel)) {
		fprintf(stderr, "map_memory: cannot load fe_mirror.bpf.o: %s\n",
			strerror(errno));
		return -1;
	}
	route_map = v4 ? skel->maps.fe_route4_v1 : skel->maps.fe_route6_v1;
	groups_map = v4 ? skel->maps.fe_l4_grp_v1 : skel->maps.fe_l6_grp_v2;
	route_fd = bpf_map__fd(route_map);
	if (table_open(&t,
		       bpf_map__fd(v4 ? skel->maps.fe_l4_top_v1
				      : skel->maps.fe_l6_top_v1),
		       bpf_map__fd(groups_map),
		       v4 ? FE_L4_GROUPS_MAX_DEFAULT : FE_L6_GROUPS_MAX_DEFAULT))
		return -1;

	t0 = now();
	for (long i = 0; i < n; i++) {
		rv.nhg_id = nhg_of(i);
		trie_key(v4, &set[i], &key);
		if (bpf_map_update_elem(route_fd, &key, &rv, BPF_ANY) ||
		    table_add(&t, set[i].a, set[i].len, nhg_of(i))) {
			fprintf(stderr, "map_memory: route %ld refused\n", i);
			return -1;
		}
		present[i] = i;
	}
	res->load_s = now() - t0;
	fe_lpm6_grace(t.b);

	res->memlock[0] = ebpf_map_memlock(route_fd);
	res->memlock[1] = ebpf_map_memlock(bpf_map__fd(v4 ? skel->maps.fe_l4_top_v1
						    : skel->maps.fe_l6_top_v1));
	res->memlock[2] = ebpf_map_memlock(bpf_map__fd(groups_map));
	res->memlock[3] = ebpf_map_memlock(t.grp_fd);
	for (int i = 0; i < NMAPS; i++)
		res->total += res->memlock[i];
	fe_lpm6_stats(t.b, &st);
	res->groups_used = st.groups_used;
	res->builder_heap = st.rules_bytes;
	res->ngroups = t.ngroups;
	res->grown = t.grown;

	/*
	 * Changes: withdraw a random present prefix, announce a fresh one
	 * in its place, so the size stays n. Grace periods as the module's
	 * tick gives them, outside the timing (one per 256 changes).
	 */
	for (long c = 0; c < nchg; c++) {
		long slot = dfz6_rnd(&s) % n;
		const struct route *old = &set[present[slot]];
		const struct route *new = &set[n + c];
		double t1, t2, t3;
		int rc;

		trie_key(v4, old, &key);
		t0 = now();
		rc = fe_lpm6_del(t.b, old->a, old->len);
		t1 = now();
		rc = rc ?: bpf_map_delete_elem(route_fd, &key);
		t2 = now();
		td += t1 - t0;
		rd += t2 - t1;

		rv.nhg_id = nhg_of(n + c);
		trie_key(v4, new, &key);
		t0 = now();
		rc = rc ?: table_add(&t, new->a, new->len, nhg_of(n + c));
		t1 = now();
		rc = rc ?: bpf_map_update_elem(route_fd, &key, &rv, BPF_ANY);
		t3 = now();
		ta += t1 - t0;
		ra += t3 - t1;
		if (rc) {
			fprintf(stderr, "map_memory: change %ld failed: %s\n",
				c, strerror(rc < 0 ? -rc : errno));
			return -1;
		}
		present[slot] = n + c;
		if (c % 256 == 255)
			fe_lpm6_grace(t.b);
	}
	if (nchg) {
		res->tbl_add = ta / nchg * 1e9;
		res->tbl_del = td / nchg * 1e9;
		res->trie_add = ra / nchg * 1e9;
		res->trie_del = rd / nchg * 1e9;
	}
	res->ngroups_end = t.ngroups;
	res->grown_end = t.grown;

	table_close(&t);
	fe_mirror__destroy(skel);
	free(present);
	free(set);
	return 0;
}

static double mib(uint64_t b)
{
	return b / 1048576.0;
}

static void print_result(const struct result *r)
{
	printf("%-5s %8ld %9.2f %7.2f %7.1f %9.2f %9.2f %8.0f  %7u/%-7u %6.1f\n",
	       r->family, r->routes, mib(r->memlock[0]), mib(r->memlock[1]),
	       r->memlock[2] / 1024.0, mib(r->memlock[3]), mib(r->total),
	       (double)r->total / r->routes, r->groups_used, r->ngroups,
	       mib(r->builder_heap));
}

static void print_changes(const struct result *r)
{
	double tbl = (r->tbl_add + r->tbl_del) / 2;
	double trie = (r->trie_add + r->trie_del) / 2;

	printf("%-5s %8ld %9.2f %9.2f %9.2f %9.2f %11.2f %11.2f %9.2f  %u (%u)\n",
	       r->family, r->routes, r->tbl_add / 1e3, r->tbl_del / 1e3,
	       r->trie_add / 1e3, r->trie_del / 1e3, tbl / 1e3, trie / 1e3,
	       (tbl + trie) / 1e3, r->ngroups_end, r->grown_end - r->grown);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "changes", required_argument, NULL, 'c' },
		{ "max-routes", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'j' },
		{}
	};
	static const struct {
		bool v4;
		long n;
	} sizes[] = {
		{ true, 1000 }, { true, 100000 }, { true, 1000000 },
		{ false, 10000 }, { false, 200000 },
	};
	struct result res[sizeof(sizes) / sizeof(sizes[0])];
	long nchg = 10000, max_routes = 1000000;
	const char *json = NULL;
	int nres = 0, ch;
	double t_start = now();

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': nchg = atol(optarg); break;
		case 'm': max_routes = atol(optarg); break;
		case 'j': json = optarg; break;
		default:
			fprintf(stderr, "usage: %s [--changes N] [--max-routes N] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (nchg < 0)
		return 2;
	if (geteuid() != 0) {
		fprintf(stderr, "map_memory: needs root (BPF)\n");
		return 1;
	}
	libbpf_set_print(NULL);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		if (sizes[i].n > max_routes)
			continue;
		if (run(sizes[i].v4, sizes[i].n, nchg, 71 + i, &res[nres])) {
			fprintf(stderr, "map_memory: %s %ld routes failed\n",
				sizes[i].v4 ? "IPv4" : "IPv6", sizes[i].n);
			return 1;
		}
		nres++;
	}

	printf("route maps after loading, kernel memlock (/proc/self/fdinfo); DFZ-like prefixes\n");
	printf("%-5s %8s %9s %7s %7s %9s %9s %8s  %15s %6s\n", "", "routes",
	       "trie", "top", "grp map", "grp array", "total", "B/route",
	       "groups used/arr", "heap*");
	printf("%-5s %8s %9s %7s %7s %9s %9s %8s  %15s %6s\n", "", "", "MiB",
	       "MiB", "KiB", "MiB", "MiB", "", "", "MiB");
	for (int i = 0; i < nres; i++)
		print_result(&res[i]);
	printf("* the builder's rule store, userspace (not memlock)\n\n");
	printf("one route change, us (mean of %ld withdrawals and %ld announcements; table: fe_lpm6, growth included; trie: LPM trie syscall)\n",
	       nchg, nchg);
	printf("%-5s %8s %9s %9s %9s %9s %11s %11s %9s  %s\n", "", "routes",
	       "tbl add", "tbl del", "trie add", "trie del", "tbl change",
	       "trie change", "change", "array after (growths)");
	for (int i = 0; i < nres; i++)
		print_changes(&res[i]);
	printf("\ntotal runtime %.1f s\n", now() - t_start);

	if (json) {
		FILE *jf = fopen(json, "w");

		if (!jf) {
			perror(json);
			return 1;
		}
		fprintf(jf, "{\n  \"benchmark\": \"map_memory\",\n  \"changes\": %ld,\n  \"tables\": [",
			nchg);
		for (int i = 0; i < nres; i++) {
			const struct result *r = &res[i];

			fprintf(jf, "%s\n    {\"family\": \"%s\", \"routes\": %ld, \"memlock\": {\"trie\": %llu, \"top\": %llu, \"groups_map\": %llu, \"group_array\": %llu, \"total\": %llu}, \"bytes_per_route\": %.1f, \"groups_used\": %u, \"groups_array\": %u, \"grown\": %u, \"groups_array_after_changes\": %u, \"builder_heap\": %llu, \"load_s\": %.2f, \"change_ns\": {\"table_add\": %.0f, \"table_del\": %.0f, \"trie_add\": %.0f, \"trie_del\": %.0f}}",
				i ? "," : "", r->family, r->routes,
				(unsigned long long)r->memlock[0],
				(unsigned long long)r->memlock[1],
				(unsigned long long)r->memlock[2],
				(unsigned long long)r->memlock[3],
				(unsigned long long)r->total,
				(double)r->total / r->routes, r->groups_used,
				r->ngroups, r->grown, r->ngroups_end,
				(unsigned long long)r->builder_heap, r->load_s,
				r->tbl_add, r->tbl_del, r->trie_add,
				r->trie_del);
		}
		fprintf(jf, "\n  ]\n}\n");
		fclose(jf);
	}
	return 0;
}
