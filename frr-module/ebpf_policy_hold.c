// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policies on hold: removed from the configuration, still in the fast
 * path for a few seconds.
 *
 * frr-reload.py (Debian's `systemctl reload frr`) changes a line by
 * deleting the old one, then adding the new one: several vtysh calls and
 * up to two passes apart. Removing the policy at the delete would let its
 * traffic through unpoliced until the add. The full-line `no` forms, the
 * ones frr-reload.py sends, put the line on hold instead: it leaves the
 * running configuration at once, the policy leaves the fast path
 * EBPF_POLICY_HOLD_SECONDS later, unless its line is configured again
 * meanwhile, which replaces it in one switch (ebpf_polgen).
 */
#include "lib/zebra.h"

#include "frr_compat.h"

#include "fe_policy.h"
#include "ebpf_memory.h"
#include "ebpf_policy.h"
#include "ebpf_policy_hold.h"

DEFINE_MTYPE_STATIC(EBPF, EBPF_POLICY_HOLD, "eBPF policies on hold");

struct held {
	char name[FE_POLICY_NAME_MAX + 1];
	bool parts[2]; /* [0] match line, [1] action line */
};

static struct fe_loop *hold_tm;
static struct fe_task *hold_thread;
static struct held *held;
static size_t nheld, held_cap;

static struct held *find(const char *name)
{
	for (size_t i = 0; i < nheld; i++)
		if (!strcmp(held[i].name, name))
			return &held[i];
	return NULL;
}

static void drop(struct held *h)
{
	*h = held[--nheld];
}

/* Every policy still on hold goes, in one switch. */
static void hold_expire(struct fe_task *t)
{
	struct fe_policy_set *s = ebpf_policies();

	for (size_t i = 0; i < nheld; i++)
		if (s)
			fe_policy_del(s, held[i].name);
	nheld = 0;
	ebpf_policy_sync();
}

void ebpf_policy_hold_init(struct fe_loop *tm)
{
	hold_tm = tm;
}

void ebpf_policy_hold_fini(void)
{
	EVENT_OFF(hold_thread);
	XFREE(MTYPE_EBPF_POLICY_HOLD, held);
	nheld = held_cap = 0;
}

void ebpf_policy_hold(const char *name, enum ebpf_policy_part part)
{
	struct held *h = find(name);

	if (!h) {
		if (nheld == held_cap) {
			held_cap = held_cap ? 2 * held_cap : 8;
			held = XREALLOC(MTYPE_EBPF_POLICY_HOLD, held,
					held_cap * sizeof(*held));
		}
		h = &held[nheld++];
		memset(h, 0, sizeof(*h));
		strlcpy(h->name, name, sizeof(h->name));
	}
	h->parts[part] = true;
	/* from the last delete: a reload's deletes come in a burst */
	EVENT_OFF(hold_thread);
	event_add_timer(hold_tm, hold_expire, NULL, EBPF_POLICY_HOLD_SECONDS,
			 &hold_thread);
}

void ebpf_policy_unhold(const char *name, enum ebpf_policy_part part)
{
	struct held *h = find(name);

	if (!h)
		return;
	h->parts[part] = false;
	if (!h->parts[EBPF_POLICY_MATCH] && !h->parts[EBPF_POLICY_ACTION])
		drop(h);
}

void ebpf_policy_unhold_all(const char *name)
{
	struct held *h = find(name);

	if (h)
		drop(h);
}

bool ebpf_policy_held(const char *name, enum ebpf_policy_part part)
{
	struct held *h = find(name);

	return h && h->parts[part];
}

bool ebpf_policy_on_hold(const char *name)
{
	return find(name) != NULL;
}
