/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policies on hold: a full-line `no ebpf policy NAME match|action ...`
 * (what frr-reload.py sends) takes the line out of the running
 * configuration at once and the policy out of the fast path only
 * EBPF_POLICY_HOLD_SECONDS later, unless the line is configured again
 * meanwhile. See ebpf_policy_hold.c.
 */
#ifndef EBPF_POLICY_HOLD_H
#define EBPF_POLICY_HOLD_H

#include <stdbool.h>

struct fe_loop;

#define EBPF_POLICY_HOLD_SECONDS 5

enum ebpf_policy_part {
	EBPF_POLICY_MATCH,
	EBPF_POLICY_ACTION,
};

void ebpf_policy_hold_init(struct fe_loop *tm);
void ebpf_policy_hold_fini(void);

/* The line of part is deleted: the policy goes when the hold ends. */
void ebpf_policy_hold(const char *name, enum ebpf_policy_part part);
/* The line of part is configured again: it is no longer on hold. */
void ebpf_policy_unhold(const char *name, enum ebpf_policy_part part);
/* The policy is removed at once (`no ebpf policy NAME`). */
void ebpf_policy_unhold_all(const char *name);

bool ebpf_policy_held(const char *name, enum ebpf_policy_part part);
bool ebpf_policy_on_hold(const char *name);

#endif /* EBPF_POLICY_HOLD_H */
