// SPDX-License-Identifier: GPL-2.0-or-later
/* Small helpers over BPF maps shared by the module's files. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

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
