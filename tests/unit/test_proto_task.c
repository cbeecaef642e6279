/*
 * test_proto_task.c — the driver <-> executor messages (proto_task.h):
 * every message survives encode -> wire text -> decode unchanged and has
 * the shape weft/protocol.h specifies; every decoder refuses wrong types,
 * missing fields, out-of-range numbers and overlong strings with a cause
 * that names the field path; the shuffle file names are the ones the NM
 * serves.
 */
#include "weft_config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "testlib.h"

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

static int decode_register(struct json_object *obj, char **cause)
{
	struct proto_task_register m;

	return proto_task_register_decode(obj, &m, cause);
}

static int decode_challenge(struct json_object *obj, char **cause)
{
	struct proto_task_challenge m;

	return proto_task_challenge_decode(obj, &m, cause);
}

static int decode_auth(struct json_object *obj, char **cause)
{
	struct proto_task_auth m;

	return proto_task_auth_decode(obj, &m, cause);
}

static int decode_rejected(struct json_object *obj, char **cause)
{
	struct proto_task_rejected m;

	return proto_task_rejected_decode(obj, &m, cause);
}

static int decode_kill(struct json_object *obj, char **cause)
{
	struct proto_task_kill m;

	return proto_task_kill_decode(obj, &m, cause);
}

static int decode_type(struct json_object *obj, char **cause)
{
	enum proto_task_type type;

	return proto_task_type_decode(obj, &type, NULL, cause);
}

static int decode_launch(struct json_object *obj, char **cause)
{
	struct proto_task_launch m;
	int rc = proto_task_launch_decode(obj, &m, cause);

	proto_task_launch_clear(&m);
	return rc;
}

static int decode_status(struct json_object *obj, char **cause)
{
	struct proto_task_status m;
	int rc = proto_task_status_decode(obj, &m, cause);

	proto_task_status_clear(&m);
	return rc;
}

static int decode_task_file(struct json_object *obj, char **cause)
{
	struct proto_task_spec spec;
	int rc = proto_task_spec_decode(obj, "", PROTO_TASK_SPEC_FILE, &spec, cause);

	proto_task_spec_clear(&spec);
	return rc;
}

static int decode_result(struct json_object *obj, char **cause)
{
	struct proto_task_result r;
	int rc = proto_task_result_decode(obj, "result", &r, cause);

	proto_task_result_clear(&r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Round trips. */

START_TEST(test_register_round_trip)
{
	struct proto_task_register m = {.executor_id = "3",
	                                .nonce = "00112233445566778899aabbccddeeff",
	                                .host = "h1",
	                                .node_id = "h1:8042",
	                                .container_id = "container_1700000000000_0001_01_000002",
	                                .cores = 2,
	                                .work_dir = "/w",
	                                .pid = 123};
	struct proto_task_register d;
	struct json_object *obj = testlib_json_wire(proto_task_register_encode(&m));
	enum proto_task_type type;
	char *cause = NULL;

	ck_assert_str_eq(field(obj, "type"), "register");
	ck_assert_str_eq(field(obj, "executorId"), "3");
	ck_assert_int_eq(proto_task_type_decode(obj, &type, NULL, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_REGISTER);
	ck_assert_int_eq(proto_task_register_decode(obj, &d, &cause), 0);
	ck_assert_str_eq(d.executor_id, "3");
	ck_assert_str_eq(d.nonce, m.nonce);
	ck_assert(!json_object_object_get_ex(obj, "secret", NULL));
	ck_assert_str_eq(d.host, "h1");
	ck_assert_str_eq(d.node_id, "h1:8042");
	ck_assert_str_eq(d.container_id, m.container_id);
	ck_assert_int_eq(d.cores, 2);
	ck_assert_str_eq(d.work_dir, "/w");
	ck_assert_int_eq(d.pid, 123);
	json_object_put(obj);
}
END_TEST

START_TEST(test_handshake_round_trip)
{
	char driver_proof[65], exec_proof[65], other[65];
	struct proto_task_challenge ch, ch2;
	struct proto_task_auth auth, auth2;
	struct json_object *obj;
	enum proto_task_type type;
	char *cause = NULL;

	proto_task_proof("s3cret", PROTO_TASK_ROLE_DRIVER, "3", "00", "11", driver_proof);
	proto_task_proof("s3cret", PROTO_TASK_ROLE_EXECUTOR, "3", "00", "11", exec_proof);
	ck_assert_int_eq(strlen(driver_proof), 64);
	/* Each input changes the proof: role, secret, id, either nonce. */
	ck_assert_str_ne(driver_proof, exec_proof);
	proto_task_proof("s3creT", PROTO_TASK_ROLE_DRIVER, "3", "00", "11", other);
	ck_assert_str_ne(driver_proof, other);
	proto_task_proof("s3cret", PROTO_TASK_ROLE_DRIVER, "4", "00", "11", other);
	ck_assert_str_ne(driver_proof, other);
	proto_task_proof("s3cret", PROTO_TASK_ROLE_DRIVER, "3", "01", "11", other);
	ck_assert_str_ne(driver_proof, other);
	proto_task_proof("s3cret", PROTO_TASK_ROLE_DRIVER, "3", "00", "12", other);
	ck_assert_str_ne(driver_proof, other);
	/* Field boundaries count: "3","00" is not "30","0". */
	proto_task_proof("s3cret", PROTO_TASK_ROLE_DRIVER, "30", "0", "11", other);
	ck_assert_str_ne(driver_proof, other);

	ch.nonce = "ffeeddccbbaa99887766554433221100";
	ch.proof = driver_proof;
	obj = testlib_json_wire(proto_task_challenge_encode(&ch));
	ck_assert_str_eq(field(obj, "type"), "challenge");
	ck_assert_int_eq(proto_task_type_decode(obj, &type, NULL, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_CHALLENGE);
	ck_assert_int_eq(proto_task_challenge_decode(obj, &ch2, &cause), 0);
	ck_assert_str_eq(ch2.nonce, ch.nonce);
	ck_assert_str_eq(ch2.proof, driver_proof);
	json_object_put(obj);

	auth.proof = exec_proof;
	obj = testlib_json_wire(proto_task_auth_encode(&auth));
	ck_assert_str_eq(field(obj, "type"), "auth");
	ck_assert_int_eq(proto_task_type_decode(obj, &type, NULL, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_AUTH);
	ck_assert_int_eq(proto_task_auth_decode(obj, &auth2, &cause), 0);
	ck_assert_str_eq(auth2.proof, exec_proof);
	ck_assert_int_eq(json_object_object_length(obj), 2);
	json_object_put(obj);
}
END_TEST

START_TEST(test_small_messages_round_trip)
{
	struct proto_task_rejected rej = {"wrong application secret"}, rej2;
	struct proto_task_kill kill = {17, 2}, kill2;
	struct json_object *obj;
	enum proto_task_type type;
	const char *name;
	char *cause = NULL;

	obj = testlib_json_wire(proto_task_registered_encode());
	ck_assert_int_eq(proto_task_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_REGISTERED);
	ck_assert_int_eq(json_object_object_length(obj), 1);
	json_object_put(obj);

	obj = testlib_json_wire(proto_task_rejected_encode(&rej));
	ck_assert_int_eq(proto_task_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_REJECTED);
	ck_assert_int_eq(proto_task_rejected_decode(obj, &rej2, &cause), 0);
	ck_assert_str_eq(rej2.reason, rej.reason);
	json_object_put(obj);

	obj = testlib_json_wire(proto_task_kill_encode(&kill));
	ck_assert_int_eq(proto_task_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_KILL);
	ck_assert_int_eq(proto_task_kill_decode(obj, &kill2, &cause), 0);
	ck_assert_int_eq(kill2.task_id, 17);
	ck_assert_int_eq(kill2.attempt, 2);
	json_object_put(obj);

	obj = testlib_json_wire(proto_task_shutdown_encode());
	ck_assert_int_eq(proto_task_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_SHUTDOWN);
	ck_assert_str_eq(name, "shutdown");
	json_object_put(obj);

	/* Another protocol's type is not an error, only unknown here. */
	obj = json_tokener_parse("{\"type\":\"register-am\"}");
	ck_assert_int_eq(proto_task_type_decode(obj, &type, &name, &cause), 0);
	ck_assert_int_eq(type, PROTO_TASK_UNKNOWN);
	ck_assert_str_eq(name, "register-am");
	json_object_put(obj);
}
END_TEST

START_TEST(test_shell_launch_round_trip)
{
	struct json_object *env = wjson_new_object(), *obj;
	struct proto_task_launch m, d;
	char *cause = NULL;

	wjson_add_string(env, "K", "V");
	memset(&m, 0, sizeof m);
	m.task_id = 17;
	m.attempt = 1;
	m.index = 4;
	m.command = "echo hi";
	m.env = env;
	obj = testlib_json_wire(proto_task_launch_encode(&m));
	json_object_put(env);
	ck_assert_str_eq(field(obj, "type"), "launch");
	ck_assert_int_eq(proto_task_launch_decode(obj, &d, &cause), 0);
	ck_assert_int_eq(d.task_id, 17);
	ck_assert_int_eq(d.attempt, 1);
	ck_assert_int_eq(d.index, 4);
	ck_assert_str_eq(d.command, "echo hi");
	ck_assert_ptr_null(d.task);
	ck_assert_str_eq(field(d.env, "K"), "V");
	proto_task_launch_clear(&d);
	json_object_put(obj);
}
END_TEST

/* A spec with every part set: shuffle join input, range output. */
static void fill_spec(struct proto_task_spec *s, struct proto_task_map_source *maps,
                      char **commands, struct proto_task_persist *persist, char **bounds,
                      size_t *bound_lens)
{
	memset(s, 0, sizeof *s);
	s->stage = 3;
	s->partition = 4;
	s->in.type = PROTO_TASK_INPUT_SHUFFLE;
	s->in.mode = PROTO_TASK_REDUCE_JOIN;
	s->in.join = PROTO_TASK_JOIN_FULL;
	s->in.n_sides = 2;
	s->in.sides[0].shuffle_id = 1;
	s->in.sides[0].maps = &maps[0];
	s->in.sides[0].n_maps = 1;
	s->in.sides[1].shuffle_id = 2;
	s->in.sides[1].maps = &maps[1];
	s->in.sides[1].n_maps = 1;
	s->commands = commands;
	s->n_commands = 2;
	s->persist = persist;
	s->n_persist = 1;
	s->out.type = PROTO_TASK_OUTPUT_SHUFFLE;
	s->out.shuffle_id = 5;
	s->out.partitions = 3;
	s->out.range = true;
	s->out.bounds = bounds;
	s->out.bound_lens = bound_lens;
	s->out.n_bounds = 2;
	s->out.combine = "sum";
}

/* Whether two specs' driver parts agree. */
static void assert_same_task(const struct proto_task_spec *a, const struct proto_task_spec *b)
{
	int i, k;

	ck_assert_int_eq(a->stage, b->stage);
	ck_assert_int_eq(a->partition, b->partition);
	ck_assert_int_eq(a->in.type, b->in.type);
	ck_assert_int_eq(a->in.mode, b->in.mode);
	ck_assert_int_eq(a->in.join, b->in.join);
	ck_assert_int_eq(a->in.n_sides, b->in.n_sides);
	for (i = 0; i < a->in.n_sides; i++) {
		ck_assert_int_eq(a->in.sides[i].shuffle_id, b->in.sides[i].shuffle_id);
		ck_assert_int_eq(a->in.sides[i].n_maps, b->in.sides[i].n_maps);
		for (k = 0; k < a->in.sides[i].n_maps; k++) {
			ck_assert_str_eq(a->in.sides[i].maps[k].map, b->in.sides[i].maps[k].map);
			ck_assert_str_eq(a->in.sides[i].maps[k].node, b->in.sides[i].maps[k].node);
			ck_assert_int_eq(a->in.sides[i].maps[k].size, b->in.sides[i].maps[k].size);
		}
	}
	ck_assert_int_eq(a->n_commands, b->n_commands);
	for (i = 0; i < a->n_commands; i++)
		ck_assert_str_eq(a->commands[i], b->commands[i]);
	ck_assert_int_eq(a->n_persist, b->n_persist);
	for (i = 0; i < a->n_persist; i++) {
		ck_assert_int_eq(a->persist[i].step, b->persist[i].step);
		ck_assert_int_eq(a->persist[i].dataset, b->persist[i].dataset);
	}
	ck_assert_int_eq(a->out.type, b->out.type);
	ck_assert_int_eq(a->out.shuffle_id, b->out.shuffle_id);
	ck_assert_int_eq(a->out.partitions, b->out.partitions);
	ck_assert_int_eq(a->out.range, b->out.range);
	ck_assert_int_eq(a->out.n_bounds, b->out.n_bounds);
	for (i = 0; i < a->out.n_bounds; i++) {
		ck_assert_uint_eq(a->out.bound_lens[i], b->out.bound_lens[i]);
		ck_assert(memcmp(a->out.bounds[i], b->out.bounds[i], a->out.bound_lens[i]) == 0);
	}
	if (a->out.combine != NULL)
		ck_assert_str_eq(a->out.combine, b->out.combine);
}

START_TEST(test_dataflow_launch_and_task_file_round_trip)
{
	struct proto_task_map_source maps[2] = {{"0_12_0", "h:1", 10}, {"1_13_2", "h:2", 7}};
	char *commands[2] = {"cat", "sort -k1"};
	struct proto_task_persist persist[1] = {{1, 2}};
	char b0[] = "a\0b", b1[] = "\xff\x01";
	char *bounds[2] = {b0, b1};
	size_t lens[2] = {3, 2};
	char *dirs[2] = {"/l1", "/l2"};
	struct proto_task_spec spec, file;
	struct proto_task_launch m, d;
	struct json_object *task, *obj;
	char *cause = NULL;

	fill_spec(&spec, maps, commands, persist, bounds, lens);
	task = proto_task_spec_encode(&spec, PROTO_TASK_SPEC_LAUNCH);
	/* The launch form carries none of the executor's part. */
	ck_assert(!json_object_object_get_ex(task, "secret", NULL));
	ck_assert(!json_object_object_get_ex(task, "taskId", NULL));
	memset(&m, 0, sizeof m);
	m.task_id = 9;
	m.attempt = 0;
	m.index = 4;
	m.task = task;
	obj = testlib_json_wire(proto_task_launch_encode(&m));
	json_object_put(task);
	ck_assert_ptr_null(field(obj, "command"));
	ck_assert_int_eq(proto_task_launch_decode(obj, &d, &cause), 0);
	ck_assert_ptr_nonnull(d.task);
	assert_same_task(&spec, &d.spec);

	/* The executor adds its part and writes the task file. */
	d.spec.task_id = 9;
	d.spec.attempt = 0;
	d.spec.app_id = xstrdup("application_1_0001");
	d.spec.node_id = xstrdup("h:1");
	d.spec.secret = xstrdup("s");
	d.spec.local_dirs = xcalloc(2, sizeof(char *));
	d.spec.local_dirs[0] = xstrdup(dirs[0]);
	d.spec.local_dirs[1] = xstrdup(dirs[1]);
	d.spec.n_local_dirs = 2;
	d.spec.budget = 1 << 20;
	task = testlib_json_wire(proto_task_spec_encode(&d.spec, PROTO_TASK_SPEC_FILE));
	ck_assert_str_eq(field(task, "localDirs"), "/l1,/l2");
	ck_assert_int_eq(proto_task_spec_decode(task, "", PROTO_TASK_SPEC_FILE, &file, &cause), 0);
	assert_same_task(&spec, &file);
	ck_assert_int_eq(file.task_id, 9);
	ck_assert_str_eq(file.app_id, "application_1_0001");
	ck_assert_str_eq(file.node_id, "h:1");
	ck_assert_str_eq(file.secret, "s");
	ck_assert_int_eq(file.n_local_dirs, 2);
	ck_assert_str_eq(file.local_dirs[1], "/l2");
	ck_assert_uint_eq(file.budget, 1 << 20);
	proto_task_spec_clear(&file);
	proto_task_launch_clear(&d);
	json_object_put(task);
	json_object_put(obj);
}
END_TEST

START_TEST(test_other_inputs_and_outputs_round_trip)
{
	struct proto_task_spec s, d;
	struct json_object *obj;
	char *cause = NULL;

	/* Text input (url), save output. */
	memset(&s, 0, sizeof s);
	s.partition = 1;
	s.in.type = PROTO_TASK_INPUT_TEXT;
	s.in.url = "http://h/f";
	s.in.start = 100;
	s.in.length = -1;
	s.out.type = PROTO_TASK_OUTPUT_SAVE;
	s.out.dir = "/out/staging";
	s.out.file = "part-00001";
	obj = testlib_json_wire(proto_task_spec_encode(&s, PROTO_TASK_SPEC_LAUNCH));
	ck_assert_int_eq(proto_task_spec_decode(obj, "task", PROTO_TASK_SPEC_LAUNCH, &d, &cause),
	                 0);
	ck_assert_int_eq(d.in.type, PROTO_TASK_INPUT_TEXT);
	ck_assert_ptr_null(d.in.path);
	ck_assert_str_eq(d.in.url, "http://h/f");
	ck_assert_int_eq(d.in.start, 100);
	ck_assert_int_eq(d.in.length, -1);
	ck_assert_int_eq(d.out.type, PROTO_TASK_OUTPUT_SAVE);
	ck_assert_str_eq(d.out.dir, "/out/staging");
	ck_assert_str_eq(d.out.file, "part-00001");
	proto_task_spec_clear(&d);
	json_object_put(obj);

	/* Block input, sample output. */
	memset(&s, 0, sizeof s);
	s.partition = 2;
	s.in.type = PROTO_TASK_INPUT_BLOCK;
	s.in.dataset = 7;
	s.in.node = "h:9";
	s.in.size = 55;
	s.out.type = PROTO_TASK_OUTPUT_SAMPLE;
	s.out.sample_size = 61;
	obj = testlib_json_wire(proto_task_spec_encode(&s, PROTO_TASK_SPEC_LAUNCH));
	ck_assert_int_eq(proto_task_spec_decode(obj, "task", PROTO_TASK_SPEC_LAUNCH, &d, &cause),
	                 0);
	ck_assert_int_eq(d.in.type, PROTO_TASK_INPUT_BLOCK);
	ck_assert_int_eq(d.in.dataset, 7);
	ck_assert_str_eq(d.in.node, "h:9");
	ck_assert_int_eq(d.in.size, 55);
	ck_assert_int_eq(d.out.type, PROTO_TASK_OUTPUT_SAMPLE);
	ck_assert_int_eq(d.out.sample_size, 61);
	proto_task_spec_clear(&d);
	json_object_put(obj);

	/* Text input (path), collect output, hash shuffle without bounds. */
	memset(&s, 0, sizeof s);
	s.partition = 0;
	s.in.type = PROTO_TASK_INPUT_TEXT;
	s.in.path = "/data/in.txt";
	s.in.length = 10;
	s.out.type = PROTO_TASK_OUTPUT_COLLECT;
	obj = testlib_json_wire(proto_task_spec_encode(&s, PROTO_TASK_SPEC_LAUNCH));
	ck_assert_int_eq(proto_task_spec_decode(obj, "task", PROTO_TASK_SPEC_LAUNCH, &d, &cause),
	                 0);
	ck_assert_str_eq(d.in.path, "/data/in.txt");
	ck_assert_int_eq(d.out.type, PROTO_TASK_OUTPUT_COLLECT);
	proto_task_spec_clear(&d);
	json_object_put(obj);
}
END_TEST

/* A result with every part. */
static void fill_result(struct proto_task_result *r, int64_t *sizes, char **keys, size_t *lens,
                        struct proto_task_block *blocks)
{
	proto_task_result_init(r);
	r->has_map_output = true;
	r->map_output.map = "4_17_0";
	r->map_output.sizes = sizes;
	r->map_output.n_sizes = 3;
	r->map_output.records = 99;
	r->map_output.spills = 2;
	r->blocks = blocks;
	r->n_blocks = 1;
	r->bytes_fetched = 1234;
	r->has_sample = true;
	r->sample.records = 1000;
	r->sample.keys = keys;
	r->sample.key_lens = lens;
	r->sample.n_keys = 2;
	r->has_fetch_failed = true;
	r->fetch_failed.shuffle_id = 1;
	r->fetch_failed.map = "0_12_0";
	r->fetch_failed.node = "h:p";
	r->fetch_failed.message = "connection refused";
	r->error = "it broke";
}

START_TEST(test_status_round_trip)
{
	int64_t sizes[3] = {10, 0, 7};
	char k0[] = "apple", k1[] = "\0\xfe";
	char *keys[2] = {k0, k1};
	size_t lens[2] = {5, 2};
	struct proto_task_block blocks[1] = {{2, 4096}};
	struct proto_task_result r;
	struct proto_task_status m, d;
	struct json_object *obj;
	char *cause = NULL;

	/* RUNNING: no exit code on the wire. */
	memset(&m, 0, sizeof m);
	m.task_id = 17;
	m.state = PROTO_TASK_RUNNING;
	m.stdout_size = -1;
	obj = testlib_json_wire(proto_task_status_encode(&m));
	ck_assert_str_eq(field(obj, "state"), "RUNNING");
	ck_assert(!json_object_object_get_ex(obj, "exitCode", NULL));
	ck_assert_int_eq(proto_task_status_decode(obj, &d, &cause), 0);
	ck_assert_int_eq(d.state, PROTO_TASK_RUNNING);
	ck_assert_ptr_null(d.stdout_data);
	proto_task_status_clear(&d);
	json_object_put(obj);

	/* FINISHED with text stdout, truncated, a stderr tail and a result. */
	fill_result(&r, sizes, keys, lens, blocks);
	memset(&m, 0, sizeof m);
	m.task_id = 17;
	m.attempt = 1;
	m.state = PROTO_TASK_FINISHED;
	m.exit_code = 0;
	m.stdout_data = "h\xc3\xa9llo\n";
	m.stdout_len = strlen(m.stdout_data);
	m.stdout_truncated = true;
	m.stdout_size = 1000;
	m.stderr_tail = "warn";
	m.result = &r;
	obj = testlib_json_wire(proto_task_status_encode(&m));
	ck_assert_ptr_null(field(obj, "stdoutEncoding"));
	ck_assert_int_eq(proto_task_status_decode(obj, &d, &cause), 0);
	ck_assert_int_eq(d.task_id, 17);
	ck_assert_int_eq(d.attempt, 1);
	ck_assert_int_eq(d.state, PROTO_TASK_FINISHED);
	ck_assert_uint_eq(d.stdout_len, m.stdout_len);
	ck_assert(memcmp(d.stdout_data, m.stdout_data, m.stdout_len) == 0);
	ck_assert(d.stdout_truncated);
	ck_assert_int_eq(d.stdout_size, 1000);
	ck_assert_str_eq(d.stderr_tail, "warn");
	ck_assert_ptr_nonnull(d.result);
	ck_assert(d.result->has_map_output);
	ck_assert_str_eq(d.result->map_output.map, "4_17_0");
	ck_assert_int_eq(d.result->map_output.n_sizes, 3);
	ck_assert_int_eq(d.result->map_output.sizes[2], 7);
	ck_assert_int_eq(d.result->map_output.records, 99);
	ck_assert_int_eq(d.result->map_output.spills, 2);
	ck_assert_int_eq(d.result->n_blocks, 1);
	ck_assert_int_eq(d.result->blocks[0].dataset, 2);
	ck_assert_int_eq(d.result->blocks[0].size, 4096);
	ck_assert_int_eq(d.result->bytes_fetched, 1234);
	ck_assert(d.result->has_sample);
	ck_assert_int_eq(d.result->sample.records, 1000);
	ck_assert_int_eq(d.result->sample.n_keys, 2);
	ck_assert_uint_eq(d.result->sample.key_lens[1], 2);
	ck_assert(memcmp(d.result->sample.keys[1], "\0\xfe", 2) == 0);
	ck_assert(d.result->has_fetch_failed);
	ck_assert_int_eq(d.result->fetch_failed.shuffle_id, 1);
	ck_assert_str_eq(d.result->fetch_failed.map, "0_12_0");
	ck_assert_str_eq(d.result->fetch_failed.node, "h:p");
	ck_assert_str_eq(d.result->fetch_failed.message, "connection refused");
	ck_assert_str_eq(d.result->error, "it broke");
	proto_task_status_clear(&d);
	json_object_put(obj);

	/* Binary stdout travels in base64 and comes back as bytes. */
	memset(&m, 0, sizeof m);
	m.task_id = 18;
	m.state = PROTO_TASK_FINISHED;
	m.stdout_data = "a\0b\xff";
	m.stdout_len = 4;
	m.stdout_size = 4;
	obj = testlib_json_wire(proto_task_status_encode(&m));
	ck_assert_str_eq(field(obj, "stdoutEncoding"), "base64");
	ck_assert_str_eq(field(obj, "stdout"), "YQBi/w==");
	ck_assert_int_eq(proto_task_status_decode(obj, &d, &cause), 0);
	ck_assert_uint_eq(d.stdout_len, 4);
	ck_assert(memcmp(d.stdout_data, "a\0b\xff", 4) == 0);
	ck_assert(!d.stdout_truncated);
	proto_task_status_clear(&d);
	json_object_put(obj);

	/* A block's fetch failure names the dataset and partition. */
	proto_task_result_init(&r);
	r.has_fetch_failed = true;
	r.fetch_failed.dataset = 3;
	r.fetch_failed.partition = 8;
	r.fetch_failed.node = "h:q";
	obj = testlib_json_wire(proto_task_result_encode(&r));
	ck_assert_int_eq(proto_task_result_decode(obj, "result", &r, &cause), 0);
	ck_assert_int_eq(r.fetch_failed.shuffle_id, -1);
	ck_assert_int_eq(r.fetch_failed.dataset, 3);
	ck_assert_int_eq(r.fetch_failed.partition, 8);
	proto_task_result_clear(&r);
	json_object_put(obj);
}
END_TEST

START_TEST(test_shuffle_names)
{
	char *s;

	s = proto_task_map_id(4, 17, 0);
	ck_assert_str_eq(s, "4_17_0");
	ck_assert(proto_task_map_id_valid(s));
	free(s);
	s = proto_task_map_file(1, "0_12_0", "data");
	ck_assert_str_eq(s, "shuffle_1_0_12_0.data");
	free(s);
	s = proto_task_map_file(1, "0_12_0", "index");
	ck_assert_str_eq(s, "shuffle_1_0_12_0.index");
	free(s);
	s = proto_task_block_file(2, 5);
	ck_assert_str_eq(s, "block_2_5");
	free(s);
	ck_assert(!proto_task_map_id_valid(""));
	ck_assert(!proto_task_map_id_valid("../x"));
	ck_assert(!proto_task_map_id_valid(
	        "00000000000000000000000000000000000000000000000000000000000000000"));
	ck_assert_int_eq(proto_task_dir_index("anything", 1), 0);
	ck_assert_int_eq(proto_task_dir_index("block_2_5", 3),
	                 proto_task_dir_index("block_2_5", 3));
	ck_assert_int_lt(proto_task_dir_index("block_2_5", 3), 3);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Malformed input. */

#define NONCE     "0123456789abcdef0123456789abcdef"
#define NONCE_BAD "0123456789abcdef0123456789abcdeg"
#define PROOF     NONCE NONCE
#define REG_OK    "\"type\":\"register\",\"executorId\":\"3\",\"nonce\":\"" NONCE "\",\"host\":\"h\","

START_TEST(test_register_refuses_malformed)
{
	char *text, *big = xcalloc(2000, 1);

	testlib_decode_ok(decode_register, "{" REG_OK "\"cores\":1}");
	testlib_decode_fails(decode_register, "{\"executorId\":\"3\",\"host\":\"h\",\"cores\":1}",
	                     "nonce: missing");
	testlib_decode_fails(decode_register,
	                     "{\"nonce\":5,\"executorId\":\"3\",\"host\":\"h\",\"cores\":1}",
	                     "nonce: expected");
	testlib_decode_fails(decode_register,
	                     "{\"nonce\":\"abc\",\"executorId\":\"3\",\"host\":\"h\",\"cores\":1}",
	                     "nonce: expected 32 hex digits");
	testlib_decode_fails(decode_register,
	                     "{\"nonce\":\"" NONCE_BAD "\",\"executorId\":\"3\",\"host\":\"h\","
	                     "\"cores\":1}",
	                     "nonce: expected 32 hex digits");
	/* The old plain-text secret is not a nonce. */
	testlib_decode_fails(decode_register,
	                     "{\"secret\":\"s\",\"executorId\":\"3\",\"host\":\"h\",\"cores\":1}",
	                     "nonce: missing");
	testlib_decode_fails(decode_register,
	                     "{\"nonce\":\"" NONCE "\",\"host\":\"h\",\"cores\":1}",
	                     "executorId: missing");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":\"2\"}", "cores: expected");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":0}",
	                     "cores: 0 is out of range");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":5000}",
	                     "cores: 5000 is out of range");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":1,\"pid\":-4}",
	                     "pid: -4 is out of range");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":1,\"nodeId\":[]}",
	                     "nodeId: expected");
	testlib_decode_fails(decode_register,
	                     "{\"type\":\"register\",\"executorId\":\"../x\",\"nonce\":\"" NONCE
	                     "\",\"host\":\"h\","
	                     "\"cores\":1}",
	                     "executorId: expected [A-Za-z0-9._:-]");
	testlib_decode_fails(decode_register,
	                     "{\"executorId\":\"3\",\"nonce\":\"" NONCE
	                     "\",\"host\":\"a b\",\"cores\":1}",
	                     "host: not a host name");
	testlib_decode_fails(decode_register, "{" REG_OK "\"cores\":1,\"containerId\":\"c_1\"}",
	                     "containerId: not a container id");
	memset(big, 'x', 1999);
	text = xasprintf(
	        "{\"executorId\":\"%s\",\"nonce\":\"" NONCE "\",\"host\":\"h\",\"cores\":1}", big);
	testlib_decode_fails(decode_register, text, "executorId: expected");
	free(text);
	text = xasprintf("{" REG_OK "\"cores\":1,\"workDir\":\"%s%s%s\"}", big, big, big);
	testlib_decode_fails(decode_register, text, "workDir: longer than");
	free(text);
	text = xasprintf(
	        "{\"executorId\":\"3\",\"nonce\":\"" NONCE "\",\"host\":\"%s\",\"cores\":1}", big);
	testlib_decode_fails(decode_register, text, "host: not a host name");
	free(text);
	free(big);

	testlib_decode_ok(decode_challenge, "{\"nonce\":\"" NONCE "\",\"proof\":\"" PROOF "\"}");
	testlib_decode_fails(decode_challenge, "{\"proof\":\"" PROOF "\"}", "nonce: missing");
	testlib_decode_fails(decode_challenge, "{\"nonce\":\"" NONCE "\"}", "proof: missing");
	testlib_decode_fails(decode_challenge, "{\"nonce\":\"" NONCE "\",\"proof\":\"" NONCE "\"}",
	                     "proof: expected 64 hex digits");
	testlib_decode_fails(decode_challenge, "{\"nonce\":\"" NONCE "\",\"proof\":\"" PROOF "0\"}",
	                     "proof: ");
	testlib_decode_fails(decode_challenge, "{\"nonce\":[],\"proof\":\"" PROOF "\"}",
	                     "nonce: expected");
	testlib_decode_ok(decode_auth, "{\"proof\":\"" PROOF "\"}");
	testlib_decode_fails(decode_auth, "{}", "proof: missing");
	testlib_decode_fails(decode_auth, "{\"proof\":\"" NONCE_BAD NONCE "\"}",
	                     "proof: expected 64 hex digits");
	testlib_decode_fails(decode_auth, "{\"proof\":7}", "proof: expected");
}
END_TEST

START_TEST(test_small_decoders_refuse_malformed)
{
	char *text, *big = xcalloc(70000, 1);

	testlib_decode_fails(decode_type, "{}", "type: missing");
	testlib_decode_fails(decode_type, "{\"type\":3}", "type: expected");
	testlib_decode_fails(decode_type, "[]", "(top): expected an object");
	testlib_decode_fails(decode_kill, "{\"type\":\"kill\",\"attempt\":0}", "taskId: missing");
	testlib_decode_fails(decode_kill, "{\"taskId\":-1,\"attempt\":0}",
	                     "taskId: -1 is out of range");
	testlib_decode_fails(decode_kill, "{\"taskId\":1,\"attempt\":\"0\"}", "attempt: expected");
	testlib_decode_fails(decode_kill, "{\"taskId\":1,\"attempt\":4294967296}",
	                     "attempt: 4294967296");
	testlib_decode_fails(decode_rejected, "{\"reason\":false}", "reason: expected");
	memset(big, 'r', 69999);
	text = xasprintf("{\"reason\":\"%s\"}", big);
	testlib_decode_fails(decode_rejected, text, "reason: longer than");
	free(text);
	free(big);
}
END_TEST

#define LAUNCH "\"type\":\"launch\",\"taskId\":17,\"attempt\":0,\"index\":4,"

START_TEST(test_launch_refuses_malformed)
{
	struct proto_task_launch m;
	struct json_object *obj;
	char *cause = NULL, *text, *env;
	int i;

	testlib_decode_ok(decode_launch,
	                  "{" LAUNCH "\"command\":\"true\",\"env\":{\"A_1\":\"x\"}}");
	testlib_decode_fails(decode_launch, "{\"attempt\":0,\"index\":4,\"command\":\"true\"}",
	                     "taskId: missing");
	testlib_decode_fails(decode_launch,
	                     "{\"taskId\":\"17\",\"attempt\":0,\"command\":\"true\"}",
	                     "taskId: expected");
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"command\":\"\"}",
	                     "command: must not be empty");
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"env\":{}}", "command: missing");
	testlib_decode_fails(decode_launch,
	                     "{\"taskId\":17,\"attempt\":0,\"index\":-1,\"command\":\"x\"}",
	                     "index: -1 is out of range");
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"command\":\"x\",\"env\":[]}",
	                     "env: expected");
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"command\":\"x\",\"env\":{\"A\":1}}",
	                     "env.A: expected a string");
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"command\":\"x\",\"env\":{\"1A\":\"x\"}}",
	                     "env: '1A' is not a variable name");
	testlib_decode_fails(decode_launch,
	                     "{" LAUNCH "\"command\":\"x\",\"env\":{\"A\":\"a\\u0000b\"}}",
	                     "env.A: string contains a NUL");
	env = xstrdup("");
	for (i = 0; i <= PROTO_TASK_MAX_ENV; i++) {
		char *next = xasprintf("%s%s\"V%d\":\"x\"", env, i > 0 ? "," : "", i);

		free(env);
		env = next;
	}
	text = xasprintf("{" LAUNCH "\"command\":\"x\",\"env\":{%s}}", env);
	testlib_decode_fails(decode_launch, text, "env: more than 1024 variables");
	free(text);
	free(env);
	testlib_decode_fails(decode_launch, "{" LAUNCH "\"task\":[]}", "task: expected");
	testlib_decode_fails(decode_launch,
	                     "{" LAUNCH "\"task\":{\"output\":{\"type\":\"collect\"}}}",
	                     "task.input: missing");
	testlib_decode_fails(decode_launch,
	                     "{" LAUNCH
	                     "\"task\":{\"input\":{\"type\":\"text\",\"path\":\"/f\",\"start\":-5},"
	                     "\"output\":{\"type\":\"collect\"}}}",
	                     "task.input.start: -5 is out of range");
	testlib_decode_fails(decode_launch,
	                     "{" LAUNCH "\"task\":{\"input\":{\"type\":\"text\",\"path\":\"/f\"},"
	                     "\"output\":{\"type\":\"shuffle\",\"shuffleId\":1,\"partitions\":0}}}",
	                     "task.output.partitions: 0 is out of range");
	/* A launch whose id cannot be read says so, so that no status goes
	 * back for it; one that can be read keeps its id and attempt. */
	obj = json_tokener_parse("{\"taskId\":\"x\"}");
	ck_assert_int_eq(proto_task_launch_decode(obj, &m, &cause), -1);
	ck_assert_int_lt(m.task_id, 0);
	free(cause);
	proto_task_launch_clear(&m);
	json_object_put(obj);
	obj = json_tokener_parse("{\"taskId\":5,\"attempt\":1,\"index\":\"x\"}");
	ck_assert_int_eq(proto_task_launch_decode(obj, &m, &cause), -1);
	ck_assert_int_eq(m.task_id, 5);
	ck_assert_int_eq(m.attempt, 1);
	free(cause);
	proto_task_launch_clear(&m);
	json_object_put(obj);
}
END_TEST

#define FILE_BASE                                                                                  \
	"\"taskId\":1,\"attempt\":0,\"partition\":2,\"applicationId\":\"a\",\"nodeId\":\"n:1\","   \
	"\"secret\":\"s\",\"localDirs\":\"/x,/y\",\"budgetBytes\":1000,"
#define TEXT_IN "\"input\":{\"type\":\"text\",\"path\":\"/f\"},"

START_TEST(test_task_file_refuses_malformed)
{
	char *text, *big = xcalloc(5000, 1);

	testlib_decode_ok(decode_task_file,
	                  "{" FILE_BASE TEXT_IN
	                  "\"commands\":[\"cat\"],\"output\":{\"type\":\"collect\"}}");
	testlib_decode_fails(decode_task_file, "{" TEXT_IN "\"output\":{\"type\":\"collect\"}}",
	                     "taskId: missing");
	testlib_decode_fails(
	        decode_task_file,
	        "{\"taskId\":1,\"attempt\":0,\"partition\":2,\"applicationId\":\"a\","
	        "\"nodeId\":\"n:1\",\"secret\":\"s\",\"localDirs\":\",\",\"budgetBytes\":1," TEXT_IN
	        "\"output\":{\"type\":\"collect\"}}",
	        "localDirs: no directory");
	testlib_decode_fails(decode_task_file,
	                     "{\"taskId\":1,\"attempt\":0,\"partition\":2,\"applicationId\":\"a\","
	                     "\"nodeId\":\"n:1\",\"secret\":\"s\",\"localDirs\":\"/"
	                     "x\",\"budgetBytes\":0," TEXT_IN "\"output\":{\"type\":\"collect\"}}",
	                     "budgetBytes: 0 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE "\"input\":{\"type\":\"text\",\"path\":\"rel\"},"
	                     "\"output\":{\"type\":\"collect\"}}",
	                     "input.path: expected an absolute path");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"text\"},\"output\":{\"type\":\"collect\"}}",
	                     "input: expected one of path and url");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"text\",\"path\":\"/f\",\"length\":-2},"
	                     "\"output\":{\"type\":\"collect\"}}",
	                     "input.length: -2 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"tape\"},\"output\":{\"type\":\"collect\"}}",
	                     "input.type: unknown input type 'tape'");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"shuffle\",\"sides\":[{\"shuffleId\":1,"
	                     "\"maps\":[{\"map\":\"../x\",\"node\":\"n:1\",\"size\":1}]}]},"
	                     "\"output\":{\"type\":\"collect\"}}",
	                     "input.sides[0].maps[0].map: expected [0-9_]{1,64}");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"shuffle\",\"sides\":[{\"shuffleId\":1,"
	                     "\"maps\":[{\"map\":\"1_1_0\",\"node\":\"n:1\",\"size\":-1}]}]},"
	                     "\"output\":{\"type\":\"collect\"}}",
	                     "input.sides[0].maps[0].size: -1 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"shuffle\",\"sides\":[{\"shuffleId\":1,"
	                     "\"maps\":[7]}]},\"output\":{\"type\":\"collect\"}}",
	                     "input.sides[0].maps[0]: expected an object");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"shuffle\",\"mode\":\"join\",\"sides\":["
	                     "{\"shuffleId\":1,\"maps\":[]}]},\"output\":{\"type\":\"collect\"}}",
	                     "input.sides: expected 1 side (group) or 2 (join)");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE
	                     "\"input\":{\"type\":\"shuffle\",\"join\":\"outer\",\"sides\":["
	                     "{\"shuffleId\":1,\"maps\":[]}]},\"output\":{\"type\":\"collect\"}}",
	                     "input.join: expected inner, left, right or full");
	testlib_decode_fails(
	        decode_task_file,
	        "{" FILE_BASE "\"input\":{\"type\":\"shuffle\",\"sides\":[{\"shuffleId\":1,"
	        "\"maps\":[]},{\"shuffleId\":2,\"maps\":[]},{\"shuffleId\":3,\"maps\":[]}]},"
	        "\"output\":{\"type\":\"collect\"}}",
	        "input.sides: more than 2 entries");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE "\"input\":{\"type\":\"block\",\"node\":\"n:1\"},"
	                     "\"output\":{\"type\":\"collect\"}}",
	                     "input.dataset: missing");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,"
	                     "\"partitions\":3,\"partitioner\":\"range\",\"bounds\":[\"YQ==\"]}}",
	                     "output.bounds: expected partitions - 1");
	testlib_decode_fails(
	        decode_task_file,
	        "{" FILE_BASE TEXT_IN "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,"
	        "\"partitions\":3,\"partitioner\":\"range\",\"bounds\":[\"Yg==\",\"YQ==\"]}}",
	        "output.bounds[1]: keys are not sorted");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,"
	                     "\"partitions\":2,\"partitioner\":\"range\",\"bounds\":[\"*\"]}}",
	                     "output.bounds[0]: expected a base64 string");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,"
	                     "\"partitions\":2,\"partitioner\":\"random\"}}",
	                     "output.partitioner: expected hash or range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"shuffle\",\"shuffleId\":0,"
	                     "\"partitions\":1000001}}",
	                     "output.partitions: 1000001 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"save\",\"dir\":\"/o\",\"file\":\"../p\"}}",
	                     "output.file: expected a plain file name");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"output\":{\"type\":\"save\",\"dir\":\"o\",\"file\":\"p\"}}",
	                     "output.dir: expected an absolute path");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN "\"output\":{\"type\":\"sample\",\"size\":0}}",
	                     "output.size: 0 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN "\"output\":{\"type\":\"print\"}}",
	                     "output.type: unknown output type 'print'");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"commands\":[\"\"],\"output\":{\"type\":\"collect\"}}",
	                     "commands[0]: expected a non-empty string");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"commands\":\"cat\",\"output\":{\"type\":\"collect\"}}",
	                     "commands: expected");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN "\"commands\":[\"a\"],\"persist\":[{\"step\":2,"
	                     "\"dataset\":1}],\"output\":{\"type\":\"collect\"}}",
	                     "persist[0].step: 2 is out of range");
	testlib_decode_fails(decode_task_file,
	                     "{" FILE_BASE TEXT_IN
	                     "\"persist\":[1],\"output\":{\"type\":\"collect\"}}",
	                     "persist[0]: expected an object");
	memset(big, 'p', 4999);
	text = xasprintf("{" FILE_BASE "\"input\":{\"type\":\"text\",\"path\":\"/%s\"},"
	                 "\"output\":{\"type\":\"collect\"}}",
	                 big);
	testlib_decode_fails(decode_task_file, text, "input.path: longer than");
	free(text);
	free(big);
}
END_TEST

#define STATUS "\"type\":\"status\",\"taskId\":17,\"attempt\":0,"

START_TEST(test_status_refuses_malformed)
{
	char *text, *big = xcalloc(70000, 1);

	testlib_decode_ok(decode_status, "{" STATUS "\"state\":\"RUNNING\"}");
	testlib_decode_ok(decode_status,
	                  "{" STATUS "\"state\":\"FINISHED\",\"exitCode\":0,\"stdout\":\"x\","
	                  "\"stdoutEncoding\":\"utf-8\"}");
	testlib_decode_fails(decode_status, "{\"taskId\":17,\"state\":\"RUNNING\"}",
	                     "attempt: missing");
	testlib_decode_fails(decode_status, "{" STATUS "\"state\":\"DONE\"}",
	                     "state: unknown state 'DONE'");
	testlib_decode_fails(decode_status, "{" STATUS "\"state\":\"FAILED\"}",
	                     "exitCode: missing");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FAILED\",\"exitCode\":4294967296}",
	                     "exitCode: 4294967296 is out of range");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FINISHED\",\"exitCode\":0,\"stdout\":1}",
	                     "stdout: expected");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FINISHED\",\"exitCode\":0,\"stdout\":\"***\","
	                     "\"stdoutEncoding\":\"base64\"}",
	                     "stdout: not valid base64");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FINISHED\",\"exitCode\":0,\"stdout\":\"x\","
	                     "\"stdoutEncoding\":\"rot13\"}",
	                     "stdoutEncoding: unknown encoding 'rot13'");
	testlib_decode_fails(decode_status,
	                     "{" STATUS
	                     "\"state\":\"FINISHED\",\"exitCode\":0,\"stdoutTruncated\":1}",
	                     "stdoutTruncated: expected");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FINISHED\",\"exitCode\":0,\"stdoutSize\":-3}",
	                     "stdoutSize: -3 is out of range");
	testlib_decode_fails(decode_status,
	                     "{" STATUS "\"state\":\"FAILED\",\"exitCode\":1,\"result\":[]}",
	                     "result: expected");
	testlib_decode_fails(decode_status,
	                     "{" STATUS
	                     "\"state\":\"FAILED\",\"exitCode\":75,\"result\":{\"fetchFailed\":"
	                     "{\"node\":7}}}",
	                     "result.fetchFailed.node: expected");
	memset(big, 'e', 69999);
	text = xasprintf("{" STATUS "\"state\":\"FAILED\",\"exitCode\":1,\"stderrTail\":\"%s\"}",
	                 big);
	testlib_decode_fails(decode_status, text, "stderrTail: longer than");
	free(text);
	free(big);
}
END_TEST

START_TEST(test_result_refuses_malformed)
{
	testlib_decode_ok(decode_result, "{}");
	testlib_decode_fails(decode_result, "{\"mapOutput\":{\"sizes\":[1]}}",
	                     "result.mapOutput.map: missing");
	testlib_decode_fails(decode_result, "{\"mapOutput\":{\"map\":\"a/b\",\"sizes\":[1]}}",
	                     "result.mapOutput.map: expected [0-9_]{1,64}");
	testlib_decode_fails(decode_result, "{\"mapOutput\":{\"map\":\"1_2_0\",\"sizes\":[1,-1]}}",
	                     "result.mapOutput.sizes[1]: not a size");
	testlib_decode_fails(decode_result, "{\"mapOutput\":{\"map\":\"1_2_0\",\"sizes\":[\"1\"]}}",
	                     "result.mapOutput.sizes[0]: not a size");
	testlib_decode_fails(decode_result,
	                     "{\"mapOutput\":{\"map\":\"1_2_0\",\"sizes\":[],\"records\":-1}}",
	                     "result.mapOutput.records: -1 is out of range");
	testlib_decode_fails(decode_result, "{\"blocks\":[{\"dataset\":-1,\"size\":1}]}",
	                     "result.blocks[0].dataset: -1 is out of range");
	testlib_decode_fails(decode_result, "{\"blocks\":[{\"dataset\":1}]}",
	                     "result.blocks[0].size: missing");
	testlib_decode_fails(decode_result, "{\"blocks\":[true]}",
	                     "result.blocks[0]: expected an object");
	testlib_decode_fails(decode_result, "{\"sample\":{\"records\":3,\"keys\":[\"YQ=\"]}}",
	                     "result.sample.keys[0]: expected a base64 string");
	testlib_decode_fails(decode_result, "{\"sample\":{\"records\":3,\"keys\":[5]}}",
	                     "result.sample.keys[0]: expected a base64 string");
	testlib_decode_fails(decode_result, "{\"bytesFetched\":-1}",
	                     "result.bytesFetched: -1 is out of range");
	testlib_decode_fails(decode_result, "{\"fetchFailed\":{\"shuffleId\":\"1\"}}",
	                     "result.fetchFailed.shuffleId: expected");
	testlib_decode_fails(decode_result, "{\"error\":{}}", "result.error: expected");
}
END_TEST

static Suite *proto_task_suite(void)
{
	Suite *s = suite_create("proto_task");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_register_round_trip);
	tcase_add_test(tc, test_handshake_round_trip);
	tcase_add_test(tc, test_small_messages_round_trip);
	tcase_add_test(tc, test_shell_launch_round_trip);
	tcase_add_test(tc, test_dataflow_launch_and_task_file_round_trip);
	tcase_add_test(tc, test_other_inputs_and_outputs_round_trip);
	tcase_add_test(tc, test_status_round_trip);
	tcase_add_test(tc, test_shuffle_names);
	tcase_add_test(tc, test_register_refuses_malformed);
	tcase_add_test(tc, test_small_decoders_refuse_malformed);
	tcase_add_test(tc, test_launch_refuses_malformed);
	tcase_add_test(tc, test_task_file_refuses_malformed);
	tcase_add_test(tc, test_status_refuses_malformed);
	tcase_add_test(tc, test_result_refuses_malformed);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_task_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
