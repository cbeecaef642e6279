/*
 * nm_api.h — the NM container API of every simulated node, on one
 * listener.
 *
 * The RM reaches a node at its httpAddress; all simulated nodes advertise
 * this one listener (127.0.0.1, a free port), so 10,000 nodes cost one
 * socket, not 10,000.  Calls are told apart by what they carry: a start
 * by the node id inside its signed container token (checked exactly as
 * weft-nm checks it: signature under a key id the RM announced, expiry,
 * node), a stop or status by the container id, which the simulated
 * applications map to the node that holds it.
 *   POST /rpc/containers/start   AM containers the RM launches
 *   POST /rpc/containers/stop    X-Weft-Auth (the RM) or the token
 *   POST /rpc/containers/status  X-Weft-Auth or the token
 */
#ifndef WEFT_SLS_NM_API_H
#define WEFT_SLS_NM_API_H

struct sls;
struct nm_api;

/* Listen on 127.0.0.1:0 and set sls->nm_http_address.  RET the API or
 * NULL with *cause. */
struct nm_api *nm_api_new(struct sls *sls, char **cause);
void nm_api_free(struct nm_api *api);

#endif
