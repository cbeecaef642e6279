/*
 * node_index.h — nodes indexed by free room, so the scheduler finds a
 * node for a container in O(log n) instead of scanning every node.
 *
 * Each node holds a slot (slots are handed out in increasing order, so
 * slot order is registration order) with two resource pairs the scheduler
 * sets: the room it offers now ("free") and the room it could ever offer
 * ("capacity", for reservations).  A 4-ary segment tree keeps, for every
 * subtree, the largest free memory, free vcores, capacity memory and
 * capacity vcores and the slot with the most free room, so:
 *   - spread: the slot with the most free memory (then vcores, then the
 *     lowest slot) among those where need fits: the root answers at once
 *     unless the roomiest node lacks vcores, then a pruned search;
 *   - pack: the lowest slot where need fits (a pruned left-first descent);
 *   - reservable: the slot with the most free room among those whose
 *     capacity holds need.
 * A resource of (-1, -1) never fits anything: the scheduler offers that
 * for unschedulable and reserved nodes.  Updates are O(log n).
 */
#ifndef WEFT_RM_NODE_INDEX_H
#define WEFT_RM_NODE_INDEX_H

#include "weft/resource.h"

struct node_index;

struct node_index *node_index_new(void);
void node_index_free(struct node_index *ni);
/* A new slot (after every slot in use) for owner, offering nothing yet. */
int node_index_add(struct node_index *ni, void *owner);
/* Forget a slot (it offers nothing; slots are compacted when many are
 * empty, which renumbers them: node_index_slot() tells the new ones). */
void node_index_remove(struct node_index *ni, int slot);
void node_index_set(struct node_index *ni, int slot, weft_resource_t free_room,
                    weft_resource_t capacity);
/* Owners and slots after a compaction: call with a callback that stores
 * each owner's new slot.  Compaction happens only inside remove. */
void node_index_set_moved_cb(struct node_index *ni, void (*cb)(void *owner, int slot));

/* Searches; RET the owner or NULL. */
void *node_index_find_spread(const struct node_index *ni, weft_resource_t need);
void *node_index_find_pack(const struct node_index *ni, weft_resource_t need);
void *node_index_find_reservable(const struct node_index *ni, weft_resource_t need);
/* Start fetching a slot's leaf (before a batch of node_index_set). */
void node_index_prefetch(const struct node_index *ni, int slot);
/* Slots in use. */
int node_index_count(const struct node_index *ni);

#endif
