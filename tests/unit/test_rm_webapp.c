/*
 * test_rm_webapp.c — the RM's HTTP surface in-process: weft-rm's own HTTP
 * server on 127.0.0.1:0 and the http_client on the same loop.  YARN's
 * REST shapes (cluster info, metrics, nodes, apps, attempts, state,
 * new-application, submission with 202 + Location), list filters, the
 * internal NM and AM endpoints with their authentication, staging, and
 * every kind of bad input: malformed JSON, wrong types, missing fields,
 * unknown ids, bad methods, oversized bodies, path escapes, half-sent
 * requests.
 */
#include "weft_config.h"

#include <arpa/inet.h>
#include <check.h>
#include <dirent.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/container_tokens.h"
#include "rm/rm.h"
#include "test_rm_support.h"
#include "testlib.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* --- helpers --- */

static struct test_response get(struct rm_fixture *fx, const char *path)
{
	return fixture_call(fx, "GET", path, NULL, NULL, 0);
}

static struct test_response send_json(struct rm_fixture *fx, const char *method, const char *path,
                                      const char *body)
{
	const char *headers[] = {"Content-Type: application/json", NULL};

	return fixture_call(fx, method, path, headers, body, strlen(body));
}

/* Assert a 4xx/5xx with YARN's RemoteException body; RET its message. */
static void assert_remote(struct test_response *r, long status, const char *exception,
                          const char *message_part)
{
	ck_assert_msg(r->status == status, "status %ld, wanted %ld: %s", r->status, status,
	              r->body);
	ck_assert_ptr_nonnull(r->json);
	ck_assert_str_eq(jstr(r->json, "RemoteException.exception"), exception);
	ck_assert_ptr_nonnull(jstr(r->json, "RemoteException.javaClassName"));
	if (message_part != NULL)
		ck_assert_msg(strstr(jstr(r->json, "RemoteException.message"), message_part) !=
		                      NULL,
		              "message '%s' lacks '%s'", jstr(r->json, "RemoteException.message"),
		              message_part);
}

static void expect_remote(struct rm_fixture *fx, const char *method, const char *path,
                          const char *body, long status, const char *exception, const char *part)
{
	struct test_response r = body != NULL ? send_json(fx, method, path, body)
	                                      : fixture_call(fx, method, path, NULL, NULL, 0);

	assert_remote(&r, status, exception, part);
	test_response_clear(&r);
}

/* POST new-application; RET the id in id. */
static void new_app(struct rm_fixture *fx, char *id)
{
	struct test_response r =
	        fixture_call(fx, "POST", "/ws/v1/cluster/apps/new-application", NULL, NULL, 0);

	ck_assert_int_eq(r.status, 200);
	snprintf(id, WEFT_ID_MAX, "%s", jstr(r.json, "application-id"));
	test_response_clear(&r);
}

/* A submission body for id (extra members may be NULL). */
static char *submission_text(const char *id, const char *extra)
{
	return xasprintf(
	        "{\"application-id\":\"%s\",\"application-name\":\"word count\","
	        "\"queue\":\"default\",\"application-type\":\"WEFT\","
	        "\"application-tags\":{\"tag\":[\"t1\",\"t2\"]},"
	        "\"resource\":{\"memory\":512,\"vCores\":1},\"am-container-spec\":{"
	        "\"commands\":{\"command\":\"echo hi\"},\"environment\":{\"entry\":"
	        "[{\"key\":\"X\",\"value\":\"y\"}]},\"local-resources\":{\"entry\":[]}}%s%s}",
	        id, extra != NULL ? "," : "", extra != NULL ? extra : "");
}

/* POST /ws/v1/cluster/apps for a fresh id; RET the status. */
static long submit(struct rm_fixture *fx, char *id, const char *query)
{
	char *text, *path;
	struct test_response r;
	long status;

	new_app(fx, id);
	text = submission_text(id, NULL);
	path = xasprintf("/ws/v1/cluster/apps%s", query != NULL ? query : "");
	r = send_json(fx, "POST", path, text);
	status = r.status;
	ck_assert_msg(r.body[0] == '\0', "202 carries no body: %s", r.body);
	test_response_clear(&r);
	free(text);
	free(path);
	return status;
}

/* Number of apps a list query returns (0 for {"apps":null}). */
static int count_apps(struct rm_fixture *fx, const char *query)
{
	char *path = xasprintf("/ws/v1/cluster/apps%s", query);
	struct test_response r = get(fx, path);
	struct json_object *apps;
	int n;

	ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
	apps = jpath(r.json, "apps");
	n = apps == NULL ? 0 : (int)json_object_array_length(jpath(apps, "app"));
	ck_assert(json_object_object_get_ex(r.json, "apps", NULL));
	test_response_clear(&r);
	free(path);
	return n;
}

/* --- a raw libevent client, for response headers (Location) --- */

struct raw_call {
	bool done;
	int status;
	char *location;
};

static void raw_call_cb(struct evhttp_request *req, void *arg)
{
	struct raw_call *c = arg;
	const char *loc;

	c->done = true;
	if (req == NULL)
		return;
	c->status = evhttp_request_get_response_code(req);
	loc = evhttp_find_header(evhttp_request_get_input_headers(req), "Location");
	c->location = loc != NULL ? xstrdup(loc) : NULL;
}

static bool raw_done(void *arg)
{
	return ((struct raw_call *)arg)->done;
}

static struct raw_call raw_post(struct rm_fixture *fx, enum evhttp_cmd_type cmd, const char *path,
                                const char *body)
{
	struct evhttp_connection *conn = evhttp_connection_base_new(fx->base, NULL, "127.0.0.1",
	                                                            (unsigned short)fx->rm->port);
	struct raw_call c = {0};
	struct evhttp_request *req = evhttp_request_new(raw_call_cb, &c);

	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "rmhost:8088");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	evhttp_make_request(conn, req, cmd, path);
	ck_assert(fixture_run_until(fx, raw_done, &c, TESTLIB_WAIT_MS));
	evhttp_connection_free(conn);
	return c;
}

/* --- tests --- */

START_TEST(test_cluster_info_and_metrics)
{
	struct rm_fixture *fx = fixture_new(NULL);
	static const char *const metrics[] = {
	        "appsSubmitted",
	        "appsCompleted",
	        "appsPending",
	        "appsRunning",
	        "appsFailed",
	        "appsKilled",
	        "reservedMB",
	        "availableMB",
	        "allocatedMB",
	        "totalMB",
	        "reservedVirtualCores",
	        "availableVirtualCores",
	        "allocatedVirtualCores",
	        "totalVirtualCores",
	        "containersAllocated",
	        "containersReserved",
	        "containersPending",
	        "totalNodes",
	        "activeNodes",
	        "lostNodes",
	        "unhealthyNodes",
	        "decommissionedNodes",
	        "rebootedNodes",
	        "shutdownNodes",
	        NULL,
	};
	struct test_response r;

	r = get(fx, "/ws/v1/cluster");
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(jint(r.json, "clusterInfo.id"), fx->rm->cluster_ts);
	ck_assert_int_eq(jint(r.json, "clusterInfo.startedOn"), fx->rm->cluster_ts);
	ck_assert_str_eq(jstr(r.json, "clusterInfo.state"), "STARTED");
	ck_assert_str_eq(jstr(r.json, "clusterInfo.haState"), "ACTIVE");
	ck_assert_str_eq(jstr(r.json, "clusterInfo.resourceManagerVersion"), WEFT_VERSION_STRING);
	ck_assert_ptr_nonnull(jstr(r.json, "clusterInfo.hadoopVersion"));
	test_response_clear(&r);
	r = get(fx, "/ws/v1/cluster/info/");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "clusterInfo.state"), "STARTED");
	test_response_clear(&r);

	r = get(fx, "/ws/v1/cluster/metrics");
	ck_assert_int_eq(r.status, 200);
	for (int i = 0; metrics[i] != NULL; i++) {
		struct json_object *v = jpath(jpath(r.json, "clusterMetrics"), metrics[i]);

		ck_assert_msg(v != NULL && json_object_is_type(v, json_type_int), "%s", metrics[i]);
	}
	test_response_clear(&r);

	/* YARN writes empty collections as null. */
	r = get(fx, "/ws/v1/cluster/apps");
	ck_assert_str_eq(r.body, "{\"apps\":null}");
	test_response_clear(&r);
	r = get(fx, "/ws/v1/cluster/nodes");
	ck_assert_str_eq(r.body, "{\"nodes\":null}");
	test_response_clear(&r);
	fixture_free(fx);
}
END_TEST

START_TEST(test_nodes_over_http)
{
	struct rm_fixture *fx = fixture_new(NULL);
	const char *body =
	        "{\"nodeId\":\"nm1.example:8042\",\"httpAddress\":\"nm1.example:8042\","
	        "\"rack\":\"/r1\",\"memoryMB\":4096,\"vcores\":4,\"version\":\"" WEFT_VERSION_STRING
	        "\","
	        "\"containers\":[]}";
	char *auth = fixture_nm_header(fx, "/rpc/node/register", body);
	const char *headers[] = {auth, NULL};
	const char *bad_headers[] = {"X-Weft-Auth: 1:00", NULL};
	char *other = NULL, *hb, *hb_auth;
	const char *hb_headers[2];
	struct test_response r;

	/* Unsigned and badly signed: 401 with a RemoteException. */
	expect_remote(fx, "POST", "/rpc/node/register", body, 401, "AuthenticationException",
	              "X-Weft-Auth");
	r = fixture_call(fx, "POST", "/rpc/node/register", bad_headers, body, strlen(body));
	assert_remote(&r, 401, "AuthenticationException", NULL);
	test_response_clear(&r);
	/* Signed over another body: refused. */
	other = fixture_nm_header(fx, "/rpc/node/register", "{}");
	headers[0] = other;
	r = fixture_call(fx, "POST", "/rpc/node/register", headers, body, strlen(body));
	assert_remote(&r, 401, "AuthenticationException", "signature");
	test_response_clear(&r);

	headers[0] = auth;
	r = fixture_call(fx, "POST", "/rpc/node/register", headers, body, strlen(body));
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(jint(r.json, "clusterTimestamp"), fx->rm->cluster_ts);
	ck_assert(json_object_is_type(jpath(r.json, "containerKeyIds"), json_type_array));
	ck_assert_int_gt(jint(r.json, "heartbeatIntervalMs"), 0);
	test_response_clear(&r);

	r = get(fx, "/ws/v1/cluster/nodes");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.id"), "nm1.example:8042");
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.state"), "RUNNING");
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.rack"), "/r1");
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.nodeHostName"), "nm1.example");
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.nodeHTTPAddress"), "nm1.example:8042");
	ck_assert_int_eq(jint(r.json, "nodes.node.0.availMemoryMB"), 4096);
	ck_assert_int_eq(jint(r.json, "nodes.node.0.usedMemoryMB"), 0);
	ck_assert_int_eq(jint(r.json, "nodes.node.0.availableVirtualCores"), 4);
	ck_assert_int_eq(jint(r.json, "nodes.node.0.numContainers"), 0);
	ck_assert_int_gt(jint(r.json, "nodes.node.0.lastHealthUpdate"), 0);
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.version"), WEFT_VERSION_STRING);
	ck_assert_ptr_nonnull(jstr(r.json, "nodes.node.0.healthReport"));
	test_response_clear(&r);
	r = get(fx, "/ws/v1/cluster/nodes/nm1.example:8042");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "node.id"), "nm1.example:8042");
	test_response_clear(&r);
	ck_assert_int_eq(count_apps(fx, ""), 0);
	r = get(fx, "/ws/v1/cluster/nodes?states=LOST");
	ck_assert_str_eq(r.body, "{\"nodes\":null}");
	test_response_clear(&r);
	r = get(fx, "/ws/v1/cluster/nodes?states=lost,running");
	ck_assert_str_eq(jstr(r.json, "nodes.node.0.state"), "RUNNING");
	test_response_clear(&r);
	expect_remote(fx, "GET", "/ws/v1/cluster/nodes?states=BOGUS", NULL, 400,
	              "BadRequestException", "BOGUS");
	expect_remote(fx, "GET", "/ws/v1/cluster/nodes/nope:1", NULL, 404, "NotFoundException",
	              "nope:1");
	r = get(fx, "/ws/v1/cluster/metrics");
	ck_assert_int_eq(jint(r.json, "clusterMetrics.totalMB"), 4096);
	ck_assert_int_eq(jint(r.json, "clusterMetrics.activeNodes"), 1);
	ck_assert_int_eq(jint(r.json, "clusterMetrics.totalNodes"), 1);
	test_response_clear(&r);

	/* The container-token key rolls: heartbeats carry [current, previous]. */
	{
		int64_t before = container_tokens_current(fx->rm->tokens);
		char *beat = xstrdup("{\"nodeId\":\"nm1.example:8042\",\"responseId\":0,"
		                     "\"containers\":[],\"healthy\":true}");
		char *sig = fixture_nm_header(fx, "/rpc/node/heartbeat", beat);
		const char *h[] = {sig, NULL};

		container_tokens_roll(fx->rm->tokens);
		r = fixture_call(fx, "POST", "/rpc/node/heartbeat", h, beat, strlen(beat));
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(jstr(r.json, "action"), "NORMAL");
		ck_assert_int_eq(jint(r.json, "responseId"), 1);
		ck_assert_int_eq(json_object_array_length(jpath(r.json, "containerKeyIds")), 2);
		ck_assert_int_eq(jint(r.json, "containerKeyIds.0"), before + 1);
		ck_assert_int_eq(jint(r.json, "containerKeyIds.1"), before);
		test_response_clear(&r);
		free(beat);
		free(sig);
	}

	/* A heartbeat with wrong types: 400 naming the field. */
	hb = xstrdup("{\"nodeId\":\"nm1.example:8042\",\"responseId\":\"1\"}");
	hb_auth = fixture_nm_header(fx, "/rpc/node/heartbeat", hb);
	hb_headers[0] = hb_auth;
	hb_headers[1] = NULL;
	r = fixture_call(fx, "POST", "/rpc/node/heartbeat", hb_headers, hb, strlen(hb));
	assert_remote(&r, 400, "BadRequestException", "responseId");
	test_response_clear(&r);
	free(hb);
	free(hb_auth);
	/* A register with a missing field, signed: 400. */
	hb = xstrdup("{\"nodeId\":\"nm1.example:8042\",\"httpAddress\":\"x:1\",\"vcores\":1}");
	hb_auth = fixture_nm_header(fx, "/rpc/node/register", hb);
	hb_headers[0] = hb_auth;
	r = fixture_call(fx, "POST", "/rpc/node/register", hb_headers, hb, strlen(hb));
	assert_remote(&r, 400, "BadRequestException", "memoryMB: missing");
	test_response_clear(&r);
	free(hb);
	free(hb_auth);
	free(auth);
	free(other);
	fixture_free(fx);
}
END_TEST

START_TEST(test_submission_flow)
{
	struct rm_fixture *fx = fixture_new(NULL);
	static const char *const app_fields[] = {
	        "id",
	        "user",
	        "name",
	        "queue",
	        "state",
	        "finalStatus",
	        "progress",
	        "trackingUI",
	        "trackingUrl",
	        "diagnostics",
	        "clusterId",
	        "applicationType",
	        "applicationTags",
	        "priority",
	        "startedTime",
	        "launchTime",
	        "finishedTime",
	        "elapsedTime",
	        "allocatedMB",
	        "allocatedVCores",
	        "runningContainers",
	        "memorySeconds",
	        "vcoreSeconds",
	        "queueUsagePercentage",
	        "clusterUsagePercentage",
	        "unmanagedApplication",
	        "amNodeLabelExpression",
	        NULL,
	};
	char id[WEFT_ID_MAX], *path, *path0, *text, *want;
	struct test_response r;
	struct raw_call c;

	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps/new-application", NULL, NULL, 0);
	ck_assert_int_eq(r.status, 200);
	snprintf(id, sizeof id, "%s", jstr(r.json, "application-id"));
	ck_assert_int_eq(jint(r.json, "maximum-resource-capability.memory"), 8192);
	ck_assert_int_eq(jint(r.json, "maximum-resource-capability.vCores"), 4);
	test_response_clear(&r);
	{
		weft_app_id_t parsed;

		ck_assert_int_eq(weft_app_id_parse(id, &parsed), 0);
		ck_assert_int_eq(parsed.cluster_ts, fx->rm->cluster_ts);
	}

	/* The submission answers 202 with a Location and no body. */
	text = submission_text(id, NULL);
	c = raw_post(fx, EVHTTP_REQ_POST, "/ws/v1/cluster/apps?user.name=alice", text);
	free(text);
	ck_assert_int_eq(c.status, 202);
	want = xasprintf("http://rmhost:8088/ws/v1/cluster/apps/%s", id);
	ck_assert_str_eq(c.location, want);
	free(want);
	free(c.location);

	path = xasprintf("/ws/v1/cluster/apps/%s", id);
	r = get(fx, path);
	ck_assert_int_eq(r.status, 200);
	for (int i = 0; app_fields[i] != NULL; i++)
		ck_assert_msg(jpath(jpath(r.json, "app"), app_fields[i]) != NULL, "app.%s missing",
		              app_fields[i]);
	ck_assert_str_eq(jstr(r.json, "app.id"), id);
	ck_assert_str_eq(jstr(r.json, "app.user"), "alice");
	ck_assert_str_eq(jstr(r.json, "app.name"), "word count");
	ck_assert_str_eq(jstr(r.json, "app.queue"), "default");
	ck_assert_str_eq(jstr(r.json, "app.state"), "ACCEPTED");
	ck_assert_str_eq(jstr(r.json, "app.finalStatus"), "UNDEFINED");
	ck_assert_str_eq(jstr(r.json, "app.applicationType"), "WEFT");
	ck_assert_str_eq(jstr(r.json, "app.applicationTags"), "t1,t2");
	ck_assert_str_eq(jstr(r.json, "app.trackingUI"), "UNASSIGNED");
	ck_assert_int_eq(jint(r.json, "app.clusterId"), fx->rm->cluster_ts);
	ck_assert_int_eq(jint(r.json, "app.finishedTime"), 0);
	ck_assert(
	        json_object_is_type(jpath(r.json, "app.unmanagedApplication"), json_type_boolean));
	test_response_clear(&r);
	free(path);

	path = xasprintf("/ws/v1/cluster/apps/%s/state", id);
	r = get(fx, path);
	ck_assert_str_eq(r.body, "{\"state\":\"ACCEPTED\"}");
	test_response_clear(&r);
	free(path);

	path = xasprintf("/ws/v1/cluster/apps/%s/appattempts", id);
	r = get(fx, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(jint(r.json, "appAttempts.appAttempt.0.id"), 1);
	ck_assert_ptr_nonnull(
	        strstr(jstr(r.json, "appAttempts.appAttempt.0.appAttemptId"), "appattempt_"));
	ck_assert_str_eq(jstr(r.json, "appAttempts.appAttempt.0.appAttemptState"), "SCHEDULED");
	ck_assert_str_eq(jstr(r.json, "appAttempts.appAttempt.0.containerId"), "");
	ck_assert_ptr_nonnull(jpath(r.json, "appAttempts.appAttempt.0.startTime"));
	ck_assert_ptr_nonnull(jpath(r.json, "appAttempts.appAttempt.0.logsLink"));
	ck_assert_ptr_nonnull(jpath(r.json, "appAttempts.appAttempt.0.blacklistedNodes"));
	test_response_clear(&r);
	free(path);

	/* Kill: 202 with the state, then 200 once final. */
	path = xasprintf("/ws/v1/cluster/apps/%s/state", id);
	expect_remote(fx, "PUT", path, "{\"state\":\"RUNNING\"}", 400, "BadRequestException",
	              "Only 'KILLED'");
	expect_remote(fx, "PUT", path, "{\"state\":7}", 400, "BadRequestException", "state");
	r = send_json(fx, "PUT", path, "{\"state\":\"KILLED\"}");
	ck_assert_int_eq(r.status, 202);
	ck_assert_str_eq(r.body, "{\"state\":\"KILLED\"}");
	test_response_clear(&r);
	r = send_json(fx, "PUT", path, "{\"state\":\"KILLED\"}");
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"state\":\"KILLED\"}");
	test_response_clear(&r);
	free(path);
	path = xasprintf("/ws/v1/cluster/apps/%s", id);
	path0 = xstrdup(path);
	r = get(fx, path);
	ck_assert_str_eq(jstr(r.json, "app.state"), "KILLED");
	ck_assert_str_eq(jstr(r.json, "app.finalStatus"), "KILLED");
	ck_assert_str_eq(jstr(r.json, "app.trackingUI"), "History");
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "app.diagnostics"), "killed by user dr.who"));
	test_response_clear(&r);
	free(path);
	/* The same submission again (a client retrying a lost answer) is
	 * answered as the first was and changes nothing... */
	text = submission_text(id, NULL);
	r = send_json(fx, "POST", "/ws/v1/cluster/apps?user.name=alice", text);
	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(text);
	r = get(fx, path0);
	ck_assert_str_eq(jstr(r.json, "app.state"), "KILLED");
	test_response_clear(&r);
	/* ...but the id cannot be submitted twice with another body. */
	text = submission_text(id, "\"priority\":3");
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "already submitted");
	free(text);
	free(path0);
	fixture_free(fx);
}
END_TEST

START_TEST(test_list_filters)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char a1[WEFT_ID_MAX], a2[WEFT_ID_MAX], *path, *q;
	struct test_response r;

	ck_assert_int_eq(submit(fx, a1, "?user.name=alice"), 202);
	ck_assert_int_eq(submit(fx, a2, "?user.name=bob"), 202);
	path = xasprintf("/ws/v1/cluster/apps/%s/state", a2);
	r = send_json(fx, "PUT", path, "{\"state\":\"KILLED\"}");
	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(path);

	ck_assert_int_eq(count_apps(fx, ""), 2);
	ck_assert_int_eq(count_apps(fx, "?states=KILLED"), 1);
	ck_assert_int_eq(count_apps(fx, "?states=accepted,%20killed"), 2);
	ck_assert_int_eq(count_apps(fx, "?state=ACCEPTED"), 1);
	ck_assert_int_eq(count_apps(fx, "?states=RUNNING"), 0);
	ck_assert_int_eq(count_apps(fx, "?finalStatus=KILLED"), 1);
	ck_assert_int_eq(count_apps(fx, "?finalStatus=UNDEFINED"), 1);
	ck_assert_int_eq(count_apps(fx, "?user=alice"), 1);
	ck_assert_int_eq(count_apps(fx, "?user=carol"), 0);
	ck_assert_int_eq(count_apps(fx, "?queue=default"), 2);
	ck_assert_int_eq(count_apps(fx, "?queue=other"), 0);
	ck_assert_int_eq(count_apps(fx, "?limit=1"), 1);
	ck_assert_int_eq(count_apps(fx, "?applicationTypes=weft,yarn"), 2);
	ck_assert_int_eq(count_apps(fx, "?applicationTypes=MAPREDUCE"), 0);
	ck_assert_int_eq(count_apps(fx, "?applicationTags=t2"), 2);
	ck_assert_int_eq(count_apps(fx, "?applicationTags=zz"), 0);
	ck_assert_int_eq(count_apps(fx, "?finishedTimeBegin=1"), 1);
	q = xasprintf("?startedTimeBegin=%lld", (long long)time_now_ms() + 100000);
	ck_assert_int_eq(count_apps(fx, q), 0);
	free(q);
	q = xasprintf("?startedTimeBegin=0&startedTimeEnd=%lld", (long long)time_now_ms());
	ck_assert_int_eq(count_apps(fx, q), 2);
	free(q);
	r = get(fx, "/ws/v1/cluster/apps?states=killed");
	ck_assert_str_eq(jstr(r.json, "apps.app.0.id"), a2);
	ck_assert_str_eq(jstr(r.json, "apps.app.0.user"), "bob");
	test_response_clear(&r);

	expect_remote(fx, "GET", "/ws/v1/cluster/apps?states=BOGUS", NULL, 400,
	              "BadRequestException", "Invalid application-state BOGUS");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?state=nope", NULL, 400, "BadRequestException",
	              "nope");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?finalStatus=GREAT", NULL, 400,
	              "BadRequestException", "GREAT");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?limit=0", NULL, 400, "BadRequestException",
	              "limit");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?limit=abc", NULL, 400, "BadRequestException",
	              "limit");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?limit=-3", NULL, 400, "BadRequestException",
	              "limit");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?startedTimeBegin=x", NULL, 400,
	              "BadRequestException", "startedTimeBegin");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?startedTimeBegin=10&startedTimeEnd=5", NULL,
	              400, "BadRequestException", "startedTimeEnd");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps?finishedTimeEnd=99999999999999999999", NULL,
	              400, "BadRequestException", "finishedTimeEnd");
	fixture_free(fx);
}
END_TEST

START_TEST(test_bad_submissions)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX], *text;
	struct test_response r;
	struct app_metrics m;

	new_app(fx, id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", "{", 400, "BadRequestException", NULL);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", "[1,2]", 400, "BadRequestException", NULL);
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps", NULL, NULL, 0);
	assert_remote(&r, 400, "BadRequestException", NULL);
	test_response_clear(&r);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps",
	              "{\"application-id\":5,\"am-container-spec\":{}}", 400, "BadRequestException",
	              "application-id: expected a string");
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", "{\"application-id\":\"x\"}", 400,
	              "BadRequestException", "not an application id");
	text = xasprintf("{\"application-id\":\"%s\"}", id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "am-container-spec: missing");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"am-container-spec\":{\"commands\":"
	                 "{\"command\":7}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "am-container-spec.commands.command");
	free(text);
	text = submission_text(id, "\"priority\":\"high\"");
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "priority: expected an integer");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"am-container-spec\":{\"commands\":"
	                 "{\"command\":\"x\"},\"environment\":{\"entry\":[{\"key\":1,"
	                 "\"value\":\"v\"}]}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "am-container-spec.environment.entry[0].key");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"am-container-spec\":{\"commands\":"
	                 "{\"command\":\"x\"},\"local-resources\":{\"entry\":[{\"key\":"
	                 "\"../etc\",\"value\":{\"resource\":\"http://x/y\"}}]}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "not a valid file name");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"am-container-spec\":{\"commands\":"
	                 "{\"command\":\"x\"},\"local-resources\":{\"entry\":{\"key\":"
	                 "\"f\",\"value\":{\"resource\":\"ftp://x/y\"}}}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "ftp://");
	free(text);
	text = submission_text(id, "\"unmanaged-AM\":true");
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "unmanaged");
	free(text);
	text = submission_text(id, "\"max-app-attempts\":0");
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "max-app-attempts");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"queue\":\"prod\",\"am-container-spec\":"
	                 "{\"commands\":{\"command\":\"x\"}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "'prod'");
	free(text);
	text = xasprintf("{\"application-id\":\"%s\",\"resource\":{\"memory\":16384,\"vCores\":1},"
	                 "\"am-container-spec\":{\"commands\":{\"command\":\"x\"}}}",
	                 id);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400,
	              "InvalidResourceRequestException", "maximum");
	free(text);
	text = submission_text("application_1_0009", NULL);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps", text, 400, "BadRequestException",
	              "not handed out");
	free(text);
	text = submission_text(id, NULL);
	expect_remote(fx, "POST", "/ws/v1/cluster/apps?user.name=a/b", text, 400,
	              "BadRequestException", "user.name");
	free(text);
	/* Nothing was half-applied: the id is still free and works now. */
	app_manager_metrics(fx->rm->apps, &m);
	ck_assert_int_eq(m.submitted, 0);
	ck_assert_int_eq(count_apps(fx, ""), 0);
	text = submission_text(id, NULL);
	r = send_json(fx, "POST", "/ws/v1/cluster/apps?user.name=alice", text);
	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(text);
	fixture_free(fx);
}
END_TEST

START_TEST(test_unknown_ids_methods_paths)
{
	struct rm_fixture *fx = fixture_new(NULL);

	expect_remote(fx, "GET", "/ws/v1/cluster/apps/application_1_0001", NULL, 404,
	              "NotFoundException", "application_1_0001");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/garbage", NULL, 400, "BadRequestException",
	              "garbage");
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/application_1_0001/state", NULL, 404,
	              "NotFoundException", NULL);
	expect_remote(fx, "PUT", "/ws/v1/cluster/apps/application_1_0001/state",
	              "{\"state\":\"KILLED\"}", 404, "NotFoundException", NULL);
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/x/appattempts", NULL, 400,
	              "BadRequestException", NULL);
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/application_1_0001/appattempts", NULL, 404,
	              "NotFoundException", NULL);
	expect_remote(fx, "DELETE", "/ws/v1/cluster/apps", NULL, 405, "WebApplicationException",
	              NULL);
	expect_remote(fx, "PUT", "/ws/v1/cluster/metrics", "{}", 405, "WebApplicationException",
	              NULL);
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/new-application", NULL, 405,
	              "WebApplicationException", NULL);
	expect_remote(fx, "GET", "/rpc/am/allocate", NULL, 405, "WebApplicationException", NULL);
	expect_remote(fx, "GET", "/ws/v1/nope", NULL, 404, "NotFoundException", NULL);
	expect_remote(fx, "GET", "/ws/v1/cluster/apps/a/b/c/d", NULL, 404, "NotFoundException",
	              NULL);
	fixture_free(fx);
}
END_TEST

START_TEST(test_oversized_bodies)
{
	const char *defines[] = {"rm.staging.max-file-mb=1", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	size_t big = 2 * 1024 * 1024;
	char *blob = xmalloc(big + 1), id[WEFT_ID_MAX], *path;
	struct test_response r;

	memset(blob, 'x', big);
	blob[big] = '\0';
	r = fixture_call(fx, "POST", "/ws/v1/cluster/apps", NULL, blob, big);
	ck_assert_int_eq(r.status, 413);
	ck_assert_ptr_nonnull(jstr(r.json, "RemoteException.message"));
	test_response_clear(&r);
	new_app(fx, id);
	path = xasprintf("/ws/v1/staging/%s/big.bin", id);
	r = fixture_call(fx, "PUT", path, NULL, blob, big);
	ck_assert_int_eq(r.status, 413);
	test_response_clear(&r);
	/* The RM still answers. */
	r = get(fx, "/ws/v1/cluster/info");
	ck_assert_int_eq(r.status, 200);
	test_response_clear(&r);
	free(path);
	free(blob);
	fixture_free(fx);
}
END_TEST

START_TEST(test_staging)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX], *path, *dir;
	struct test_response r;
	struct stat sb;

	new_app(fx, id);
	/* Files may be staged before the submission, with the handed-out id. */
	path = xasprintf("/ws/v1/staging/%s/job.json", id);
	r = fixture_call(fx, "PUT", path, NULL, "{\"a\":1}", 7);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq(jint(r.json, "size"), 7);
	ck_assert_str_eq(jstr(r.json, "url"), path);
	test_response_clear(&r);
	r = get(fx, path);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"a\":1}");
	test_response_clear(&r);
	free(path);

	/* Escapes and bad names never reach the file system. */
	path = xasprintf("/ws/v1/staging/%s/..%%2Fsecret", id);
	r = fixture_call(fx, "PUT", path, NULL, "x", 1);
	ck_assert_int_ge(r.status, 400);
	ck_assert_int_lt(r.status, 500);
	ck_assert_ptr_nonnull(jpath(r.json, "RemoteException"));
	test_response_clear(&r);
	r = get(fx, path);
	ck_assert_int_ge(r.status, 400);
	ck_assert_int_lt(r.status, 500);
	test_response_clear(&r);
	free(path);
	path = xasprintf("/ws/v1/staging/%s/..", id);
	r = fixture_call(fx, "PUT", path, NULL, "x", 1);
	ck_assert_int_ge(r.status, 400);
	ck_assert_int_lt(r.status, 500);
	test_response_clear(&r);
	free(path);
	path = xasprintf("/ws/v1/staging/%s/.hidden", id);
	r = fixture_call(fx, "PUT", path, NULL, "x", 1);
	assert_remote(&r, 400, "BadRequestException", "not a valid staging file name");
	test_response_clear(&r);
	free(path);
	path = xasprintf("/ws/v1/staging/%s/a%%20b", id);
	r = fixture_call(fx, "PUT", path, NULL, "x", 1);
	assert_remote(&r, 400, "BadRequestException", NULL);
	test_response_clear(&r);
	free(path);
	r = fixture_call(fx, "PUT", "/ws/v1/staging/..%2F..%2Ftmp/x", NULL, "x", 1);
	ck_assert_int_ge(r.status, 400);
	ck_assert_int_lt(r.status, 500);
	test_response_clear(&r);
	expect_remote(fx, "GET", "/ws/v1/staging/notanid/x", NULL, 400, "BadRequestException",
	              NULL);
	expect_remote(fx, "GET", "/ws/v1/staging/application_1_0001/x", NULL, 404,
	              "NotFoundException", NULL);
	path = xasprintf("/ws/v1/staging/%s/missing", id);
	expect_remote(fx, "GET", path, NULL, 404, "NotFoundException", NULL);
	free(path);
	expect_remote(fx, "POST", "/ws/v1/staging/application_1_0001/x", "{}", 405,
	              "WebApplicationException", NULL);

	/* DELETE one file. */
	path = xasprintf("/ws/v1/staging/%s/tmp.txt", id);
	r = fixture_call(fx, "PUT", path, NULL, "", 0);
	ck_assert_int_eq(r.status, 201);
	test_response_clear(&r);
	r = fixture_call(fx, "DELETE", path, NULL, NULL, 0);
	ck_assert_int_eq(r.status, 200);
	test_response_clear(&r);
	expect_remote(fx, "GET", path, NULL, 404, "NotFoundException", NULL);
	free(path);

	/* Submit, kill: the staging directory goes, uploads are refused. */
	{
		char *text = submission_text(id, NULL), *state;

		r = send_json(fx, "POST", "/ws/v1/cluster/apps", text);
		ck_assert_int_eq(r.status, 202);
		test_response_clear(&r);
		free(text);
		dir = xasprintf("%s/staging/%s", fx->dir, id);
		ck_assert_int_eq(stat(dir, &sb), 0);
		state = xasprintf("/ws/v1/cluster/apps/%s/state", id);
		r = send_json(fx, "PUT", state, "{\"state\":\"KILLED\"}");
		ck_assert_int_eq(r.status, 202);
		test_response_clear(&r);
		free(state);
		ck_assert_int_eq(stat(dir, &sb), -1);
		free(dir);
	}
	path = xasprintf("/ws/v1/staging/%s/late.txt", id);
	expect_remote(fx, "PUT", path, "x", 400, "BadRequestException", "finished");
	free(path);
	fixture_free(fx);
}
END_TEST

/* POST new-application as user; RET the status (id filled on 200). */
static long new_app_as(struct rm_fixture *fx, const char *user, char *id, struct test_response *out)
{
	char *path = xasprintf("/ws/v1/cluster/apps/new-application%s%s",
	                       user != NULL ? "?user.name=" : "", user != NULL ? user : "");
	struct test_response r = fixture_call(fx, "POST", path, NULL, NULL, 0);
	long status = r.status;

	if (status == 200)
		snprintf(id, WEFT_ID_MAX, "%s", jstr(r.json, "application-id"));
	if (out != NULL)
		*out = r;
	else
		test_response_clear(&r);
	free(path);
	return status;
}

/* Submit id as user; RET the status. */
static long submit_as(struct rm_fixture *fx, const char *user, const char *id)
{
	char *text = submission_text(id, NULL);
	char *path = xasprintf("/ws/v1/cluster/apps?user.name=%s", user);
	struct test_response r = send_json(fx, "POST", path, text);
	long status = r.status;

	test_response_clear(&r);
	free(path);
	free(text);
	return status;
}

START_TEST(test_reserved_ids_per_user)
{
	const char *defines[] = {"rm.max-reserved-apps-per-user=3", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	char ids[3][WEFT_ID_MAX], id[WEFT_ID_MAX];
	struct test_response r;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(new_app_as(fx, "alice", ids[i], NULL), 200);
	/* The fourth is refused, saying which cap and key. */
	ck_assert_int_eq(new_app_as(fx, "alice", id, &r), 403);
	assert_remote(&r, 403, "ForbiddenException", "rm.max-reserved-apps-per-user (3)");
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "RemoteException.message"), "user alice"));
	test_response_clear(&r);
	/* Others are not affected: bob, and the anonymous dr.who. */
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(new_app_as(fx, "bob", id, NULL), 200);
		ck_assert_int_eq(new_app_as(fx, NULL, id, NULL), 200);
	}
	ck_assert_int_eq(new_app_as(fx, "bob", id, NULL), 403);
	ck_assert_int_eq(new_app_as(fx, NULL, id, &r), 403);
	assert_remote(&r, 403, "ForbiddenException", "user dr.who");
	test_response_clear(&r);
	/* A submitted id no longer counts: alice may ask for one more. */
	ck_assert_int_eq(submit_as(fx, "alice", ids[0]), 202);
	ck_assert_int_eq(new_app_as(fx, "alice", id, NULL), 200);
	ck_assert_int_eq(new_app_as(fx, "alice", id, NULL), 403);
	/* A refused id was never handed out: the next one follows on. */
	ck_assert_int_eq(submit_as(fx, "alice", id), 202);
	fixture_free(fx);
}
END_TEST

/* PUT n bytes to app_id/name as user; RET the response (caller clears). */
static struct test_response put_as(struct rm_fixture *fx, const char *user, const char *app_id,
                                   const char *name, size_t n)
{
	char *blob = xmalloc(n + 1);
	char *path = xasprintf("/ws/v1/staging/%s/%s?user.name=%s", app_id, name, user);
	struct test_response r;

	memset(blob, 'x', n);
	r = fixture_call(fx, "PUT", path, NULL, blob, n);
	free(path);
	free(blob);
	return r;
}

static long put_status(struct rm_fixture *fx, const char *user, const char *app_id,
                       const char *name, size_t n)
{
	struct test_response r = put_as(fx, user, app_id, name, n);
	long status = r.status;

	ck_assert_msg(status == 201 || status == 403, "PUT %s/%s: %ld %s", app_id, name, status,
	              r.body);
	test_response_clear(&r);
	return status;
}

START_TEST(test_reserved_ids_expire_at_cap)
{
	const char *defines[] = {"rm.max-reserved-apps-per-user=2",
	                         "rm.reserved-apps.expiry-ms=1000", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	char first[WEFT_ID_MAX], second[WEFT_ID_MAX], id[WEFT_ID_MAX], *path;
	struct test_response r;
	long status = 403;

	ck_assert_int_eq(new_app_as(fx, "alice", first, NULL), 200);
	ck_assert_int_eq(put_status(fx, "alice", first, "job.json", 10), 201);
	ck_assert_int_eq(new_app_as(fx, "alice", second, NULL), 200);
	ck_assert_int_eq(new_app_as(fx, "alice", id, &r), 403);
	assert_remote(&r, 403, "ForbiddenException", "rm.reserved-apps.expiry-ms");
	test_response_clear(&r);
	/* A client that died holding ids does not lock its user out: once
	 * the oldest is old enough, it is let go for a new one. */
	for (int i = 0; i < TESTLIB_WAIT_MS / 100 && status == 403; i++) {
		fixture_run_for(fx, 100);
		status = new_app_as(fx, "alice", id, NULL);
	}
	ck_assert_int_eq(status, 200);
	path = xasprintf("/ws/v1/staging/%s/job.json", first);
	expect_remote(fx, "GET", path, NULL, 404, "NotFoundException", NULL);
	free(path);
	ck_assert_int_eq(submit_as(fx, "alice", first), 400);
	ck_assert_int_eq(submit_as(fx, "alice", second), 202);
	fixture_free(fx);
}
END_TEST

/* Names in dir (a missing directory: 0). */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

START_TEST(test_staged_bytes_per_user)
{
	const char *defines[] = {"rm.staging.max-mb-per-user=1", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	const size_t mib = 1024 * 1024;
	char a1[WEFT_ID_MAX], a2[WEFT_ID_MAX], b1[WEFT_ID_MAX], *path, *dir;
	struct test_response r;

	ck_assert_int_eq(new_app_as(fx, "alice", a1, NULL), 200);
	ck_assert_int_eq(new_app_as(fx, "alice", a2, NULL), 200);
	ck_assert_int_eq(new_app_as(fx, "bob", b1, NULL), 200);
	ck_assert_int_eq(put_status(fx, "alice", a1, "f1", 600000), 201);
	/* Counted across applications: a2's file would pass the cap.  It is
	 * refused with the key, and nothing of it is stored. */
	r = put_as(fx, "alice", a2, "f2", 500000);
	assert_remote(&r, 403, "ForbiddenException", "rm.staging.max-mb-per-user (1 MiB)");
	ck_assert_ptr_nonnull(strstr(jstr(r.json, "RemoteException.message"), "user alice"));
	test_response_clear(&r);
	path = xasprintf("/ws/v1/staging/%s/f2", a2);
	expect_remote(fx, "GET", path, NULL, 404, "NotFoundException", NULL);
	free(path);
	dir = xasprintf("%s/staging/%s", fx->dir, a2);
	ck_assert_int_eq(count_entries(dir), 0);
	/* Bob is not affected. */
	ck_assert_int_eq(put_status(fx, "bob", b1, "f1", mib), 201);
	ck_assert_int_eq(put_status(fx, "bob", b1, "f2", 1), 403);
	/* Counted across files; replacing one's own file counts it once. */
	ck_assert_int_eq(put_status(fx, "alice", a1, "f1", 900000), 201);
	ck_assert_int_eq(put_status(fx, "alice", a1, "f3", 200000), 403);
	ck_assert_int_eq(put_status(fx, "alice", a1, "f3", mib - 900000), 201);
	ck_assert_int_eq(put_status(fx, "alice", a2, "f2", 1), 403);
	/* A deleted file gives its bytes back. */
	path = xasprintf("/ws/v1/staging/%s/f1?user.name=alice", a1);
	r = fixture_call(fx, "DELETE", path, NULL, NULL, 0);
	ck_assert_int_eq(r.status, 200);
	test_response_clear(&r);
	free(path);
	ck_assert_int_eq(put_status(fx, "alice", a2, "f2", 500000), 201);
	ck_assert_int_eq(count_entries(dir), 1);
	/* An application that ends gives its staging area's bytes back. */
	ck_assert_int_eq(submit_as(fx, "alice", a1), 202);
	path = xasprintf("/ws/v1/cluster/apps/%s/state?user.name=alice", a1);
	r = send_json(fx, "PUT", path, "{\"state\":\"KILLED\"}");
	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(path);
	ck_assert_int_eq(put_status(fx, "alice", a2, "f4", mib - 500000), 201);
	ck_assert_int_eq(put_status(fx, "alice", a2, "f5", 1), 403);
	free(dir);
	fixture_free(fx);
}
END_TEST

/* Bring an app's AM container to a fake NM; RET the AM token header. */
static char *launched_am(struct rm_fixture *fx, struct fake_nm *nm, char *app, char *attempt)
{
	struct json_object *env;

	fixture_register_nm(fx, nm, 8192, 8);
	ck_assert_int_eq(submit(fx, app, NULL), 202);
	ck_assert(fixture_run_until(fx, testlib_count_reached,
	                            &(struct testlib_count){&nm->n_starts, 1}, TESTLIB_WAIT_MS));
	ck_assert_int_eq(nm->n_starts, 1);
	env = jpath(nm->starts[0], "launchContext.environment");
	snprintf(attempt, WEFT_ID_MAX, "%s", jstr(env, WEFT_ENV_APP_ATTEMPT_ID));
	return xasprintf("%s: %s", SECURITY_AM_HEADER, jstr(env, WEFT_ENV_AM_TOKEN));
}

START_TEST(test_am_protocol)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct fake_nm *nm = fixture_add_nm(fx);
	char app[WEFT_ID_MAX], attempt[WEFT_ID_MAX], *auth, *other, *body, *first;
	const char *headers[2] = {NULL, NULL};
	struct test_response r;

	auth = launched_am(fx, nm, app, attempt);
	/* No token, a forged one, a valid one for an attempt that is not
	 * the current one. */
	expect_remote(fx, "POST", "/rpc/am/register", "{}", 401, "InvalidTokenException",
	              SECURITY_AM_HEADER);
	headers[0] = "X-Weft-AM-Token: appattempt_1_0001_000001:"
	             "0000000000000000000000000000000000000000000000000000000000000000";
	r = fixture_call(fx, "POST", "/rpc/am/register", headers, "{}", 2);
	assert_remote(&r, 401, "InvalidTokenException", NULL);
	test_response_clear(&r);
	{
		char *token = security_am_token(fx->rm->secret, "appattempt_1_0001_000002");

		other = xasprintf("%s: %s", SECURITY_AM_HEADER, token);
		free(token);
	}
	headers[0] = other;
	r = fixture_call(fx, "POST", "/rpc/am/register", headers, "{}", 2);
	assert_remote(&r, 404, "ApplicationAttemptNotFoundException", NULL);
	test_response_clear(&r);

	headers[0] = auth;
	/* Allocate before register: refused. */
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, "{\"responseId\":0}", 16);
	assert_remote(&r, 400, "ApplicationMasterNotRegisteredException", NULL);
	test_response_clear(&r);
	body = "{\"host\":\"amhost\",\"rpcPort\":\"x\"}";
	r = fixture_call(fx, "POST", "/rpc/am/register", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "rpcPort");
	test_response_clear(&r);
	body = "{\"host\":\"amhost\",\"rpcPort\":-1,\"trackingUrl\":\"http://amhost:1/\"}";
	r = fixture_call(fx, "POST", "/rpc/am/register", headers, body, strlen(body));
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(jstr(r.json, "applicationId"), app);
	ck_assert_str_eq(jstr(r.json, "attemptId"), attempt);
	ck_assert_str_eq(jstr(r.json, "queue"), "default");
	ck_assert_str_eq(jstr(r.json, "user"), "dr.who");
	ck_assert_int_eq(jint(r.json, "maximumResource.memory"), 8192);
	ck_assert_int_eq(jint(r.json, "minimumResource.vCores"), 1);
	test_response_clear(&r);

	/* Bad allocate bodies change nothing. */
	body = "{\"responseId\":0,\"asks\":{}}";
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "asks");
	test_response_clear(&r);
	body = "{\"responseId\":0,\"asks\":[{\"priority\":1,\"count\":1,\"memoryMB\":99999,"
	       "\"vcores\":1}]}";
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	assert_remote(&r, 400, "InvalidResourceRequestException", "maximum");
	test_response_clear(&r);
	body = "{\"responseId\":0,\"releases\":[\"nope\"]}";
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "releases[0]");
	test_response_clear(&r);
	body = "{\"responseId\":0,\"progress\":7}";
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "progress");
	test_response_clear(&r);

	/* A good ask is granted in the same answer. */
	body = "{\"responseId\":0,\"progress\":0.25,\"asks\":[{\"priority\":1,\"count\":2,"
	       "\"memoryMB\":1000,\"vcores\":1,\"nodes\":[],\"relaxLocality\":true}],"
	       "\"releases\":[]}";
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(jint(r.json, "responseId"), 1);
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "allocated")), 2);
	ck_assert_str_eq(jstr(r.json, "allocated.0.nodeId"), nm->address);
	ck_assert_str_eq(jstr(r.json, "allocated.0.nodeHttpAddress"), nm->address);
	ck_assert_int_eq(jint(r.json, "allocated.0.memoryMB"), 1024);
	ck_assert_int_eq(jint(r.json, "allocated.0.vcores"), 1);
	ck_assert_int_eq(jint(r.json, "allocated.0.priority"), 1);
	ck_assert_ptr_nonnull(jstr(r.json, "allocated.0.token"));
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "completed")), 0);
	ck_assert_int_eq(jint(r.json, "availableResources.memory"), 8192 - 3 * 1024);
	ck_assert_int_eq(jint(r.json, "numClusterNodes"), 1);
	ck_assert_str_eq(jstr(r.json, "action"), "NORMAL");
	first = xstrdup(r.body);
	test_response_clear(&r);
	/* The same request again (its answer was lost): the same answer. */
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, body, strlen(body));
	ck_assert_str_eq(r.body, first);
	test_response_clear(&r);
	free(first);
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, "{\"responseId\":1}", 16);
	ck_assert_int_eq(jint(r.json, "responseId"), 2);
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "allocated")), 0);
	test_response_clear(&r);
	r = get(fx, "/ws/v1/cluster/metrics");
	ck_assert_int_eq(jint(r.json, "clusterMetrics.containersAllocated"), 3);
	ck_assert_int_eq(jint(r.json, "clusterMetrics.allocatedMB"), 3072);
	ck_assert_int_eq(jint(r.json, "clusterMetrics.appsRunning"), 1);
	test_response_clear(&r);
	{
		char *path = xasprintf("/ws/v1/cluster/apps/%s", app);

		r = get(fx, path);
		ck_assert_str_eq(jstr(r.json, "app.state"), "RUNNING");
		ck_assert_str_eq(jstr(r.json, "app.trackingUI"), "ApplicationMaster");
		ck_assert_str_eq(jstr(r.json, "app.trackingUrl"), "http://amhost:1/");
		ck_assert_int_eq(jint(r.json, "app.runningContainers"), 3);
		ck_assert_int_eq(jint(r.json, "app.allocatedMB"), 3072);
		ck_assert_str_eq(jstr(r.json, "app.amHostHttpAddress"), nm->address);
		ck_assert_ptr_nonnull(strstr(jstr(r.json, "app.amContainerLogs"),
		                             "/ws/v1/node/containerlogs/container_"));
		test_response_clear(&r);
		free(path);
		path = xasprintf("/ws/v1/cluster/apps/%s/appattempts", app);
		r = get(fx, path);
		ck_assert_str_eq(jstr(r.json, "appAttempts.appAttempt.0.appAttemptState"),
		                 "RUNNING");
		ck_assert_str_eq(jstr(r.json, "appAttempts.appAttempt.0.nodeId"), nm->address);
		ck_assert_ptr_nonnull(
		        strstr(jstr(r.json, "appAttempts.appAttempt.0.logsLink"), "http://"));
		test_response_clear(&r);
		free(path);
	}

	/* finish */
	body = "{\"finalStatus\":\"UNDEFINED\"}";
	r = fixture_call(fx, "POST", "/rpc/am/finish", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "finalStatus");
	test_response_clear(&r);
	body = "{\"diagnostics\":\"x\"}";
	r = fixture_call(fx, "POST", "/rpc/am/finish", headers, body, strlen(body));
	assert_remote(&r, 400, "BadRequestException", "finalStatus: missing");
	test_response_clear(&r);
	body = "{\"finalStatus\":\"SUCCEEDED\",\"diagnostics\":\"ok\",\"trackingUrl\":\"\"}";
	r = fixture_call(fx, "POST", "/rpc/am/finish", headers, body, strlen(body));
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "{\"isUnregistered\":true}");
	test_response_clear(&r);
	r = fixture_call(fx, "POST", "/rpc/am/allocate", headers, "{\"responseId\":2}", 16);
	ck_assert_str_eq(jstr(r.json, "action"), "SHUTDOWN");
	test_response_clear(&r);
	ck_assert_int_eq(count_apps(fx, "?states=FINISHED&finalStatus=SUCCEEDED"), 1);
	free(auth);
	free(other);
	fixture_free(fx);
}
END_TEST

START_TEST(test_half_sent_request)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct sockaddr_in sa;
	struct test_response r;
	const char *partial = "POST /ws/v1/cluster/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 50"
	                      "\r\n\r\n{\"appl";
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)fx->rm->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(write(fd, partial, strlen(partial)), (ssize_t)strlen(partial));
	/* The stuck client does not stall anybody else. */
	r = get(fx, "/ws/v1/cluster/metrics");
	ck_assert_int_eq(r.status, 200);
	test_response_clear(&r);
	close(fd);
	fixture_run_for(fx, 20);
	r = get(fx, "/ws/v1/cluster/info");
	ck_assert_int_eq(r.status, 200);
	test_response_clear(&r);
	fixture_free(fx);
}
END_TEST

static Suite *rm_webapp_suite(void)
{
	Suite *s = suite_create("rm_webapp");
	TCase *tc = tcase_create("rest");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cluster_info_and_metrics);
	tcase_add_test(tc, test_nodes_over_http);
	tcase_add_test(tc, test_submission_flow);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_bad_submissions);
	tcase_add_test(tc, test_unknown_ids_methods_paths);
	tcase_add_test(tc, test_oversized_bodies);
	tcase_add_test(tc, test_staging);
	tcase_add_test(tc, test_reserved_ids_per_user);
	tcase_add_test(tc, test_staged_bytes_per_user);
	tcase_add_test(tc, test_reserved_ids_expire_at_cap);
	tcase_add_test(tc, test_am_protocol);
	tcase_add_test(tc, test_half_sent_request);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_webapp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
