/*
 * test_wjson.c — strict JSON reading: malformed input of every kind is
 * refused with a useful message, each getter checks its type exactly and
 * names the field path, missing/null/present and required/optional behave
 * as documented, and the builders produce what the wire expects.
 */
#include "weft_config.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/wjson.h"
#include "testlib.h"

/* Parse text (a C string); RET the value or NULL with *cause. */
static struct json_object *parse(const char *text, char **cause)
{
	*cause = NULL;
	return wjson_parse(text, strlen(text), cause);
}

/* Expect text to be refused with exactly `expected`. */
static void expect_parse_error(const char *text, const char *expected)
{
	struct json_object *obj;
	char *cause = NULL;

	obj = parse(text, &cause);
	ck_assert_msg(obj == NULL, "accepted: %s", text);
	ck_assert_msg(cause != NULL, "no cause for: %s", text);
	ck_assert_str_eq(cause, expected);
	free(cause);
}

/* Parse text that must be a valid object. */
static struct json_object *object(const char *text)
{
	struct json_object *obj;
	char *cause = NULL;

	obj = wjson_parse_object(text, strlen(text), &cause);
	ck_assert_msg(obj != NULL, "%s: %s", text, cause);
	return obj;
}

/* A string of depth nested arrays: "[[[...]]]". */
static char *nested(int depth)
{
	char *text = malloc((size_t)depth * 2 + 1);

	ck_assert_ptr_nonnull(text);
	memset(text, '[', (size_t)depth);
	memset(text + depth, ']', (size_t)depth);
	text[depth * 2] = '\0';
	return text;
}

START_TEST(test_parse_valid)
{
	static const char *const ok[] = {"{}",
	                                 "[]",
	                                 "42",
	                                 "-7",
	                                 "1.5",
	                                 "1e5",
	                                 "true",
	                                 "false",
	                                 "\"s\"",
	                                 " \t\r\n{\"a\":[1,2,{\"b\":null}]} \n",
	                                 "{\"a\":\"it's \\\"q\\\" \\u00e9\"}"};
	struct json_object *obj;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		obj = parse(ok[i], &cause);
		ck_assert_msg(obj != NULL, "%s: %s", ok[i], cause);
		json_object_put(obj);
	}
	ck_assert_ptr_null(cause);
}
END_TEST

/* The length is honoured: the text need not be NUL-terminated and bytes
 * beyond len are never read. */
START_TEST(test_parse_explicit_length)
{
	const char buf[] = {'{', '"', 'a', '"', ':', '1', '}', 'X', 'Y'};
	struct json_object *obj;
	char *cause = NULL;
	int64_t v = 0;

	obj = wjson_parse(buf, 7, &cause);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(wjson_get_int(obj, "", "a", true, 0, 10, &v, &cause), 0);
	ck_assert_int_eq(v, 1);
	json_object_put(obj);

	obj = wjson_parse(buf, 9, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "malformed JSON at offset 7: trailing data after the value");
	free(cause);

	/* A number is complete at the end of the given length. */
	obj = wjson_parse("123456", 3, &cause);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(json_object_get_int64(obj), 123);
	json_object_put(obj);
}
END_TEST

START_TEST(test_parse_truncated)
{
	expect_parse_error("{\"a\":", "malformed JSON at offset 5: unexpected end of data");
	expect_parse_error("{\"a\":1", "malformed JSON at offset 6: unexpected end of data");
	expect_parse_error("[1,2", "malformed JSON at offset 4: unexpected end of data");
	expect_parse_error("\"abc", "malformed JSON at offset 4: unexpected end of data");
	expect_parse_error("tru", "malformed JSON at offset 3: unexpected end of data");
	expect_parse_error("", "malformed JSON: empty input");
	expect_parse_error(" \n\t", "malformed JSON: empty input");
}
END_TEST

START_TEST(test_parse_trailing_garbage)
{
	expect_parse_error("{\"a\":1} x",
	                   "malformed JSON at offset 8: trailing data after the value");
	expect_parse_error("{}{}", "malformed JSON at offset 2: trailing data after the value");
	expect_parse_error("[1] ,", "malformed JSON at offset 4: trailing data after the value");
	expect_parse_error("1 2", "malformed JSON at offset 2: trailing data after the value");
}
END_TEST

START_TEST(test_parse_not_json)
{
	expect_parse_error("{'a':1}", "malformed JSON at offset 1: single-quoted string");
	expect_parse_error("[NaN]", "malformed JSON at offset 1: unexpected word 'NaN'");
	expect_parse_error("-Infinity", "malformed JSON at offset 1: unexpected word 'Infinity'");
	expect_parse_error("[1,]", "malformed JSON at offset 3: unexpected character");
	expect_parse_error("{\"a\":1,}", "malformed JSON at offset 7: unexpected character");
	expect_parse_error("{a:1}",
	                   "malformed JSON at offset 1: quoted object property name expected");
	expect_parse_error("/* c */ 1", "malformed JSON at offset 0: unexpected character");
	expect_parse_error("\xff\xfe", "malformed JSON at offset 0: invalid utf-8 string");
	expect_parse_error("null", "expected a JSON value, got null");
}
END_TEST

START_TEST(test_parse_nul_byte)
{
	struct json_object *obj;
	char *cause = NULL;

	obj = wjson_parse("{\"a\":1}\0garbage", 15, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "malformed JSON at offset 7: NUL byte");
	free(cause);
}
END_TEST

START_TEST(test_parse_depth)
{
	struct json_object *obj;
	char *text, *cause = NULL;

	text = nested(60);
	obj = parse(text, &cause);
	ck_assert_msg(obj != NULL, "%s", cause);
	json_object_put(obj);
	free(text);

	text = nested(65);
	obj = parse(text, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "malformed JSON at offset 64: nesting deeper than 64");
	free(cause);
	free(text);

	/* Deep enough to overflow a naive recursive parser. */
	text = nested(100000);
	obj = parse(text, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_ptr_nonnull(strstr(cause, "nesting deeper than 64"));
	free(cause);
	free(text);
}
END_TEST

START_TEST(test_parse_object)
{
	struct json_object *obj;
	char *cause = NULL;

	obj = wjson_parse_object("[1]", 3, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "expected a JSON object, got an array");
	free(cause);
	obj = wjson_parse_object("\"x\"", 3, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "expected a JSON object, got a string");
	free(cause);
	obj = wjson_parse_object("{\"a\"", 4, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_str_eq(cause, "malformed JSON at offset 4: unexpected end of data");
	free(cause);
	obj = wjson_parse_object("{}", 2, NULL);
	ck_assert_ptr_nonnull(obj);
	json_object_put(obj);
	/* A NULL cause is allowed on failure too. */
	ck_assert_ptr_null(wjson_parse_object("[", 1, NULL));
}
END_TEST

START_TEST(test_parse_file)
{
	char dir[256], *path, *cause = NULL, *expected;
	struct json_object *obj;
	FILE *f;

	testlib_mkdtemp_into(dir, sizeof dir, "wjson");
	ck_assert_int_ge(asprintf(&path, "%s/job.json", dir), 0);

	obj = wjson_parse_file(path, 1024, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_int_ge(asprintf(&expected, "%s: No such file or directory", path), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"name\": \"job\", \"tasks\": 3}\n", f);
	fclose(f);
	obj = wjson_parse_file(path, 1024, &cause);
	ck_assert_ptr_nonnull(obj);
	ck_assert_str_eq(wjson_text(obj), "{\"name\":\"job\",\"tasks\":3}");
	json_object_put(obj);

	/* Over the cap: refused before parsing. */
	obj = wjson_parse_file(path, 10, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_int_ge(asprintf(&expected, "%s: larger than 10 bytes", path), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"name\": ", f);
	fclose(f);
	obj = wjson_parse_file(path, 1024, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_int_ge(
	        asprintf(&expected, "%s: malformed JSON at offset 9: unexpected end of data", path),
	        0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);

	obj = wjson_parse_file(dir, 1024, &cause);
	ck_assert_ptr_null(obj);
	ck_assert_int_ge(asprintf(&expected, "%s: is a directory", dir), 0);
	ck_assert_str_eq(cause, expected);
	free(expected);
	free(cause);

	ck_assert_int_eq(testlib_rmtree(dir), 0);
	free(path);
}
END_TEST

/* One document with a field of every JSON type, nested under "spec". */
static const char *const typed_doc =
        "{\"s\":\"text\",\"i\":42,\"neg\":-5,\"d\":1.5,\"e\":1e3,\"b\":true,\"n\":null,"
        "\"o\":{\"k\":1},\"a\":[1,2],\"digits\":\"12\","
        "\"am-container-spec\":{\"resource\":{\"memory\":\"1024\",\"vCores\":1}}}";

START_TEST(test_get_string)
{
	struct json_object *obj = object(typed_doc);
	const char *s = "untouched";
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_string(obj, "", "s", true, &s, &cause), 0);
	ck_assert_str_eq(s, "text");
	ck_assert_int_eq(wjson_get_string(obj, "", "i", true, &s, &cause), -1);
	ck_assert_str_eq(cause, "i: expected a string, got an integer");
	free(cause);
	ck_assert_int_eq(wjson_get_string(obj, "", "o", false, &s, &cause), -1);
	ck_assert_str_eq(cause, "o: expected a string, got an object");
	free(cause);
	ck_assert_int_eq(wjson_get_string(obj, "", "b", false, &s, &cause), -1);
	ck_assert_str_eq(cause, "b: expected a string, got a boolean");
	free(cause);
	ck_assert_str_eq(s, "text");
	json_object_put(obj);
}
END_TEST

START_TEST(test_get_string_nul)
{
	struct json_object *obj = object("{\"name\":\"ab\\u0000cd\"}");
	const char *s = NULL;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_string(obj, "app", "name", true, &s, &cause), -1);
	ck_assert_str_eq(cause, "app.name: string contains a NUL character");
	ck_assert_ptr_null(s);
	free(cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_get_int)
{
	struct json_object *obj = object(typed_doc), *spec = NULL, *res = NULL;
	int64_t v = -99;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_int(obj, "", "i", true, 0, 100, &v, &cause), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(wjson_get_int(obj, "", "neg", true, -5, -5, &v, &cause), 0);
	ck_assert_int_eq(v, -5);

	/* Strings of digits, numbers with a fraction or exponent, booleans:
	 * never integers. */
	ck_assert_int_eq(wjson_get_int(obj, "", "digits", true, 0, 100, &v, &cause), -1);
	ck_assert_str_eq(cause, "digits: expected an integer, got a string");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "", "d", true, 0, 100, &v, &cause), -1);
	ck_assert_str_eq(cause, "d: expected an integer, got a number with a fraction or exponent");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "", "e", true, 0, 10000, &v, &cause), -1);
	ck_assert_str_eq(cause, "e: expected an integer, got a number with a fraction or exponent");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "", "b", true, 0, 1, &v, &cause), -1);
	ck_assert_str_eq(cause, "b: expected an integer, got a boolean");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "", "a", true, 0, 1, &v, &cause), -1);
	ck_assert_str_eq(cause, "a: expected an integer, got an array");
	free(cause);
	ck_assert_int_eq(v, -5);

	/* The field path of a nested field, as a client reads it. */
	ck_assert_int_eq(wjson_get_object(obj, "", "am-container-spec", true, &spec, &cause), 0);
	ck_assert_int_eq(
	        wjson_get_object(spec, "am-container-spec", "resource", true, &res, &cause), 0);
	ck_assert_int_eq(wjson_get_int(res, "am-container-spec.resource", "memory", true, 1,
	                               INT64_MAX, &v, &cause),
	                 -1);
	ck_assert_str_eq(cause, "am-container-spec.resource.memory: expected an integer, got a "
	                        "string");
	free(cause);
	ck_assert_int_eq(
	        wjson_get_int(res, "am-container-spec.resource", "vCores", true, 2, 8, &v, &cause),
	        -1);
	ck_assert_str_eq(cause, "am-container-spec.resource.vCores: 1 is out of range [2, 8]");
	free(cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_get_int_range)
{
	struct json_object *obj =
	        object("{\"small\":-9223372036854775808,\"big\":9223372036854775807,"
	               "\"port\":65536}");
	int64_t v = 0;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_int(obj, "", "small", true, INT64_MIN, 0, &v, &cause), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(wjson_get_int(obj, "", "big", true, 0, INT64_MAX, &v, &cause), 0);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(wjson_get_int(obj, "", "small", true, -1, 0, &v, &cause), -1);
	ck_assert_str_eq(cause, "small: -9223372036854775808 is out of range [-1, 0]");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "x", "port", true, 0, 65535, &v, &cause), -1);
	ck_assert_str_eq(cause, "x.port: 65536 is out of range [0, 65535]");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "x", "port", true, 0, 65536, &v, &cause), 0);
	ck_assert_int_eq(v, 65536);
	json_object_put(obj);
}
END_TEST

/* Integers beyond 64 bits are refused at parse time: json-c would clamp
 * them to the nearest limit without a word. */
START_TEST(test_parse_huge_integers)
{
	struct json_object *obj;
	char *cause = NULL;

	expect_parse_error(
	        "{\"a\":9223372036854775808}",
	        "malformed JSON at offset 5: integer 9223372036854775808 does not fit in "
	        "64 bits");
	expect_parse_error(
	        "[1, -9223372036854775809]",
	        "malformed JSON at offset 4: integer -9223372036854775809 does not fit in "
	        "64 bits");
	expect_parse_error(
	        "18446744073709551616",
	        "malformed JSON at offset 0: integer 18446744073709551616 does not fit in "
	        "64 bits");
	/* Numbers with a fraction or exponent are doubles, not clamped, and
	 * digits inside strings are not numbers. */
	obj = parse("[1e300, -12345678901234567890.5, \"99999999999999999999\"]", &cause);
	ck_assert_msg(obj != NULL, "%s", cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_get_bool)
{
	struct json_object *obj = object("{\"t\":true,\"f\":false,\"one\":1,\"word\":\"true\"}");
	bool b = false;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_bool(obj, "", "t", true, &b, &cause), 0);
	ck_assert(b);
	ck_assert_int_eq(wjson_get_bool(obj, "", "f", true, &b, &cause), 0);
	ck_assert(!b);
	ck_assert_int_eq(wjson_get_bool(obj, "", "one", true, &b, &cause), -1);
	ck_assert_str_eq(cause, "one: expected a boolean, got an integer");
	free(cause);
	ck_assert_int_eq(wjson_get_bool(obj, "", "word", true, &b, &cause), -1);
	ck_assert_str_eq(cause, "word: expected a boolean, got a string");
	free(cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_get_object_array)
{
	struct json_object *obj = object(typed_doc), *out = NULL;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_object(obj, "", "o", true, &out, &cause), 0);
	ck_assert(json_object_is_type(out, json_type_object));
	ck_assert_int_eq(wjson_get_array(obj, "", "a", true, &out, &cause), 0);
	ck_assert_int_eq(json_object_array_length(out), 2);
	ck_assert_int_eq(wjson_get_object(obj, "", "a", true, &out, &cause), -1);
	ck_assert_str_eq(cause, "a: expected an object, got an array");
	free(cause);
	ck_assert_int_eq(wjson_get_array(obj, "", "o", true, &out, &cause), -1);
	ck_assert_str_eq(cause, "o: expected an array, got an object");
	free(cause);
	ck_assert_int_eq(wjson_get_array(obj, "", "s", true, &out, &cause), -1);
	ck_assert_str_eq(cause, "s: expected an array, got a string");
	free(cause);
	json_object_put(obj);
}
END_TEST

/* Missing and null are the same; required makes them an error, optional
 * leaves *out as it was and succeeds. */
START_TEST(test_missing_null_present)
{
	struct json_object *obj = object(typed_doc), *o = NULL;
	const char *s = "default";
	int64_t v = 7;
	bool b = true;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_string(obj, "", "absent", true, &s, &cause), -1);
	ck_assert_str_eq(cause, "absent: missing");
	free(cause);
	ck_assert_int_eq(wjson_get_string(obj, "spec", "n", true, &s, &cause), -1);
	ck_assert_str_eq(cause, "spec.n: missing");
	free(cause);
	ck_assert_int_eq(wjson_get_int(obj, "", "n", true, 0, 1, &v, &cause), -1);
	ck_assert_str_eq(cause, "n: missing");
	free(cause);
	ck_assert_int_eq(wjson_get_bool(obj, "", "absent", true, &b, &cause), -1);
	ck_assert_str_eq(cause, "absent: missing");
	free(cause);
	ck_assert_int_eq(wjson_get_object(obj, "", "absent", true, &o, &cause), -1);
	ck_assert_str_eq(cause, "absent: missing");
	free(cause);
	ck_assert_int_eq(wjson_get_array(obj, "", "n", true, &o, &cause), -1);
	ck_assert_str_eq(cause, "n: missing");
	free(cause);
	cause = NULL;

	ck_assert_int_eq(wjson_get_string(obj, "", "absent", false, &s, &cause), 0);
	ck_assert_int_eq(wjson_get_string(obj, "", "n", false, &s, &cause), 0);
	ck_assert_int_eq(wjson_get_int(obj, "", "absent", false, 0, 1, &v, &cause), 0);
	ck_assert_int_eq(wjson_get_int(obj, "", "n", false, 0, 1, &v, &cause), 0);
	ck_assert_int_eq(wjson_get_bool(obj, "", "n", false, &b, &cause), 0);
	ck_assert_int_eq(wjson_get_object(obj, "", "n", false, &o, &cause), 0);
	ck_assert_int_eq(wjson_get_array(obj, "", "absent", false, &o, &cause), 0);
	ck_assert_ptr_null(cause);
	ck_assert_str_eq(s, "default");
	ck_assert_int_eq(v, 7);
	ck_assert(b);
	ck_assert_ptr_null(o);

	/* Present but wrong is an error even when optional. */
	ck_assert_int_eq(wjson_get_int(obj, "", "s", false, 0, 1, &v, &cause), -1);
	ck_assert_str_eq(cause, "s: expected an integer, got a string");
	free(cause);
	ck_assert_int_eq(v, 7);
	json_object_put(obj);
}
END_TEST

/* A getter handed something that is not an object (e.g. the caller did
 * not check an array element) reports it instead of crashing. */
START_TEST(test_get_from_non_object)
{
	struct json_object *arr = NULL, *obj = object("{\"list\":[1,\"x\"]}");
	const char *s = NULL;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_array(obj, "", "list", true, &arr, &cause), 0);
	ck_assert_int_eq(wjson_get_string(json_object_array_get_idx(arr, 0), "list[0]", "name",
	                                  true, &s, &cause),
	                 -1);
	ck_assert_str_eq(cause, "list[0]: expected an object, got an integer");
	free(cause);
	ck_assert_int_eq(wjson_get_string(NULL, "", "name", true, &s, &cause), -1);
	ck_assert_str_eq(cause, "(top): expected an object, got null");
	free(cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_builders)
{
	struct json_object *obj = wjson_new_object(), *inner = wjson_new_object(), *back;
	char *cause = NULL;
	int64_t v = 0;

	wjson_add_string(obj, "url", "/ws/v1/staging/app/f");
	wjson_add_string(obj, "none", NULL);
	wjson_add_int(obj, "big", INT64_C(1700000000000));
	wjson_add_bool(obj, "ok", false);
	wjson_add_double(obj, "progress", 0.5);
	wjson_add_int(inner, "memory", 1024);
	wjson_add(obj, "resource", inner);
	ck_assert_str_eq(wjson_text(obj), "{\"url\":\"/ws/v1/staging/app/f\",\"none\":null,"
	                                  "\"big\":1700000000000,\"ok\":false,\"progress\":0.5,"
	                                  "\"resource\":{\"memory\":1024}}");
	/* Adding an existing key replaces it. */
	wjson_add_int(obj, "big", 1);
	back = wjson_parse_object(wjson_text(obj), strlen(wjson_text(obj)), &cause);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(wjson_get_int(back, "", "big", true, 0, 10, &v, &cause), 0);
	ck_assert_int_eq(v, 1);
	json_object_put(back);
	json_object_put(obj);
}
END_TEST

/* The bounded getters every decoder of a message uses. */
START_TEST(test_bounded_getters)
{
	struct json_object *obj =
	        object("{\"s\":\"abcd\",\"a\":[1,{},3],\"n\":2.5,\"i\":7,\"t\":\"x\",\"z\":null}");
	struct json_object *list = NULL, *item = NULL;
	const char *s = NULL;
	double d = 0;
	size_t n = 9;
	char *cause = NULL;

	ck_assert_int_eq(wjson_get_text(obj, "p", "s", true, 4, &s, &cause), 0);
	ck_assert_str_eq(s, "abcd");
	ck_assert_int_eq(wjson_get_text(obj, "p", "s", true, 3, &s, &cause), -1);
	ck_assert_str_eq(cause, "p.s: longer than 3 bytes");
	free(cause);
	s = NULL;
	ck_assert_int_eq(wjson_get_text(obj, "", "missing", false, 3, &s, &cause), 0);
	ck_assert_ptr_null(s);

	ck_assert_int_eq(wjson_get_list(obj, "", "a", true, 3, &list, &n, &cause), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(wjson_get_list(obj, "", "a", true, 2, &list, &n, &cause), -1);
	ck_assert_str_eq(cause, "a: more than 2 entries");
	free(cause);
	ck_assert_int_eq(wjson_get_list(obj, "", "z", false, 2, &list, &n, &cause), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(wjson_get_list(obj, "", "a", true, 3, &list, &n, &cause), 0);
	ck_assert_int_eq(wjson_array_object(list, "a", 1, &item, &cause), 0);
	ck_assert_int_eq(wjson_array_object(list, "a", 0, &item, &cause), -1);
	ck_assert_str_eq(cause, "a[0]: expected an object, got an integer");
	free(cause);

	ck_assert_int_eq(wjson_get_number(obj, "", "n", true, 0, 100, &d, &cause), 0);
	ck_assert(d == 2.5);
	ck_assert_int_eq(wjson_get_number(obj, "", "i", true, 0, 100, &d, &cause), 0);
	ck_assert(d == 7);
	ck_assert_int_eq(wjson_get_number(obj, "", "i", true, 0, 5, &d, &cause), -1);
	ck_assert_str_eq(cause, "i: 7 is out of range [0, 5]");
	free(cause);
	ck_assert_int_eq(wjson_get_number(obj, "q", "t", true, 0, 5, &d, &cause), -1);
	ck_assert_str_eq(cause, "q.t: expected a number, got a string");
	free(cause);
	json_object_put(obj);
}
END_TEST

/* YARN's collections: null, {}, null inside, a bare object, a list. */
START_TEST(test_yarn_list)
{
	static const struct {
		const char *text;
		int n; /* -1: refused with cause */
		const char *cause;
	} cases[] = {
	        {"{\"nodes\":null}", 0, NULL},
	        {"{\"nodes\":{}}", 0, NULL},
	        {"{\"nodes\":{\"node\":null}}", 0, NULL},
	        {"{\"nodes\":{\"node\":[]}}", 0, NULL},
	        {"{\"nodes\":{\"node\":{\"id\":\"a\"}}}", 1, NULL},
	        {"{\"nodes\":{\"node\":[{},{}]}}", 2, NULL},
	        {"{}", -1, "nodes: missing"},
	        {"{\"nodes\":[]}", -1, "nodes: expected an object, got an array"},
	        {"{\"nodes\":{\"node\":\"x\"}}", -1,
	         "nodes.node: expected an array or an object, got a string"},
	        {"[1]", -1, "(top): expected an object, got an array"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct json_object *root = json_tokener_parse(cases[i].text), *list;
		char *cause = NULL;

		list = wjson_yarn_list(root, "nodes", "node", &cause);
		if (cases[i].n < 0) {
			ck_assert_msg(list == NULL, "%s accepted", cases[i].text);
			ck_assert_str_eq(cause, cases[i].cause);
			free(cause);
		} else {
			ck_assert_msg(list != NULL, "%s: %s", cases[i].text, cause);
			ck_assert_int_eq((int)json_object_array_length(list), cases[i].n);
			json_object_put(list);
		}
		json_object_put(root);
	}
}
END_TEST

static Suite *wjson_suite(void)
{
	Suite *s = suite_create("wjson");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_parse_valid);
	tcase_add_test(tc, test_parse_explicit_length);
	tcase_add_test(tc, test_parse_truncated);
	tcase_add_test(tc, test_parse_trailing_garbage);
	tcase_add_test(tc, test_parse_not_json);
	tcase_add_test(tc, test_parse_nul_byte);
	tcase_add_test(tc, test_parse_depth);
	tcase_add_test(tc, test_parse_object);
	tcase_add_test(tc, test_parse_file);
	tcase_add_test(tc, test_get_string);
	tcase_add_test(tc, test_get_string_nul);
	tcase_add_test(tc, test_get_int);
	tcase_add_test(tc, test_get_int_range);
	tcase_add_test(tc, test_parse_huge_integers);
	tcase_add_test(tc, test_get_bool);
	tcase_add_test(tc, test_get_object_array);
	tcase_add_test(tc, test_missing_null_present);
	tcase_add_test(tc, test_get_from_non_object);
	tcase_add_test(tc, test_builders);
	tcase_add_test(tc, test_bounded_getters);
	tcase_add_test(tc, test_yarn_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wjson_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
