/*
 * test_nm_launcher.c — what a container's environment holds and who wins
 * when names clash, YARN's directory layout, spreading applications over
 * several dirs, and directory creation that refuses planted symlinks.
 */
#include "weft_config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/config.h"
#include "common/xmalloc.h"
#include "nm/dirs.h"
#include "nm/launcher.h"
#include "nm/node.h"
#include "testlib.h"

#define APP "application_1700000000000_0001"
#define CID "container_1700000000000_0001_01_000001"

static struct launcher_env sample_env(void)
{
	struct launcher_env in;

	memset(&in, 0, sizeof in);
	in.container_id = CID;
	in.app_id = APP;
	in.user = "alice";
	in.nm_host = "node1.example.com";
	in.nm_port = 8042;
	in.local_dirs = "/l1/usercache/alice/appcache/" APP ",/l2/usercache/alice/appcache/" APP;
	in.log_dir = "/logs/" APP "/" CID;
	in.work_dir = "/l1/usercache/alice/appcache/" APP "/" CID;
	in.libexec_dir = "/usr/libexec/weft";
	return in;
}

static struct weft_launch_context *context(const char *text)
{
	struct json_object *o = json_tokener_parse(text);
	char *cause = NULL;
	struct weft_launch_context *lc = launch_context_parse(o, &cause);

	ck_assert_msg(lc != NULL, "%s", cause);
	json_object_put(o);
	return lc;
}

static int env_count(char **env)
{
	int n = 0;

	while (env[n] != NULL)
		n++;
	return n;
}

START_TEST(test_env_yarn_variables)
{
	struct launcher_env in = sample_env();
	char **env;

	setenv("PATH", "/nm/bin:/usr/bin", 1);
	setenv("HOME", "/home/nm", 1);
	unsetenv("LANG");
	setenv("SECRET_OF_THE_NM", "must not leak", 1);
	env = launcher_build_env(&in, NULL);
	ck_assert_str_eq(launcher_env_get(env, "CONTAINER_ID"), CID);
	ck_assert_str_eq(launcher_env_get(env, "APPLICATION_ID"), APP);
	ck_assert_str_eq(launcher_env_get(env, "NM_HOST"), "node1.example.com");
	ck_assert_str_eq(launcher_env_get(env, "NM_PORT"), "8042");
	ck_assert_str_eq(launcher_env_get(env, "NM_HTTP_PORT"), "8042");
	ck_assert_str_eq(launcher_env_get(env, "LOCAL_DIRS"), in.local_dirs);
	ck_assert_str_eq(launcher_env_get(env, "LOG_DIRS"), in.log_dir);
	ck_assert_str_eq(launcher_env_get(env, "USER"), "alice");
	ck_assert_str_eq(launcher_env_get(env, "LOGNAME"), "alice");
	ck_assert_str_eq(launcher_env_get(env, "PWD"), in.work_dir);
	ck_assert_str_eq(launcher_env_get(env, "WEFT_LIBEXEC_DIR"), "/usr/libexec/weft");
	ck_assert_str_eq(launcher_env_get(env, "PATH"), "/nm/bin:/usr/bin");
	ck_assert_str_eq(launcher_env_get(env, "HOME"), "/home/nm");
	ck_assert_ptr_null(launcher_env_get(env, "LANG"));
	ck_assert_ptr_null(launcher_env_get(env, "SECRET_OF_THE_NM"));
	/* PATH HOME + 11 NM variables, nothing else. */
	ck_assert_int_eq(env_count(env), 13);
	launcher_env_free(env);

	/* No PATH in the NM: a sane default. */
	unsetenv("PATH");
	setenv("LANG", "C.UTF-8", 1);
	env = launcher_build_env(&in, NULL);
	ck_assert_str_eq(launcher_env_get(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
	ck_assert_str_eq(launcher_env_get(env, "LANG"), "C.UTF-8");
	launcher_env_free(env);
}
END_TEST

START_TEST(test_env_launch_context_order)
{
	struct launcher_env in = sample_env();
	struct weft_launch_context *lc;
	char **env;
	int i, seen;

	setenv("PATH", "/usr/bin", 1);
	lc = context("{\"commands\":[\"true\"],\"environment\":{\"PATH\":\"/opt/job/bin\","
	             "\"WEFT_RM_URL\":\"http://rm:8088\",\"CONTAINER_ID\":\"spoofed\","
	             "\"LOG_DIRS\":\"/elsewhere\",\"WEFT_LIBEXEC_DIR\":\"/tmp/evil\"}}");
	env = launcher_build_env(&in, lc);
	/* The launch context replaces the NM's base ... */
	ck_assert_str_eq(launcher_env_get(env, "PATH"), "/opt/job/bin");
	ck_assert_str_eq(launcher_env_get(env, "WEFT_RM_URL"), "http://rm:8088");
	/* ... but not what the NM says about the container. */
	ck_assert_str_eq(launcher_env_get(env, "CONTAINER_ID"), CID);
	ck_assert_str_eq(launcher_env_get(env, "LOG_DIRS"), in.log_dir);
	ck_assert_str_eq(launcher_env_get(env, "WEFT_LIBEXEC_DIR"), "/usr/libexec/weft");
	/* Every name once. */
	for (i = 0, seen = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], "CONTAINER_ID=", 13) == 0 || strncmp(env[i], "PATH=", 5) == 0)
			seen++;
	}
	ck_assert_int_eq(seen, 2);
	launcher_env_free(env);
	launch_context_free(lc);
}
END_TEST

START_TEST(test_dir_index_spreads)
{
	int counts[3] = {0, 0, 0}, i;
	char app[64];

	ck_assert_int_eq(launcher_dir_index(APP, 1), 0);
	ck_assert_int_eq(launcher_dir_index(APP, 0), 0);
	ck_assert_int_eq(launcher_dir_index(APP, 3), launcher_dir_index(APP, 3));
	for (i = 1; i <= 300; i++) {
		snprintf(app, sizeof app, "application_1700000000000_%04d", i);
		counts[launcher_dir_index(app, 3)]++;
	}
	for (i = 0; i < 3; i++)
		ck_assert_int_gt(counts[i], 50);
}
END_TEST

START_TEST(test_paths_layout)
{
	struct nm_context ctx;
	struct launcher_paths p;
	char *local[] = {"/l1", "/l2", NULL}, *logs[] = {"/g1", NULL}, *want;
	int k;

	memset(&ctx, 0, sizeof ctx);
	ctx.local_dirs = local;
	ctx.n_local_dirs = 2;
	ctx.log_dirs = logs;
	ctx.n_log_dirs = 1;
	launcher_paths_init(&ctx, "alice", APP, CID, &p);
	k = launcher_dir_index(APP, 2);
	want = xasprintf("%s/usercache/alice/appcache/" APP "/" CID, local[k]);
	ck_assert_str_eq(p.work_dir, want);
	free(want);
	ck_assert_str_eq(p.log_dir, "/g1/" APP "/" CID);
	ck_assert_str_eq(p.local_dirs,
	                 "/l1/usercache/alice/appcache/" APP ",/l2/usercache/alice/appcache/" APP);
	launcher_paths_free(&p);
}
END_TEST

START_TEST(test_prepare_dirs_refuses_symlinks)
{
	char tmp[256], *l1, *l2, *lg, *path, *cause = NULL;
	char *local[3], *logs[2];
	struct nm_context ctx;
	struct stat st;

	testlib_mkdtemp_into(tmp, sizeof tmp, "nm-launcher");
	l1 = xasprintf("%s/l1", tmp);
	l2 = xasprintf("%s/l2", tmp);
	lg = xasprintf("%s/logs", tmp);
	ck_assert_int_eq(mkdir(l1, 0755), 0);
	ck_assert_int_eq(mkdir(l2, 0755), 0);
	ck_assert_int_eq(mkdir(lg, 0755), 0);
	local[0] = l1;
	local[1] = l2;
	local[2] = NULL;
	logs[0] = lg;
	logs[1] = NULL;
	memset(&ctx, 0, sizeof ctx);
	ctx.local_dirs = local;
	ctx.n_local_dirs = 2;
	ctx.log_dirs = logs;
	ctx.n_log_dirs = 1;

	ck_assert_int_eq(launcher_prepare_dirs(&ctx, "alice", APP, CID, &cause), 0);
	path = xasprintf("%s/usercache/alice/appcache/" APP "/" CID,
	                 local[launcher_dir_index(APP, 2)]);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	free(path);
	/* The app cache dir exists in the other local dir too. */
	path = xasprintf("%s/usercache/alice/appcache/" APP, local[1 - launcher_dir_index(APP, 2)]);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	path = xasprintf("%s/" APP "/" CID, lg);
	ck_assert_int_eq(stat(path, &st), 0);
	free(path);
	/* Again: fine (another container of the same app). */
	ck_assert_int_eq(launcher_prepare_dirs(&ctx, "alice", APP, CID, &cause), 0);

	/* A symlink planted where the next app's dir goes is refused. */
	path = xasprintf("%s/usercache/alice/appcache/application_1700000000000_0002", l1);
	ck_assert_int_eq(symlink("/etc", path), 0);
	ck_assert_int_eq(launcher_prepare_dirs(&ctx, "alice", "application_1700000000000_0002",
	                                       "container_1700000000000_0002_01_000001", &cause),
	                 -1);
	ck_assert_msg(strstr(cause, "is a symlink") != NULL, "%s", cause);
	free(cause);
	free(path);

	ck_assert_int_eq(dirs_remove_tree(tmp, NULL), 0);
	free(l1);
	free(l2);
	free(lg);
}
END_TEST

START_TEST(test_node_dirs_and_resources)
{
	char tmp[256], *file, *bad, *good, *cause = NULL, **out;
	char *list[2];
	int n;
	FILE *f;

	testlib_mkdtemp_into(tmp, sizeof tmp, "nm-node");
	file = xasprintf("%s/file", tmp);
	f = fopen(file, "w");
	fclose(f);
	bad = xasprintf("%s/sub", file);
	good = xasprintf("%s/new/local", tmp);

	/* Created when missing, absolute in the result. */
	list[0] = good;
	list[1] = NULL;
	ck_assert_int_eq(node_prepare_dirs("nm.local-dirs", list, 1, &out, &n, &cause), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(out[0], good);
	config_list_free(out);
	/* A path that cannot be a directory: the key, the path and why. */
	list[0] = bad;
	ck_assert_int_eq(node_prepare_dirs("nm.log-dirs", list, 1, &out, &n, &cause), -1);
	{
		char *want = xasprintf("nm.log-dirs: %s: Not a directory", file);

		ck_assert_str_eq(cause, want);
		free(want);
	}
	ck_assert_ptr_null(out);
	free(cause);
	cause = NULL;
	ck_assert_int_eq(node_prepare_dirs("nm.local-dirs", list, 0, &out, &n, &cause), -1);
	ck_assert_str_eq(cause, "nm.local-dirs: no directory given");
	free(cause);

	ck_assert_int_ge(node_detect_memory_mb(), 1024);
	ck_assert_int_ge(node_detect_vcores(), 1);
	testlib_rmtree(tmp);
	free(file);
	free(bad);
	free(good);
}
END_TEST

static Suite *launcher_suite(void)
{
	Suite *s = suite_create("nm_launcher");
	TCase *tc = tcase_create("launcher");

	tcase_add_test(tc, test_env_yarn_variables);
	tcase_add_test(tc, test_env_launch_context_order);
	tcase_add_test(tc, test_dir_index_spreads);
	tcase_add_test(tc, test_paths_layout);
	tcase_add_test(tc, test_prepare_dirs_refuses_symlinks);
	tcase_add_test(tc, test_node_dirs_and_resources);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(launcher_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
