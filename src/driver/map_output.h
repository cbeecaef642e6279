/*
 * map_output.h — where a shuffle's map outputs are (Spark's
 * MapOutputTracker): for each map partition, the output that counts (its
 * id), the node whose NM serves it, and the size of each reduce
 * partition in it.
 *
 * A node that stops serving (a fetch from it failed, or its NM was lost)
 * loses every output registered there; the map partitions left without
 * an output are what the DAG scheduler recomputes.
 */
#ifndef WEFT_DRIVER_MAP_OUTPUT_H
#define WEFT_DRIVER_MAP_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

struct map_outputs;

struct map_outputs *map_outputs_new(int n_maps, int n_reduces);
void map_outputs_free(struct map_outputs *mo);

/* Map partition index produced output map on node with n sizes (the
 * previous output of that partition, if any, is replaced).  RET 0, -1
 * when n is not the number of reduce partitions. */
int map_outputs_register(struct map_outputs *mo, int index, const char *map, const char *node,
                         const int64_t *sizes, int n);
/* Forget every output on node.  RET how many map partitions lost it. */
int map_outputs_lose_node(struct map_outputs *mo, const char *node);
/* Forget the output of one map partition if it is map.  RET whether it was. */
bool map_outputs_lose(struct map_outputs *mo, int index, const char *map);

int map_outputs_maps(const struct map_outputs *mo);
int map_outputs_reduces(const struct map_outputs *mo);
/* Map partitions without an output. */
int map_outputs_missing(const struct map_outputs *mo);
bool map_outputs_available(const struct map_outputs *mo, int index);
/* The output of map partition index: id, node, size of reduce r. */
const char *map_outputs_map(const struct map_outputs *mo, int index);
const char *map_outputs_node(const struct map_outputs *mo, int index);
int64_t map_outputs_size(const struct map_outputs *mo, int index, int reduce);
/* The node holding most bytes of reduce partition r (NULL: none). */
const char *map_outputs_preferred_node(const struct map_outputs *mo, int reduce);
/* Total bytes registered. */
int64_t map_outputs_bytes(const struct map_outputs *mo);

#endif
