// SPDX-License-Identifier: GPL-2.0-or-later
/* XDP features of a device over generic netlink: see ebpf_xdpfeat.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#include "ebpf_xdpfeat.h"

/* From <linux/netdev.h> (Linux 6.3), newer than Debian 12's headers. */
#define FE_NETDEV_CMD_DEV_GET 1
#define FE_NETDEV_A_DEV_IFINDEX 1
#define FE_NETDEV_A_DEV_XDP_FEATURES 3
#define FE_NETDEV_XDP_ACT_NDO_XMIT 4

struct nlreq {
	struct nlmsghdr nh;
	struct genlmsghdr g;
	char attrs[64];
};

static void req_init(struct nlreq *r, uint16_t type, uint8_t cmd)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST;
	r->g.cmd = cmd;
	r->g.version = 1;
}

static void put_attr(struct nlreq *r, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* Send r, receive one reply into buf; its attributes or NULL. */
static struct nlattr *transact(int fd, struct nlreq *r, char *buf,
			       size_t size, int *alen)
{
	struct nlmsghdr *nh = (void *)buf;
	ssize_t n;

	if (send(fd, r, r->nh.nlmsg_len, 0) < 0)
		return NULL;
	n = recv(fd, buf, size, 0);
	if (n < (ssize_t)NLMSG_HDRLEN || !NLMSG_OK(nh, n) ||
	    nh->nlmsg_type == NLMSG_ERROR)
		return NULL;
	*alen = nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	return (struct nlattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
}

static const struct nlattr *find_attr(const struct nlattr *a, int len,
				      uint16_t type)
{
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/*
 * The netdev family's id, and with group the id of its multicast group
 * of that name (0 if none); -1 without the family.
 */
static int netdev_family(int fd, const char *group, uint32_t *group_id)
{
	const struct nlattr *id, *groups, *g;
	struct nlattr *attrs;
	struct nlreq r;
	uint16_t family;
	char buf[4096];
	int alen, glen;

	req_init(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, "netdev", sizeof("netdev"));
	attrs = transact(fd, &r, buf, sizeof(buf), &alen);
	id = attrs ? find_attr(attrs, alen, CTRL_ATTR_FAMILY_ID) : NULL;
	if (!id)
		return -1;
	memcpy(&family, (const char *)id + NLA_HDRLEN, sizeof(family));
	if (!group)
		return family;
	*group_id = 0;
	groups = find_attr(attrs, alen, CTRL_ATTR_MCAST_GROUPS);
	if (!groups)
		return family;
	/* nested: one nest per group, each with a name and an id */
	glen = groups->nla_len - NLA_HDRLEN;
	for (g = (const void *)((const char *)groups + NLA_HDRLEN);
	     glen >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= glen;
	     glen -= NLA_ALIGN(g->nla_len),
	     g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len))) {
		const struct nlattr *in = (const void *)((const char *)g + NLA_HDRLEN);
		int ilen = g->nla_len - NLA_HDRLEN;
		const struct nlattr *name = find_attr(in, ilen, CTRL_ATTR_MCAST_GRP_NAME);
		const struct nlattr *gid = find_attr(in, ilen, CTRL_ATTR_MCAST_GRP_ID);

		if (name && gid &&
		    !strcmp((const char *)name + NLA_HDRLEN, group)) {
			memcpy(group_id, (const char *)gid + NLA_HDRLEN,
			       sizeof(*group_id));
			break;
		}
	}
	return family;
}

int ebpf_xdp_feature_watch(void)
{
	uint32_t group = 0;
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	/* netdev's "mgmt" group: device added, removed, changed (its XDP
	 * features included)
	 */
	if (netdev_family(fd, "mgmt", &group) < 0 || !group ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group))) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

int ebpf_xdp_can_receive_redirects(uint32_t ifindex)
{
	char buf[4096];
	struct nlreq r;
	const struct nlattr *a;
	struct nlattr *attrs;
	uint64_t features;
	int fd, alen, family, ret = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	family = netdev_family(fd, NULL, NULL);
	if (family < 0)
		goto out;

	req_init(&r, family, FE_NETDEV_CMD_DEV_GET);
	put_attr(&r, FE_NETDEV_A_DEV_IFINDEX, &ifindex, sizeof(ifindex));
	attrs = transact(fd, &r, buf, sizeof(buf), &alen);
	a = attrs ? find_attr(attrs, alen, FE_NETDEV_A_DEV_XDP_FEATURES) : NULL;
	if (!a || a->nla_len < NLA_HDRLEN + sizeof(features))
		goto out;
	memcpy(&features, (const char *)a + NLA_HDRLEN, sizeof(features));
	ret = !!(features & FE_NETDEV_XDP_ACT_NDO_XMIT);
out:
	close(fd);
	return ret;
}
