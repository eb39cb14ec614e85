// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What one dependent random read costs on this machine, by working-set
 * size: the limit under any route lookup whose table does not stay in
 * the caches. A pointer chase over a random cyclic permutation of 64-byte
 * lines (every read waits for the one before), on 4 KiB pages as the
 * kernel's vmalloc'd BPF arrays are, and again on transparent huge pages
 * where the kernel gives them, to tell cache misses from TLB misses.
 * Ratios are to the smallest size of the same run.
 *
 *   bench/mem_latency [--max-mib N] [--reads N] [--json FILE]
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static volatile uint64_t sink;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ns per dependent read over mib MiB; -1 if the memory is not there. */
static double chase(size_t mib, int huge, long reads)
{
	size_t bytes = mib << 20, lines = bytes / 64;
	uint32_t *perm = malloc(lines * sizeof(*perm));
	uint64_t *p, x = 0;
	double t;

	if (!perm)
		return -1;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(perm);
		return -1;
	}
	madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	for (size_t i = 0; i < lines; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = rnd() % (i + 1);
		uint32_t tmp = perm[i];

		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (size_t i = 0; i < lines; i++)
		p[(size_t)perm[i] * 8] = (uint64_t)perm[(i + 1) % lines] * 8;
	for (long i = 0; i < reads; i++) /* warm: caches, TLB, pages */
		x = p[x];
	t = now();
	for (long i = 0; i < reads; i++)
		x = p[x];
	t = now() - t;
	sink = x; /* the chain's result is used: the loop stays */
	munmap(p, bytes);
	free(perm);
	return t / (double)reads * 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "max-mib", required_argument, NULL, 'm' },
		{ "reads", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{}
	};
	size_t max_mib = 128;
	long reads = 5000000;
	const char *json = NULL;
	double base[2] = { 0, 0 };
	FILE *jf = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': max_mib = strtoul(optarg, NULL, 10); break;
		case 'r': reads = atol(optarg); break;
		case 'j': json = optarg; break;
		default:
			fprintf(stderr, "usage: %s [--max-mib N] [--reads N] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (max_mib < 1 || reads < 1)
		return 2;
	if (json && !(jf = fopen(json, "w"))) {
		perror(json);
		return 1;
	}
	printf("dependent random reads, ns each (ratio to 1 MiB)\n");
	printf("%8s %16s %16s\n", "MiB", "4 KiB pages", "huge pages");
	if (jf)
		fprintf(jf, "{\n  \"benchmark\": \"mem_latency\",\n  \"reads\": %ld,\n  \"ns_per_read\": [",
			reads);
	for (size_t mib = 1; mib <= max_mib; mib *= 2) {
		double ns[2];

		for (int huge = 0; huge < 2; huge++) {
			ns[huge] = chase(mib, huge, reads);
			if (mib == 1)
				base[huge] = ns[huge];
		}
		printf("%8zu %9.1f (%4.1fx) %9.1f (%4.1fx)\n", mib, ns[0],
		       ns[0] / base[0], ns[1], ns[1] / base[1]);
		if (jf)
			fprintf(jf, "%s\n    {\"mib\": %zu, \"small_pages\": %.1f, \"huge_pages\": %.1f}",
				mib > 1 ? "," : "", mib, ns[0], ns[1]);
	}
	if (jf) {
		fprintf(jf, "\n  ]\n}\n");
		fclose(jf);
	}
	return 0;
}
