/*
 * strmap.h — a string-keyed hash map for the RM's lookup tables (nodes,
 * applications, attempts, containers by id).
 *
 * The map copies keys and never owns values; ordering for listings is kept
 * by the owning module in its own lists, so the map only answers "which
 * record has this id" in O(1).
 */
#ifndef WEFT_RM_STRMAP_H
#define WEFT_RM_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap *strmap_new(void);
/* Free the map and its keys (values are the caller's). */
void strmap_free(struct strmap *m);
/* The value stored under key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key);
/* Store value under key (replacing an earlier value).  value must not be
 * NULL. */
void strmap_put(struct strmap *m, const char *key, void *value);
/* Remove key; RET the value it held, or NULL. */
void *strmap_remove(struct strmap *m, const char *key);
size_t strmap_count(const struct strmap *m);

/* Visit every entry in no particular order.  The callback must not change
 * the map. */
void strmap_foreach(const struct strmap *m, void (*cb)(const char *key, void *value, void *arg),
                    void *arg);

#endif
