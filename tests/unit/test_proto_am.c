/*
 * test_proto_am.c — the AM <-> RM messages (proto_am.h): every body and
 * answer survives encode -> wire text -> decode unchanged and has the
 * shape weft/protocol.h specifies; the text writers of the allocate
 * request and answer write what the encoders do; every decoder refuses
 * wrong types, missing fields, out-of-range numbers and overlong strings
 * with a cause that names the field path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/proto_am.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "testlib.h"

#define CID2 "container_1700000000000_0001_01_000002"
#define CID3 "container_1700000000000_0001_01_000003"
#define CID4 "container_1700000000000_0001_01_000004"

/* ------------------------------------------------------------------ */
/* Helpers. */

/* What a writer appended, parsed (the buffer is freed). */
static struct json_object *written(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	char *cause = NULL;
	struct json_object *obj = wjson_parse((const char *)evbuffer_pullup(b, -1), len, &cause);

	ck_assert_msg(obj != NULL, "%.*s: %s", (int)len, (const char *)evbuffer_pullup(b, -1),
	              cause);
	evbuffer_free(b);
	return obj;
}

static int decode_register(struct json_object *obj, char **cause)
{
	struct proto_am_register m;

	return proto_am_register_decode(obj, &m, cause);
}

static int decode_registered(struct json_object *obj, char **cause)
{
	struct weft_am_registration m;

	return proto_am_registered_decode(obj, &m, cause);
}

static int decode_allocate(struct json_object *obj, char **cause)
{
	struct proto_am_allocate m;
	int rc = proto_am_allocate_decode(obj, &m, cause);

	proto_am_allocate_clear(&m);
	return rc;
}

static int decode_allocated(struct json_object *obj, char **cause)
{
	struct proto_am_allocated m;
	int rc = proto_am_allocated_decode(obj, &m, cause);

	proto_am_allocated_clear(&m);
	return rc;
}

static int decode_finish(struct json_object *obj, char **cause)
{
	struct proto_am_finish m;

	return proto_am_finish_decode(obj, &m, cause);
}

/* A string of n 'x'. */
static char *long_string(size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, 'x', n);
	s[n] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Round trips. */

START_TEST(test_register_round_trip)
{
	struct proto_am_register in = {
	        .host = "amhost", .rpc_port = -1, .tracking_url = "http://h:1/"};
	struct proto_am_register out;
	struct weft_am_registration rin =
	                                    {
	                                            .application_id =
	                                                    "application_1700000000000_0001",
	                                            .attempt_id =
	                                                    "appattempt_1700000000000_0001_000001",
	                                            .queue = "default",
	                                            .user = "alice",
	                                            .maximum = {8192, 4},
	                                            .minimum = {1024, 1},
	                                    },
	                            rout;
	struct json_object *obj = testlib_json_wire(proto_am_register_encode(&in));
	char *cause = NULL;

	ck_assert_int_eq(proto_am_register_decode(obj, &out, &cause), 0);
	ck_assert_str_eq(out.host, "amhost");
	ck_assert_int_eq(out.rpc_port, -1);
	ck_assert_str_eq(out.tracking_url, "http://h:1/");
	json_object_put(obj);

	/* Every field is optional in a register body. */
	obj = json_tokener_parse("{}");
	ck_assert_int_eq(proto_am_register_decode(obj, &out, &cause), 0);
	ck_assert_str_eq(out.host, "");
	ck_assert_int_eq(out.rpc_port, -1);
	json_object_put(obj);

	obj = testlib_json_wire(proto_am_registered_encode(&rin));
	ck_assert_int_eq(json_object_object_length(obj), 6);
	ck_assert_int_eq(proto_am_registered_decode(obj, &rout, &cause), 0);
	ck_assert_str_eq(rout.application_id, rin.application_id);
	ck_assert_str_eq(rout.attempt_id, rin.attempt_id);
	ck_assert_str_eq(rout.queue, "default");
	ck_assert_str_eq(rout.user, "alice");
	ck_assert_int_eq(rout.maximum.memory_mb, 8192);
	ck_assert_int_eq(rout.maximum.vcores, 4);
	ck_assert_int_eq(rout.minimum.memory_mb, 1024);
	ck_assert_int_eq(rout.minimum.vcores, 1);
	ck_assert_str_eq(wjson_text(json_object_object_get(obj, "maximumResource")),
	                 "{\"memory\":8192,\"vCores\":4}");
	json_object_put(obj);
}
END_TEST

/* The request both ends build, with hints and releases. */
static void fill_allocate(struct proto_am_allocate *m, const char *const *nodes,
                          const char *const *racks)
{
	memset(m, 0, sizeof *m);
	m->response_id = 7;
	m->progress = 0.5;
	proto_am_allocate_add_ask(m, &(struct weft_container_request){.priority = 1,
	                                                              .count = 3,
	                                                              .capability = {1024, 1},
	                                                              .nodes = nodes,
	                                                              .n_nodes = 2,
	                                                              .racks = racks,
	                                                              .n_racks = 1,
	                                                              .relax_locality = false});
	proto_am_allocate_add_ask(m, &(struct weft_container_request){.priority = 2,
	                                                              .count = 0,
	                                                              .capability = {512, 2},
	                                                              .relax_locality = true});
	proto_am_allocate_add_release(m, CID2);
	proto_am_allocate_add_release(m, CID3);
}

/* What fill_allocate built, decoded. */
static void check_allocate(struct json_object *obj)
{
	struct proto_am_allocate out;
	char *cause = NULL;

	ck_assert_msg(proto_am_allocate_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_int_eq(out.response_id, 7);
	ck_assert(out.progress > 0.49 && out.progress < 0.51);
	ck_assert_int_eq(out.n_asks, 2);
	ck_assert_int_eq(out.asks[0].priority, 1);
	ck_assert_int_eq(out.asks[0].count, 3);
	ck_assert_int_eq(out.asks[0].capability.memory_mb, 1024);
	ck_assert_int_eq(out.asks[0].capability.vcores, 1);
	ck_assert_int_eq(out.asks[0].n_nodes, 2);
	ck_assert_str_eq(out.asks[0].nodes[0], "h1:1");
	ck_assert_str_eq(out.asks[0].nodes[1], "h2");
	ck_assert_int_eq(out.asks[0].n_racks, 1);
	ck_assert_str_eq(out.asks[0].racks[0], "/r1");
	ck_assert(!out.asks[0].relax_locality);
	ck_assert_int_eq(out.asks[1].priority, 2);
	ck_assert_int_eq(out.asks[1].count, 0);
	ck_assert_int_eq(out.asks[1].capability.vcores, 2);
	ck_assert_int_eq(out.asks[1].n_nodes, 0);
	ck_assert(out.asks[1].relax_locality);
	ck_assert_int_eq(out.n_releases, 2);
	ck_assert_str_eq(out.releases[0], CID2);
	ck_assert_str_eq(out.releases[1], CID3);
	proto_am_allocate_clear(&out);
}

START_TEST(test_allocate_round_trip)
{
	static const char *const nodes[] = {"h1:1", "h2"};
	static const char *const racks[] = {"/r1"};
	struct proto_am_allocate m, out;
	struct evbuffer *b = evbuffer_new();
	struct json_object *obj;
	char *cause = NULL;

	fill_allocate(&m, nodes, racks);
	obj = testlib_json_wire(proto_am_allocate_encode(&m));
	check_allocate(obj);
	json_object_put(obj);
	proto_am_allocate_write(b, &m);
	obj = written(b);
	check_allocate(obj);
	json_object_put(obj);
	proto_am_allocate_clear(&m);

	/* progress is clamped when encoded; an empty request has only the id
	 * and progress. */
	memset(&m, 0, sizeof m);
	m.progress = 7.5;
	obj = testlib_json_wire(proto_am_allocate_encode(&m));
	ck_assert_int_eq(proto_am_allocate_decode(obj, &out, &cause), 0);
	ck_assert(out.progress == 1.0);
	ck_assert_int_eq(out.n_asks, 0);
	ck_assert_int_eq(out.n_releases, 0);
	proto_am_allocate_clear(&out);
	json_object_put(obj);
	b = evbuffer_new();
	proto_am_allocate_write(b, &m);
	obj = written(b);
	ck_assert_int_eq(json_object_object_length(obj), 2);
	ck_assert(json_object_get_double(json_object_object_get(obj, "progress")) == 1.0);
	json_object_put(obj);
	/* An integer progress is a number too. */
	obj = json_tokener_parse("{\"responseId\":0,\"progress\":1}");
	ck_assert_int_eq(proto_am_allocate_decode(obj, &out, &cause), 0);
	ck_assert(out.progress == 1.0);
	proto_am_allocate_clear(&out);
	json_object_put(obj);
}
END_TEST

/* What both answer encoders are given. */
static void fill_allocated(struct proto_am_allocated *m, struct weft_container *g,
                           struct weft_container_status *c, struct weft_preemption_request *p)
{
	g[0] = (struct weft_container){CID2, "h:1", "h:2", 1, {1024, 1}, "tok\"en"};
	g[1] = (struct weft_container){CID3, "h:3", "h:4", 0, {2048, 2}, "t2"};
	c[0] = (struct weft_container_status){CID4, WEFT_CONTAINER_COMPLETE, -100,
	                                      "Container released by application"};
	p[0] = (struct weft_preemption_request){CID2, INT64_C(1700000000000)};
	*m = (struct proto_am_allocated){
	        .response_id = 3,
	        .allocated = g,
	        .n_allocated = 2,
	        .completed = c,
	        .n_completed = 1,
	        .preempt = p,
	        .n_preempt = 1,
	        .available = {4096, 3},
	        .num_cluster_nodes = 2,
	        .action = PROTO_AM_ACTION_NORMAL,
	};
}

/* What fill_allocated built, decoded. */
static void check_allocated(struct json_object *obj)
{
	struct proto_am_allocated out;
	char *cause = NULL;

	ck_assert_msg(proto_am_allocated_decode(obj, &out, &cause) == 0, "%s", cause);
	ck_assert_int_eq(out.response_id, 3);
	ck_assert_int_eq(out.n_allocated, 2);
	ck_assert_str_eq(out.allocated[0].container_id, CID2);
	ck_assert_str_eq(out.allocated[0].node_id, "h:1");
	ck_assert_str_eq(out.allocated[0].node_http_address, "h:2");
	ck_assert_int_eq(out.allocated[0].priority, 1);
	ck_assert_int_eq(out.allocated[0].resource.memory_mb, 1024);
	ck_assert_int_eq(out.allocated[0].resource.vcores, 1);
	ck_assert_str_eq(out.allocated[0].token, "tok\"en");
	ck_assert_str_eq(out.allocated[1].container_id, CID3);
	ck_assert_int_eq(out.allocated[1].resource.vcores, 2);
	ck_assert_int_eq(out.n_completed, 1);
	ck_assert_str_eq(out.completed[0].container_id, CID4);
	ck_assert_int_eq(out.completed[0].state, WEFT_CONTAINER_COMPLETE);
	ck_assert_int_eq(out.completed[0].exit_status, -100);
	ck_assert_str_eq(out.completed[0].diagnostics, "Container released by application");
	ck_assert_int_eq(out.n_preempt, 1);
	ck_assert_str_eq(out.preempt[0].container_id, CID2);
	ck_assert_int_eq(out.preempt[0].kill_at_ms, INT64_C(1700000000000));
	ck_assert_int_eq(out.available.memory_mb, 4096);
	ck_assert_int_eq(out.available.vcores, 3);
	ck_assert_int_eq(out.num_cluster_nodes, 2);
	ck_assert_int_eq(out.action, PROTO_AM_ACTION_NORMAL);
	ck_assert_str_eq(out.action_name, "NORMAL");
	proto_am_allocated_clear(&out);
}

START_TEST(test_allocated_round_trip)
{
	struct weft_container g[2];
	struct weft_container_status c[1];
	struct weft_preemption_request p[1];
	struct proto_am_allocated m, out;
	struct evbuffer *b = evbuffer_new();
	struct json_object *obj, *text_obj, *list;
	char *cause = NULL;

	fill_allocated(&m, g, c, p);
	obj = testlib_json_wire(proto_am_allocated_encode(&m));
	check_allocated(obj);
	proto_am_allocated_write(b, &m);
	text_obj = written(b);
	check_allocated(text_obj);
	/* The writer writes what the encoder does. */
	ck_assert(json_object_equal(obj, text_obj));
	json_object_put(text_obj);
	json_object_put(obj);

	/* Prepared lists (the RM's queues) are written instead of the records. */
	list = json_object_new_array();
	json_object_array_add(list, proto_container_status_encode(&c[0]));
	m.completed = NULL;
	m.n_completed = 0;
	m.completed_list = list;
	m.action = PROTO_AM_ACTION_SHUTDOWN;
	b = evbuffer_new();
	proto_am_allocated_write(b, &m);
	obj = written(b);
	json_object_put(list);
	ck_assert_int_eq(proto_am_allocated_decode(obj, &out, &cause), 0);
	ck_assert_int_eq(out.n_completed, 1);
	ck_assert_str_eq(out.completed[0].container_id, CID4);
	ck_assert_int_eq(out.action, PROTO_AM_ACTION_SHUTDOWN);
	proto_am_allocated_clear(&out);
	json_object_put(obj);

	/* Only responseId is required; an unknown action is kept by name. */
	obj = json_tokener_parse("{\"responseId\":1,\"action\":\"RESYNC\"}");
	ck_assert_int_eq(proto_am_allocated_decode(obj, &out, &cause), 0);
	ck_assert_int_eq(out.n_allocated, 0);
	ck_assert_int_eq(out.action, PROTO_AM_ACTION_UNKNOWN);
	ck_assert_str_eq(out.action_name, "RESYNC");
	proto_am_allocated_clear(&out);
	json_object_put(obj);
}
END_TEST

START_TEST(test_finish_round_trip)
{
	struct proto_am_finish in = {.final_status = "FAILED", .diagnostics = "boom"}, out;
	struct json_object *obj = testlib_json_wire(proto_am_finish_encode(&in));
	char *cause = NULL;
	bool unregistered = false;

	ck_assert_int_eq(proto_am_finish_decode(obj, &out, &cause), 0);
	ck_assert_str_eq(out.final_status, "FAILED");
	ck_assert_str_eq(out.diagnostics, "boom");
	ck_assert_str_eq(out.tracking_url, "");
	json_object_put(obj);
	obj = testlib_json_wire(proto_am_finished_encode());
	ck_assert_str_eq(wjson_text(obj), "{\"isUnregistered\":true}");
	ck_assert_int_eq(proto_am_finished_decode(obj, &unregistered, &cause), 0);
	ck_assert(unregistered);
	json_object_put(obj);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed input. */

START_TEST(test_register_refuses_malformed)
{
	char *host = long_string(PROTO_AM_HOST_MAX + 1), *text;

	testlib_decode_fails(decode_register, "{\"host\":1}", "host: expected");
	testlib_decode_fails(decode_register, "{\"rpcPort\":\"1\"}", "rpcPort: expected");
	testlib_decode_fails(decode_register, "{\"rpcPort\":70000}",
	                     "rpcPort: 70000 is out of range");
	testlib_decode_fails(decode_register, "{\"trackingUrl\":[]}", "trackingUrl: expected");
	text = xasprintf("{\"host\":\"%s\"}", host);
	testlib_decode_fails(decode_register, text, "host: longer than 255 bytes");
	free(text);
	free(host);

	testlib_decode_fails(decode_registered, "{}", "applicationId");
	testlib_decode_fails(decode_registered, "{\"applicationId\":\"a\"}", "attemptId");
	testlib_decode_fails(decode_registered, "{\"applicationId\":\"\",\"attemptId\":\"b\"}",
	                     "applicationId: empty");
	testlib_decode_fails(decode_registered,
	                     "{\"applicationId\":\"a\",\"attemptId\":\"b\",\"queue\":1}",
	                     "queue: expected");
	testlib_decode_fails(decode_registered,
	                     "{\"applicationId\":\"a\",\"attemptId\":\"b\",\"maximumResource\":1}",
	                     "maximumResource: expected");
	testlib_decode_fails(decode_registered,
	                     "{\"applicationId\":\"a\",\"attemptId\":\"b\",\"maximumResource\":{}}",
	                     "maximumResource.memory");
	testlib_decode_fails(decode_registered,
	                     "{\"applicationId\":\"a\",\"attemptId\":\"b\","
	                     "\"minimumResource\":{\"memory\":1,\"vCores\":-1}}",
	                     "minimumResource.vCores: -1 is out of range");
}
END_TEST

START_TEST(test_allocate_refuses_malformed)
{
	char *text, *node = long_string(PROTO_AM_NAME_MAX + 1);
	struct evbuffer *b;

	testlib_decode_fails(decode_allocate, "{}", "responseId");
	testlib_decode_fails(decode_allocate, "{\"responseId\":\"0\"}", "responseId: expected");
	testlib_decode_fails(decode_allocate, "{\"responseId\":-1}",
	                     "responseId: -1 is out of range");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"progress\":\"x\"}",
	                     "progress: expected a number");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"progress\":1.5}",
	                     "progress: 1.5 is out of range");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"asks\":{}}", "asks: expected");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"asks\":[1]}",
	                     "asks[0]: expected an object");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"asks\":[{\"count\":1}]}",
	                     "asks[0].priority");
	testlib_decode_fails(
	        decode_allocate,
	        "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":-1,\"memoryMB\":1,"
	        "\"vcores\":1}]}",
	        "asks[0].count: -1 is out of range");
	testlib_decode_fails(
	        decode_allocate,
	        "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":1,"
	        "\"vcores\":1},{\"priority\":2,\"count\":1,\"memoryMB\":\"1\",\"vcores\":1}]}",
	        "asks[1].memoryMB: expected");
	testlib_decode_fails(
	        decode_allocate,
	        "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":1,"
	        "\"vcores\":1,\"nodes\":[\"a\",\"\"]}]}",
	        "asks[0].nodes[1]: expected a name string");
	testlib_decode_fails(
	        decode_allocate,
	        "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":1,"
	        "\"vcores\":1,\"racks\":[3]}]}",
	        "asks[0].racks[0]: expected a name string");
	testlib_decode_fails(
	        decode_allocate,
	        "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":1,"
	        "\"vcores\":1,\"relaxLocality\":1}]}",
	        "asks[0].relaxLocality: expected");
	text = xasprintf("{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":1,"
	                 "\"vcores\":1,\"nodes\":[\"%s\"]}]}",
	                 node);
	testlib_decode_fails(decode_allocate, text, "asks[0].nodes[0]: expected a name string");
	free(text);
	free(node);
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"releases\":[\"container_x\"]}",
	                     "releases[0]: expected a container id");
	testlib_decode_fails(decode_allocate, "{\"responseId\":0,\"releases\":[\"" CID2 "\",1]}",
	                     "releases[1]: expected a container id");
	/* More asks than the cap. */
	b = evbuffer_new();
	evbuffer_add_printf(b, "{\"responseId\":0,\"asks\":[");
	for (int i = 0; i <= PROTO_AM_MAX_ASKS; i++)
		evbuffer_add_printf(b, "%s{}", i > 0 ? "," : "");
	evbuffer_add_printf(b, "]}");
	evbuffer_add(b, "", 1);
	testlib_decode_fails(decode_allocate, (const char *)evbuffer_pullup(b, -1),
	                     "asks: more than 1000 entries");
	evbuffer_free(b);
}
END_TEST

START_TEST(test_allocated_refuses_malformed)
{
	char *text, *diag = long_string(PROTO_CONTAINER_DIAGNOSTICS_MAX + 1);

	testlib_decode_fails(decode_allocated, "{}", "responseId");
	testlib_decode_fails(decode_allocated, "{\"responseId\":1,\"action\":1}",
	                     "action: expected");
	testlib_decode_fails(decode_allocated, "{\"responseId\":1,\"numClusterNodes\":-2}",
	                     "numClusterNodes: -2 is out of range");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"availableResources\":{\"memory\":1}}",
	                     "availableResources.vCores");
	testlib_decode_fails(decode_allocated, "{\"responseId\":1,\"allocated\":[[]]}",
	                     "allocated[0]: expected an object");
	testlib_decode_fails(
	        decode_allocated,
	        "{\"responseId\":1,\"allocated\":[{\"containerId\":\"c\",\"nodeId\":\"h\","
	        "\"nodeHttpAddress\":\"h\",\"token\":\"t\"}]}",
	        "allocated[0].containerId: \"c\" is not a container id");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"allocated\":[{\"containerId\":\"" CID2 "\","
	                     "\"nodeId\":\"h\",\"nodeHttpAddress\":\"h\",\"token\":\"\"}]}",
	                     "allocated[0].token: empty");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"allocated\":[{\"containerId\":\"" CID2 "\","
	                     "\"nodeId\":\"h\",\"nodeHttpAddress\":\"h\",\"token\":\"t\","
	                     "\"memoryMB\":-5}]}",
	                     "allocated[0].memoryMB: -5 is out of range");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"completed\":[{\"containerId\":\"" CID2 "\"}]}",
	                     "completed[0].exitStatus");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"completed\":[{\"containerId\":\"" CID2 "\","
	                     "\"exitStatus\":0,\"state\":\"RUNNING\"}]}",
	                     "completed[0].state: 'RUNNING' in a list of completed containers");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"completed\":[{\"containerId\":\"" CID2 "\","
	                     "\"exitStatus\":4294967296}]}",
	                     "completed[0].exitStatus: 4294967296 is out of range");
	text = xasprintf("{\"responseId\":1,\"completed\":[{\"containerId\":\"" CID2 "\","
	                 "\"exitStatus\":0,\"diagnostics\":\"%s\"}]}",
	                 diag);
	testlib_decode_fails(decode_allocated, text,
	                     "completed[0].diagnostics: longer than 1048576 bytes");
	free(text);
	free(diag);
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"preempt\":[{\"containerId\":\"" CID2 "\"}]}",
	                     "preempt[0].killAtMs");
	testlib_decode_fails(decode_allocated,
	                     "{\"responseId\":1,\"preempt\":[{\"containerId\":\"" CID2 "\","
	                     "\"killAtMs\":\"soon\"}]}",
	                     "preempt[0].killAtMs: expected");
}
END_TEST

START_TEST(test_finish_refuses_malformed)
{
	char *text, *url = long_string(PROTO_AM_URL_MAX + 1);
	bool unregistered;
	struct json_object *obj;
	char *cause = NULL;

	testlib_decode_fails(decode_finish, "{}", "finalStatus");
	testlib_decode_fails(decode_finish, "{\"finalStatus\":1}", "finalStatus: expected");
	testlib_decode_fails(decode_finish, "{\"finalStatus\":\"UNDEFINED\"}",
	                     "finalStatus: 'UNDEFINED' is not SUCCEEDED, FAILED or KILLED");
	testlib_decode_fails(decode_finish, "{\"finalStatus\":\"succeeded\"}",
	                     "finalStatus: 'succeeded'");
	testlib_decode_fails(decode_finish, "{\"finalStatus\":\"KILLED\",\"diagnostics\":false}",
	                     "diagnostics: expected");
	text = xasprintf("{\"finalStatus\":\"KILLED\",\"trackingUrl\":\"%s\"}", url);
	testlib_decode_fails(decode_finish, text, "trackingUrl: longer than 4096 bytes");
	free(text);
	free(url);
	obj = json_tokener_parse("{\"isUnregistered\":\"yes\"}");
	ck_assert_int_eq(proto_am_finished_decode(obj, &unregistered, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "isUnregistered"));
	free(cause);
	json_object_put(obj);
}
END_TEST

static Suite *proto_am_suite(void)
{
	Suite *s = suite_create("proto_am");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_register_round_trip);
	tcase_add_test(tc, test_allocate_round_trip);
	tcase_add_test(tc, test_allocated_round_trip);
	tcase_add_test(tc, test_finish_round_trip);
	tcase_add_test(tc, test_register_refuses_malformed);
	tcase_add_test(tc, test_allocate_refuses_malformed);
	tcase_add_test(tc, test_allocated_refuses_malformed);
	tcase_add_test(tc, test_finish_refuses_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_am_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
