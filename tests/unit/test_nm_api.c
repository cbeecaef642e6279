/*
 * test_nm_api.c — the node manager's container API, in process: the HTTP
 * server on 127.0.0.1:0, tokens signed with the test secret, real
 * containers (/bin/sh), real localization over HTTP and file://, the REST
 * views and log serving, application clean-up and the memory monitor.
 */
#include "weft_config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "nm/launcher.h"
#include "nm/monitor.h"
#include "nm_test_util.h"
#include "weft/protocol.h"

#define CID1 "container_1700000000000_0001_01_000001"
#define CID2 "container_1700000000000_0001_01_000002"
#define CID3 "container_1700000000000_0002_01_000001"
#define APP1 "application_1700000000000_0001"

static struct nmt t;

static void setup(void)
{
	nmt_setup(&t, NULL);
}

static void teardown(void)
{
	nmt_teardown(&t);
}

/* Fixtures with other settings (one NM per test process: the loop and
 * proc's SIGCHLD event are built once). */
static void setup_debug_delay(void)
{
	static const char *const extra[] = {"nm.delete.debug-delay-sec=1", NULL};

	nmt_setup(&t, extra);
}

static void setup_small_files(void)
{
	static const char *const extra[] = {"nm.localizer.max-file-mb=1", NULL};

	nmt_setup(&t, extra);
}

static void setup_fast_monitor(void)
{
	static const char *const extra[] = {"nm.container-monitor.interval-ms=100", NULL};

	nmt_setup(&t, extra);
}

/* The file of a container's log dir (caller frees). */
static char *log_path(const char *cid, const char *file)
{
	struct container *c = container_manager_find(t.ctx.containers, cid);

	ck_assert_ptr_nonnull(c);
	return xasprintf("%s/%s", container_log_dir(c), file);
}

/* Parse a reply body, which must be a JSON object. */
static struct json_object *parse(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	ck_assert_msg(o != NULL && json_object_is_type(o, json_type_object), "not JSON: %s", text);
	return o;
}

/* A string member (path of two keys at most). */
static const char *get_str(struct json_object *o, const char *k1, const char *k2)
{
	struct json_object *v = NULL;

	ck_assert(json_object_object_get_ex(o, k1, &v));
	if (k2 != NULL)
		ck_assert(json_object_object_get_ex(v, k2, &v));
	return json_object_get_string(v);
}

/* The RemoteException's exception name of an error body. */
static void assert_exception(const char *body, const char *exception)
{
	struct json_object *o = parse(body);

	ck_assert_str_eq(get_str(o, "RemoteException", "exception"), exception);
	json_object_put(o);
}

START_TEST(test_start_runs_echo)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body, *reply = NULL, *out, *path;
	struct container *c;
	struct json_object *o;

	body = nmt_start_body(token, "echo hi; echo \"$CONTAINER_ID $APPLICATION_ID $NM_PORT "
	                             "$USER\"; echo \"$PWD\"; echo \"$LOG_DIRS\"; echo "
	                             "\"$LOCAL_DIRS\"; echo \"$WEFT_LIBEXEC_DIR\"; pwd");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, &reply), 200);
	o = parse(reply);
	ck_assert_str_eq(get_str(o, "containerId", NULL), CID1);
	ck_assert_str_eq(get_str(o, "state", NULL), "LOCALIZING");
	json_object_put(o);
	free(reply);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_exit_status(c), 0);
	ck_assert(container_is_complete(c));

	path = log_path(CID1, "stdout");
	out = nmt_read_file(path);
	ck_assert_ptr_nonnull(out);
	{
		char *expected = xasprintf(
		        "hi\n%s %s %d alice\n%s\n%s\n%s/local1/usercache/alice/appcache/%s,"
		        "%s/local2/usercache/alice/appcache/%s\n/opt/weft/libexec\n%s\n",
		        CID1, APP1, t.ctx.port, container_work_dir(c), container_log_dir(c), t.dir,
		        APP1, t.dir, APP1, container_work_dir(c));

		ck_assert_str_eq(out, expected);
		free(expected);
	}
	ck_assert(strstr(container_work_dir(c), "/usercache/alice/appcache/" APP1 "/" CID1) !=
	          NULL);
	{
		char *expected_log = xasprintf("%s/logs/%s/%s", t.dir, APP1, CID1);

		ck_assert_str_eq(container_log_dir(c), expected_log);
		free(expected_log);
	}

	/* Status answers with the container's token. */
	free(body);
	body = xasprintf("{\"containerId\":\"%s\",\"token\":\"%s\"}", CID1, token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/status", body, &reply), 200);
	o = parse(reply);
	ck_assert_str_eq(get_str(o, "state", NULL), "COMPLETE");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(o, "exitStatus")), 0);
	json_object_put(o);
	free(reply);
	free(out);
	free(path);
	free(body);
	free(token);
}
END_TEST

/* A start refused with status and exception, leaving no record. */
static void assert_start_refused(const char *body, long status, const char *exception)
{
	char *reply = NULL;

	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, &reply), status);
	assert_exception(reply, exception);
	free(reply);
	ck_assert_int_eq((int)container_manager_count(t.ctx.containers), 0);
	ck_assert_int_eq((int)container_manager_app_count(t.ctx.containers), 0);
}

START_TEST(test_start_token_refused)
{
	struct secret *other = secret_from_bytes("another secret of 32 bytes!!!!!!", 32);
	struct container_token tok;
	char *token, *body;

	/* No token, an empty one, garbage. */
	assert_start_refused("{\"launchContext\":{\"commands\":[\"true\"]}}", 401,
	                     "InvalidTokenException");
	body = nmt_start_body("", "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	body = nmt_start_body("garbage", "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);

	/* Signed with another secret. */
	memset(&tok, 0, sizeof tok);
	strcpy(tok.container_id, CID1);
	strcpy(tok.node_id, t.ctx.node_id);
	strcpy(tok.user, "alice");
	tok.resource = weft_resource(256, 1);
	tok.expiry_ms = time_now_ms() + 60000;
	tok.key_id = NMT_KEY_ID;
	token = security_container_token_sign(other, &tok);
	body = nmt_start_body(token, "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	free(token);

	/* Expired, for another node, under a key id that is not current. */
	token = nmt_token(&t, CID1, NULL, 256, time_now_ms() - 1, 0);
	body = nmt_start_body(token, "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	free(token);
	token = nmt_token(&t, CID1, "otherhost:8042", 256, 0, 0);
	body = nmt_start_body(token, "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	free(token);
	token = nmt_token(&t, CID1, NULL, 256, 0, 99);
	body = nmt_start_body(token, "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	free(token);
	/* A tampered token (one byte of the signature changed). */
	token = nmt_token(&t, CID1, NULL, 256, 0, 0);
	token[strlen(token) - 1] = token[strlen(token) - 1] == '0' ? '1' : '0';
	body = nmt_start_body(token, "true");
	assert_start_refused(body, 401, "InvalidTokenException");
	free(body);
	free(token);
	secret_free(other);
}
END_TEST

START_TEST(test_start_bad_bodies)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body;
	static const char *const bad_contexts[] = {
	        "{}",
	        "{\"commands\":[]}",
	        "{\"commands\":\"echo hi\"}",
	        "{\"commands\":[\"\"]}",
	        "{\"commands\":[7]}",
	        "{\"commands\":[\"true\"],\"environment\":{\"1BAD\":\"x\"}}",
	        "{\"commands\":[\"true\"],\"environment\":{\"OK\":1}}",
	        "{\"commands\":[\"true\"],\"environment\":[]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"../x\",\"url\":"
	        "\"http://h/x\"}]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\".hidden\",\"url\":"
	        "\"http://h/x\"}]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\",\"url\":"
	        "\"ftp://h/x\"}]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\",\"url\":"
	        "\"/ws/v1/staging/../secret\"}]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\"}]}",
	        "{\"commands\":[\"true\"],\"localResources\":[{\"name\":\"x\",\"url\":\"http://h/"
	        "x\",\"executable\":\"yes\"}]}",
	        NULL,
	};
	int i;

	assert_start_refused("{not json", 400, "BadRequestException");
	assert_start_refused("[1,2]", 400, "BadRequestException");
	assert_start_refused("{\"token\":5}", 400, "BadRequestException");
	body = xasprintf("{\"token\":\"%s\"}", token);
	assert_start_refused(body, 400, "BadRequestException");
	free(body);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":[]}", token);
	assert_start_refused(body, 400, "BadRequestException");
	free(body);
	for (i = 0; bad_contexts[i] != NULL; i++) {
		body = xasprintf("{\"token\":\"%s\",\"launchContext\":%s}", token, bad_contexts[i]);
		assert_start_refused(body, 400, "BadRequestException");
		free(body);
	}
	free(token);
}
END_TEST

START_TEST(test_start_duplicate)
{
	char *reply = NULL;
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body = nmt_start_body(token, "true");

	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, &reply), 409);
	free(reply);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	/* Still a conflict once it is done: an id runs at most once. */
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 409);
	ck_assert_int_eq((int)container_manager_count(t.ctx.containers), 1);
	free(body);
	free(token);
}
END_TEST

START_TEST(test_failure_exit_code_and_stderr)
{
	struct container *c;

	ck_assert_int_eq(nmt_start(&t, CID1, "echo oops >&2; exit 3"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_exit_status(c), 3);
	ck_assert_ptr_nonnull(strstr(container_diagnostics(c), "Exit code: 3"));
	ck_assert_ptr_nonnull(strstr(container_diagnostics(c), "oops"));
}
END_TEST

START_TEST(test_commands_joined_with_and)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body, *out, *path;

	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"echo one\","
	                 "\"false\",\"echo never\"],\"environment\":{\"GREETING\":\"hello world\","
	                 "\"CONTAINER_ID\":\"spoofed\"}}}",
	                 token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert_int_eq(container_exit_status(container_manager_find(t.ctx.containers, CID1)), 1);
	path = log_path(CID1, "stdout");
	out = nmt_read_file(path);
	ck_assert_str_eq(out, "one\n");
	free(out);
	free(path);
	free(body);
	free(token);

	/* The environment reaches the command; NM variables cannot be spoofed. */
	token = nmt_token(&t, CID2, NULL, 256, 0, 0);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"echo "
	                 "\\\"$GREETING $CONTAINER_ID\\\"\"],\"environment\":{\"GREETING\":"
	                 "\"hello world\",\"CONTAINER_ID\":\"spoofed\"}}}",
	                 token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_DONE));
	path = log_path(CID2, "stdout");
	out = nmt_read_file(path);
	ck_assert_str_eq(out, "hello world " CID2 "\n");
	free(out);
	free(path);
	free(body);
	free(token);
}
END_TEST

/* Whether no live process is left in a process group: zombies do not
 * count (re-parented ones wait for init to reap them). */
static bool group_gone(pid_t pgid)
{
	struct dirent *entry;
	char path[300], buf[512], *close_paren, state;
	long pgrp, ppid;
	bool gone = true;
	DIR *dir;
	FILE *f;

	if (kill(-pgid, 0) == -1 && errno == ESRCH)
		return true;
	dir = opendir("/proc");
	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir)) != NULL && gone) {
		if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) != NULL &&
		    (close_paren = strrchr(buf, ')')) != NULL &&
		    sscanf(close_paren + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
		    pgrp == pgid && state != 'Z' && state != 'X')
			gone = false;
		fclose(f);
	}
	closedir(dir);
	return gone;
}

/* group_gone as a wait's condition; arg points to the pgid. */
static bool group_gone_cb(void *arg)
{
	return group_gone(*(pid_t *)arg);
}

/* Whether the path in arg no longer exists. */
static bool path_gone(void *arg)
{
	return access(arg, F_OK) == -1;
}

START_TEST(test_stop_with_token_kills_group)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body, *reply = NULL;
	struct json_object *o;
	struct container *c;
	pid_t pid;

	body = nmt_start_body(token, "sleep 30 & sleep 30; wait");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	free(body);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	c = container_manager_find(t.ctx.containers, CID1);
	pid = container_pid(c);
	ck_assert_int_gt(pid, 0);
	nmt_run_for(&t, 100);
	ck_assert(!group_gone(pid));

	/* A token for another container does not stop this one. */
	{
		char *other = nmt_token(&t, CID2, NULL, 256, 0, 0);

		body = xasprintf("{\"containerId\":\"%s\",\"token\":\"%s\"}", CID1, other);
		ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", body, &reply), 401);
		assert_exception(reply, "InvalidTokenException");
		free(reply);
		free(body);
		free(other);
	}
	ck_assert_int_eq(container_get_state(c), CONTAINER_RUNNING);

	body = xasprintf("{\"containerId\":\"%s\",\"token\":\"%s\"}", CID1, token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", body, &reply), 200);
	o = parse(reply);
	ck_assert_str_eq(get_str(o, "state", NULL), "KILLING");
	json_object_put(o);
	free(reply);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_APPMASTER);
	ck_assert_ptr_nonnull(strstr(container_diagnostics(c), CONTAINER_KILLED_BY_AM));
	/* The rest of the group goes by the end of the 300 ms grace period
	 * (the shell leading it may die first). */
	ck_assert_msg(nmt_run_until(&t, group_gone_cb, &pid, NMT_WAIT_MS), "group %d lives on",
	              (int)pid);

	/* Stopping a complete container answers COMPLETE and changes nothing. */
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", body, &reply), 200);
	o = parse(reply);
	ck_assert_str_eq(get_str(o, "state", NULL), "COMPLETE");
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_APPMASTER);
	free(body);
	free(token);
}
END_TEST

START_TEST(test_stop_by_rm_and_auth)
{
	const char *headers[3];
	char *body, *sig, *auth, *reply = NULL;
	struct container *c;

	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	body = xasprintf("{\"containerId\":\"%s\"}", CID1);

	/* Neither a token nor X-Weft-Auth. */
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", body, &reply), 401);
	free(reply);
	/* A signature over another body. */
	sig = security_sign_request(t.secret, "POST", "/rpc/containers/stop", "{}", 2,
	                            time_now_ms());
	auth = xasprintf("X-Weft-Auth: %s", sig);
	headers[0] = "Content-Type: application/json";
	headers[1] = auth;
	headers[2] = NULL;
	ck_assert_int_eq(nmt_request(&t, "POST", "/rpc/containers/stop", headers, body, &reply),
	                 401);
	free(reply);
	free(sig);
	free(auth);
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_get_state(c), CONTAINER_RUNNING);

	sig = security_sign_request(t.secret, "POST", "/rpc/containers/stop", body, strlen(body),
	                            time_now_ms());
	auth = xasprintf("X-Weft-Auth: %s", sig);
	headers[1] = auth;
	ck_assert_int_eq(nmt_request(&t, "POST", "/rpc/containers/stop", headers, body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	free(sig);
	free(auth);
	free(body);

	/* Unknown containers: 404; bad ids: 400. */
	body = xasprintf("{\"containerId\":\"%s\"}", CID2);
	sig = security_sign_request(t.secret, "POST", "/rpc/containers/status", body, strlen(body),
	                            time_now_ms());
	auth = xasprintf("X-Weft-Auth: %s", sig);
	headers[1] = auth;
	ck_assert_int_eq(nmt_request(&t, "POST", "/rpc/containers/status", headers, body, &reply),
	                 404);
	assert_exception(reply, "NotFoundException");
	free(reply);
	free(sig);
	free(auth);
	free(body);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", "{\"containerId\":\"nope\"}", &reply),
	                 400);
	free(reply);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/stop", "{\"containerId\":5}", &reply), 400);
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/rpc/containers/stop", NULL, NULL, &reply), 405);
	free(reply);
}
END_TEST

START_TEST(test_sigterm_ignored_gets_sigkill)
{
	struct container *c;
	long long began;

	ck_assert_int_eq(nmt_start(&t, CID1, "trap '' TERM; while :; do sleep 1; done"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	nmt_run_for(&t, 100);
	c = container_manager_find(t.ctx.containers, CID1);
	began = testlib_now_ms();
	ck_assert(!container_manager_stop(t.ctx.containers, c, WEFT_EXIT_KILLED_BY_RESOURCEMANAGER,
	                                  "test"));
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	/* SIGKILL came after the 300 ms grace, not before. */
	ck_assert_int_ge(testlib_now_ms() - began, 250);
	ck_assert_ptr_nonnull(strstr(container_diagnostics(c), "Exit code is 137"));
}
END_TEST

/* GET /ws/v1/staging/{app}/{file} on the test server: a fake RM. */
static void staging_cb(struct http_request *req, void *arg)
{
	const char *file = http_request_param(req, 1);

	if (strcmp(file, "job.json") == 0) {
		http_reply_data(req, 200, "application/json", "{\"job\":1}", 9);
	} else if (strcmp(file, "big.bin") == 0) {
		size_t len = 3 * 1024 * 1024;
		char *data = xcalloc(1, len);

		http_reply_data(req, 200, "application/octet-stream", data, len);
		free(data);
	} else
		http_reply_error(req, 404, "NotFoundException", "no such file");
}

START_TEST(test_localization)
{
	char *token, *body, *src, *out, *path, *reply = NULL;
	struct container *c;
	struct stat st;
	FILE *f;

	/* The RM is this very server, which serves a staging file. */
	free(t.ctx.rm_url);
	t.ctx.rm_url = xasprintf("http://127.0.0.1:%d", t.ctx.port);
	http_server_route(t.srv, HTTP_M_GET, "/ws/v1/staging/{}/{}", 0, staging_cb, NULL);
	src = xasprintf("%s/tool.sh", t.dir);
	f = fopen(src, "w");
	fputs("echo tool ran\n", f);
	fclose(f);

	token = nmt_token(&t, CID1, NULL, 256, 0, 0);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"cat job.json; "
	                 "./tool.sh\"],\"localResources\":[{\"name\":\"job.json\",\"url\":"
	                 "\"/ws/v1/staging/" APP1 "/job.json\"},{\"name\":\"tool.sh\",\"url\":"
	                 "\"file://%s\",\"executable\":true}]}}",
	                 token, src);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, &reply), 200);
	free(reply);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_msg(container_exit_status(c) == 0, "%s", container_diagnostics(c));
	path = log_path(CID1, "stdout");
	out = nmt_read_file(path);
	ck_assert_str_eq(out, "{\"job\":1}tool ran\n");
	free(out);
	free(path);
	path = xasprintf("%s/tool.sh", container_work_dir(c));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(st.st_mode & S_IXUSR);
	free(path);
	free(body);
	free(token);

	/* A missing file fails the container without running it. */
	token = nmt_token(&t, CID2, NULL, 256, 0, 0);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"touch ran\"],"
	                 "\"localResources\":[{\"name\":\"job.json\",\"url\":"
	                 "\"/ws/v1/staging/" APP1 "/missing.json\"}]}}",
	                 token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID2);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_INVALID);
	ck_assert_msg(strstr(container_diagnostics(c), "localizing job.json from http://") !=
	                              NULL &&
	                      strstr(container_diagnostics(c), "failed: HTTP 404") != NULL,
	              "%s", container_diagnostics(c));
	path = xasprintf("%s/ran", container_work_dir(c));
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
	free(body);
	free(token);
	free(src);
}
END_TEST

/* A download that never finishes: the request is held, never answered. */
static void hold_cb(struct http_request *req, void *arg)
{
	http_request_defer(req, NULL, NULL);
}

START_TEST(test_stop_while_localizing)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body;
	struct container *c;

	http_server_route(t.srv, HTTP_M_GET, "/hold", 0, hold_cb, NULL);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"true\"],"
	                 "\"localResources\":[{\"name\":\"f\",\"url\":"
	                 "\"http://127.0.0.1:%d/hold\"}]}}",
	                 token, t.ctx.port);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_LOCALIZING));
	nmt_run_for(&t, 200);
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_get_state(c), CONTAINER_LOCALIZING);
	ck_assert(container_manager_stop(t.ctx.containers, c, WEFT_EXIT_KILLED_BY_APPMASTER,
	                                 CONTAINER_KILLED_BY_AM));
	ck_assert_int_eq(container_get_state(c), CONTAINER_DONE);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_APPMASTER);
	nmt_run_for(&t, 100);
	free(body);
	free(token);
}
END_TEST

START_TEST(test_rest_views)
{
	char *reply = NULL;
	struct json_object *o, *list, *item;

	ck_assert_int_eq(nmt_start(&t, CID1, "echo to-stdout; echo to-stderr >&2"), 200);
	ck_assert_int_eq(nmt_start(&t, CID3, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert(nmt_wait_state(&t, CID3, CONTAINER_RUNNING));

	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/info", NULL, NULL, &reply), 200);
	o = parse(reply);
	ck_assert_str_eq(get_str(o, "nodeInfo", "id"), t.ctx.node_id);
	ck_assert_int_eq(
	        json_object_get_int(json_object_object_get(json_object_object_get(o, "nodeInfo"),
	                                                   "totalPmemAllocatedContainersMB")),
	        4096);
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node", NULL, NULL, NULL), 200);

	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/apps", NULL, NULL, &reply), 200);
	o = parse(reply);
	list = json_object_object_get(json_object_object_get(o, "apps"), "app");
	ck_assert_int_eq((int)json_object_array_length(list), 2);
	item = json_object_array_get_idx(list, 0);
	ck_assert_str_eq(get_str(item, "id", NULL), APP1);
	ck_assert_str_eq(get_str(item, "state", NULL), "RUNNING");
	ck_assert_str_eq(get_str(item, "user", NULL), "alice");
	ck_assert_int_eq(
	        (int)json_object_array_length(json_object_object_get(item, "containerids")), 1);
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/apps?user=bob", NULL, NULL, &reply),
	                 200);
	ck_assert_ptr_nonnull(strstr(reply, "\"app\":[]"));
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/apps?state=BOGUS", NULL, NULL, NULL),
	                 400);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/apps/" APP1, NULL, NULL, NULL), 200);
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/apps/application_1_0009", NULL, NULL, NULL),
	        404);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/apps/nonsense", NULL, NULL, NULL),
	                 400);

	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containers", NULL, NULL, &reply), 200);
	o = parse(reply);
	list = json_object_object_get(json_object_object_get(o, "containers"), "container");
	ck_assert_int_eq((int)json_object_array_length(list), 2);
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containers/" CID1, NULL, NULL, &reply),
	                 200);
	o = parse(reply);
	item = json_object_object_get(o, "container");
	ck_assert_str_eq(get_str(item, "id", NULL), CID1);
	ck_assert_str_eq(get_str(item, "state", NULL), "DONE");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(item, "exitCode")), 0);
	ck_assert_str_eq(get_str(item, "user", NULL), "alice");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(item, "totalMemoryNeededMB")),
	                 256);
	ck_assert_str_eq(get_str(item, "nodeId", NULL), t.ctx.node_id);
	ck_assert_int_eq(
	        (int)json_object_array_length(json_object_object_get(item, "containerLogFiles")),
	        2);
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containers/" CID2, NULL, NULL, NULL),
	                 404);
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containers/container_x", NULL, NULL, NULL),
	        400);
	ck_assert_int_eq(nmt_request(&t, "POST", "/ws/v1/node/containers", NULL, "{}", NULL), 405);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/nothing", NULL, NULL, NULL), 404);
}
END_TEST

START_TEST(test_container_logs)
{
	char *reply = NULL, *path, *outside;
	struct json_object *o, *list;
	FILE *f;

	ck_assert_int_eq(nmt_start(&t, CID1, "printf 'line1\\nline2\\nline3\\n'"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));

	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/stdout", NULL,
	                             NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "line1\nline2\nline3\n");
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET",
	                             "/ws/v1/node/containerlogs/" CID1 "/stdout?start=-6", NULL,
	                             NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "line3\n");
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET",
	                             "/ws/v1/node/containerlogs/" CID1 "/stdout?start=6&size=6",
	                             NULL, NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "line2\n");
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET",
	                             "/ws/v1/node/containerlogs/" CID1 "/stdout?start=1000", NULL,
	                             NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "");
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET",
	                             "/ws/v1/node/containerlogs/" CID1 "/stdout?start=abc", NULL,
	                             NULL, NULL),
	                 400);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/stderr", NULL,
	                             NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "");
	free(reply);

	/* Listing, with and without a trailing slash, and the YARN 3 path. */
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/", NULL, NULL, &reply),
	        200);
	o = parse(reply);
	list = json_object_object_get(json_object_object_get(o, "containerLogsInfo"),
	                              "containerLogInfo");
	ck_assert_int_eq((int)json_object_array_length(list), 2);
	ck_assert_str_eq(get_str(json_object_array_get_idx(list, 0), "fileName", NULL), "stderr");
	ck_assert_str_eq(get_str(json_object_array_get_idx(list, 1), "fileName", NULL), "stdout");
	ck_assert_int_eq(json_object_get_int(json_object_object_get(
	                         json_object_array_get_idx(list, 1), "fileSize")),
	                 18);
	json_object_put(o);
	free(reply);
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1, NULL, NULL, NULL), 200);
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containers/" CID1 "/logs", NULL, NULL, NULL),
	        200);

	/* Escapes: bad ids, hidden names, encoded slashes, dot-dot, symlinks. */
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/x/stdout", NULL, NULL, &reply),
	        400);
	assert_exception(reply, "BadRequestException");
	free(reply);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/.hidden", NULL,
	                             NULL, NULL),
	                 400);
	ck_assert_int_ge(nmt_request(&t, "GET",
	                             "/ws/v1/node/containerlogs/" CID1 "/..%2F..%2Fsecret", NULL,
	                             NULL, NULL),
	                 400);
	/* (curl squashes the dot-dot itself: whatever arrives is refused.) */
	{
		long status = nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/../stdout",
		                          NULL, NULL, NULL);

		ck_assert(status == 400 || status == 404);
	}
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/nope", NULL, NULL, NULL),
	        404);
	outside = xasprintf("%s/outside", t.dir);
	f = fopen(outside, "w");
	fputs("secret\n", f);
	fclose(f);
	path = log_path(CID1, "link");
	ck_assert_int_eq(symlink(outside, path), 0);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/link", NULL,
	                             NULL, &reply),
	                 404);
	ck_assert_ptr_null(strstr(reply, "secret"));
	free(reply);
	free(path);
	/* A directory in the log dir is not a log file either. */
	path = log_path(CID1, "subdir");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/subdir", NULL,
	                             NULL, NULL),
	                 404);
	free(path);
	free(outside);

	/* Unknown container with no logs on disk. */
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID2, NULL, NULL, NULL), 404);
}
END_TEST

START_TEST(test_app_cleanup_keeps_logs)
{
	char *app_dir, *reply = NULL;
	struct application *a;

	ck_assert_int_eq(nmt_start(&t, CID1, "echo done-output"), 200);
	ck_assert_int_eq(nmt_start(&t, CID2, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_RUNNING));
	app_dir = launcher_app_cache_dir(t.ctx.local_dirs[1], "alice", APP1);
	ck_assert_int_eq(access(app_dir, F_OK), 0);

	container_manager_ack(t.ctx.containers, CID1);
	container_manager_cleanup_app(t.ctx.containers, APP1);
	a = container_manager_find_app(t.ctx.containers, APP1);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(application_get_state(a), APPLICATION_FINISHING_CONTAINERS_WAIT);
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_DONE));
	ck_assert_int_eq(container_exit_status(container_manager_find(t.ctx.containers, CID2)),
	                 WEFT_EXIT_KILLED_AFTER_APP_COMPLETION);
	/* Directories go; the acknowledged record goes; the other stays until
	 * the RM acknowledges it, then the application goes too. */
	ck_assert(nmt_run_until(&t, path_gone, app_dir, NMT_WAIT_MS));
	ck_assert_ptr_null(container_manager_find(t.ctx.containers, CID1));
	ck_assert_ptr_nonnull(container_manager_find(t.ctx.containers, CID2));
	container_manager_ack(t.ctx.containers, CID2);
	ck_assert_ptr_null(container_manager_find(t.ctx.containers, CID2));
	ck_assert_ptr_null(container_manager_find_app(t.ctx.containers, APP1));
	free(app_dir);

	/* The logs are still served from disk. */
	ck_assert_int_eq(nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1 "/stdout", NULL,
	                             NULL, &reply),
	                 200);
	ck_assert_str_eq(reply, "done-output\n");
	free(reply);
	ck_assert_int_eq(
	        nmt_request(&t, "GET", "/ws/v1/node/containerlogs/" CID1, NULL, NULL, NULL), 200);
}
END_TEST

START_TEST(test_pid_file)
{
	char *app_dir, *pid_path, *text, *expected;
	struct container *c;
	struct stat st;

	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	c = container_manager_find(t.ctx.containers, CID1);
	/* YARN's nmPrivate/<app>/<container>/<container>.pid, in the local
	 * dir the application uses, private to the NM. */
	app_dir = launcher_private_app_dir(&t.ctx, APP1);
	ck_assert_ptr_nonnull(strstr(app_dir, "/nmPrivate/" APP1));
	pid_path = xasprintf("%s/%s/%s.pid", app_dir, CID1, CID1);
	text = nmt_read_file(pid_path);
	ck_assert_ptr_nonnull(text);
	expected = xasprintf("%ld\n", (long)container_pid(c));
	ck_assert_str_eq(text, expected);
	ck_assert_int_eq(stat(app_dir, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(stat(pid_path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	/* Gone when the container ends, and the app's dir with the app. */
	container_manager_cleanup_app(t.ctx.containers, APP1);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	ck_assert_int_eq(access(pid_path, F_OK), -1);
	ck_assert(nmt_run_until(&t, path_gone, app_dir, NMT_WAIT_MS));
	free(expected);
	free(text);
	free(pid_path);
	free(app_dir);
}
END_TEST

START_TEST(test_debug_delay_keeps_dirs)
{
	char *app_dir;
	long long began;

	ck_assert_int_eq(nmt_start(&t, CID1, "true"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	app_dir = launcher_app_cache_dir(t.ctx.local_dirs[0], "alice", APP1);
	began = testlib_now_ms();
	container_manager_cleanup_app(t.ctx.containers, APP1);
	ck_assert_int_eq(access(app_dir, F_OK), 0);
	/* The directories go, but not before the 1 s debug delay (less the
	 * slack of libevent's coarse clock). */
	ck_assert(nmt_run_until(&t, path_gone, app_dir, NMT_WAIT_MS));
	ck_assert_int_ge(testlib_now_ms() - began, 900);
	free(app_dir);
}
END_TEST

static int stopped_calls;

static void stopped_cb(void *arg)
{
	stopped_calls++;
}

static bool stopped(void *arg)
{
	return stopped_calls > 0;
}

START_TEST(test_stop_all_and_refuse_starts)
{
	pid_t pid;

	ck_assert_int_eq(nmt_start(&t, CID1, "exec sleep 30"), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_RUNNING));
	pid = container_pid(container_manager_find(t.ctx.containers, CID1));
	container_manager_stop_all(t.ctx.containers, WEFT_EXIT_ABORTED,
	                           CONTAINER_KILLED_ON_SHUTDOWN, stopped_cb, NULL);
	ck_assert(nmt_run_until(&t, stopped, NULL, NMT_WAIT_MS));
	ck_assert_int_eq(stopped_calls, 1);
	ck_assert(group_gone(pid));
	ck_assert_int_eq(container_exit_status(container_manager_find(t.ctx.containers, CID1)),
	                 WEFT_EXIT_ABORTED);
	ck_assert_int_eq(nmt_start(&t, CID2, "true"), 503);
}
END_TEST

START_TEST(test_monitor_kills_over_memory)
{
	char *token, *body;
	struct container *c;

	t.ctx.monitor = monitor_new(&t.ctx);
	/* 1 MB granted: a shell and a sleep already use more. */
	token = nmt_token(&t, CID1, NULL, 1, 0, 0);
	body = nmt_start_body(token, "sleep 30");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_EXCEEDED_PMEM);
	ck_assert_msg(strstr(container_diagnostics(c), "is running beyond physical memory "
	                                               "limits. Current usage: ") != NULL,
	              "%s", container_diagnostics(c));
	ck_assert_ptr_nonnull(strstr(container_diagnostics(c), "of 1 MB physical memory used. "
	                                                       "Killing container."));
	free(body);
	free(token);

	/* Enough memory: left alone. */
	token = nmt_token(&t, CID2, NULL, 1024, 0, 0);
	body = nmt_start_body(token, "sleep 30");
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID2, CONTAINER_RUNNING));
	nmt_run_for(&t, 400);
	ck_assert_int_eq(container_get_state(container_manager_find(t.ctx.containers, CID2)),
	                 CONTAINER_RUNNING);
	monitor_free(t.ctx.monitor);
	t.ctx.monitor = NULL;
	free(body);
	free(token);
}
END_TEST

START_TEST(test_localizer_size_cap)
{
	char *token = nmt_token(&t, CID1, NULL, 256, 0, 0), *body, *path;
	struct container *c;

	free(t.ctx.rm_url);
	t.ctx.rm_url = xasprintf("http://127.0.0.1:%d", t.ctx.port);
	http_server_route(t.srv, HTTP_M_GET, "/ws/v1/staging/{}/{}", 0, staging_cb, NULL);
	body = xasprintf("{\"token\":\"%s\",\"launchContext\":{\"commands\":[\"touch ran\"],"
	                 "\"localResources\":[{\"name\":\"big.bin\",\"url\":"
	                 "\"/ws/v1/staging/" APP1 "/big.bin\"}]}}",
	                 token);
	ck_assert_int_eq(nmt_post(&t, "/rpc/containers/start", body, NULL), 200);
	ck_assert(nmt_wait_state(&t, CID1, CONTAINER_DONE));
	c = container_manager_find(t.ctx.containers, CID1);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_INVALID);
	ck_assert_msg(strstr(container_diagnostics(c), "localizing big.bin from") != NULL, "%s",
	              container_diagnostics(c));
	path = xasprintf("%s/ran", container_work_dir(c));
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
	path = xasprintf("%s/big.bin", container_work_dir(c));
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
	free(body);
	free(token);
}
END_TEST

static Suite *nm_api_suite(void)
{
	Suite *s = suite_create("nm_api");
	TCase *tc = tcase_create("api");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_start_runs_echo);
	tcase_add_test(tc, test_start_token_refused);
	tcase_add_test(tc, test_start_bad_bodies);
	tcase_add_test(tc, test_start_duplicate);
	tcase_add_test(tc, test_failure_exit_code_and_stderr);
	tcase_add_test(tc, test_commands_joined_with_and);
	tcase_add_test(tc, test_stop_with_token_kills_group);
	tcase_add_test(tc, test_stop_by_rm_and_auth);
	tcase_add_test(tc, test_sigterm_ignored_gets_sigkill);
	tcase_add_test(tc, test_localization);
	tcase_add_test(tc, test_stop_while_localizing);
	tcase_add_test(tc, test_rest_views);
	tcase_add_test(tc, test_container_logs);
	tcase_add_test(tc, test_app_cleanup_keeps_logs);
	tcase_add_test(tc, test_pid_file);
	tcase_add_test(tc, test_stop_all_and_refuse_starts);
	suite_add_tcase(s, tc);

	tc = tcase_create("debug delay");
	tcase_add_checked_fixture(tc, setup_debug_delay, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_debug_delay_keeps_dirs);
	suite_add_tcase(s, tc);

	tc = tcase_create("localizer cap");
	tcase_add_checked_fixture(tc, setup_small_files, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_localizer_size_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("monitor");
	tcase_add_checked_fixture(tc, setup_fast_monitor, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_monitor_kills_over_memory);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nm_api_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
