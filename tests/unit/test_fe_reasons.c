// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_reasons: every to-kernel and drop reason of the
 * ABI header has a name, no two share one, and the YANG model has a
 * counter leaf of that name (and none for a reason that does not exist).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bpf/frr_ebpf_abi.h"
#include "lib/fe_reasons.h"

#ifndef FE_YANG_FILE
#error "FE_YANG_FILE: the path of yang/frr-ebpf.yang"
#endif

typedef const char *(*namefn)(int);

static void all_named_and_distinct(namefn name, int max)
{
	for (int r = 0; r < max; r++) {
		const char *n = name(r);

		if (!n)
			fail_msg("reason %d has no name", r);
		for (int o = 0; o < r; o++)
			if (!strcmp(n, name(o)))
				fail_msg("reasons %d and %d are both \"%s\"", o,
					 r, n);
	}
	assert_null(name(max));
	assert_null(name(-1));
}

static void test_pass_names(void **state)
{
	(void)state;
	all_named_and_distinct(fe_pass_reason_name, FE_PASS_MAX);
}

static void test_drop_names(void **state)
{
	(void)state;
	all_named_and_distinct(fe_drop_reason_name, FE_DROP_MAX);
}

static char *read_yang(void)
{
	FILE *f = fopen(FE_YANG_FILE, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	return buf;
}

/* The leaf names of "container NAME { ... }" (one level of leaves). */
static int container_leaves(const char *yang, const char *container,
			    char leaves[][64], int max)
{
	char head[96];
	const char *p, *end;
	int depth = 0, n = 0;

	snprintf(head, sizeof(head), "container %s {", container);
	p = strstr(yang, head);
	assert_non_null(p);
	p += strlen(head);
	for (end = p; *end && depth >= 0; end++)
		depth += *end == '{' ? 1 : *end == '}' ? -1 : 0;
	while ((p = strstr(p, "leaf ")) && p < end && n < max) {
		sscanf(p, "leaf %63[A-Za-z0-9]", leaves[n++]);
		p += 5;
	}
	return n;
}

static void yang_matches(namefn name, int max, const char *container)
{
	char *yang = read_yang();
	char leaves[64][64];
	int n = container_leaves(yang, container, leaves, 64);

	assert_int_equal(n, max);
	for (int r = 0; r < max; r++) {
		bool found = false;

		for (int i = 0; i < n; i++)
			found |= !strcmp(leaves[i], name(r));
		if (!found)
			fail_msg("reason \"%s\" has no leaf in container %s",
				 name(r), container);
	}
	free(yang);
}

static void test_yang_to_kernel(void **state)
{
	(void)state;
	yang_matches(fe_pass_reason_name, FE_PASS_MAX, "toKernel");
}

static void test_yang_dropped(void **state)
{
	(void)state;
	yang_matches(fe_drop_reason_name, FE_DROP_MAX, "dropped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_names),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_yang_to_kernel),
		cmocka_unit_test(test_yang_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
