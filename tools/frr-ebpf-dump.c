// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-ebpf-dump: print the pinned mirror maps as JSON, for operators,
 * exporters and tests (they compare it with `show ip route json`).
 *
 *   frr-ebpf-dump [-p PIN_PATH]
 *
 * Exit status: 0 ok, 1 maps not found or unreadable (message on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "fe_route.h"

static int open_map(const char *root, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fprintf(stderr, "frr-ebpf-dump: cannot open %s: %s\n", path,
			strerror(errno));
	return fd;
}

static void dump_routes(int fd, int family)
{
	union fe_route_key key, next;
	struct fe_route_val val;
	struct fe_prefix p;
	char buf[64];
	void *prev = NULL;
	bool first = true;

	printf("[");
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		/* The syscall lookup of an LPM trie is longest-match: an
		 * exact key finds itself.
		 */
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		if (fe_route_key_decode(family, &key, &p))
			continue;
		printf("%s\n    {\"prefix\": \"%s\", \"kind\": \"%s\", \"protocol\": %u, \"distance\": %u, \"metric\": %u, \"nhgId\": %u}",
		       first ? "" : ",", fe_prefix_str(&p, buf, sizeof(buf)),
		       fe_route_kind_str(val.kind), val.protocol, val.distance,
		       val.metric, val.nhg_id);
		first = false;
	}
	printf("%s]", first ? "" : "\n  ");
}

static void dump_nhgs(int fd)
{
	static struct fe_nhg_val val;
	__u32 key, next, *prev = NULL;
	char gw[INET6_ADDRSTRLEN];
	bool first = true;
	unsigned int i;

	printf("{");
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		printf("%s\n    \"%u\": {\"totalWeight\": %u, \"paths\": [",
		       first ? "" : ",", key, val.total_weight);
		for (i = 0; i < val.count && i < FE_MAX_PATHS; i++) {
			const struct fe_nexthop *nh = &val.nh[i];
			const char *type = "interface";

			gw[0] = '\0';
			if (nh->type == FE_NH_IPV4) {
				type = "ipv4";
				inet_ntop(AF_INET, nh->addr, gw, sizeof(gw));
			} else if (nh->type == FE_NH_IPV6) {
				type = "ipv6";
				inet_ntop(AF_INET6, nh->addr, gw, sizeof(gw));
			}
			printf("%s{\"type\": \"%s\", \"gateway\": \"%s\", \"ifindex\": %u, \"weight\": %u, \"onlink\": %s}",
			       i ? ", " : "", type, gw, nh->ifindex, nh->weight,
			       (nh->flags & FE_NH_F_ONLINK) ? "true" : "false");
		}
		printf("]}");
		first = false;
	}
	printf("%s}", first ? "" : "\n  ");
}

int main(int argc, char **argv)
{
	const char *root = FE_PIN_ROOT_DEFAULT;
	int fd4, fd6, fdn, opt;

	while ((opt = getopt(argc, argv, "p:h")) != -1) {
		switch (opt) {
		case 'p':
			root = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-p PIN_PATH]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}

	fd4 = open_map(root, FE_MAP_ROUTE4);
	fd6 = open_map(root, FE_MAP_ROUTE6);
	fdn = open_map(root, FE_MAP_NHG);
	if (fd4 < 0 || fd6 < 0 || fdn < 0)
		return 1;

	printf("{\n  \"ipv4\": ");
	dump_routes(fd4, AF_INET);
	printf(",\n  \"ipv6\": ");
	dump_routes(fd6, AF_INET6);
	printf(",\n  \"nexthopGroups\": ");
	dump_nhgs(fdn);
	printf("\n}\n");
	return 0;
}
