/*
 * test_rm_reports.c — the /apps cache (rm/webapp_reports.c): a state
 * change shows in the next answer, an ended application's object is built
 * once, a cached body is byte for byte what building afresh gives, and a
 * report that moves after it was cached is rebuilt.
 */
#include "weft_config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/rm.h"
#include "rm/webapp_reports.h"
#include "test_rm_support.h"
#include "weft/ids.h"

/* GET /ws/v1/cluster/apps (with an optional query). */
static struct test_response get_apps(struct rm_fixture *fx, const char *query)
{
	char *path = xasprintf("/ws/v1/cluster/apps%s", query != NULL ? query : "");
	struct test_response r = fixture_call(fx, "GET", path, NULL, NULL, 0);

	free(path);
	ck_assert_int_eq(r.status, 200);
	return r;
}

/* The state of app id in an /apps answer, or NULL. */
static const char *state_in(struct test_response *r, const char *id)
{
	struct json_object *list = jpath(r->json, "apps.app");

	for (size_t i = 0; list != NULL && i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		if (strcmp(jstr(o, "id"), id) == 0)
			return jstr(o, "state");
	}
	return NULL;
}

static void kill_app(struct rm_fixture *fx, const char *id)
{
	char *path = xasprintf("/ws/v1/cluster/apps/%s/state", id);
	const char *body = "{\"state\":\"KILLED\"}";
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct test_response r = fixture_call(fx, "PUT", path, headers, body, strlen(body));

	ck_assert_msg(r.status == 200 || r.status == 202, "kill: %ld %s", r.status, r.body);
	test_response_clear(&r);
	free(path);
}

/* What the answer was before the cache: every object built afresh. */
static char *apps_uncached(struct rm_fixture *fx, const char *base)
{
	struct app_report *reports = NULL;
	int n = app_manager_reports(fx->rm->apps, &reports);
	struct json_object *body = wjson_new_object(), *list = json_object_new_array();
	char *text;

	for (int i = 0; i < n; i++)
		json_object_array_add(list, webapp_app_json(fx->rm, &reports[i], base));
	free(reports);
	if (n == 0) {
		json_object_put(list);
		wjson_add(body, "apps", NULL);
	} else {
		struct json_object *apps = wjson_new_object();

		wjson_add(apps, "app", list);
		wjson_add(body, "apps", apps);
	}
	text = xstrdup(json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN));
	json_object_put(body);
	return text;
}

START_TEST(test_state_change_shows_next)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct webapp_reports_stats before, after;
	struct test_response r;
	char a[WEFT_ID_MAX], b[WEFT_ID_MAX], c[WEFT_ID_MAX];
	char *fresh, *base = xasprintf("http://127.0.0.1:%d", fx->rm->port);

	/* No NM: submitted applications wait, ACCEPTED. */
	fixture_submit(fx, NULL, a);
	fixture_submit(fx, NULL, b);
	kill_app(fx, b);
	r = get_apps(fx, NULL);
	ck_assert_str_eq(state_in(&r, a), "ACCEPTED");
	ck_assert_str_eq(state_in(&r, b), "KILLED");
	test_response_clear(&r);

	/* A state change shows in the very next answer. */
	kill_app(fx, a);
	r = get_apps(fx, NULL);
	ck_assert_str_eq(state_in(&r, a), "KILLED");
	ck_assert_str_eq(state_in(&r, b), "KILLED");
	test_response_clear(&r);

	/* Both ended: the next answers reuse the objects and the body, and
	 * say the same bytes as building afresh. */
	webapp_reports_stats(fx->rm->reports, &before);
	r = get_apps(fx, NULL);
	webapp_reports_stats(fx->rm->reports, &after);
	ck_assert_int_eq(after.built, before.built);
	ck_assert_int_gt(after.bodies_reused, before.bodies_reused);
	/* (Only ended apps: a live one's elapsedTime moves.) */
	fresh = apps_uncached(fx, base);
	ck_assert_msg(strcmp(r.body, fresh) == 0, "cached and fresh /apps bodies differ");
	free(fresh);
	test_response_clear(&r);

	/* A new application shows at once. */
	fixture_submit(fx, NULL, c);
	r = get_apps(fx, NULL);
	ck_assert_str_eq(state_in(&r, c), "ACCEPTED");
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "apps.app")), 3);
	test_response_clear(&r);

	/* Filters and limit pick from the same objects. */
	r = get_apps(fx, "?states=KILLED&limit=1");
	ck_assert_int_eq(json_object_array_length(jpath(r.json, "apps.app")), 1);
	ck_assert_str_eq(state_in(&r, a), "KILLED");
	test_response_clear(&r);
	r = get_apps(fx, "?states=FINISHED");
	ck_assert_str_eq(r.body, "{\"apps\":null}");
	test_response_clear(&r);
	free(base);
	fixture_free(fx);
}
END_TEST

/* The body webapp_reports_apps_body gives for all reports, as a string. */
static char *body_of(struct webapp_reports *c, struct rm *rm, struct app_report *reports, int n,
                     const char *base)
{
	int picked[8];
	bool caller_frees = false;
	struct evbuffer *b;
	char *text;
	size_t len;

	for (int i = 0; i < n; i++)
		picked[i] = i;
	b = webapp_reports_apps_body(c, rm, reports, n, picked, n, base, &caller_frees);
	len = evbuffer_get_length(b);
	text = xmalloc(len + 1);
	evbuffer_copyout(b, text, len);
	text[len] = '\0';
	if (caller_frees)
		evbuffer_free(b);
	return text;
}

START_TEST(test_moved_report_rebuilt)
{
	struct rm_fixture *fx = fixture_new(NULL);
	struct webapp_reports *c = webapp_reports_new();
	struct webapp_reports_stats st;
	struct app_report *reports = NULL;
	char a[WEFT_ID_MAX], *first, *second, *third;
	int n;

	fixture_submit(fx, NULL, a);
	kill_app(fx, a);
	n = app_manager_reports(fx->rm->apps, &reports);
	ck_assert_int_eq(n, 1);
	first = body_of(c, fx->rm, reports, n, "http://h:1");
	second = body_of(c, fx->rm, reports, n, "http://h:1");
	ck_assert_str_eq(first, second);
	webapp_reports_stats(c, &st);
	ck_assert_int_eq(st.built, 1);
	ck_assert_int_eq(st.bodies_reused, 1);

	/* Any field the object shows moving makes it rebuilt. */
	reports[0].diagnostics = "changed after it was cached";
	third = body_of(c, fx->rm, reports, n, "http://h:1");
	ck_assert_ptr_nonnull(strstr(third, "changed after it was cached"));
	webapp_reports_stats(c, &st);
	ck_assert_int_eq(st.built, 2);
	free(third);
	reports[0].memory_seconds += 7;
	third = body_of(c, fx->rm, reports, n, "http://h:1");
	ck_assert_str_ne(third, first);
	webapp_reports_stats(c, &st);
	ck_assert_int_eq(st.built, 3);
	free(third);

	/* The base URL counts while the AM left no tracking URL. */
	ck_assert_ptr_null(reports[0].tracking_url);
	third = body_of(c, fx->rm, reports, n, "http://other:2");
	ck_assert_msg(strstr(third, "other:2") != NULL, "%s", third);
	free(third);

	free(first);
	free(second);
	free(reports);
	webapp_reports_free(c);
	fixture_free(fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rm_reports");
	TCase *tc = tcase_create("cache");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_state_change_shows_next);
	tcase_add_test(tc, test_moved_report_rebuilt);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
