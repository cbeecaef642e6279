/*
 * strmap.c — separate-chaining hash map from strings to pointers (FNV-1a,
 * doubling at load factor 1).
 */
#include "weft_config.h"

#include "rm/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/xmalloc.h"

struct strmap_entry {
	struct strmap_entry *next;
	uint32_t hash;
	void *value;
	char key[];
};

struct strmap {
	struct strmap_entry **buckets;
	size_t n_buckets; /* power of two */
	size_t count;
};

/* FNV-1a: short ids hash well and it needs no seed. */
static uint32_t strmap_hash(const char *key)
{
	return hash_fnv1a32_str(key);
}

/* An empty map with a few buckets. */
struct strmap *strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof *m);

	m->n_buckets = 16;
	m->buckets = xcalloc(m->n_buckets, sizeof *m->buckets);
	return m;
}

/* Free every entry and the table. */
void strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_buckets; i++) {
		struct strmap_entry *e = m->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(m->buckets);
	free(m);
}

/* The entry for key, or NULL. */
static struct strmap_entry *strmap_find(const struct strmap *m, const char *key, uint32_t h)
{
	struct strmap_entry *e = m->buckets[h & (m->n_buckets - 1)];

	for (; e != NULL; e = e->next) {
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

/* Look a key up. */
void *strmap_get(const struct strmap *m, const char *key)
{
	struct strmap_entry *e = strmap_find(m, key, strmap_hash(key));

	return e != NULL ? e->value : NULL;
}

/* Double the table so chains stay short. */
static void strmap_grow(struct strmap *m)
{
	size_t n = m->n_buckets * 2;
	struct strmap_entry **b = xcalloc(n, sizeof *b);

	for (size_t i = 0; i < m->n_buckets; i++) {
		struct strmap_entry *e = m->buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->n_buckets = n;
}

/* Insert or replace. */
void strmap_put(struct strmap *m, const char *key, void *value)
{
	uint32_t h = strmap_hash(key);
	struct strmap_entry *e = strmap_find(m, key, h);
	size_t len;

	if (e != NULL) {
		e->value = value;
		return;
	}
	if (m->count >= m->n_buckets)
		strmap_grow(m);
	len = strlen(key);
	e = xmalloc(sizeof *e + len + 1);
	memcpy(e->key, key, len + 1);
	e->hash = h;
	e->value = value;
	e->next = m->buckets[h & (m->n_buckets - 1)];
	m->buckets[h & (m->n_buckets - 1)] = e;
	m->count++;
}

/* Unlink and free the entry, handing back its value. */
void *strmap_remove(struct strmap *m, const char *key)
{
	uint32_t h = strmap_hash(key);
	struct strmap_entry **pp = &m->buckets[h & (m->n_buckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		struct strmap_entry *e = *pp;

		if (e->hash == h && strcmp(e->key, key) == 0) {
			void *value = e->value;

			*pp = e->next;
			free(e);
			m->count--;
			return value;
		}
	}
	return NULL;
}

/* Number of entries. */
size_t strmap_count(const struct strmap *m)
{
	return m->count;
}

/* Walk every entry. */
void strmap_foreach(const struct strmap *m, void (*cb)(const char *key, void *value, void *arg),
                    void *arg)
{
	for (size_t i = 0; i < m->n_buckets; i++) {
		for (struct strmap_entry *e = m->buckets[i]; e != NULL; e = e->next)
			cb(e->key, e->value, arg);
	}
}
