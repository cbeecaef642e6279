/*
 * nm_test_util.h — an in-process node manager for the NM's unit tests.
 *
 * nmt_setup() builds what weft-nm's main builds, minus the status
 * updater: a configuration with local and log dirs in a fresh temporary
 * directory, a test secret, the HTTP server on 127.0.0.1:0 with the
 * container API and the REST routes, and container-token key id 7.
 * Requests go through the asynchronous client on the same loop, and every
 * wait runs the loop under a deadline, so a broken NM fails a test instead
 * of hanging it.
 */
#ifndef WEFT_NM_TEST_UTIL_H
#define WEFT_NM_TEST_UTIL_H

#include <check.h>
#include <event2/event.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/http_client.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/proc.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "nm/container_manager.h"
#include "nm/dirs.h"
#include "nm/node.h"
#include "nm/webapp.h"
#include "testlib.h"

#define NMT_UNUSED  __attribute__((unused))
#define NMT_WAIT_MS TESTLIB_WAIT_MS
#define NMT_KEY_ID  7
#define NMT_SECRET  "0123456789abcdef0123456789abcdef"

struct nmt {
	char dir[256];
	struct event_base *base;
	struct config *cfg;
	struct secret *secret;
	struct nm_context ctx;
	struct http_server *srv;
};

/* Build the in-process NM; extra is a NULL-terminated list of
 * "key=value" settings applied after the test defaults. */
static NMT_UNUSED void nmt_setup(struct nmt *t, const char *const *extra)
{
	char *cause = NULL, *value;
	int64_t key = NMT_KEY_ID;

	memset(t, 0, sizeof *t);
	log_open("test", getenv("NMT_DEBUG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN, NULL);
	testlib_mkdtemp_into(t->dir, sizeof t->dir, "nm");
	t->cfg = config_new();
	value = xasprintf("%s/local1,%s/local2", t->dir, t->dir);
	ck_assert_int_eq(config_set(t->cfg, "nm.local-dirs", value, &cause), 0);
	free(value);
	value = xasprintf("%s/logs", t->dir);
	ck_assert_int_eq(config_set(t->cfg, "nm.log-dirs", value, &cause), 0);
	free(value);
	ck_assert_int_eq(config_set(t->cfg, "nm.address", "127.0.0.1:0", &cause), 0);
	ck_assert_int_eq(config_set(t->cfg, "rm.address", "127.0.0.1:1", &cause), 0);
	ck_assert_int_eq(config_set(t->cfg, "nm.sleep-delay-before-sigkill-ms", "300", &cause), 0);
	ck_assert_int_eq(config_set(t->cfg, "nm.resource.memory-mb", "4096", &cause), 0);
	ck_assert_int_eq(config_set(t->cfg, "nm.resource.vcores", "4", &cause), 0);
	ck_assert_int_eq(config_set(t->cfg, "nm.libexec-dir", "/opt/weft/libexec", &cause), 0);
	for (; extra != NULL && *extra != NULL; extra++) {
		if (config_set_arg(t->cfg, *extra, &cause) != 0)
			ck_abort_msg("%s: %s", *extra, cause);
	}
	t->secret = secret_from_bytes(NMT_SECRET, strlen(NMT_SECRET));
	t->base = event_base_new();
	ck_assert_ptr_nonnull(t->base);
	proc_init(t->base);
	if (node_init(&t->ctx, t->cfg, t->base, &cause) != 0)
		ck_abort_msg("node_init: %s", cause);
	t->ctx.secret = t->secret;
	t->ctx.http = http_client_new(t->base);
	t->srv = http_server_new(t->base, 1024 * 1024);
	if (http_server_bind(t->srv, "127.0.0.1:0", &cause) != 0)
		ck_abort_msg("bind: %s", cause);
	node_set_port(&t->ctx, http_server_port(t->srv));
	t->ctx.containers = container_manager_new(&t->ctx);
	container_manager_routes(t->ctx.containers, t->srv);
	webapp_routes(&t->ctx, t->srv);
	container_manager_set_key_ids(t->ctx.containers, &key, 1);
}

/* Run the loop until cond(arg) holds or ms pass.  RET whether it held. */
static NMT_UNUSED bool nmt_run_until(struct nmt *t, bool (*cond)(void *), void *arg, int ms)
{
	return testlib_loop_until(t->base, cond, arg, ms);
}

/* Run the loop for ms (only for what must not happen). */
static NMT_UNUSED void nmt_run_for(struct nmt *t, int ms)
{
	testlib_run_for(t->base, ms);
}

struct nmt_reply {
	bool done;
	long status;
	char *body;
};

static void nmt_reply_cb(const struct http_response *resp, void *arg)
{
	struct nmt_reply *r = arg;

	r->done = true;
	r->status = resp->status;
	r->body = xstrdup(resp->body != NULL ? resp->body : "");
}

static bool nmt_reply_done(void *arg)
{
	return ((struct nmt_reply *)arg)->done;
}

/* One request to the in-process NM.  RET the status; *body (if not NULL)
 * gets the answer's body (caller frees). */
static NMT_UNUSED long nmt_request(struct nmt *t, const char *method, const char *path,
                                   const char *const *headers, const char *body, char **out)
{
	struct nmt_reply r = {false, 0, NULL};
	char *url = xasprintf("http://127.0.0.1:%d%s", t->ctx.port, path);

	http_client_request(t->ctx.http, method, url, headers, body,
	                    body != NULL ? strlen(body) : 0, 10000, nmt_reply_cb, &r);
	free(url);
	ck_assert_msg(nmt_run_until(t, nmt_reply_done, &r, NMT_WAIT_MS), "%s %s: no answer", method,
	              path);
	if (out != NULL)
		*out = r.body;
	else
		free(r.body);
	return r.status;
}

/* POST a JSON text. */
static NMT_UNUSED long nmt_post(struct nmt *t, const char *path, const char *body, char **out)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};

	return nmt_request(t, "POST", path, headers, body, out);
}

/* A container token for this NM, signed with the test secret. */
static NMT_UNUSED char *nmt_token(struct nmt *t, const char *container_id, const char *node_id,
                                  int64_t memory_mb, int64_t expiry_ms, int64_t key_id)
{
	struct container_token tok;

	memset(&tok, 0, sizeof tok);
	snprintf(tok.container_id, sizeof tok.container_id, "%s", container_id);
	snprintf(tok.node_id, sizeof tok.node_id, "%s", node_id != NULL ? node_id : t->ctx.node_id);
	snprintf(tok.user, sizeof tok.user, "alice");
	tok.resource = weft_resource(memory_mb, 1);
	tok.expiry_ms = expiry_ms != 0 ? expiry_ms : time_now_ms() + 60000;
	tok.key_id = key_id != 0 ? key_id : NMT_KEY_ID;
	return security_container_token_sign(t->secret, &tok);
}

/* A start body for one shell command (no files). */
static NMT_UNUSED char *nmt_start_body(const char *token, const char *command)
{
	struct json_object *body = json_object_new_object(), *lc = json_object_new_object();
	struct json_object *commands = json_object_new_array();
	char *text;

	json_object_array_add(commands, json_object_new_string(command));
	json_object_object_add(lc, "commands", commands);
	json_object_object_add(body, "token", json_object_new_string(token));
	json_object_object_add(body, "launchContext", lc);
	text = xstrdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	return text;
}

/* Start a container running command.  RET the HTTP status. */
static NMT_UNUSED long nmt_start(struct nmt *t, const char *container_id, const char *command)
{
	char *token = nmt_token(t, container_id, NULL, 256, 0, 0);
	char *body = nmt_start_body(token, command);
	long status = nmt_post(t, "/rpc/containers/start", body, NULL);

	free(token);
	free(body);
	return status;
}

struct nmt_wait {
	struct nmt *t;
	const char *id;
	enum container_state state;
};

static bool nmt_container_in_state(void *arg)
{
	struct nmt_wait *w = arg;
	struct container *c = container_manager_find(w->t->ctx.containers, w->id);

	return c != NULL && container_get_state(c) == w->state;
}

/* Wait for a container to reach a state. */
static NMT_UNUSED bool nmt_wait_state(struct nmt *t, const char *id, enum container_state state)
{
	struct nmt_wait w = {t, id, state};

	return nmt_run_until(t, nmt_container_in_state, &w, NMT_WAIT_MS);
}

/* Read a whole small file (caller frees); NULL when missing. */
static NMT_UNUSED char *nmt_read_file(const char *path)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return xstrdup(buf);
}

static bool nmt_no_live(void *arg)
{
	return container_manager_live_count(arg) == 0;
}

/* Stop whatever still runs and free everything. */
static NMT_UNUSED void nmt_teardown(struct nmt *t)
{
	size_t i;

	for (i = 0; i < container_manager_count(t->ctx.containers); i++) {
		struct container *c = container_manager_at(t->ctx.containers, i);

		if (container_pid(c) > 0)
			kill(-container_pid(c), SIGKILL);
	}
	nmt_run_until(t, nmt_no_live, t->ctx.containers, NMT_WAIT_MS);
	container_manager_free(t->ctx.containers);
	http_server_free(t->srv);
	http_client_free(t->ctx.http);
	node_free(&t->ctx);
	config_free(t->cfg);
	secret_free(t->secret);
	event_base_free(t->base);
	testlib_rmtree(t->dir);
}

#endif
