/*
 * wjson.h — strict, typed reading of JSON request bodies and files on top
 * of json-c.
 *
 * json-c converts types silently ("12" reads as 12); a request validator
 * must not.  Each getter checks the JSON type exactly and, on failure,
 * fills *cause with a message naming the field path, e.g.
 * "resource.memory: expected an integer, got a string".
 */
#ifndef WEFT_WJSON_H
#define WEFT_WJSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* Parse text of len bytes into one JSON value.  RET the value, or NULL and
 * *cause ("malformed JSON at offset 17: unexpected character"). Trailing
 * non-space data is an error. */
struct json_object *wjson_parse(const char *text, size_t len, char **cause);
/* Parse and require a JSON object at the top. */
struct json_object *wjson_parse_object(const char *text, size_t len, char **cause);
/* Read and parse a whole file (capped at max_bytes). */
struct json_object *wjson_parse_file(const char *path, size_t max_bytes, char **cause);

/*
 * Field getters.  IN obj must be an object; prefix is the path of obj for
 * messages ("" at the top).  A missing field is an error when required is
 * true; otherwise the getter returns 0 and leaves *out untouched.  A field
 * present with JSON null counts as missing.  Strings returned point into
 * obj and live as long as it does.
 */
int wjson_get_string(struct json_object *obj, const char *prefix, const char *key, bool required,
                     const char **out, char **cause);
int wjson_get_int(struct json_object *obj, const char *prefix, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *out, char **cause);
int wjson_get_bool(struct json_object *obj, const char *prefix, const char *key, bool required,
                   bool *out, char **cause);
int wjson_get_object(struct json_object *obj, const char *prefix, const char *key, bool required,
                     struct json_object **out, char **cause);
int wjson_get_array(struct json_object *obj, const char *prefix, const char *key, bool required,
                    struct json_object **out, char **cause);

/*
 * Bounded getters, the checks every decoder of a message makes: a string
 * of at most max bytes ("x: longer than 64 bytes"), an array of at most
 * max entries ("x: more than 10 entries"; *n its length, 0 and *out NULL
 * when absent),
 * and a number (integer or not) within [min, max] (percentages, shares).
 */
int wjson_get_text(struct json_object *obj, const char *prefix, const char *key, bool required,
                   size_t max, const char **out, char **cause);
int wjson_get_list(struct json_object *obj, const char *prefix, const char *key, bool required,
                   size_t max, struct json_object **out, size_t *n, char **cause);
int wjson_get_number(struct json_object *obj, const char *prefix, const char *key, bool required,
                     double min, double max, double *out, char **cause);
/* Element i of array, which must be an object; path names the array in
 * causes ("executors[2]: expected an object, got a string"). */
int wjson_array_object(struct json_object *array, const char *path, size_t i,
                       struct json_object **out, char **cause);

/* The array of a YARN collection, root[outer][inner] ({"nodes":{"node":
 * [...]}}), read with YARN's ways of saying "none" (outer null, inner
 * missing or null) and of writing one element (a bare object).  RET a new
 * array the caller puts, or NULL with *cause ("nodes: missing", "nodes.
 * node: expected an array or an object, got a string"). */
struct json_object *wjson_yarn_list(struct json_object *root, const char *outer, const char *inner,
                                    char **cause);

/* Compact text of a value (owned by the value, valid until it changes). */
const char *wjson_text(struct json_object *obj);

/* Builders that never return NULL (allocation failure is fatal). */
struct json_object *wjson_new_object(void);
void wjson_add_string(struct json_object *obj, const char *key,
                      const char *value); /* NULL → JSON null */
void wjson_add_int(struct json_object *obj, const char *key, int64_t value);
void wjson_add_bool(struct json_object *obj, const char *key, bool value);
void wjson_add_double(struct json_object *obj, const char *key, double value);
/* Takes ownership of value. */
void wjson_add(struct json_object *obj, const char *key, struct json_object *value);

/* Writers of JSON text straight into a buffer, for the encoders of hot
 * messages that cannot afford a json-c tree (proto_*_write). */
/* Append text as a JSON string literal: quotes, backslashes and control
 * characters escaped, everything else (UTF-8 included) as it is. */
void wjson_write_string(struct evbuffer *b, const char *text);
/* Whether text can go between quotes as it is (ids, names: almost always). */
bool wjson_string_is_plain(const char *text);

/* A JSON value's type with its article ("an integer", "null"), for
 * "expected X, got Y" messages. */
const char *wjson_type_name(struct json_object *value);

#endif
