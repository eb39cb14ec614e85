/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit tests' prefix parser: "192.0.2.0/24" or "2001:db8::/32" to a
 * struct fe_prefix, failing the test on input fe_prefix_set refuses.
 * Include after <cmocka.h>.
 */
#ifndef TEST_PFX_H
#define TEST_PFX_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/fe_route.h"

static inline struct fe_prefix pfx(const char *s)
{
	char buf[64], *slash;
	uint8_t addr[16];
	struct fe_prefix p;
	int family;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	assert_non_null(slash);
	*slash = '\0';
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(family, buf, addr), 1);
	assert_int_equal(fe_prefix_set(&p, family, addr, atoi(slash + 1)), 0);
	return p;
}

#endif /* TEST_PFX_H */
