// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-ebpf-dump: print the pinned mirror maps as JSON, for operators,
 * exporters and tests (they compare it with `show ip route json`), and
 * the fast path's policy tries (the generation in use) when it is loaded (operator policies and
 * the entries detection installs, told apart by nothing but their id).
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

/*
 * Print every entry of an LPM trie as a JSON array, one object per entry
 * written by print(). The syscall lookup of an LPM trie is longest-match:
 * an exact key finds itself.
 */
static void dump_trie(int fd, int family, void *val,
		      void (*print)(const char *prefix, const void *val))
{
	union fe_route_key key, next;
	struct fe_prefix p;
	char buf[64];
	void *prev = NULL;
	bool first = true;

	printf("[");
	while (fd >= 0 && bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, val) ||
		    fe_route_key_decode(family, &key, &p))
			continue;
		printf("%s\n    ", first ? "" : ",");
		print(fe_prefix_str(&p, buf, sizeof(buf)), val);
		first = false;
	}
	printf("%s]", first ? "" : "\n  ");
}

static void print_route(const char *prefix, const void *v)
{
	const struct fe_route_val *val = v;

	printf("{\"prefix\": \"%s\", \"kind\": \"%s\", \"protocol\": %u, \"distance\": %u, \"metric\": %u, \"nhgId\": %u}",
	       prefix, fe_route_kind_str(val->kind), val->protocol,
	       val->distance, val->metric, val->nhg_id);
}

static void dump_routes(int fd, int family)
{
	struct fe_route_val val;

	dump_trie(fd, family, &val, print_route);
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

static void print_policy(const char *prefix, const void *v)
{
	const struct fe_policy_val *val = v;

	printf("{\"prefix\": \"%s\", \"action\": %u, \"id\": %u, \"nhgId\": %u, \"sourceLength\": %u, \"ingress\": %u}",
	       prefix, val->action, val->id, val->nhg_id, val->src_len,
	       val->ingress);
}

/* The policy tries exist only once the fast path has been loaded. */
static void dump_policies(int fd, int family)
{
	struct fe_policy_val val;

	dump_trie(fd, family, &val, print_policy);
}

static int open_optional(const char *root, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	return bpf_obj_get(path);
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
	{
		/* the generation the datapath reads (fe_config.policy_gen) */
		int cfd = open_optional(root, FE_MAP_CONFIG);
		struct fe_config cfg = {};
		uint32_t zero = 0;
		bool g1;
		int p4, p6;

		if (cfd >= 0)
			bpf_map_lookup_elem(cfd, &zero, &cfg);
		g1 = cfg.policy_gen & 1;
		p4 = open_optional(root, g1 ? FE_MAP_POLICY4_G1 : FE_MAP_POLICY4);
		p6 = open_optional(root, g1 ? FE_MAP_POLICY6_G1 : FE_MAP_POLICY6);

		if (p4 >= 0 || p6 >= 0) {
			printf(",\n  \"policies\": {\"ipv4\": ");
			dump_policies(p4, AF_INET);
			printf(", \"ipv6\": ");
			dump_policies(p6, AF_INET6);
			printf("}");
		}
	}
	printf("\n}\n");
	return 0;
}
