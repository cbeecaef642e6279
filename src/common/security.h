/*
 * security.h — the cluster secret and everything keyed by it.
 *
 * One secret file (security.secret-file, mode 0600, same content on every
 * host) authenticates:
 *   - NM→RM and RM→NM calls: header "X-Weft-Auth: <ms>:<hex HMAC>" over
 *     method, path, timestamp and a SHA-256 of the body; accepted within
 *     SECURITY_AUTH_SKEW_MS of the receiver's clock.
 *   - AM→RM calls: header "X-Weft-AM-Token: <appattempt id>:<hex HMAC>",
 *     a token the RM derives per attempt and hands the AM in its
 *     environment (WEFT_AM_TOKEN), so AMs never hold the cluster secret.
 *   - container tokens: the RM signs each grant with a container key
 *     derived from the secret and a key id; the RM rolls the key id and
 *     tells NMs which ids are current, so no key travels on the wire.
 *     Token text is "<base64url(payload JSON)>.<hex HMAC>".
 */
#ifndef WEFT_SECURITY_H
#define WEFT_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft/ids.h"
#include "weft/protocol.h"
#include "weft/resource.h"

#define SECURITY_AUTH_HEADER  "X-Weft-Auth"
#define SECURITY_AM_HEADER    WEFT_AM_TOKEN_HEADER
#define SECURITY_AUTH_SKEW_MS (5 * 60 * 1000)
/* Longer container tokens are refused unread. */
#define SECURITY_CONTAINER_TOKEN_MAX 4096

struct secret;

/* Load a secret file: must exist, be a regular file not readable or
 * writable by group/others, and hold at least 16 bytes (whitespace at the
 * end is ignored).  RET secret or NULL with *cause naming the path. */
struct secret *secret_load(const char *path, char **cause);
/* Create path with 32 random bytes hex-encoded, mode 0600, unless it
 * exists.  RET 0 / -1. (Used by tests; the sbin scripts use openssl.) */
int secret_create(const char *path, char **cause);
struct secret *secret_from_bytes(const void *bytes, size_t len);
void secret_free(struct secret *s);

/* HMAC-SHA256(key, data) as 64 hex chars + NUL in out. */
void security_hmac_hex(const void *key, size_t key_len, const void *data, size_t len, char out[65]);
/* Constant-time comparison of two NUL-terminated strings. */
bool security_equal(const char *a, const char *b);
/* n random bytes as 2n hex chars (caller frees). */
char *security_random_hex(size_t n);

/* Cluster call authentication (header value without the name). */
char *security_sign_request(const struct secret *s, const char *method, const char *path,
                            const void *body, size_t body_len, int64_t now_ms);
int security_verify_request(const struct secret *s, const char *header_value, const char *method,
                            const char *path, const void *body, size_t body_len, int64_t now_ms,
                            char **cause);

/* AM tokens: "<attempt id>:<hex>" for the given attempt. */
char *security_am_token(const struct secret *s, const char *attempt_id);
/* RET 0 and the attempt id in attempt_out (WEFT_ID_MAX), or -1. */
int security_verify_am_token(const struct secret *s, const char *token,
                             char attempt_out[WEFT_ID_MAX], char **cause);

struct container_token {
	char container_id[WEFT_ID_MAX];
	char node_id[256]; /* host:port the container may start on */
	char user[64];
	weft_resource_t resource;
	int64_t expiry_ms; /* start must happen before this time */
	int64_t key_id;
};

/* Sign tok with the container key for tok->key_id (caller frees). */
char *security_container_token_sign(const struct secret *s, const struct container_token *tok);
/*
 * Payload JSON: {"containerId","nodeId","user","memoryMB","vcores",
 * "expiry","keyId"}; key = HMAC(secret, "container-key\n<key id>").
 * Check a token: signature under one of the accepted key ids, not expired
 * at now_ms, issued for expected_node_id.  RET 0 and *out, or -1 with
 * *cause ("container token expired", "container token is for node X").
 */
int security_container_token_verify(const struct secret *s, const char *text,
                                    const int64_t *accepted_key_ids, size_t n_keys,
                                    const char *expected_node_id, int64_t now_ms,
                                    struct container_token *out, char **cause);
/* What a token says, unchecked (no signature, no expiry): for routing a
 * call to the node it names before verifying it there (weft-sls's
 * simulated NMs).  RET 0 and *out, or -1 with *cause. */
int security_container_token_peek(const char *text, struct container_token *out, char **cause);

#endif
