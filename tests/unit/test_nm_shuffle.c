/*
 * test_nm_shuffle.c — the NM's shuffle service in process: partitions of
 * a map output served by the index file's ranges, persisted blocks, and
 * everything refused: no or a bad signature, an application without a
 * known secret, unknown applications and files, malformed ids, partitions
 * out of range, path escapes and symlinks planted by a container; and the
 * executor's fetch of them (shuffle_fetch.c), through memory and streamed
 * to a file.
 */
#include "weft_config.h"

#include <endian.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "executor/shuffle_fetch.h"
#include "nm/shuffle_service.h"
#include "nm_test_util.h"
#include "weft/protocol.h"

#define CID1       "container_1700000000000_0001_01_000001"
#define CID2       "container_1700000000000_0002_01_000001"
#define APP1       "application_1700000000000_0001"
#define APP2       "application_1700000000000_0002"
#define APP_SECRET "the-application-secret-0123456789"

static struct nmt t;
static struct secret *app_secret;

/* Start a container of the app with (or without) WEFT_APP_SECRET. */
static void start_container(const char *cid, const char *secret)
{
	char *token = nmt_token(&t, cid, NULL, 256, 0, 0), *text;
	struct json_object *body = json_object_new_object(), *lc = json_object_new_object();
	struct json_object *commands = json_object_new_array(), *env = json_object_new_object();

	json_object_array_add(commands, json_object_new_string("sleep 30"));
	json_object_object_add(lc, "commands", commands);
	if (secret != NULL)
		json_object_object_add(env, WEFT_ENV_APP_SECRET, json_object_new_string(secret));
	json_object_object_add(lc, "environment", env);
	json_object_object_add(body, "token", json_object_new_string(token));
	json_object_object_add(body, "launchContext", lc);
	text = xstrdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", text, NULL), 200);
	ck_assert(nmt_wait_state(&t, cid, CONTAINER_RUNNING));
	json_object_put(body);
	free(text);
	free(token);
}

/* The app's weft-shuffle directory in local dir n (created). */
static char *shuffle_dir(const char *app, int n)
{
	char *dir = xasprintf("%s/local%d/usercache/alice/appcache/%s/" WEFT_SHUFFLE_DIR, t.dir, n,
	                      app);
	char *cmd = xasprintf("mkdir -p '%s'", dir);

	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	return dir;
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq((int)write(fd, data, len), (int)len);
	close(fd);
}

static void setup(void)
{
	uint64_t offs[4];
	char *dir, *path;

	nmt_setup(&t, NULL);
	t.ctx.shuffle = shuffle_service_new(&t.ctx);
	shuffle_service_routes(t.ctx.shuffle, t.srv);
	app_secret = secret_from_bytes(APP_SECRET, strlen(APP_SECRET));
	start_container(CID1, APP_SECRET);
	/* A map output of 3 partitions in local dir 2: "a\n" | "" | "b\nc\n". */
	dir = shuffle_dir(APP1, 2);
	path = xasprintf("%s/shuffle_4_1_17_0.data", dir);
	write_file(path, "a\nb\nc\n", 6);
	free(path);
	offs[0] = htole64(0);
	offs[1] = htole64(2);
	offs[2] = htole64(2);
	offs[3] = htole64(6);
	path = xasprintf("%s/shuffle_4_1_17_0.index", dir);
	write_file(path, offs, sizeof offs);
	free(path);
	path = xasprintf("%s/block_2_5", dir);
	write_file(path, "persisted\n", 10);
	free(path);
	free(dir);
}

static void teardown(void)
{
	secret_free(app_secret);
	shuffle_service_free(t.ctx.shuffle);
	t.ctx.shuffle = NULL;
	nmt_teardown(&t);
}

/* GET path signed with key (NULL: no header). */
static long get(const char *path, struct secret *key, char **body)
{
	char *auth = NULL, *header = NULL;
	const char *headers[2] = {NULL, NULL};
	long status;

	if (key != NULL) {
		auth = security_sign_request(key, "GET", path, NULL, 0, time_now_ms());
		header = xasprintf("%s: %s", WEFT_SHUFFLE_AUTH_HEADER, auth);
		headers[0] = header;
	}
	status = nmt_request(&t, "GET", path, headers, NULL, body);
	free(auth);
	free(header);
	return status;
}

START_TEST(test_partitions_served_by_range)
{
	char *body;

	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/0", app_secret, &body),
	                 200);
	ck_assert_str_eq(body, "a\n");
	free(body);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/1", app_secret, &body),
	                 200);
	ck_assert_str_eq(body, "");
	free(body);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/2", app_secret, &body),
	                 200);
	ck_assert_str_eq(body, "b\nc\n");
	free(body);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/block/2/5", app_secret, &body), 200);
	ck_assert_str_eq(body, "persisted\n");
	free(body);
}
END_TEST

START_TEST(test_authentication)
{
	struct secret *wrong = secret_from_bytes("another-secret-0123456789", 25);
	char *body;

	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/0", NULL, &body), 401);
	ck_assert_ptr_nonnull(strstr(body, "AuthenticationException"));
	free(body);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/0", wrong, NULL), 401);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/block/2/5", wrong, NULL), 401);
	/* A signature for another path does not open this one. */
	{
		char *auth = security_sign_request(app_secret, "GET",
		                                   "/ws/v1/node/shuffle/" APP1 "/block/2/5", NULL,
		                                   0, time_now_ms());
		char *header = xasprintf("%s: %s", WEFT_SHUFFLE_AUTH_HEADER, auth);
		const char *headers[] = {header, NULL};

		ck_assert_int_eq(nmt_request(&t, "GET",
		                             "/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/0", headers,
		                             NULL, NULL),
		                 401);
		free(header);
		free(auth);
	}
	/* An application whose containers brought no secret: 403. */
	start_container(CID2, NULL);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP2 "/block/2/5", app_secret, &body), 403);
	ck_assert_ptr_nonnull(strstr(body, "ForbiddenException"));
	free(body);
	secret_free(wrong);
}
END_TEST

START_TEST(test_bad_requests)
{
	char *dir, *link, *cmd;

	/* Unknown application, malformed application id. */
	ck_assert_int_eq(get("/ws/v1/node/shuffle/application_1700000000000_0009/block/2/5",
	                     app_secret, NULL),
	                 404);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/app_1/block/2/5", app_secret, NULL), 400);
	/* Ids that are not what they should be. */
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/x/1_17_0/0", app_secret, NULL), 400);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1-17/0", app_secret, NULL), 400);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/-1", app_secret, NULL),
	                 400);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/0007", app_secret, NULL),
	                 400);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/block/2/99999999999", app_secret, NULL),
	                 400);
	/* Partitions out of range; outputs that do not exist. */
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_0/3", app_secret, NULL), 400);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/map/4/1_17_1/0", app_secret, NULL), 404);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/block/2/6", app_secret, NULL), 404);
	/* Path escapes never reach a file. */
	ck_assert_int_ge(get("/ws/v1/node/shuffle/" APP1 "/block/../5", app_secret, NULL), 400);
	ck_assert_int_ge(get("/ws/v1/node/shuffle/" APP1 "/block/%2e%2e%2f2/5", app_secret, NULL),
	                 400);
	/* A container that swaps its shuffle directory for a symlink to
	 * somewhere else gets nothing from it. */
	dir = shuffle_dir(APP1, 1);
	cmd = xasprintf("rm -rf '%s' && mkdir -p '%s/elsewhere' && echo secret > '%s/elsewhere/"
	                "block_3_1'",
	                dir, t.dir, t.dir);
	ck_assert_int_eq(system(cmd), 0);
	link = xasprintf("%s/elsewhere", t.dir);
	ck_assert_int_eq(symlink(link, dir), 0);
	ck_assert_int_eq(get("/ws/v1/node/shuffle/" APP1 "/block/3/1", app_secret, NULL), 404);
	/* Wrong methods. */
	ck_assert_int_eq(
	        nmt_request(&t, "POST", "/ws/v1/node/shuffle/" APP1 "/block/2/5", NULL, "{}", NULL),
	        405);
	free(cmd);
	free(link);
	free(dir);
}
END_TEST

/* In a child process: fetch partition 2 of the map output and the block
 * as a reduce task would, with budget bytes of memory.  RET the exit
 * code: 0 when both came back right. */
static int fetch_in_child(size_t budget)
{
	struct proto_task_map_source map = {"1_17_0", NULL, 4};
	struct proto_task_spec spec;
	struct fetch_result r;
	char *cause = NULL, *node = xasprintf("127.0.0.1:%d", t.ctx.port), *local;
	int rc = 1;

	memset(&spec, 0, sizeof spec);
	local = xasprintf("%s/elsewhere-local", t.dir);
	spec.partition = 2;
	spec.app_id = APP1;
	spec.node_id = "other-node:1"; /* not this NM: everything over HTTP */
	spec.secret = APP_SECRET;
	spec.local_dirs = &local;
	spec.n_local_dirs = 1;
	spec.budget = budget;
	spec.in.type = PROTO_TASK_INPUT_SHUFFLE;
	spec.in.n_sides = 1;
	spec.in.sides[0].shuffle_id = 4;
	spec.in.sides[0].maps = &map;
	spec.in.sides[0].n_maps = 1;
	map.node = node;
	if (shuffle_fetch(&spec, &r, &cause) != 0 || r.failed || r.n != 1 || r.segs[0].len != 4 ||
	    memcmp(r.segs[0].data, "b\nc\n", 4) != 0) {
		fprintf(stderr, "fetch: %s %s\n", cause ? cause : "", r.message ? r.message : "");
		goto out;
	}
	fetch_result_free(&r);
	spec.in.type = PROTO_TASK_INPUT_BLOCK;
	spec.in.dataset = 2;
	spec.in.node = node;
	spec.in.size = 10;
	spec.partition = 5;
	if (shuffle_fetch_block(&spec, &r, &cause) != 0 || r.failed || r.segs[0].len != 10 ||
	    memcmp(r.segs[0].data, "persisted\n", 10) != 0) {
		fprintf(stderr, "block: %s %s\n", cause ? cause : "", r.message ? r.message : "");
		goto out;
	}
	/* A map output that is not there is a fetch failure naming it. */
	fetch_result_free(&r);
	spec.in.type = PROTO_TASK_INPUT_SHUFFLE;
	spec.partition = 2;
	map.map = "1_17_9";
	if (shuffle_fetch(&spec, &r, &cause) != 0 || !r.failed || strcmp(r.map, "1_17_9") != 0 ||
	    strcmp(r.node, node) != 0) {
		fprintf(stderr, "missing output: not a fetch failure\n");
		goto out;
	}
	rc = 0;
out:
	fetch_result_free(&r);
	return rc;
}

/* The child's verdict comes through a pipe (proc.c reaps every child of
 * this process, so its exit status may never reach us). */
struct child_wait {
	int fd;
	char verdict;
};

static bool child_done(void *arg)
{
	struct child_wait *w = arg;

	return read(w->fd, &w->verdict, 1) == 1;
}

START_TEST(test_executor_fetches)
{
	size_t budgets[] = {64 * 1024 * 1024, 1}; /* in memory; streamed to a file */
	struct child_wait w;
	int i, fds[2];
	pid_t pid;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pipe2(fds, O_NONBLOCK), 0);
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char c = fetch_in_child(budgets[i]) == 0 ? 'Y' : 'N';

			if (write(fds[1], &c, 1) != 1)
				_exit(2);
			_exit(0);
		}
		close(fds[1]);
		w.fd = fds[0];
		w.verdict = 0;
		ck_assert(nmt_run_until(&t, child_done, &w, NMT_WAIT_MS));
		close(fds[0]);
		ck_assert_msg(w.verdict == 'Y', "fetch with a budget of %zu bytes failed",
		              budgets[i]);
	}
}
END_TEST

static Suite *shuffle_suite(void)
{
	Suite *s = suite_create("nm_shuffle");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_partitions_served_by_range);
	tcase_add_test(tc, test_authentication);
	tcase_add_test(tc, test_bad_requests);
	tcase_add_test(tc, test_executor_fetches);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shuffle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
