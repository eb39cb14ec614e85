/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers over BPF maps shared by the module's files. */
#ifndef EBPF_MAPUTIL_H
#define EBPF_MAPUTIL_H

#include <stddef.h>

/*
 * Every key of a map, in a malloc'd array of *n keys of key_size bytes
 * (free() it; NULL with *n = 0 when empty or out of memory). Collected
 * first so that callers can delete while going through them: deleting
 * during bpf_map_get_next_key would restart the walk.
 */
void *ebpf_map_keys(int fd, size_t key_size, size_t *n);

/* Delete every entry of a map. */
void ebpf_map_clear(int fd, size_t key_size);

#endif /* EBPF_MAPUTIL_H */
