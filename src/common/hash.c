/*
 * hash.c — the directory a name goes to (hash.h).
 */
#include "weft_config.h"

#include "common/hash.h"

int hash_dir_index(const char *name, int n)
{
	if (n <= 1)
		return 0;
	return (int)(hash_fnv1a32_str(name) % (uint32_t)n);
}
