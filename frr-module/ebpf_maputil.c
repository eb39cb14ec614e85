// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers over BPF maps shared by the module's files. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "fe_lpm6.h"
#include "ebpf_maputil.h"

#define KEY_MAX 64 /* the largest key of our maps is 28 bytes */

void *ebpf_map_keys(int fd, size_t key_size, size_t *n)
{
	uint8_t key[KEY_MAX], next[KEY_MAX];
	uint8_t *keys = NULL;
	size_t cap = 0;
	void *prev = NULL;

	*n = 0;
	if (key_size > KEY_MAX)
		return NULL;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		if (*n == cap) {
			void *grown;

			cap = cap ? cap * 2 : 256;
			grown = realloc(keys, cap * key_size);
			if (!grown)
				break;
			keys = grown;
		}
		memcpy(key, next, key_size);
		memcpy(keys + *n * key_size, key, key_size);
		(*n)++;
		prev = key;
	}
	return keys;
}

void ebpf_map_clear(int fd, size_t key_size)
{
	size_t n;
	uint8_t *keys = ebpf_map_keys(fd, key_size, &n);

	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, keys + i * key_size);
	free(keys);
}

uint64_t ebpf_map_memlock(int fd)
{
	char path[64], line[128];
	unsigned long long val = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &val) == 1)
			break;
	fclose(f);
	return val;
}

int ebpf_group_array_new(uint32_t n, int *fd, uint32_t **mem)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	int ret;

	*fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, FE_MAP_LPM_GROUP_ARRAY,
			     sizeof(uint32_t), sizeof(struct fe_lpm6_val), n,
			     &opts);
	if (*fd < 0)
		return *fd < -1 ? *fd : -errno;
	*mem = mmap(NULL, (size_t)n * sizeof(struct fe_lpm6_val),
		    PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*mem == MAP_FAILED) {
		ret = -errno;
		close(*fd);
		*fd = -1;
		*mem = NULL;
		return ret;
	}
	return 0;
}

void ebpf_group_array_drop(int fd, uint32_t *mem, uint32_t n)
{
	if (mem && mem != MAP_FAILED)
		munmap(mem, (size_t)n * sizeof(struct fe_lpm6_val));
	if (fd >= 0)
		close(fd);
}

int ebpf_group_array_publish(int groups_map_fd, int fd)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(groups_map_fd, &zero, &fd, BPF_ANY) ? -errno
								       : 0;
}
