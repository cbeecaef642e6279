/*
 * rack_resolver.h — which rack a host is on, as the RM sees it (YARN's
 * TableMapping and ScriptBasedMapping), for rack locality.
 *
 * rm.topology.table-file holds "host rack" lines; rm.topology.script is
 * a program run as `script host...` that prints one rack per host, in
 * order (what net.topology.script.file.name does in Hadoop).  The table
 * answers at once; the script runs in the background (never blocking
 * the loop, one run at a time, 10 s at most), its answers are cached, and
 * a callback reports each one.  When neither knows a host, the caller
 * keeps what the NM reported (nm.rack).
 */
#ifndef WEFT_RM_RACK_RESOLVER_H
#define WEFT_RM_RACK_RESOLVER_H

#include <event2/event.h>

struct rack_resolver;

/* host's rack became known (from the script). */
typedef void (*rack_resolved_cb)(const char *host, const char *rack, void *arg);

/* table_path and script may be NULL.  RET the resolver, or NULL with
 * *cause when the table cannot be read or a line is malformed. */
struct rack_resolver *rack_resolver_new(struct event_base *base, const char *table_path,
                                        const char *script, rack_resolved_cb cb, void *arg,
                                        char **cause);
/* Stop a running script (its answer is dropped) and free everything. */
void rack_resolver_free(struct rack_resolver *r);
/* host's rack if known now (table, then the script's cache); NULL when
 * unknown: with a script, host is queued for it and cb reports later. */
const char *rack_resolver_lookup(struct rack_resolver *r, const char *host);

#endif
