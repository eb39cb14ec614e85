/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Userspace shadow of what the mirror has written to the BPF maps: every
 * route (prefix -> NHG id) and every NHG with its route reference count
 * and whether zebra currently announces it. It answers "is this NHG still
 * needed?" without reading the maps, and it is what a restart reconciles
 * the pinned maps against.
 *
 * Pure C: no FRR, no libbpf, no clock, no globals. Not thread safe: one
 * owner. Every function returns 0 (or 1 where documented) or a negative
 * errno, and leaves its outputs untouched on error.
 */
#ifndef FE_SHADOW_H
#define FE_SHADOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fe_route.h"

struct fe_shadow;

/* A new, empty shadow; NULL when out of memory. */
struct fe_shadow *fe_shadow_new(void);

/*
 * Hash of the bytes of a key. The default is FNV-1a with a 64-bit mixing
 * finalizer; another function is for tests (forced collisions) or for a
 * keyed hash.
 */
typedef uint64_t (*fe_shadow_hash_fn)(const void *key, size_t len);

/* As fe_shadow_new, hashing with fn (NULL: the default). */
struct fe_shadow *fe_shadow_new_hash(fe_shadow_hash_fn fn);

/* Free a shadow; NULL is a no-op. */
void fe_shadow_free(struct fe_shadow *sh);

/*
 * Routes. The prefix must be valid (fe_prefix_valid), else -EINVAL.
 * nhg_id 0 is allowed: it is what non-unicast routes carry.
 */

/*
 * Insert or replace a route. Returns 1 if the prefix was new (*old_nhg_id
 * set to 0), 0 if it replaced a route (*old_nhg_id set to the previous
 * NHG id), -EINVAL or -ENOMEM. old_nhg_id may be NULL. A replace never
 * allocates, so it never fails with -ENOMEM.
 */
int fe_shadow_route_set(struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t nhg_id, uint32_t *old_nhg_id);

/* Remove a route: 0 (*old_nhg_id set, may be NULL), -ENOENT or -EINVAL. */
int fe_shadow_route_del(struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t *old_nhg_id);

/* NHG id of a route: 0, -ENOENT or -EINVAL. */
int fe_shadow_route_get(const struct fe_shadow *sh, const struct fe_prefix *p,
			uint32_t *nhg_id);

bool fe_shadow_route_has(const struct fe_shadow *sh,
			 const struct fe_prefix *p);

/* Routes of AF_INET or AF_INET6; AF_UNSPEC counts both. */
size_t fe_shadow_route_count(const struct fe_shadow *sh, int family);

/*
 * Visit every route once, IPv4 first, in no particular order. cb must not
 * modify the shadow. A non-zero return from cb stops the walk and is
 * returned; otherwise 0 (-EINVAL for a NULL argument).
 */
typedef int (*fe_shadow_route_cb)(const struct fe_prefix *p, uint32_t nhg_id,
				  void *arg);
int fe_shadow_route_foreach(const struct fe_shadow *sh, fe_shadow_route_cb cb,
			    void *arg);

/*
 * Nexthop groups. An NHG is in the shadow while routes reference it
 * (refs > 0) or zebra announces it (held). The call that leaves it with
 * neither drops it and returns 1: the caller then deletes it from the
 * map. id 0 is never an NHG: -EINVAL.
 */

/* One more route uses id (created if unknown). 0, -ENOMEM, -EOVERFLOW. */
int fe_shadow_nhg_ref(struct fe_shadow *sh, uint32_t id);

/*
 * One route less uses id. 1 if the NHG became unused and was dropped,
 * 0 if still in use, -ENOENT if unknown, -EINVAL if it had no reference.
 */
int fe_shadow_nhg_unref(struct fe_shadow *sh, uint32_t id);

/*
 * Zebra announced (NH_INSTALL: held true) or withdrew (NH_DELETE: held
 * false) the NHG. Idempotent. held true: 0 or -ENOMEM. held false: 1 if
 * the NHG became unused and was dropped, 0 if routes still use it, -ENOENT
 * if unknown.
 */
int fe_shadow_nhg_hold(struct fe_shadow *sh, uint32_t id, bool held);

/* True if id has no route reference and is not held, i.e. is unknown. */
bool fe_shadow_nhg_unused(const struct fe_shadow *sh, uint32_t id);

bool fe_shadow_nhg_has(const struct fe_shadow *sh, uint32_t id);

/* Route references and held flag of id: 0 or -ENOENT. Either may be NULL. */
int fe_shadow_nhg_get(const struct fe_shadow *sh, uint32_t id, uint32_t *refs,
		      bool *held);

size_t fe_shadow_nhg_count(const struct fe_shadow *sh);

/* As fe_shadow_route_foreach, for NHGs. */
typedef int (*fe_shadow_nhg_cb)(uint32_t id, uint32_t refs, bool held,
				void *arg);
int fe_shadow_nhg_foreach(const struct fe_shadow *sh, fe_shadow_nhg_cb cb,
			  void *arg);

/* Bytes the shadow holds on the heap, tables included. */
size_t fe_shadow_mem_bytes(const struct fe_shadow *sh);

#endif /* FE_SHADOW_H */
