/*
 * security.c — the cluster secret and everything keyed by it.
 *
 * Owns loading (and, for tests, creating) the secret file, the HMAC-SHA256
 * signatures of cluster calls (X-Weft-Auth), AM tokens (X-Weft-AM-Token)
 * and container tokens.  All signatures are lower-case hex HMAC-SHA256 from
 * OpenSSL's libcrypto and are compared in constant time.
 *
 * Container tokens are "<base64url(payload JSON), no padding>.<hex HMAC>",
 * keyed by HMAC(secret, "container-key\n<key id>"), so NMs that share the
 * secret derive the key from the ids the RM says are current and no key
 * ever travels on the wire.
 */
#include "weft_config.h"

#include "common/security.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base64.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

#define SECURITY_SECRET_MIN 16
#define SECURITY_SECRET_MAX (64 * 1024)
#define SECURITY_TOKEN_MAX  SECURITY_CONTAINER_TOKEN_MAX
#define SECURITY_HEX_LEN    64

struct secret {
	unsigned char *bytes;
	size_t len;
};

/* Lower-case hex of n bytes into out (2n + 1 bytes). */
static void security_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* True when text is exactly 64 lower-case hex digits. */
static bool security_is_hex64(const char *text, size_t len)
{
	size_t i;

	if (len != SECURITY_HEX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		char c = text[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

/* SHA-256, fetched once: OpenSSL 3 looks an algorithm up by name (under
 * a lock) on every implicit use such as EVP_sha256() in a one-shot call,
 * which cost as much as the hashing of a heartbeat. */
static EVP_MD *security_sha256(void)
{
	static EVP_MD *md;

	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("SHA-256 is not available in libcrypto");
	return md;
}

/* Raw HMAC-SHA256; fatal only if libcrypto itself is broken.  A few MAC
 * contexts are kept, each set up with a recent key, and re-used without
 * being keyed again (HMAC's init with no key): the cluster secret and
 * the current container keys are nearly all that is ever used, and
 * keying a context costs as much as the MAC of a heartbeat. */
#define SECURITY_HMAC_SLOTS 4
static void security_hmac_raw(const void *key, size_t key_len, const void *data, size_t len,
                              unsigned char out[32])
{
	static struct {
		EVP_MAC_CTX *ctx;
		unsigned char *key;
		size_t len;
	} slots[SECURITY_HMAC_SLOTS];
	static EVP_MAC *mac;
	static unsigned next; /* the slot to re-key next (round robin) */
	static const unsigned char empty;
	size_t out_len = 0;
	unsigned i;
	int ok;

	if (mac == NULL && (mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		fatalx("HMAC-SHA256 is not available in libcrypto");
	for (i = 0; i < SECURITY_HMAC_SLOTS; i++) {
		if (slots[i].key != NULL && slots[i].len == key_len &&
		    CRYPTO_memcmp(slots[i].key, key, key_len) == 0)
			break;
	}
	if (i < SECURITY_HMAC_SLOTS) {
		ok = EVP_MAC_init(slots[i].ctx, NULL, 0, NULL);
	} else {
		i = next++ % SECURITY_HMAC_SLOTS;
		if (slots[i].ctx == NULL) {
			char digest[] = "SHA256";
			OSSL_PARAM params[] = {
			        OSSL_PARAM_construct_utf8_string("digest", digest, 0),
			        OSSL_PARAM_construct_end(),
			};

			if ((slots[i].ctx = EVP_MAC_CTX_new(mac)) == NULL ||
			    EVP_MAC_CTX_set_params(slots[i].ctx, params) != 1)
				fatalx("HMAC-SHA256 is not available in libcrypto");
		}
		if (slots[i].key != NULL) {
			OPENSSL_cleanse(slots[i].key, slots[i].len);
			free(slots[i].key);
		}
		slots[i].key = xmalloc(key_len ? key_len : 1);
		memcpy(slots[i].key, key, key_len);
		slots[i].len = key_len;
		ok = EVP_MAC_init(slots[i].ctx, key_len ? key : &empty, key_len, NULL);
	}
	if (ok != 1 || EVP_MAC_update(slots[i].ctx, len ? data : &empty, len) != 1 ||
	    EVP_MAC_final(slots[i].ctx, out, &out_len, 32) != 1 || out_len != 32)
		fatalx("HMAC-SHA256 failed in libcrypto");
}

/* HMAC-SHA256(key, data) in hex. */
void security_hmac_hex(const void *key, size_t key_len, const void *data, size_t len, char out[65])
{
	unsigned char mac[32];

	security_hmac_raw(key, key_len, data, len, mac);
	security_hex(mac, sizeof mac, out);
}

/* Compare without an early exit, so timing says nothing about a prefix. */
bool security_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return false;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

/* Random hex for secrets and per-application shared secrets. */
char *security_random_hex(size_t n)
{
	unsigned char *raw = xmalloc(n ? n : 1);
	char *out = xmalloc(2 * n + 1);

	if (n > 0 && RAND_bytes(raw, (int)n) != 1)
		fatalx("RAND_bytes failed: no randomness available");
	security_hex(raw, n, out);
	free(raw);
	return out;
}

/* A secret from bytes in memory (tests, and secret_load). */
struct secret *secret_from_bytes(const void *bytes, size_t len)
{
	struct secret *s = xmalloc(sizeof *s);

	s->bytes = xmalloc(len ? len : 1);
	memcpy(s->bytes, bytes, len);
	s->len = len;
	return s;
}

/* Wipe and free a secret. */
void secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s->bytes, s->len);
	free(s->bytes);
	free(s);
}

/*
 * Load the secret file.  The checks run on the opened descriptor, so the
 * file checked is the file read.  Trailing whitespace (the newline
 * `openssl rand -hex 32 >file` leaves) is not part of the secret.
 */
struct secret *secret_load(const char *path, char **cause)
{
	struct stat st;
	unsigned char *buf;
	size_t len = 0;
	ssize_t n;
	int fd;
	struct secret *s;

	/* O_NONBLOCK: a FIFO put in its place must not stall start-up. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		set_cause(cause, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		set_cause(cause, "%s: must not be readable by group or others (chmod 600)", path);
		close(fd);
		return NULL;
	}
	buf = xmalloc(SECURITY_SECRET_MAX + 1);
	for (;;) {
		n = read(fd, buf + len, SECURITY_SECRET_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > SECURITY_SECRET_MAX)
			break;
	}
	if (n == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (len > SECURITY_SECRET_MAX) {
		set_cause(cause, "%s: too large (more than %d bytes)", path, SECURITY_SECRET_MAX);
		goto fail;
	}
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t' || buf[len - 1] == '\n' ||
	                   buf[len - 1] == '\r'))
		len--;
	if (len < SECURITY_SECRET_MIN) {
		set_cause(cause, "%s: too short (%zu bytes, need at least %d)", path, len,
		          SECURITY_SECRET_MIN);
		goto fail;
	}
	close(fd);
	s = secret_from_bytes(buf, len);
	OPENSSL_cleanse(buf, SECURITY_SECRET_MAX + 1);
	free(buf);
	return s;

fail:
	close(fd);
	OPENSSL_cleanse(buf, SECURITY_SECRET_MAX + 1);
	free(buf);
	return NULL;
}

/* Create a fresh random secret file unless one is already there. */
int secret_create(const char *path, char **cause)
{
	char *hex;
	size_t len, off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			return 0;
		return set_cause(cause, "%s: %s", path, strerror(errno));
	}
	hex = security_random_hex(32);
	len = strlen(hex);
	hex[len++] = '\n'; /* replaces the NUL; written by length */
	while (off < len) {
		n = write(fd, hex + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			set_cause(cause, "%s: %s", path, n == -1 ? strerror(errno) : "short write");
			OPENSSL_cleanse(hex, len);
			free(hex);
			close(fd);
			unlink(path);
			return -1;
		}
		off += (size_t)n;
	}
	OPENSSL_cleanse(hex, len);
	free(hex);
	if (fchmod(fd, 0600) == -1 || close(fd) == -1) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cluster call authentication (X-Weft-Auth)                          */
/* ------------------------------------------------------------------ */

/* The signature over method, path, timestamp and the body's digest. */
static void security_request_mac(const struct secret *s, const char *method, const char *path,
                                 const void *body, size_t body_len, int64_t ms, char out[65])
{
	unsigned char digest[32];
	unsigned int digest_len = 0;
	char body_hex[65];
	static const unsigned char empty;
	char *msg;

	if (EVP_Digest(body_len ? body : &empty, body_len, digest, &digest_len, security_sha256(),
	               NULL) != 1 ||
	    digest_len != 32)
		fatalx("SHA-256 failed in libcrypto");
	security_hex(digest, sizeof digest, body_hex);
	msg = xasprintf("%s\n%s\n%" PRId64 "\n%s", method, path, ms, body_hex);
	security_hmac_hex(s->bytes, s->len, msg, strlen(msg), out);
	free(msg);
}

/* Header value "<ms>:<hex>" for a cluster call. */
char *security_sign_request(const struct secret *s, const char *method, const char *path,
                            const void *body, size_t body_len, int64_t now_ms)
{
	char mac[65];

	security_request_mac(s, method, path, body, body_len, now_ms, mac);
	return xasprintf("%" PRId64 ":%s", now_ms, mac);
}

/* Check a cluster call's X-Weft-Auth value: shape, clock skew, signature. */
int security_verify_request(const struct secret *s, const char *header_value, const char *method,
                            const char *path, const void *body, size_t body_len, int64_t now_ms,
                            char **cause)
{
	const char *p = header_value;
	int64_t ms = 0, skew;
	int digits = 0;
	char mac[65];

	if (header_value == NULL || *header_value == '\0')
		return set_cause(cause, "missing " SECURITY_AUTH_HEADER " header");
	while (*p >= '0' && *p <= '9') {
		if (++digits > 18)
			return set_cause(cause, "malformed " SECURITY_AUTH_HEADER " header");
		ms = ms * 10 + (*p - '0');
		p++;
	}
	if (digits == 0 || *p != ':' || !security_is_hex64(p + 1, strlen(p + 1)))
		return set_cause(cause, "malformed " SECURITY_AUTH_HEADER
		                        " header (expected <ms>:<64 hex digits>)");
	skew = ms > now_ms ? ms - now_ms : now_ms - ms;
	if (skew > SECURITY_AUTH_SKEW_MS)
		return set_cause(cause,
		                 SECURITY_AUTH_HEADER
		                 " timestamp is %" PRId64
		                 " ms off this host's clock (more than %d allowed)",
		                 skew, SECURITY_AUTH_SKEW_MS);
	security_request_mac(s, method, path, body, body_len, ms, mac);
	if (!security_equal(mac, p + 1))
		return set_cause(cause, SECURITY_AUTH_HEADER
		                 " signature does not match "
		                 "(different cluster secret, or request altered)");
	return 0;
}

/* ------------------------------------------------------------------ */
/* AM tokens (X-Weft-AM-Token)                                        */
/* ------------------------------------------------------------------ */

/* The per-attempt MAC an AM presents. */
static void security_am_mac(const struct secret *s, const char *attempt_id, char out[65])
{
	char *msg = xasprintf("am-token\n%s", attempt_id);

	security_hmac_hex(s->bytes, s->len, msg, strlen(msg), out);
	free(msg);
}

/* "<attempt id>:<hex>" handed to an AM in WEFT_AM_TOKEN. */
char *security_am_token(const struct secret *s, const char *attempt_id)
{
	char mac[65];

	security_am_mac(s, attempt_id, mac);
	return xasprintf("%s:%s", attempt_id, mac);
}

/* Check an AM token and say which attempt it speaks for. */
int security_verify_am_token(const struct secret *s, const char *token,
                             char attempt_out[WEFT_ID_MAX], char **cause)
{
	const char *colon;
	char id[WEFT_ID_MAX], mac[65];
	weft_attempt_id_t attempt;
	size_t id_len;

	if (token == NULL || *token == '\0')
		return set_cause(cause, "missing " SECURITY_AM_HEADER " header");
	colon = strchr(token, ':');
	if (colon == NULL)
		return set_cause(cause, "malformed AM token");
	id_len = (size_t)(colon - token);
	if (id_len == 0 || id_len >= sizeof id)
		return set_cause(cause, "malformed AM token");
	memcpy(id, token, id_len);
	id[id_len] = '\0';
	if (weft_attempt_id_parse(id, &attempt) != 0)
		return set_cause(cause, "malformed AM token: bad attempt id");
	if (!security_is_hex64(colon + 1, strlen(colon + 1)))
		return set_cause(cause, "malformed AM token");
	security_am_mac(s, id, mac);
	if (!security_equal(mac, colon + 1))
		return set_cause(cause, "AM token signature does not match");
	memcpy(attempt_out, id, id_len + 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Container tokens                                                   */
/* ------------------------------------------------------------------ */

/* The container key for a key id: HMAC(secret, "container-key\n<id>"). */
static void security_container_key(const struct secret *s, int64_t key_id, unsigned char key[32])
{
	char msg[64];
	int n = snprintf(msg, sizeof msg, "container-key\n%" PRId64, key_id);

	security_hmac_raw(s->bytes, s->len, msg, (size_t)n, key);
}

/* The hex MAC of a token's payload text under key_id's key. */
static void security_container_mac(const struct secret *s, int64_t key_id, const char *payload,
                                   size_t payload_len, char out[65])
{
	unsigned char key[32];

	security_container_key(s, key_id, key);
	security_hmac_hex(key, sizeof key, payload, payload_len, out);
	OPENSSL_cleanse(key, sizeof key);
}

/* Sign a container grant. */
char *security_container_token_sign(const struct secret *s, const struct container_token *tok)
{
	struct json_object *o = proto_container_token_encode(tok);
	const char *json;
	char *payload, *text, mac[65];

	json = wjson_text(o);
	payload = base64url_encode(json, strlen(json));
	json_object_put(o);
	security_container_mac(s, tok->key_id, payload, strlen(payload), mac);
	text = xasprintf("%s.%s", payload, mac);
	free(payload);
	return text;
}

/* Prefix a decoder's cause so the reader knows it is about the token. */
static int security_token_cause(char **cause, char *inner)
{
	set_cause(cause, "container token: %s", inner != NULL ? inner : "bad payload");
	free(inner);
	return -1;
}

/*
 * Check a container token.  The key id is read from the payload first
 * (bounded, strict JSON through wjson) because it names the key; nothing else in the
 * payload is trusted until the signature under that key matches.
 */
int security_container_token_verify(const struct secret *s, const char *text,
                                    const int64_t *accepted_key_ids, size_t n_keys,
                                    const char *expected_node_id, int64_t now_ms,
                                    struct container_token *out, char **cause)
{
	const char *dot;
	size_t text_len, payload_len, json_len = 0, i;
	unsigned char *json = NULL;
	struct json_object *o = NULL;
	struct container_token tok;
	int64_t key_id;
	bool accepted = false;
	char mac[65], *inner = NULL;

	memset(&tok, 0, sizeof tok);
	if (text == NULL || *text == '\0')
		return set_cause(cause, "missing container token");
	text_len = strnlen(text, SECURITY_TOKEN_MAX + 1);
	if (text_len > SECURITY_TOKEN_MAX)
		return set_cause(cause, "container token too long (more than %d bytes)",
		                 SECURITY_TOKEN_MAX);
	dot = strchr(text, '.');
	if (dot == NULL || dot == text || strchr(dot + 1, '.') != NULL ||
	    !security_is_hex64(dot + 1, strlen(dot + 1)))
		return set_cause(cause, "malformed container token");
	payload_len = (size_t)(dot - text);
	json = (unsigned char *)base64url_decode(text, payload_len, &json_len);
	if (json == NULL)
		return set_cause(cause, "malformed container token: bad base64url payload");
	o = wjson_parse_object((const char *)json, json_len, &inner);
	if (o == NULL) {
		security_token_cause(cause, inner);
		goto fail;
	}
	if (proto_container_token_key_id(o, &key_id, &inner) != 0) {
		security_token_cause(cause, inner);
		goto fail;
	}
	for (i = 0; i < n_keys; i++) {
		if (accepted_key_ids[i] == key_id)
			accepted = true;
	}
	if (!accepted) {
		set_cause(cause, "container token key %" PRId64 " is not current", key_id);
		goto fail;
	}
	security_container_mac(s, key_id, text, payload_len, mac);
	if (!security_equal(mac, dot + 1)) {
		set_cause(cause, "container token signature does not match");
		goto fail;
	}
	tok.key_id = key_id;
	if (proto_container_token_decode(o, &tok, &inner) != 0) {
		security_token_cause(cause, inner);
		goto fail;
	}
	if (now_ms >= tok.expiry_ms) {
		set_cause(cause, "container token expired");
		goto fail;
	}
	if (expected_node_id != NULL && strcmp(tok.node_id, expected_node_id) != 0) {
		set_cause(cause, "container token is for node %s", tok.node_id);
		goto fail;
	}
	json_object_put(o);
	free(json);
	if (out != NULL)
		*out = tok;
	return 0;

fail:
	json_object_put(o);
	free(json);
	return -1;
}

/* Decode a token's payload without checking it. */
int security_container_token_peek(const char *text, struct container_token *out, char **cause)
{
	const char *dot = text != NULL ? strchr(text, '.') : NULL;
	struct json_object *o;
	unsigned char *json;
	size_t json_len = 0;
	char *inner = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (dot == NULL || dot == text || (size_t)(dot - text) > SECURITY_TOKEN_MAX)
		return set_cause(cause, "malformed container token");
	json = (unsigned char *)base64url_decode(text, (size_t)(dot - text), &json_len);
	if (json == NULL)
		return set_cause(cause, "malformed container token: bad base64url payload");
	o = wjson_parse_object((const char *)json, json_len, &inner);
	if (o != NULL && proto_container_token_key_id(o, &out->key_id, &inner) == 0 &&
	    proto_container_token_decode(o, out, &inner) == 0)
		rc = 0;
	else
		security_token_cause(cause, inner);
	json_object_put(o);
	free(json);
	return rc;
}
