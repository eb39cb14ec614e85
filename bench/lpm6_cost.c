// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lpm6_cost: ns per IPv6 route lookup as the table grows (1k, 100k, 200k
 * DFZ-like prefixes, bench/dfz6.h), three ways, in the same run:
 *
 *   trie   the BPF LPM trie, as fe_fwd looks fe_route6_v1 up per packet
 *   table  fe_lpm6 (lib/fe_lpm6.c, bpf/fe_lpm6.h): the multibit trie in
 *          mmap'd array maps
 *   fib    bpf_fib_lookup: the same routes in the kernel FIB, in a
 *          private network namespace per size (unshare, no names)
 *
 * A benchmark, not a test: it prints figures and ratios. Each program
 * (bench/lpm6_cost.bpf.c) does 256 lookups per run over a ring of
 * destinations in a map, drawn at random inside random prefixes of that
 * size: "random" uses 65536 of them, "hot" 16 (their paths stay in the
 * caches). A run's duration / 256 is one lookup plus the loop; the null
 * program measures the loop, "net" figures subtract it. Sizes and
 * programs take turns, repetition by repetition; the median is printed.
 * Every run is checked: all its lookups must hit.
 *
 * Needs root. Usage: lpm6_cost [-r reps] [-n runs] [-s seed]
 *                              [-z size[,size...]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
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

#include "bench/bench_netns.h"
#include "bench/dfz6.h"
#include "lib/fe_lpm6.h"
#include "lpm6_cost.skel.h"

#define LOOKUPS 256     /* per run, as in lpm6_cost.bpf.c */
#define DESTS (1 << 16) /* as in lpm6_cost.bpf.c */
#define HOT_DESTS 16
#define MAX_SIZES 8
#define GW "fd00::2"

enum { P_NULL, P_TRIE, P_TABLE, P_FIB, NPROG };
static const char *const PROG_NAME[NPROG] = { "null", "trie", "table", "fib" };
enum { M_RANDOM, M_HOT, NMODE };
static const char *const MODE_NAME[NMODE] = { "random", "hot" };

struct env {
	long n;
	int nsfd;
	int in_ifindex;
	struct lpm6_cost *skel;
	int prog_fd[NPROG];
	struct fe_lpm6 *tab;
	struct fe_lpm6_stats st;
	double build_s, kernel_s, trie_s;
	double *ns[NMODE][NPROG]; /* one per repetition */
};

static struct {
	int reps, runs;
	uint64_t seed;
	long sizes[MAX_SIZES];
	int nsizes;
} opt = { .reps = 7, .runs = 200, .seed = 1,
	  .sizes = { 1000, 100000, 200000 }, .nsizes = 3 };

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void enter(const struct env *e)
{
	bench_netns_enter(e->nsfd);
}

/* A new namespace: a link to a gateway with a permanent neighbour. */
static int setup_netns(struct env *e)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add in0 type veth peer name in1",
		"ip link add eg0 type veth peer name eg1",
		"ip link set in0 up && ip link set in1 up",
		"ip link set eg0 up && ip link set eg1 up",
		"sysctl -qw net.ipv6.conf.all.forwarding=1",
		"ip -6 addr add fd00:1::1/64 dev in0 nodad",
		"ip -6 addr add fd00::1/64 dev eg0 nodad",
		"ip -6 neigh add " GW " lladdr 02:00:00:00:02:02 dev eg0 nud permanent",
		NULL,
	};

	e->nsfd = bench_netns_new(cmds);
	if (e->nsfd < 0)
		return -1;
	e->in_ifindex = (int)if_nametoindex("in0");
	return e->in_ifindex ? 0 : -1;
}

static void fmt6(const struct dfz6_prefix *p, char *buf)
{
	char *b = buf;

	for (int i = 0; i < 16; i += 2)
		b += sprintf(b, "%x%s", p->a[i] << 8 | p->a[i + 1],
			     i < 14 ? ":" : "");
	sprintf(b, "/%u", p->len);
}

/* The prefixes in the kernel FIB, all via GW, with `ip -batch`. */
static int load_kernel(const struct dfz6_prefix *set, long n)
{
	FILE *f = popen("ip -6 -batch -", "w");
	char buf[64];

	if (!f)
		return -1;
	for (long i = 0; i < n; i++) {
		fmt6(&set[i], buf);
		fprintf(f, "route add %s via " GW " dev eg0\n", buf);
	}
	return pclose(f) == 0 ? 0 : -1;
}

/* Trie, table and destinations of one size, in e's own maps. */
static int load_maps(struct env *e, const struct dfz6_prefix *set,
		     uint32_t ngroups, uint64_t *s)
{
	struct lpm6_cost *k = e->skel;
	int trie_fd = bpf_map__fd(k->maps.trie);
	uint32_t *top, *grp;
	double t0;

	top = mmap(NULL, (size_t)FE_LPM6_TOP_ENTRIES * 4, PROT_READ | PROT_WRITE,
		   MAP_SHARED, bpf_map__fd(k->maps.top), 0);
	grp = mmap(NULL, (size_t)ngroups * FE_LPM6_ENTRIES * 4,
		   PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(k->maps.groups), 0);
	if (top == MAP_FAILED || grp == MAP_FAILED)
		return -1;
	e->tab = fe_lpm6_new(top, grp, ngroups);
	if (!e->tab)
		return -1;
	t0 = now();
	for (long i = 0; i < e->n; i++)
		if (fe_lpm6_add(e->tab, set[i].a, set[i].len, (uint32_t)i + 1))
			return -1;
	e->build_s = now() - t0;
	fe_lpm6_stats(e->tab, &e->st);

	t0 = now();
	for (long i = 0; i < e->n; i++) {
		struct { uint32_t len; uint8_t a[16]; } key = { set[i].len };
		uint32_t v = (uint32_t)i + 1;

		memcpy(key.a, set[i].a, 16);
		if (bpf_map_update_elem(trie_fd, &key, &v, BPF_NOEXIST))
			return -1;
	}
	e->trie_s = now() - t0;

	/* Destinations; the trie and the table must agree on each. */
	for (uint32_t i = 0; i < DESTS; i++) {
		struct { uint32_t len; uint8_t a[16]; } key = { 128 };
		uint32_t v1 = 0, v2 = 0;

		dfz6_addr_in(&set[dfz6_rnd(s) % e->n], key.a, s);
		if (bpf_map_update_elem(bpf_map__fd(k->maps.dests), &i, key.a,
					BPF_ANY) ||
		    bpf_map_lookup_elem(trie_fd, &key, &v1) ||
		    fe_lpm6_lookup(e->tab, key.a, &v2) || v1 != v2) {
			fprintf(stderr, "trie and table differ (%u, %u)\n", v1,
				v2);
			return -1;
		}
	}
	return 0;
}

static int setup_env(struct env *e, uint64_t seed)
{
	struct dfz6_prefix *set = calloc(e->n, sizeof(*set));
	/* DFZ-like tables need ~1.1-1.4 groups a prefix; room to spare */
	uint32_t ngroups = (uint32_t)(e->n * 2 + 4096);
	uint64_t s = seed;
	double t0;

	if (!set || dfz6_gen(set, e->n, seed) || setup_netns(e))
		return -1;
	t0 = now();
	if (load_kernel(set, e->n))
		return -1;
	e->kernel_s = now() - t0;
	e->skel = lpm6_cost__open();
	if (!e->skel)
		return -1;
	bpf_map__set_max_entries(e->skel->maps.groups, ngroups);
	if (lpm6_cost__load(e->skel) || load_maps(e, set, ngroups, &s))
		return -1;
	e->prog_fd[P_NULL] = bpf_program__fd(e->skel->progs.l6_null);
	e->prog_fd[P_TRIE] = bpf_program__fd(e->skel->progs.l6_trie);
	e->prog_fd[P_TABLE] = bpf_program__fd(e->skel->progs.l6_table);
	e->prog_fd[P_FIB] = bpf_program__fd(e->skel->progs.l6_fib);
	for (int m = 0; m < NMODE; m++)
		for (int p = 0; p < NPROG; p++)
			e->ns[m][p] = calloc(opt.reps, sizeof(double));
	free(set);
	return 0;
}

/* ns per lookup of one program, `runs` runs; all lookups must hit. */
static double measure(struct env *e, int prog)
{
	uint8_t pkt[64] = { 0 };
	struct xdp_md ctx = { .data_end = sizeof(pkt),
			      .ingress_ifindex = (uint32_t)e->in_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = (uint32_t)opt.runs);
	uint64_t before = e->skel->bss->hits;

	if (bpf_prog_test_run_opts(e->prog_fd[prog], &o)) {
		fprintf(stderr, "test_run %s: %s\n", PROG_NAME[prog],
			strerror(errno));
		exit(1);
	}
	if (e->skel->bss->hits - before != (uint64_t)opt.runs * LOOKUPS) {
		fprintf(stderr, "%s: %llu of %llu lookups hit\n",
			PROG_NAME[prog],
			(unsigned long long)(e->skel->bss->hits - before),
			(unsigned long long)opt.runs * LOOKUPS);
		exit(1);
	}
	return (double)o.duration / LOOKUPS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double *c = malloc(n * sizeof(*c)), r;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	r = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return r;
}

static void report(struct env *envs, int nenv, int m)
{
	printf("\n%s destinations (%d), ns per lookup, median of %d; net = minus null\n",
	       MODE_NAME[m], m == M_HOT ? HOT_DESTS : DESTS, opt.reps);
	printf("%9s %6s %7s %7s %7s | %7s %7s %7s | %10s %10s\n", "prefixes",
	       "null", "trie", "table", "fib", "trie", "table", "fib",
	       "trie/table", "fib/table");
	for (int i = 0; i < nenv; i++) {
		double v[NPROG], net[NPROG];

		for (int p = 0; p < NPROG; p++) {
			v[p] = median(envs[i].ns[m][p], opt.reps);
			net[p] = v[p] - v[P_NULL];
		}
		printf("%9ld %6.1f %7.1f %7.1f %7.1f | %7.1f %7.1f %7.1f | %9.1fx %9.1fx\n",
		       envs[i].n, v[P_NULL], v[P_TRIE], v[P_TABLE], v[P_FIB],
		       net[P_TRIE], net[P_TABLE], net[P_FIB],
		       net[P_TRIE] / net[P_TABLE], net[P_FIB] / net[P_TABLE]);
	}
}

static int parse_sizes(char *arg)
{
	opt.nsizes = 0;
	for (char *t = strtok(arg, ","); t && opt.nsizes < MAX_SIZES;
	     t = strtok(NULL, ","))
		opt.sizes[opt.nsizes++] = atol(t);
	return opt.nsizes ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct env envs[MAX_SIZES] = { 0 };
	int c;

	while ((c = getopt(argc, argv, "r:n:s:z:")) != -1) {
		switch (c) {
		case 'r':
			opt.reps = atoi(optarg);
			break;
		case 'n':
			opt.runs = atoi(optarg);
			break;
		case 's':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'z':
			if (parse_sizes(optarg))
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (opt.reps < 1 || opt.runs < 1)
		goto usage;
	if (geteuid() != 0) {
		fprintf(stderr, "lpm6_cost: needs root (netns, BPF)\n");
		return 1;
	}
	printf("lpm6_cost: %d repetitions of %d runs x %d lookups per program\n",
	       opt.reps, opt.runs, LOOKUPS);
	for (int i = 0; i < opt.nsizes; i++) {
		struct env *e = &envs[i];

		e->n = opt.sizes[i];
		if (setup_env(e, opt.seed + (uint64_t)i)) {
			fprintf(stderr, "setting up %ld prefixes failed\n", e->n);
			return 1;
		}
		printf("%7ld prefixes: kernel FIB %.1f s (ip -batch), trie %.2f s,"
		       " table %.3f s (%.2f us a prefix); table %u groups,"
		       " %.1f MB, %.0f bytes a prefix\n",
		       e->n, e->kernel_s, e->trie_s, e->build_s,
		       e->build_s / e->n * 1e6, e->st.groups_used,
		       (e->st.top_bytes + e->st.group_bytes) / 1e6,
		       (double)(e->st.top_bytes + e->st.group_bytes) / e->n);
	}
	for (int r = 0; r < opt.reps; r++)
		for (int m = 0; m < NMODE; m++)
			for (int i = 0; i < opt.nsizes; i++) {
				struct env *e = &envs[i];

				enter(e);
				e->skel->data->mask =
					(m == M_HOT ? HOT_DESTS : DESTS) - 1;
				/* rotate who goes first */
				for (int k = 0; k < NPROG; k++) {
					int p = (k + r) % NPROG;

					e->ns[m][p][r] = measure(e, p);
				}
			}
	for (int m = 0; m < NMODE; m++)
		report(envs, opt.nsizes, m);
	return 0;
usage:
	fprintf(stderr,
		"usage: %s [-r reps] [-n runs] [-s seed] [-z size[,size...]]\n",
		argv[0]);
	return 2;
}
