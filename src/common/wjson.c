/*
 * wjson.c — strict JSON parsing and typed field access over json-c.
 *
 * json-c is lenient by default (it reads "12" as 12, 1.9 as 1, and stops
 * quietly before trailing garbage).  Everything that reads a request body
 * or a file goes through here instead: the parser is strict, bounded in
 * depth and size, and every getter checks the JSON type exactly and names
 * the field path in its message.
 */
#include "weft_config.h"

#include "common/wjson.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/xmalloc.h"

/* Deeper documents than this are refused (no request needs more, and it
 * bounds the parser's recursion and memory). */
#define WJSON_MAX_DEPTH 64

/* A JSON type with its article, for "expected X, got Y". */
const char *wjson_type_name(struct json_object *value)
{
	switch (json_object_get_type(value)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown type";
}

/* Whether bytes [from, len) of text are all JSON white space. */
static bool wjson_only_space(const char *text, size_t from, size_t len)
{
	for (; from < len; from++) {
		if (text[from] != ' ' && text[from] != '\t' && text[from] != '\n' &&
		    text[from] != '\r')
			return false;
	}
	return true;
}

/* Check one number token text[start..end): an integer must fit in 64
 * bits (json-c would clamp it silently).  RET 0 or -1 with *cause. */
static int wjson_check_number(const char *text, size_t start, size_t end, char **cause)
{
	char buf[32];
	size_t len = end - start;

	if (memchr(text + start, '.', len) != NULL || memchr(text + start, 'e', len) != NULL ||
	    memchr(text + start, 'E', len) != NULL)
		return 0;
	if (len < sizeof buf) {
		memcpy(buf, text + start, len);
		buf[len] = '\0';
		errno = 0;
		(void)strtoll(buf, NULL, 10);
		if (errno == 0)
			return 0;
	}
	return set_cause(cause,
	                 "malformed JSON at offset %zu: integer %.*s does not fit in 64 bits",
	                 start, (int)(len > 40 ? 40 : len), text + start);
}

/* Refuse what json-c accepts even in strict mode but JSON (or weft) does
 * not: single-quoted strings, bare words other than true/false/null (NaN,
 * Infinity), and integers beyond 64 bits.  Runs on text json-c has already
 * parsed, so tokens are well formed.  RET 0, or -1 with *cause naming the
 * offset. */
static int wjson_check_tokens(const char *text, size_t len, char **cause)
{
	bool in_string = false;
	size_t i, start;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		start = i;
		if (c == '"') {
			in_string = true;
		} else if (c == '\'') {
			return set_cause(cause,
			                 "malformed JSON at offset %zu: single-quoted string", i);
		} else if (c == '-' || isdigit((unsigned char)c)) {
			while (i < len && (isdigit((unsigned char)text[i]) ||
			                   strchr("+-.eE", text[i]) != NULL))
				i++;
			if (wjson_check_number(text, start, i, cause) != 0)
				return -1;
			i--;
		} else if (isalpha((unsigned char)c)) {
			while (i < len && isalpha((unsigned char)text[i]))
				i++;
			if (!((i - start == 4 && memcmp(text + start, "true", 4) == 0) ||
			      (i - start == 5 && memcmp(text + start, "false", 5) == 0) ||
			      (i - start == 4 && memcmp(text + start, "null", 4) == 0)))
				return set_cause(
				        cause,
				        "malformed JSON at offset %zu: unexpected word '%.*s'",
				        start, (int)(i - start > 32 ? 32 : i - start),
				        text + start);
			i--;
		}
	}
	return 0;
}

/* The process's tokener, made on first use and reset for every text. */
static struct json_tokener *wjson_tokener(void)
{
	static struct json_tokener *tok;

	if (tok == NULL && (tok = json_tokener_new_ex(WJSON_MAX_DEPTH)) == NULL)
		fatalx("wjson_parse: out of memory");
	json_tokener_reset(tok);
	return tok;
}

/* Parse exactly one JSON value from text[0..len). */
struct json_object *wjson_parse(const char *text, size_t len, char **cause)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error err;
	size_t end;

	if (len > INT_MAX) {
		set_cause(cause, "JSON text too large (%zu bytes)", len);
		return NULL;
	}
	if (text == NULL || wjson_only_space(text, 0, len)) {
		set_cause(cause, "malformed JSON: empty input");
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		set_cause(cause, "malformed JSON at offset %zu: NUL byte",
		          (size_t)((const char *)memchr(text, '\0', len) - text));
		return NULL;
	}
	/* One tokener per process, reset for each text: making one costs a
	 * 2 KiB calloc (its parse stack), a tenth of the RM's time per NM
	 * heartbeat once malloc's consolidation is counted.  Each program is
	 * one thread, and nothing here re-enters wjson_parse. */
	tok = wjson_tokener();
	/* Trailing data is allowed here only to be refused below with a
	 * clearer message than "unexpected character". */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
	                                    JSON_TOKENER_VALIDATE_UTF8);

	obj = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	if (err == json_tokener_continue) {
		/* A bare top-level number ("42") is only known to be complete
		 * once something follows it: feed the end of input. */
		obj = json_tokener_parse_ex(tok, "", 1);
		err = json_tokener_get_error(tok);
		if (err == json_tokener_continue) {
			json_object_put(obj);
			set_cause(cause, "malformed JSON: unexpected end of input (truncated)");
			return NULL;
		}
		end = len;
	} else
		end = json_tokener_get_parse_end(tok);

	if (err != json_tokener_success) {
		if (err == json_tokener_error_depth)
			set_cause(cause, "malformed JSON at offset %zu: nesting deeper than %d",
			          end, WJSON_MAX_DEPTH);
		else
			set_cause(cause, "malformed JSON at offset %zu: %s", end,
			          json_tokener_error_desc(err));
		json_object_put(obj);
		return NULL;
	}
	if (end < len && !wjson_only_space(text, end, len)) {
		json_object_put(obj);
		set_cause(cause, "malformed JSON at offset %zu: trailing data after the value",
		          end);
		return NULL;
	}
	if (wjson_check_tokens(text, len, cause) != 0) {
		json_object_put(obj);
		return NULL;
	}
	if (obj == NULL) {
		set_cause(cause, "expected a JSON value, got null");
		return NULL;
	}
	return obj;
}

/* Parse and require an object at the top. */
struct json_object *wjson_parse_object(const char *text, size_t len, char **cause)
{
	struct json_object *obj;

	obj = wjson_parse(text, len, cause);
	if (obj == NULL)
		return NULL;
	if (!json_object_is_type(obj, json_type_object)) {
		set_cause(cause, "expected a JSON object, got %s", wjson_type_name(obj));
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* Read a whole file (at most max_bytes) and parse it; messages start with
 * the path. */
struct json_object *wjson_parse_file(const char *path, size_t max_bytes, char **cause)
{
	struct json_object *obj = NULL;
	char *buf = NULL, *reason = NULL;
	size_t used = 0, cap;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		set_cause(cause, "%s: is a directory", path);
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max_bytes) {
		set_cause(cause, "%s: larger than %zu bytes", path, max_bytes);
		goto out;
	}
	/* Read one byte past the cap to notice a file that grew meanwhile. */
	cap = max_bytes < SIZE_MAX ? max_bytes + 1 : max_bytes;
	buf = xmalloc(cap);
	while (used < cap) {
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_cause(cause, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max_bytes) {
		set_cause(cause, "%s: larger than %zu bytes", path, max_bytes);
		goto out;
	}
	obj = wjson_parse(buf, used, &reason);
	if (obj == NULL) {
		set_cause(cause, "%s: %s", path, reason);
		free(reason);
	}
out:
	free(buf);
	close(fd);
	return obj;
}

/* A field's path for messages ("resource.memory"; caller frees).  Only
 * made when a message needs it: the getters run for every field of every
 * request, and building it each time was a malloc and a printf apiece. */
static char *wjson_path(const char *prefix, const char *key)
{
	if (prefix == NULL || *prefix == '\0')
		return xstrdup(key);
	return xasprintf("%s.%s", prefix, key);
}

/* Look key up in obj: RET 1 with *value when present and not null, 0 when
 * missing (or null) and not required, -1 with *cause otherwise. */
static int wjson_lookup(struct json_object *obj, const char *prefix, const char *key, bool required,
                        struct json_object **value, char **cause)
{
	struct json_object *found = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
		set_cause(cause, "%s: expected an object, got %s",
		          prefix != NULL && *prefix != '\0' ? prefix : "(top)",
		          obj == NULL ? "null" : wjson_type_name(obj));
		return -1;
	}
	if (!json_object_object_get_ex(obj, key, &found) || found == NULL) {
		if (required) {
			char *path = wjson_path(prefix, key);

			set_cause(cause, "%s: missing", path);
			free(path);
			return -1;
		}
		return 0;
	}
	*value = found;
	return 1;
}

/* Fetch a field that must be of one JSON type. */
static int wjson_get_typed(struct json_object *obj, const char *prefix, const char *key,
                           bool required, enum json_type type, const char *type_name,
                           struct json_object **value, char **cause)
{
	int rc;

	rc = wjson_lookup(obj, prefix, key, required, value, cause);
	if (rc != 1)
		return rc;
	if (!json_object_is_type(*value, type)) {
		char *path = wjson_path(prefix, key);

		set_cause(cause, "%s: expected %s, got %s", path, type_name,
		          wjson_type_name(*value));
		free(path);
		return -1;
	}
	return 1;
}

/* A string field. */
int wjson_get_string(struct json_object *obj, const char *prefix, const char *key, bool required,
                     const char **out, char **cause)
{
	struct json_object *value = NULL;
	int rc;

	rc = wjson_get_typed(obj, prefix, key, required, json_type_string, "a string", &value,
	                     cause);
	if (rc == 1 &&
	    strlen(json_object_get_string(value)) != (size_t)json_object_get_string_len(value)) {
		char *path = wjson_path(prefix, key);

		rc = set_cause(cause, "%s: string contains a NUL character", path);
		free(path);
	} else if (rc == 1) {
		*out = json_object_get_string(value);
		rc = 0;
	}
	return rc;
}

/* An integer field within [min, max]: a JSON integer, never a number with
 * a fraction or exponent, nor a string of digits. */
int wjson_get_int(struct json_object *obj, const char *prefix, const char *key, bool required,
                  int64_t min, int64_t max, int64_t *out, char **cause)
{
	struct json_object *value = NULL;
	int64_t v;
	int rc;

	rc = wjson_get_typed(obj, prefix, key, required, json_type_int, "an integer", &value,
	                     cause);
	if (rc != 1)
		return rc;
	/* wjson_parse refused integers beyond int64, so this is exact. */
	v = json_object_get_int64(value);
	if (v < min || v > max) {
		char *path = wjson_path(prefix, key);

		rc = set_cause(cause, "%s: %" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
		               path, v, min, max);
		free(path);
		return rc;
	}
	*out = v;
	return 0;
}

/* A boolean field (true/false only, never 0/1 or "true"). */
int wjson_get_bool(struct json_object *obj, const char *prefix, const char *key, bool required,
                   bool *out, char **cause)
{
	struct json_object *value = NULL;
	int rc;

	rc = wjson_get_typed(obj, prefix, key, required, json_type_boolean, "a boolean", &value,
	                     cause);
	if (rc == 1) {
		*out = json_object_get_boolean(value) != 0;
		rc = 0;
	}
	return rc;
}

/* An object field (borrowed from obj). */
int wjson_get_object(struct json_object *obj, const char *prefix, const char *key, bool required,
                     struct json_object **out, char **cause)
{
	struct json_object *value = NULL;
	int rc;

	rc = wjson_get_typed(obj, prefix, key, required, json_type_object, "an object", &value,
	                     cause);
	if (rc == 1) {
		*out = value;
		rc = 0;
	}
	return rc;
}

/* An array field (borrowed from obj). */
int wjson_get_array(struct json_object *obj, const char *prefix, const char *key, bool required,
                    struct json_object **out, char **cause)
{
	struct json_object *value = NULL;
	int rc;

	rc = wjson_get_typed(obj, prefix, key, required, json_type_array, "an array", &value,
	                     cause);
	if (rc == 1) {
		*out = value;
		rc = 0;
	}
	return rc;
}

/* A string field of at most max bytes. */
int wjson_get_text(struct json_object *obj, const char *prefix, const char *key, bool required,
                   size_t max, const char **out, char **cause)
{
	const char *v = NULL;
	char *path;
	int rc;

	if (wjson_get_string(obj, prefix, key, required, &v, cause) != 0)
		return -1;
	if (v == NULL)
		return 0;
	if (strlen(v) > max) {
		path = wjson_path(prefix, key);
		rc = set_cause(cause, "%s: longer than %zu bytes", path, max);
		free(path);
		return rc;
	}
	*out = v;
	return 0;
}

/* An array field of at most max entries. */
int wjson_get_list(struct json_object *obj, const char *prefix, const char *key, bool required,
                   size_t max, struct json_object **out, size_t *n, char **cause)
{
	struct json_object *array = NULL;
	char *path;
	int rc;

	*n = 0;
	*out = NULL;
	if (wjson_get_array(obj, prefix, key, required, &array, cause) != 0)
		return -1;
	if (array == NULL)
		return 0;
	if (json_object_array_length(array) > max) {
		path = wjson_path(prefix, key);
		rc = set_cause(cause, "%s: more than %zu entries", path, max);
		free(path);
		return rc;
	}
	*n = json_object_array_length(array);
	*out = array;
	return 0;
}

/* A number field (an integer, or one with a fraction or exponent) within
 * [min, max]. */
int wjson_get_number(struct json_object *obj, const char *prefix, const char *key, bool required,
                     double min, double max, double *out, char **cause)
{
	struct json_object *value = NULL;
	char *path;
	double v;
	int rc;

	rc = wjson_lookup(obj, prefix, key, required, &value, cause);
	if (rc != 1)
		return rc;
	path = NULL;
	if (!json_object_is_type(value, json_type_int) &&
	    !json_object_is_type(value, json_type_double)) {
		path = wjson_path(prefix, key);
		rc = set_cause(cause, "%s: expected a number, got %s", path,
		               wjson_type_name(value));
	} else if (v = json_object_get_double(value), !(v >= min && v <= max)) {
		path = wjson_path(prefix, key);
		rc = set_cause(cause, "%s: %g is out of range [%g, %g]", path, v, min, max);
	} else {
		*out = v;
		rc = 0;
	}
	free(path);
	return rc;
}

/* Element i of an array, required to be an object. */
int wjson_array_object(struct json_object *array, const char *path, size_t i,
                       struct json_object **out, char **cause)
{
	struct json_object *o = json_object_array_get_idx(array, i);

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return set_cause(cause, "%s[%zu]: expected an object, got %s", path, i,
		                 o == NULL ? "null" : wjson_type_name(o));
	*out = o;
	return 0;
}

/* A YARN collection's array. */
struct json_object *wjson_yarn_list(struct json_object *root, const char *outer, const char *inner,
                                    char **cause)
{
	struct json_object *coll = NULL, *items = NULL, *one;

	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		set_cause(cause, "(top): expected an object, got %s",
		          root == NULL ? "null" : wjson_type_name(root));
		return NULL;
	}
	if (!json_object_object_get_ex(root, outer, &coll)) {
		set_cause(cause, "%s: missing", outer);
		return NULL;
	}
	if (coll == NULL)
		return json_object_new_array();
	if (!json_object_is_type(coll, json_type_object)) {
		set_cause(cause, "%s: expected an object, got %s", outer, wjson_type_name(coll));
		return NULL;
	}
	if (!json_object_object_get_ex(coll, inner, &items) || items == NULL)
		return json_object_new_array();
	if (json_object_is_type(items, json_type_array))
		return json_object_get(items);
	if (json_object_is_type(items, json_type_object)) {
		one = json_object_new_array();
		json_object_array_add(one, json_object_get(items));
		return one;
	}
	set_cause(cause, "%s.%s: expected an array or an object, got %s", outer, inner,
	          wjson_type_name(items));
	return NULL;
}

/* Compact text, with '/' left unescaped (URLs read as written). */
const char *wjson_text(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* A new empty object. */
struct json_object *wjson_new_object(void)
{
	struct json_object *obj;

	obj = json_object_new_object();
	if (obj == NULL)
		fatalx("wjson_new_object: out of memory");
	return obj;
}

/* Add (or replace) a member, taking ownership of value. */
void wjson_add(struct json_object *obj, const char *key, struct json_object *value)
{
	if (json_object_object_add(obj, key, value) != 0)
		fatalx("wjson_add: cannot add '%s'", key);
}

/* Add a string member; NULL becomes JSON null. */
void wjson_add_string(struct json_object *obj, const char *key, const char *value)
{
	struct json_object *v = NULL;

	if (value != NULL) {
		v = json_object_new_string(value);
		if (v == NULL)
			fatalx("wjson_add_string: out of memory");
	}
	wjson_add(obj, key, v);
}

/* Add an integer member. */
void wjson_add_int(struct json_object *obj, const char *key, int64_t value)
{
	struct json_object *v;

	v = json_object_new_int64(value);
	if (v == NULL)
		fatalx("wjson_add_int: out of memory");
	wjson_add(obj, key, v);
}

/* Add a boolean member. */
void wjson_add_bool(struct json_object *obj, const char *key, bool value)
{
	struct json_object *v;

	v = json_object_new_boolean(value);
	if (v == NULL)
		fatalx("wjson_add_bool: out of memory");
	wjson_add(obj, key, v);
}

/* Add a number member. */
void wjson_add_double(struct json_object *obj, const char *key, double value)
{
	struct json_object *v;

	v = json_object_new_double(value);
	if (v == NULL)
		fatalx("wjson_add_double: out of memory");
	wjson_add(obj, key, v);
}

bool wjson_string_is_plain(const char *text)
{
	for (; *text != '\0'; text++) {
		if (*text == '"' || *text == '\\' || (unsigned char)*text < 0x20)
			return false;
	}
	return true;
}

/* Runs of plain characters go in one evbuffer_add each. */
void wjson_write_string(struct evbuffer *b, const char *text)
{
	const char *run = text;

	evbuffer_add(b, "\"", 1);
	for (const char *c = text; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (u >= 0x20 && u != '"' && u != '\\')
			continue;
		evbuffer_add(b, run, (size_t)(c - run));
		if (u == '"' || u == '\\')
			evbuffer_add_printf(b, "\\%c", u);
		else
			evbuffer_add_printf(b, "\\u%04x", u);
		run = c + 1;
	}
	evbuffer_add(b, run, strlen(run));
	evbuffer_add(b, "\"", 1);
}
