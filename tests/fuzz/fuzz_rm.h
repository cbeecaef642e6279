/*
 * fuzz_rm.h — one in-process weft-rm for the harnesses that feed the RM's
 * RPC decoders (fuzz_node_rpc, fuzz_am_allocate): the real modules, built
 * once, on a loop that is never run (the decoders and what they apply run
 * synchronously).
 */
#ifndef WEFT_FUZZ_RM_H
#define WEFT_FUZZ_RM_H

struct rm;

/* The RM, built on first use in a temporary directory removed at exit. */
struct rm *fuzz_rm_get(void);

#endif
