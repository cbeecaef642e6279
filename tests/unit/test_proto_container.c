/*
 * test_proto_container.c — the NM container API's messages
 * (proto_container.h): every message survives encode -> wire text ->
 * decode unchanged and has the shape weft/protocol.h specifies, the
 * container status record too (the one record every side reports and
 * reads, by both its rules); every decoder refuses wrong types, missing fields, out-of-range
 * numbers and overlong strings with a cause that names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "testlib.h"

#define CID  "container_1700000000000_0001_01_000002"
#define CID2 "container_1700000000000_0001_01_000003"

/* ------------------------------------------------------------------ */
/* Helpers. */

/* A string field of obj, or NULL. */
static const char *field(struct json_object *obj, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The decoders as testlib_decoder. */
static int decode_start(struct json_object *obj, char **cause)
{
	struct proto_container_start m;
	int rc = proto_container_start_decode(obj, &m, cause);

	proto_container_start_clear(&m);
	return rc;
}

static int decode_request(struct json_object *obj, char **cause)
{
	struct proto_container_request m;

	return proto_container_request_decode(obj, &m, cause);
}

static int decode_state(struct json_object *obj, char **cause)
{
	struct proto_container_state m;

	return proto_container_state_decode(obj, &m, cause);
}

static int decode_status(struct json_object *obj, char **cause)
{
	struct weft_container_status m;

	return proto_container_status_decode(obj, "", PROTO_STATUS_REPORTED, &m, cause);
}

/* A node's report inside a message, and an allocate answer's entry. */
static int decode_reported(struct json_object *obj, char **cause)
{
	struct weft_container_status m;

	return proto_container_status_decode(obj, "containers[0]", PROTO_STATUS_REPORTED, &m,
	                                     cause);
}

static int decode_completed(struct json_object *obj, char **cause)
{
	struct weft_container_status m;

	return proto_container_status_decode(obj, "completed[0]", PROTO_STATUS_COMPLETED, &m,
	                                     cause);
}

/* A start body with launchContext = lc (a JSON text). */
static char *start_with(const char *lc)
{
	return xasprintf("{\"token\":\"t.s\",\"launchContext\":%s}", lc);
}

/* A JSON string of n copies of ch. */
static char *long_string(size_t n, char ch)
{
	char *s = xmalloc(n + 3);

	s[0] = '"';
	memset(s + 1, ch, n);
	s[n + 1] = '"';
	s[n + 2] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Round trips. */

START_TEST(test_start_round_trip)
{
	struct proto_container_start m = {.token = "eyJ4Ijoi.c2ln"}, back;
	struct json_object *obj, *lc, *env, *files, *f;
	char *cause = NULL;

	weft_launch_context_add_command(&m.context, "echo a");
	weft_launch_context_add_command(&m.context, "exec \"$WEFT_LIBEXEC_DIR\"/weft-am");
	weft_launch_context_add_env(&m.context, "A_1", "x y");
	weft_launch_context_add_env(&m.context, "_B", "");
	weft_launch_context_add_resource(&m.context, "job.json",
	                                 "/ws/v1/staging/application_1_0001/job.json", false);
	weft_launch_context_add_resource(&m.context, "run.sh", "https://example.com/run.sh", true);
	obj = testlib_json_wire(proto_container_start_encode(&m));
	/* The shape protocol.h gives. */
	ck_assert_str_eq(field(obj, "token"), "eyJ4Ijoi.c2ln");
	ck_assert(json_object_object_get_ex(obj, "launchContext", &lc));
	ck_assert(json_object_object_get_ex(lc, "environment", &env));
	ck_assert_str_eq(field(env, "A_1"), "x y");
	ck_assert(json_object_object_get_ex(lc, "localResources", &files));
	ck_assert_int_eq(json_object_array_length(files), 2);
	f = json_object_array_get_idx(files, 1);
	ck_assert_str_eq(field(f, "name"), "run.sh");
	ck_assert_str_eq(field(f, "url"), "https://example.com/run.sh");

	ck_assert_msg(proto_container_start_decode(obj, &back, &cause) == 0, "%s", cause);
	ck_assert(back.token_read);
	ck_assert_str_eq(back.token, "eyJ4Ijoi.c2ln");
	ck_assert_int_eq(back.context.n_commands, 2);
	ck_assert_str_eq(back.context.commands[1], "exec \"$WEFT_LIBEXEC_DIR\"/weft-am");
	ck_assert_int_eq(back.context.n_env, 2);
	ck_assert_str_eq(back.context.env[0].name, "A_1");
	ck_assert_str_eq(back.context.env[0].value, "x y");
	ck_assert_str_eq(back.context.env[1].value, "");
	ck_assert_int_eq(back.context.n_resources, 2);
	ck_assert_str_eq(back.context.resources[0].name, "job.json");
	ck_assert(!back.context.resources[0].executable);
	ck_assert(back.context.resources[1].executable);
	proto_container_start_clear(&back);
	proto_container_start_clear(&m);
	json_object_put(obj);
}
END_TEST

START_TEST(test_env_later_name_wins)
{
	struct weft_launch_context lc = {0}, back;
	struct json_object *obj;
	char *cause = NULL;

	weft_launch_context_add_command(&lc, "true");
	weft_launch_context_add_env(&lc, "K", "user");
	weft_launch_context_add_env(&lc, "K", "rm");
	obj = testlib_json_wire(proto_container_launch_context_encode(&lc));
	ck_assert_msg(proto_container_launch_context_decode(obj, "launchContext", &back, &cause) ==
	                      0,
	              "%s", cause);
	ck_assert_int_eq(back.n_env, 1);
	ck_assert_str_eq(back.env[0].value, "rm");
	weft_launch_context_clear(&back);
	weft_launch_context_clear(&lc);
	json_object_put(obj);
}
END_TEST

START_TEST(test_requests_and_answers_round_trip)
{
	struct proto_container_request rq = {.container_id = CID, .token = "a.b"}, rq2;
	struct proto_container_state st = {.container_id = CID, .state = "LOCALIZING"}, st2;
	struct json_object *obj;
	char *cause = NULL;

	obj = testlib_json_wire(proto_container_request_encode(&rq));
	ck_assert_msg(proto_container_request_decode(obj, &rq2, &cause) == 0, "%s", cause);
	ck_assert_str_eq(rq2.container_id, CID);
	ck_assert_str_eq(rq2.token, "a.b");
	json_object_put(obj);
	/* The RM's stop: no token (X-Weft-Auth instead). */
	rq.token = NULL;
	obj = testlib_json_wire(proto_container_request_encode(&rq));
	ck_assert(!json_object_object_get_ex(obj, "token", NULL));
	ck_assert_msg(proto_container_request_decode(obj, &rq2, &cause) == 0, "%s", cause);
	ck_assert_ptr_null(rq2.token);
	json_object_put(obj);

	obj = testlib_json_wire(proto_container_state_encode(&st));
	ck_assert_str_eq(field(obj, "containerId"), CID);
	ck_assert_str_eq(field(obj, "state"), "LOCALIZING");
	ck_assert_msg(proto_container_state_decode(obj, &st2, &cause) == 0, "%s", cause);
	ck_assert_str_eq(st2.state, "LOCALIZING");
	json_object_put(obj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed input. */

START_TEST(test_start_refuses_malformed)
{
	static const struct {
		const char *lc, *cause;
	} cases[] = {
	        {"[]", "launchContext: expected"},
	        {"{}", "launchContext.commands: missing"},
	        {"{\"commands\":\"true\"}", "launchContext.commands: expected"},
	        {"{\"commands\":[]}", "launchContext.commands: expected at least one"},
	        {"{\"commands\":[\"a\",5]}", "launchContext.commands[1]: expected"},
	        {"{\"commands\":[\"\"]}", "launchContext.commands[0]: expected"},
	        {"{\"commands\":[\"a\\u0000b\"]}", "launchContext.commands[0]: expected"},
	        {"{\"commands\":[\"a\"],\"environment\":[]}",
	         "launchContext.environment: expected"},
	        {"{\"commands\":[\"a\"],\"environment\":{\"1A\":\"x\"}}",
	         "launchContext.environment: '1A' is not"},
	        {"{\"commands\":[\"a\"],\"environment\":{\"A\":1}}",
	         "launchContext.environment.A: expected a string"},
	        {"{\"commands\":[\"a\"],\"environment\":{\"A\":\"x\\u0000\"}}",
	         "launchContext.environment.A: string contains"},
	        {"{\"commands\":[\"a\"],\"localResources\":{}}",
	         "launchContext.localResources: expected"},
	        {"{\"commands\":[\"a\"],\"localResources\":[5]}",
	         "launchContext.localResources[0]: expected an object"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"url\":\"file:///x\"}]}",
	         "launchContext.localResources[0].name: missing"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\"}]}",
	         "launchContext.localResources[0].url: missing"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\",\"url\":\"file:///x\","
	         "\"executable\":\"yes\"}]}",
	         "launchContext.localResources[0].executable: expected"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"../x\",\"url\":\"file:///"
	         "x\"}"
	         "]}",
	         "launchContext.localResources[0].name: '../x' is not"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\",\"url\":\"file:///x\"},"
	         "{\"name\":\"x\",\"url\":\"file:///y\"}]}",
	         "launchContext.localResources[1].name: 'x' is listed twice"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\",\"url\":\"ftp://h/"
	         "x\"}]}",
	         "launchContext.localResources[0].url: 'ftp://h/x' is not"},
	        {"{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\",\"url\":"
	         "\"/ws/v1/staging/../x\"}]}",
	         "launchContext.localResources[0].url:"},
	};
	char *text, *big, *many;
	size_t i, off;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		text = start_with(cases[i].lc);
		testlib_decode_fails(decode_start, text, cases[i].cause);
		free(text);
	}
	testlib_decode_fails(decode_start, "{\"token\":5,\"launchContext\":{}}", "token: expected");
	testlib_decode_fails(decode_start, "{\"token\":\"t\"}", "launchContext: missing");
	/* Overlong: a token, a command line, a url, too many commands. */
	big = long_string(PROTO_CONTAINER_TOKEN_MAX + 1, 'a');
	text = xasprintf("{\"token\":%s,\"launchContext\":{\"commands\":[\"a\"]}}", big);
	testlib_decode_fails(decode_start, text, "token: longer than");
	free(text);
	free(big);
	big = long_string(PROTO_CONTAINER_MAX_ARG, 'a');
	text = xasprintf("{\"commands\":[%s]}", big);
	free(big);
	big = start_with(text);
	free(text);
	testlib_decode_fails(decode_start, big, "launchContext.commands: longer than");
	free(big);
	big = long_string(PROTO_CONTAINER_MAX_URL + 1, 'a');
	big[1] = 'h', big[2] = 't', big[3] = 't', big[4] = 'p', big[5] = ':', big[6] = '/',
	big[7] = '/';
	text = xasprintf("{\"commands\":[\"a\"],\"localResources\":[{\"name\":\"x\",\"url\":%s}]}",
	                 big);
	free(big);
	big = start_with(text);
	free(text);
	testlib_decode_fails(decode_start, big, "launchContext.localResources[0].url:");
	free(big);
	many = xmalloc((PROTO_CONTAINER_MAX_COMMANDS + 1) * 4 + 32);
	off = (size_t)sprintf(many, "{\"commands\":[");
	for (i = 0; i <= PROTO_CONTAINER_MAX_COMMANDS; i++)
		off += (size_t)sprintf(many + off, "%s\"a\"", i > 0 ? "," : "");
	sprintf(many + off, "]}");
	text = start_with(many);
	testlib_decode_fails(decode_start, text, "launchContext.commands: more than");
	free(text);
	free(many);
}
END_TEST

START_TEST(test_start_reads_token_first)
{
	struct json_object *obj = json_tokener_parse("{\"token\":\"t.s\",\"launchContext\":[]}");
	struct proto_container_start m;
	char *cause = NULL;

	ck_assert_int_eq(proto_container_start_decode(obj, &m, &cause), -1);
	ck_assert(m.token_read);
	ck_assert_str_eq(m.token, "t.s");
	free(cause);
	cause = NULL;
	json_object_put(obj);
	obj = json_tokener_parse("{\"token\":[],\"launchContext\":{\"commands\":[\"a\"]}}");
	ck_assert_int_eq(proto_container_start_decode(obj, &m, &cause), -1);
	ck_assert(!m.token_read);
	free(cause);
	json_object_put(obj);
}
END_TEST

START_TEST(test_small_decoders_refuse_malformed)
{
	char *big, *text;

	testlib_decode_fails(decode_request, "{}", "containerId: missing");
	testlib_decode_fails(decode_request, "{\"containerId\":7}", "containerId: expected");
	testlib_decode_fails(decode_request, "{\"containerId\":\"c_1\"}",
	                     "containerId: 'c_1' is not");
	testlib_decode_fails(decode_request, "{\"containerId\":\"" CID "\",\"token\":{}}",
	                     "token: expected");
	big = long_string(PROTO_CONTAINER_TOKEN_MAX + 1, 'x');
	text = xasprintf("{\"containerId\":\"" CID "\",\"token\":%s}", big);
	testlib_decode_fails(decode_request, text, "token: longer than");
	free(text);
	free(big);

	testlib_decode_fails(decode_state, "{\"state\":\"RUNNING\"}", "containerId: missing");
	testlib_decode_fails(decode_state, "{\"containerId\":\"" CID "\"}", "state: missing");
	testlib_decode_fails(decode_state, "{\"containerId\":\"" CID "\",\"state\":1}",
	                     "state: expected");
	testlib_decode_fails(decode_state, "{\"containerId\":\"" CID "\",\"state\":\"\"}",
	                     "state: '' is not");
	testlib_decode_fails(decode_state, "{\"containerId\":\"" CID "\",\"state\":\"running\"}",
	                     "state: 'running' is not");
	testlib_decode_fails(decode_state,
	                     "{\"containerId\":\"" CID
	                     "\",\"state\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
	                     "state: longer than");
}
END_TEST

/* ------------------------------------------------------------------ */
/* The container status record, the one every side reports and reads. */

/* Every state, with and without diagnostics to escape, through the
 * encoder and through the text writer: the same JSON, and back. */
START_TEST(test_status_round_trip)
{
	static const struct weft_container_status cases[] = {
	        {CID, WEFT_CONTAINER_NEW, WEFT_EXIT_INVALID, ""},
	        {CID, WEFT_CONTAINER_RUNNING, WEFT_EXIT_INVALID, NULL},
	        {CID2, WEFT_CONTAINER_COMPLETE, INT32_MIN, "killed \"by\" \\ signal\n9"},
	        {CID2, WEFT_CONTAINER_COMPLETE, 0, "\x01 \xc3\xa9t\xc3\xa9"},
	        {CID2, WEFT_CONTAINER_COMPLETE, INT32_MAX, ""},
	};
	static const char *const names[] = {"NEW", "RUNNING", "COMPLETE"};
	struct evbuffer *buf = evbuffer_new();
	struct weft_container_status back;
	char *cause = NULL;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct weft_container_status *m = &cases[i];
		struct json_object *obj = testlib_json_wire(proto_container_status_encode(m));
		struct json_object *text;
		size_t len;

		/* Every field, always (diagnostics "" for NULL). */
		ck_assert_int_eq(json_object_object_length(obj), 4);
		ck_assert_str_eq(field(obj, "containerId"), m->container_id);
		ck_assert_str_eq(field(obj, "state"), names[m->state]);
		ck_assert_str_eq(field(obj, "diagnostics"), m->diagnostics ? m->diagnostics : "");
		/* The text writer writes the same object. */
		proto_container_status_write(buf, m);
		len = evbuffer_get_length(buf);
		text = wjson_parse((const char *)evbuffer_pullup(buf, -1), len, &cause);
		ck_assert_msg(text != NULL, "%s", cause);
		ck_assert_msg(json_object_equal(obj, text), "%s vs %.*s", wjson_text(obj), (int)len,
		              (const char *)evbuffer_pullup(buf, -1));
		evbuffer_drain(buf, len);
		json_object_put(text);

		ck_assert_msg(proto_container_status_decode(obj, "", PROTO_STATUS_REPORTED, &back,
		                                            &cause) == 0,
		              "%s", cause);
		ck_assert_str_eq(back.container_id, m->container_id);
		ck_assert_int_eq(back.state, m->state);
		ck_assert_int_eq(back.exit_status, m->exit_status);
		ck_assert_str_eq(back.diagnostics, m->diagnostics ? m->diagnostics : "");
		/* A completed one reads the same in an allocate answer. */
		if (m->state == WEFT_CONTAINER_COMPLETE) {
			ck_assert_int_eq(proto_container_status_decode(
			                         obj, "c", PROTO_STATUS_COMPLETED, &back, &cause),
			                 0);
			ck_assert_int_eq(back.state, WEFT_CONTAINER_COMPLETE);
			ck_assert_int_eq(back.exit_status, m->exit_status);
		}
		json_object_put(obj);
	}
	evbuffer_free(buf);
}
END_TEST

/* Where the two ends need different rules: a node's report names its
 * state and may leave out the exit status of a live container; an
 * allocate answer's completed entry must carry the exit status and may
 * leave out the state, which can only be COMPLETE. */
START_TEST(test_status_rules)
{
	struct json_object *obj;
	struct weft_container_status m;
	char *cause = NULL;

	obj = json_tokener_parse("{\"containerId\":\"" CID "\",\"state\":\"RUNNING\"}");
	ck_assert_int_eq(proto_container_status_decode(obj, "", PROTO_STATUS_REPORTED, &m, &cause),
	                 0);
	ck_assert_int_eq(m.state, WEFT_CONTAINER_RUNNING);
	ck_assert_int_eq(m.exit_status, WEFT_EXIT_INVALID);
	ck_assert_str_eq(m.diagnostics, "");
	json_object_put(obj);
	testlib_decode_fails(decode_completed,
	                     "{\"containerId\":\"" CID "\",\"state\":\"COMPLETE\"}",
	                     "completed[0].exitStatus: missing");

	obj = json_tokener_parse("{\"containerId\":\"" CID "\",\"exitStatus\":-100}");
	ck_assert_int_eq(proto_container_status_decode(obj, "", PROTO_STATUS_COMPLETED, &m, &cause),
	                 0);
	ck_assert_int_eq(m.state, WEFT_CONTAINER_COMPLETE);
	ck_assert_int_eq(m.exit_status, -100);
	json_object_put(obj);
	testlib_decode_fails(decode_reported, "{\"containerId\":\"" CID "\",\"exitStatus\":0}",
	                     "containers[0].state: missing");
	testlib_decode_fails(decode_completed,
	                     "{\"containerId\":\"" CID "\",\"state\":\"RUNNING\",\"exitStatus\":0}",
	                     "completed[0].state: 'RUNNING' in a list of completed containers");
	testlib_decode_ok(decode_reported,
	                  "{\"containerId\":\"" CID "\",\"state\":\"NEW\",\"exitStatus\":-1000}");
}
END_TEST

START_TEST(test_status_refuses_malformed)
{
	char *big, *text;

	testlib_decode_fails(decode_reported, "[]", "containers[0]: expected an object");
	testlib_decode_fails(decode_status, "7", "status: expected an object");
	testlib_decode_fails(decode_reported, "{\"state\":\"RUNNING\"}",
	                     "containers[0].containerId: missing");
	testlib_decode_fails(decode_reported, "{\"containerId\":5,\"state\":\"RUNNING\"}",
	                     "containers[0].containerId: expected");
	testlib_decode_fails(decode_reported, "{\"containerId\":\"c1\",\"state\":\"RUNNING\"}",
	                     "containers[0].containerId: 'c1' is not a container id");
	testlib_decode_fails(decode_completed, "{\"containerId\":\"c1\",\"exitStatus\":0}",
	                     "completed[0].containerId: 'c1' is not a container id");
	testlib_decode_fails(decode_status, "{\"containerId\":\"" CID "\"}", "state: missing");
	testlib_decode_fails(decode_status, "{\"containerId\":\"" CID "\",\"state\":\"KILLING\"}",
	                     "state: 'KILLING' is not NEW, RUNNING or COMPLETE");
	testlib_decode_fails(decode_reported, "{\"containerId\":\"" CID "\",\"state\":\"LOST\"}",
	                     "containers[0].state: 'LOST' is not NEW, RUNNING or COMPLETE");
	testlib_decode_fails(decode_completed,
	                     "{\"containerId\":\"" CID "\",\"state\":\"LOST\",\"exitStatus\":0}",
	                     "completed[0].state: 'LOST' is not NEW, RUNNING or COMPLETE");
	testlib_decode_fails(decode_status,
	                     "{\"containerId\":\"" CID
	                     "\",\"state\":\"COMPLETE\",\"exitStatus\":\"0\"}",
	                     "exitStatus: expected");
	testlib_decode_fails(decode_status,
	                     "{\"containerId\":\"" CID
	                     "\",\"state\":\"COMPLETE\",\"exitStatus\":2147483648}",
	                     "exitStatus: 2147483648 is out of range");
	testlib_decode_fails(decode_completed,
	                     "{\"containerId\":\"" CID "\",\"exitStatus\":4294967296}",
	                     "completed[0].exitStatus: 4294967296 is out of range");
	testlib_decode_fails(decode_status,
	                     "{\"containerId\":\"" CID
	                     "\",\"state\":\"COMPLETE\",\"diagnostics\":[]}",
	                     "diagnostics: expected");
	testlib_decode_fails(decode_reported,
	                     "{\"containerId\":\"" CID
	                     "\",\"state\":\"COMPLETE\",\"diagnostics\":\"a\\u0000b\"}",
	                     "containers[0].diagnostics: string contains a NUL character");
	/* Diagnostics up to the body cap, on both ends alike. */
	big = long_string(PROTO_CONTAINER_DIAGNOSTICS_MAX, 'd');
	text = xasprintf("{\"containerId\":\"" CID "\",\"exitStatus\":1,\"diagnostics\":%s}", big);
	testlib_decode_ok(decode_completed, text);
	free(text);
	free(big);
	big = long_string(PROTO_CONTAINER_DIAGNOSTICS_MAX + 1, 'd');
	text = xasprintf("{\"containerId\":\"" CID "\",\"state\":\"COMPLETE\",\"diagnostics\":%s}",
	                 big);
	testlib_decode_fails(decode_reported, text,
	                     "containers[0].diagnostics: longer than 1048576 bytes");
	free(text);
	free(big);
	testlib_decode_ok(decode_status, "{\"containerId\":\"" CID
	                                 "\",\"state\":\"COMPLETE\",\"exitStatus\":-2147483648}");
}
END_TEST

START_TEST(test_names_and_urls)
{
	ck_assert(proto_container_env_name_valid("_"));
	ck_assert(proto_container_env_name_valid("WEFT_TASK_INDEX"));
	ck_assert(!proto_container_env_name_valid("A B"));
	ck_assert(!proto_container_env_name_valid(""));
	ck_assert(!proto_container_env_name_valid(NULL));
	ck_assert(proto_container_url_valid("/ws/v1/staging/application_1_0001/job.json"));
	ck_assert(proto_container_url_valid("HTTP://h:1/x"));
	ck_assert(proto_container_url_valid("file:///srv/x"));
	ck_assert(!proto_container_url_valid("file://x"));
	ck_assert(!proto_container_url_valid("http:///x"));
	ck_assert(!proto_container_url_valid("/ws/v1/staging/a//b"));
	ck_assert(!proto_container_url_valid("http://h/a b"));
}
END_TEST

static Suite *proto_container_suite(void)
{
	Suite *s = suite_create("proto_container");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_start_round_trip);
	tcase_add_test(tc, test_env_later_name_wins);
	tcase_add_test(tc, test_requests_and_answers_round_trip);
	tcase_add_test(tc, test_start_refuses_malformed);
	tcase_add_test(tc, test_start_reads_token_first);
	tcase_add_test(tc, test_small_decoders_refuse_malformed);
	tcase_add_test(tc, test_status_round_trip);
	tcase_add_test(tc, test_status_rules);
	tcase_add_test(tc, test_status_refuses_malformed);
	tcase_add_test(tc, test_names_and_urls);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_container_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
