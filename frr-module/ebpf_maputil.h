/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers over BPF maps shared by the module's files. */
#ifndef EBPF_MAPUTIL_H
#define EBPF_MAPUTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Every key of a map, in a malloc'd array of *n keys of key_size bytes
 * (free() it; NULL with *n = 0 when empty or out of memory). Collected
 * first so that callers can delete while going through them: deleting
 * during bpf_map_get_next_key would restart the walk.
 */
void *ebpf_map_keys(int fd, size_t key_size, size_t *n);

/* Delete every entry of a map. */
void ebpf_map_clear(int fd, size_t key_size);

/* What the kernel charges for a map (memlock in its fdinfo); 0 if unknown. */
uint64_t ebpf_map_memlock(int fd);

/*
 * The group array of a route table (bpf/fe_lpm6.h): an array map of n
 * groups with the flags its groups map requires of an inner map, mapped
 * read-write at *mem. 0 or a negative errno (nothing left open). Creating
 * it needs CAP_BPF: the module calls it with its privileges raised.
 */
int ebpf_group_array_new(uint32_t n, int *fd, uint32_t **mem);
/* Unmap and close it (the groups map keeps its own reference). */
void ebpf_group_array_drop(int fd, uint32_t *mem, uint32_t n);
/* Put it in the slot of the groups map: 0 or a negative errno. */
int ebpf_group_array_publish(int groups_map_fd, int fd);

#endif /* EBPF_MAPUTIL_H */
