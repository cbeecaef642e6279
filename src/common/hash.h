/*
 * hash.h — FNV-1a, the one hash weft uses where a value must not depend
 * on a seed or a run: the local dir a file goes to (its writer and its
 * readers, in other processes, must agree), a key's shuffle partition
 * (weft/protocol.h fixes it), and the buckets of string maps.  Inline:
 * the RM hashes an id for every container of every heartbeat.
 */
#ifndef WEFT_COMMON_HASH_H
#define WEFT_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

/* 32-bit FNV-1a of a NUL-terminated string. */
static inline uint32_t hash_fnv1a32_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

/* 64-bit FNV-1a of data[0..len). */
static inline uint64_t hash_fnv1a64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Which of n directories name goes to: FNV-1a of the name modulo n (0
 * when n <= 1).  An application's NM dirs (by its id) and a task's map
 * outputs and blocks (by their file names) are placed so. */
int hash_dir_index(const char *name, int n);

#endif
