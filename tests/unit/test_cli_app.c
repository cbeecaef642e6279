/*
 * test_cli_app.c — `weft app list|status|kill` and `weft node list`
 * against a fake RM.  weft's calls block (libweft's blocking client), so
 * the fake RM (an http_server on 127.0.0.1:0) runs its loop in a forked
 * child; the test kills that child, by pid, when it is done.  The fake
 * answers a wait at once, as an RM that cannot hold it.
 */
#include "weft_config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_app.h"
#include "cli/cli_args.h"
#include "cli/cli_node.h"
#include "cli/rest.h"
#include "common/http_server.h"
#include "common/xmalloc.h"
#include "weft/rm_client.h"

#define APP_RUNNING "application_1700000000000_0001"
#define APP_DONE    "application_1700000000000_0002"
#define APP_UNKNOWN "application_1700000000000_0099"

/* The fake RM's state (in the child). */
static const char *fake_running_state = "RUNNING";
static int fake_polls_after_kill = -1;

/* YARN's 404 for an unknown application. */
static void fake_not_found(struct http_request *req, const char *id)
{
	http_reply_error(req, 404, "NotFoundException", "app with id: %s not found", id);
}

/* The state of a known app, or NULL. */
static const char *fake_state_of(const char *id)
{
	if (strcmp(id, APP_RUNNING) == 0) {
		/* After a kill, report KILLED on the second look. */
		if (fake_polls_after_kill >= 0 && ++fake_polls_after_kill >= 2)
			fake_running_state = "KILLED";
		return fake_running_state;
	}
	if (strcmp(id, APP_DONE) == 0)
		return "FINISHED";
	return NULL;
}

/* GET /ws/v1/cluster/apps: echo the filters in the one app's name. */
static void fake_apps(struct http_request *req, void *arg)
{
	const char *states = http_request_query(req, "states");
	const char *queue = http_request_query(req, "queue");
	const char *user = http_request_query(req, "user");
	char *name = xasprintf("states=%s queue=%s user=%s", states ? states : "-",
	                       queue ? queue : "-", user ? user : "-");
	struct json_object *root = json_object_new_object(), *apps = json_object_new_object();
	struct json_object *list = json_object_new_array(), *app = json_object_new_object();

	json_object_object_add(app, "id", json_object_new_string(APP_RUNNING));
	json_object_object_add(app, "name", json_object_new_string(name));
	json_object_object_add(app, "state", json_object_new_string("RUNNING"));
	json_object_array_add(list, app);
	json_object_object_add(apps, "app", list);
	json_object_object_add(root, "apps", apps);
	free(name);
	http_reply_json(req, 200, root);
}

/* GET /ws/v1/cluster/apps/{id} */
static void fake_app(struct http_request *req, void *arg)
{
	const char *id = http_request_param(req, 0);
	const char *state = fake_state_of(id);
	struct json_object *root, *app;

	if (state == NULL) {
		fake_not_found(req, id);
		return;
	}
	root = json_object_new_object();
	app = json_object_new_object();
	json_object_object_add(app, "id", json_object_new_string(id));
	json_object_object_add(app, "state", json_object_new_string(state));
	json_object_object_add(
	        app, "finalStatus",
	        json_object_new_string(strcmp(state, "FINISHED") == 0 ? "SUCCEEDED" : "UNDEFINED"));
	json_object_object_add(root, "app", app);
	http_reply_json(req, 200, root);
}

/* GET/PUT /ws/v1/cluster/apps/{id}/state */
static void fake_app_state(struct http_request *req, void *arg)
{
	const char *id = http_request_param(req, 0);
	const char *state = fake_state_of(id);
	struct json_object *root, *body, *want;

	if (state == NULL) {
		fake_not_found(req, id);
		return;
	}
	if (http_request_method(req) == HTTP_M_PUT) {
		body = http_request_json(req);
		if (body == NULL)
			return;
		if (!json_object_object_get_ex(body, "state", &want) ||
		    strcmp(json_object_get_string(want), "KILLED") != 0 ||
		    http_request_query(req, "user.name") == NULL) {
			json_object_put(body);
			http_reply_error(req, 400, "BadRequestException", "bad kill");
			return;
		}
		json_object_put(body);
		fake_polls_after_kill = 0;
		root = json_object_new_object();
		json_object_object_add(root, "state", json_object_new_string(state));
		http_reply_json(req, 202, root);
		return;
	}
	root = json_object_new_object();
	json_object_object_add(root, "state", json_object_new_string(state));
	http_reply_json(req, 200, root);
}

/* GET /ws/v1/cluster/nodes: one RUNNING node, one LOST. */
static void fake_nodes(struct http_request *req, void *arg)
{
	static const char text[] =
	        "{\"nodes\":{\"node\":[{\"id\":\"h1:8042\",\"state\":\"RUNNING\","
	        "\"nodeHTTPAddress\":\"h1:8042\",\"numContainers\":1},"
	        "{\"id\":\"h2:8042\",\"state\":\"LOST\",\"nodeHTTPAddress\":\"h2:8042\"}]}}";

	http_reply_json(req, 200, json_tokener_parse(text));
}

static pid_t fake_pid;
static char fake_url[64];
static struct event_base *fake_base;
static struct http_server *fake_srv;

/* Start the fake RM in a child process. */
static void fake_start(void)
{
	struct event_base *base = fake_base = event_base_new();
	struct http_server *srv = fake_srv = http_server_new(base, 65536);
	char *cause = NULL;

	ck_assert_int_eq(http_server_bind(srv, "127.0.0.1:0", &cause), 0);
	http_server_route(srv, HTTP_M_GET | HTTP_M_PUT, "/ws/v1/cluster/apps/{}/state", 0,
	                  fake_app_state, NULL);
	http_server_route(srv, HTTP_M_GET, "/ws/v1/cluster/apps/{}", 0, fake_app, NULL);
	http_server_route(srv, HTTP_M_GET, "/ws/v1/cluster/apps", 0, fake_apps, NULL);
	http_server_route(srv, HTTP_M_GET, "/ws/v1/cluster/nodes", 0, fake_nodes, NULL);
	snprintf(fake_url, sizeof fake_url, "http://127.0.0.1:%d", http_server_port(srv));
	fake_pid = fork();
	ck_assert_int_ge(fake_pid, 0);
	if (fake_pid == 0) {
		event_reinit(base);
		event_base_dispatch(base);
		_exit(0);
	}
	/* The parent never accepts on the listener it shares. */
}

/* Stop the child we started. */
static void fake_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
	http_server_free(fake_srv);
	event_base_free(fake_base);
}

/* Capture what a command wrote (caller frees). */
static void collect(FILE *out, FILE *err, char **out_text, char **err_text)
{
	FILE *files[2] = {out, err};
	char **texts[2] = {out_text, err_text};

	for (int i = 0; i < 2; i++) {
		long n;
		fflush(files[i]);
		n = ftell(files[i]);
		*texts[i] = xcalloc(1, (size_t)n + 1);
		rewind(files[i]);
		ck_assert_uint_eq(fread(*texts[i], 1, (size_t)n, files[i]), (size_t)n);
		fclose(files[i]);
	}
}

/* A blocking client of base as weft makes one (user from $USER); a short
 * retry bound so an unreachable RM fails fast. */
static struct weft_client *client_of(const char *base)
{
	struct weft_client_options o = {.rm_addresses = base, .retry_ms = 500};
	char *user = rest_user_name();
	struct weft_client *c;

	o.user = user;
	c = weft_client_new_blocking(&o, NULL);
	ck_assert_ptr_nonnull(c);
	free(user);
	return c;
}

/* Run an `app` command with args; out and err text come back. */
static int run(int (*fn)(const struct cli_args *, struct weft_rm_client *, FILE *, FILE *),
               const struct cli_args *args, const char *base, char **out_text, char **err_text)
{
	FILE *out = tmpfile(), *err = tmpfile();
	struct weft_client *c = client_of(base);
	struct weft_rm_client *rm = weft_rm_client_new(c);
	int rc = fn(args, rm, out, err);

	weft_rm_client_free(rm);
	weft_client_free(c);
	collect(out, err, out_text, err_text);
	return rc;
}

/* The same for a plain command (`node list`). */
static int run_plain(int (*fn)(const struct cli_args *, struct weft_client *, FILE *, FILE *),
                     const struct cli_args *args, const char *base, char **out_text,
                     char **err_text)
{
	FILE *out = tmpfile(), *err = tmpfile();
	struct weft_client *c = client_of(base);
	int rc = fn(args, c, out, err);

	weft_client_free(c);
	collect(out, err, out_text, err_text);
	return rc;
}

START_TEST(list_passes_filters)
{
	struct cli_args a;
	char *out, *err;

	setenv("USER", "tester", 1);
	memset(&a, 0, sizeof a);
	a.command = CLI_APP_LIST;
	a.states = xstrdup("RUNNING,ACCEPTED");
	a.queue = "my q";
	a.user = "alice";
	ck_assert_int_eq(run(cli_app_list, &a, fake_url, &out, &err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(strstr(out, "Total number of applications: 1"));
	ck_assert_ptr_nonnull(strstr(out, "states=RUNNING,ACCEPTED queue=my q user=alice"));
	free(out);
	free(err);

	a.output = CLI_OUTPUT_JSON;
	ck_assert_int_eq(run(cli_app_list, &a, fake_url, &out, &err), 0);
	struct json_object *parsed = json_tokener_parse(out);
	ck_assert_ptr_nonnull(parsed);
	ck_assert(json_object_object_get_ex(parsed, "apps", NULL));
	json_object_put(parsed);
	free(out);
	free(err);
	free(a.states);
}
END_TEST

START_TEST(status_known_and_unknown)
{
	struct cli_args a;
	char *out, *err;

	memset(&a, 0, sizeof a);
	a.command = CLI_APP_STATUS;
	a.app_id = APP_DONE;
	ck_assert_int_eq(run(cli_app_status, &a, fake_url, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "\tState : FINISHED\n"));
	ck_assert_ptr_nonnull(strstr(out, "\tFinal-State : SUCCEEDED\n"));
	free(out);
	free(err);

	a.app_id = APP_UNKNOWN;
	ck_assert_int_eq(run(cli_app_status, &a, fake_url, &out, &err), 1);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "weft: app with id: " APP_UNKNOWN " not found\n");
	free(out);
	free(err);
}
END_TEST

START_TEST(kill_running_waits_for_killed)
{
	struct cli_args a;
	char *out, *err;

	setenv("USER", "tester", 1);
	memset(&a, 0, sizeof a);
	a.command = CLI_APP_KILL;
	a.app_id = APP_RUNNING;
	ck_assert_int_eq(run(cli_app_kill, &a, fake_url, &out, &err), 0);
	ck_assert_str_eq(out, "Killed application " APP_RUNNING "\n");
	ck_assert_str_eq(err, "Killing application " APP_RUNNING "\n");
	free(out);
	free(err);
	/* Now it is final: a second kill says so and succeeds. */
	ck_assert_int_eq(run(cli_app_kill, &a, fake_url, &out, &err), 0);
	ck_assert_str_eq(out, "Application " APP_RUNNING " has already finished (KILLED)\n");
	free(out);
	free(err);
}
END_TEST

START_TEST(kill_final_and_unknown)
{
	struct cli_args a;
	char *out, *err;

	memset(&a, 0, sizeof a);
	a.command = CLI_APP_KILL;
	a.app_id = APP_DONE;
	a.output = CLI_OUTPUT_JSON;
	ck_assert_int_eq(run(cli_app_kill, &a, fake_url, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"alreadyFinal\":true"));
	ck_assert_ptr_nonnull(strstr(out, "\"state\":\"FINISHED\""));
	free(out);
	free(err);

	a.app_id = APP_UNKNOWN;
	a.output = CLI_OUTPUT_TABLE;
	ck_assert_int_eq(run(cli_app_kill, &a, fake_url, &out, &err), 1);
	ck_assert_ptr_nonnull(strstr(err, "not found"));
	free(out);
	free(err);
}
END_TEST

START_TEST(nodes_filtered)
{
	struct cli_args a;
	char *out, *err;
	struct json_object *parsed, *nodes, *node;

	memset(&a, 0, sizeof a);
	a.command = CLI_NODE_LIST;
	ck_assert_int_eq(run_plain(cli_node_list, &a, fake_url, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "Total Nodes: 1\n"));
	ck_assert_ptr_null(strstr(out, "h2:8042"));
	free(out);
	free(err);

	a.output = CLI_OUTPUT_JSON;
	ck_assert_int_eq(run_plain(cli_node_list, &a, fake_url, &out, &err), 0);
	parsed = json_tokener_parse(out);
	ck_assert(json_object_object_get_ex(parsed, "nodes", &nodes));
	ck_assert(json_object_object_get_ex(nodes, "node", &node));
	ck_assert_uint_eq(json_object_array_length(node), 1);
	json_object_put(parsed);
	free(out);
	free(err);

	a.all = true;
	ck_assert_int_eq(run_plain(cli_node_list, &a, fake_url, &out, &err), 0);
	parsed = json_tokener_parse(out);
	ck_assert(json_object_object_get_ex(parsed, "nodes", &nodes));
	ck_assert(json_object_object_get_ex(nodes, "node", &node));
	ck_assert_uint_eq(json_object_array_length(node), 2);
	json_object_put(parsed);
	free(out);
	free(err);
}
END_TEST

START_TEST(unreachable_rm)
{
	struct cli_args a;
	char *out, *err;
	/* A port nobody listens on: bind one, note it, close it. */
	struct event_base *base = event_base_new();
	struct http_server *srv = http_server_new(base, 1024);
	char url[64];

	ck_assert_int_eq(http_server_bind(srv, "127.0.0.1:0", NULL), 0);
	snprintf(url, sizeof url, "http://127.0.0.1:%d", http_server_port(srv));
	http_server_free(srv);
	event_base_free(base);

	memset(&a, 0, sizeof a);
	a.command = CLI_NODE_LIST;
	ck_assert_int_eq(run_plain(cli_node_list, &a, url, &out, &err), 1);
	ck_assert_msg(strncmp(err, "weft: cannot reach the resource manager at ", 43) == 0, "%s",
	              err);
	ck_assert_ptr_nonnull(strstr(err, url));
	free(out);
	free(err);
}
END_TEST

static Suite *cli_app_suite(void)
{
	Suite *s = suite_create("cli_app");
	TCase *tc = tcase_create("fake_rm");

	tcase_add_checked_fixture(tc, fake_start, fake_stop);
	tcase_add_test(tc, list_passes_filters);
	tcase_add_test(tc, status_known_and_unknown);
	tcase_add_test(tc, kill_running_waits_for_killed);
	tcase_add_test(tc, kill_final_and_unknown);
	tcase_add_test(tc, nodes_filtered);
	tcase_add_test(tc, unreachable_rm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_app_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
