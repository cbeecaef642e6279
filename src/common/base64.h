/*
 * base64.h — base64 (RFC 4648 §4, padded: keys and binary stdout in the
 * task protocol) and base64url (§5, unpadded and canonical: container
 * tokens), written once.
 */
#ifndef WEFT_COMMON_BASE64_H
#define WEFT_COMMON_BASE64_H

#include <stddef.h>

/* RET the encoding of data[0..len), NUL-terminated (caller frees). */
char *base64_encode(const void *data, size_t len);
char *base64url_encode(const void *data, size_t len);

/* RET the bytes text[0..len) encodes with a NUL after them and *out_len,
 * or NULL when it is not that encoding.  base64url accepts only the one
 * spelling of each input (no padding, unused low bits zero), so a token
 * cannot be changed without changing its bytes. */
char *base64_decode(const char *text, size_t len, size_t *out_len);
char *base64url_decode(const char *text, size_t len, size_t *out_len);

#endif
