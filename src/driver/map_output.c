/*
 * map_output.c — a shuffle's map output registry (map_output.h).
 */
#include "weft_config.h"

#include "driver/map_output.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

struct map_status {
	char *map; /* NULL: missing */
	char *node;
	int64_t *sizes;
};

struct map_outputs {
	int n_maps;
	int n_reduces;
	struct map_status *m;
};

struct map_outputs *map_outputs_new(int n_maps, int n_reduces)
{
	struct map_outputs *mo = xcalloc(1, sizeof *mo);

	mo->n_maps = n_maps;
	mo->n_reduces = n_reduces;
	mo->m = xcalloc((size_t)(n_maps > 0 ? n_maps : 1), sizeof *mo->m);
	return mo;
}

/* Empty one map partition's slot. */
static void map_status_clear(struct map_status *s)
{
	free(s->map);
	free(s->node);
	free(s->sizes);
	memset(s, 0, sizeof *s);
}

void map_outputs_free(struct map_outputs *mo)
{
	int i;

	if (mo == NULL)
		return;
	for (i = 0; i < mo->n_maps; i++)
		map_status_clear(&mo->m[i]);
	free(mo->m);
	free(mo);
}

int map_outputs_register(struct map_outputs *mo, int index, const char *map, const char *node,
                         const int64_t *sizes, int n)
{
	struct map_status *s;

	if (index < 0 || index >= mo->n_maps || n != mo->n_reduces)
		return -1;
	s = &mo->m[index];
	map_status_clear(s);
	s->map = xstrdup(map);
	s->node = xstrdup(node);
	s->sizes = xcalloc((size_t)(n > 0 ? n : 1), sizeof *s->sizes);
	if (n > 0)
		memcpy(s->sizes, sizes, (size_t)n * sizeof *sizes);
	return 0;
}

int map_outputs_lose_node(struct map_outputs *mo, const char *node)
{
	int i, lost = 0;

	for (i = 0; i < mo->n_maps; i++) {
		if (mo->m[i].map != NULL && strcmp(mo->m[i].node, node) == 0) {
			map_status_clear(&mo->m[i]);
			lost++;
		}
	}
	return lost;
}

bool map_outputs_lose(struct map_outputs *mo, int index, const char *map)
{
	if (index < 0 || index >= mo->n_maps || mo->m[index].map == NULL ||
	    (map != NULL && strcmp(mo->m[index].map, map) != 0))
		return false;
	map_status_clear(&mo->m[index]);
	return true;
}

int map_outputs_maps(const struct map_outputs *mo)
{
	return mo->n_maps;
}

int map_outputs_reduces(const struct map_outputs *mo)
{
	return mo->n_reduces;
}

int map_outputs_missing(const struct map_outputs *mo)
{
	int i, n = 0;

	for (i = 0; i < mo->n_maps; i++)
		if (mo->m[i].map == NULL)
			n++;
	return n;
}

bool map_outputs_available(const struct map_outputs *mo, int index)
{
	return index >= 0 && index < mo->n_maps && mo->m[index].map != NULL;
}

const char *map_outputs_map(const struct map_outputs *mo, int index)
{
	return map_outputs_available(mo, index) ? mo->m[index].map : NULL;
}

const char *map_outputs_node(const struct map_outputs *mo, int index)
{
	return map_outputs_available(mo, index) ? mo->m[index].node : NULL;
}

int64_t map_outputs_size(const struct map_outputs *mo, int index, int reduce)
{
	if (!map_outputs_available(mo, index) || reduce < 0 || reduce >= mo->n_reduces)
		return 0;
	return mo->m[index].sizes[reduce];
}

const char *map_outputs_preferred_node(const struct map_outputs *mo, int reduce)
{
	/* Bytes per distinct node: nodes are few, maps may be many. */
	const char **nodes = NULL, *best = NULL;
	int64_t *bytes = NULL, best_bytes = 0;
	int i, k, n = 0;

	if (reduce < 0 || reduce >= mo->n_reduces)
		return NULL;
	for (i = 0; i < mo->n_maps; i++) {
		if (mo->m[i].map == NULL || mo->m[i].sizes[reduce] == 0)
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(nodes[k], mo->m[i].node) == 0)
				break;
		if (k == n) {
			nodes = xreallocarray(nodes, (size_t)n + 1, sizeof *nodes);
			bytes = xreallocarray(bytes, (size_t)n + 1, sizeof *bytes);
			nodes[n] = mo->m[i].node;
			bytes[n++] = 0;
		}
		bytes[k] += mo->m[i].sizes[reduce];
	}
	for (k = 0; k < n; k++) {
		if (bytes[k] > best_bytes) {
			best = nodes[k];
			best_bytes = bytes[k];
		}
	}
	free(nodes);
	free(bytes);
	return best;
}

int64_t map_outputs_bytes(const struct map_outputs *mo)
{
	int64_t total = 0;
	int i, r;

	for (i = 0; i < mo->n_maps; i++)
		if (mo->m[i].map != NULL)
			for (r = 0; r < mo->n_reduces; r++)
				total += mo->m[i].sizes[r];
	return total;
}
