/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmarks' private network namespaces (unshare, no name: a router
 * running on the machine is never touched): create one and set it up with
 * shell commands, enter one again later (BPF_PROG_TEST_RUN resolves
 * ingress_ifindex, hence the FIB, in the caller's namespace).
 */
#ifndef BENCH_NETNS_H
#define BENCH_NETNS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline int bench_sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "setup failed: %s\n", cmd);
	return rc;
}

/* A new namespace, entered, set up by cmds (NULL-terminated): its fd, or
 * -1.
 */
static inline int bench_netns_new(const char *const *cmds)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int i = 0; cmds[i]; i++)
		if (bench_sh(cmds[i])) {
			close(fd);
			return -1;
		}
	return fd;
}

/* Back into a namespace made by bench_netns_new; exits on failure. */
static inline void bench_netns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET)) {
		perror("setns");
		exit(1);
	}
}

#endif /* BENCH_NETNS_H */
