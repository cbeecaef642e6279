/*
 * test_queues_cli.c — `weft queue list|status` and `weft admin
 * refresh-queues`: their command lines (and the mistakes refused), the
 * table and the report rendered from a sample of the RM's
 * /ws/v1/cluster/scheduler answer, and lookups by name and by path.
 */
#include "weft_config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "cli/cli_queue.h"

static const char *sample =
        "{\"scheduler\":{\"schedulerInfo\":{\"type\":\"capacityScheduler\",\"capacity\":100,"
        "\"usedCapacity\":50,\"maxCapacity\":100,\"queueName\":\"root\",\"queues\":{\"queue\":["
        "{\"capacity\":60,\"usedCapacity\":25,\"maxCapacity\":100,\"absoluteCapacity\":60,"
        "\"absoluteMaxCapacity\":100,\"absoluteUsedCapacity\":15,\"numApplications\":1,"
        "\"numContainers\":3,\"queueName\":\"prod\",\"queuePath\":\"root.prod\","
        "\"state\":\"RUNNING\",\"resourcesUsed\":{\"memory\":3072,\"vCores\":3},"
        "\"queues\":{\"queue\":[{\"type\":\"capacitySchedulerLeafQueueInfo\",\"capacity\":100,"
        "\"usedCapacity\":25,\"maxCapacity\":100,\"absoluteCapacity\":60,"
        "\"absoluteMaxCapacity\":100,\"absoluteUsedCapacity\":15,\"numApplications\":1,"
        "\"numContainers\":3,\"queueName\":\"etl\",\"queuePath\":\"root.prod.etl\","
        "\"state\":\"RUNNING\",\"resourcesUsed\":{\"memory\":3072,\"vCores\":3},"
        "\"numActiveApplications\":1,\"numPendingApplications\":0,\"maxApplications\":6000,"
        "\"maxParallelApps\":2147483647,\"userLimit\":100,\"userLimitFactor\":1,"
        "\"maxAMResourcePercent\":0.5,\"usedAMResource\":{\"memory\":1024,\"vCores\":1},"
        "\"AMResourceLimit\":{\"memory\":6144,\"vCores\":6},\"orderingPolicyInfo\":\"fair\","
        "\"aclSubmitApplications\":\"*\",\"preemptionDisabled\":false,"
        "\"users\":{\"user\":[{\"username\":\"alice\",\"resourcesUsed\":{\"memory\":3072,"
        "\"vCores\":3},\"numActiveApplications\":1,\"numPendingApplications\":0,"
        "\"userResourceLimit\":{\"memory\":12288,\"vCores\":12}}]}}]}},"
        "{\"type\":\"capacitySchedulerLeafQueueInfo\",\"capacity\":40,\"usedCapacity\":0,"
        "\"maxCapacity\":100,\"absoluteCapacity\":40,\"absoluteMaxCapacity\":100,"
        "\"absoluteUsedCapacity\":0,\"numApplications\":0,\"numContainers\":0,"
        "\"queueName\":\"dev\",\"queuePath\":\"root.dev\",\"state\":\"STOPPED\","
        "\"resourcesUsed\":{\"memory\":0,\"vCores\":0},\"numActiveApplications\":0,"
        "\"numPendingApplications\":2,\"users\":null,\"preemptionDisabled\":true}]}}}}";

/* Render with fn into a string (caller frees). */
static char *render(int (*fn)(FILE *, struct json_object *, char **), struct json_object *root,
                    int *rc)
{
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	*rc = fn(f, root, &cause);
	fclose(f);
	free(cause);
	return text;
}

static int status_etl(FILE *out, struct json_object *root, char **cause)
{
	return cli_queue_report(out, root, "root.prod.etl", cause);
}

START_TEST(test_table)
{
	struct json_object *root = json_tokener_parse(sample);
	char *text;
	int rc;

	ck_assert_ptr_nonnull(root);
	text = render(cli_queue_table, root, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Total number of queues: 3"));
	ck_assert_ptr_nonnull(strstr(text, "QUEUE"));
	/* Depth first: the parent, its leaf, then the next child of root. */
	ck_assert_ptr_nonnull(strstr(text, "root.prod "));
	ck_assert(strstr(text, "root.prod.etl") < strstr(text, "root.dev"));
	ck_assert(strstr(text, "root.prod ") < strstr(text, "root.prod.etl"));
	ck_assert_ptr_nonnull(strstr(text, "60.00%"));
	ck_assert_ptr_nonnull(strstr(text, "STOPPED"));
	ck_assert_ptr_nonnull(strstr(text, "<memory:3072, vCores:3>"));
	free(text);
	json_object_put(root);
	/* Not the RM's shape. */
	root = json_tokener_parse("{\"apps\":null}");
	free(render(cli_queue_table, root, &rc));
	ck_assert_int_eq(rc, -1);
	json_object_put(root);
}
END_TEST

START_TEST(test_status)
{
	struct json_object *root = json_tokener_parse(sample);
	char *text, *cause = NULL;
	int rc;

	text = render(status_etl, root, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(text, "Queue Name : etl\nQueue Path : root.prod.etl\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tState : RUNNING\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tCapacity : 100.00%\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tCurrent Capacity : 25.00%\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tOrdering Policy : fair\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tPreemption : enabled\n"));
	ck_assert_ptr_nonnull(strstr(text, "alice: uses <memory:3072, vCores:3> of "
	                                   "<memory:12288, vCores:12>"));
	free(text);
	/* By name as well as by path; a parent lists its children. */
	ck_assert_ptr_nonnull(cli_queue_find(root, "etl"));
	ck_assert_ptr_nonnull(cli_queue_find(root, "root.dev"));
	ck_assert_ptr_null(cli_queue_find(root, "nosuch"));
	{
		FILE *f = fopen("/dev/null", "w");

		ck_assert_int_eq(cli_queue_report(f, root, "nosuch", &cause), -1);
		fclose(f);
	}
	ck_assert_str_eq(cause, "queue 'nosuch' does not exist (see weft queue list)");
	free(cause);
	json_object_put(root);
}
END_TEST

/* Parse a command line (NULL-terminated words after "weft"). */
static int parse(struct cli_args *a, char **cause, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = "weft";
	va_start(ap, cause);
	for (char *w; (w = va_arg(ap, char *)) != NULL && argc < 15;)
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	return cli_args_parse(a, argc, argv, cause);
}

START_TEST(test_args)
{
	struct cli_args a;
	char *cause = NULL;

	ck_assert_int_eq(parse(&a, &cause, "queue", "list", NULL), 0);
	ck_assert_int_eq(a.command, CLI_QUEUE_LIST);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "-o", "json", "queue", "status", "root.a", NULL), 0);
	ck_assert_int_eq(a.command, CLI_QUEUE_STATUS);
	ck_assert_str_eq(a.queue_name, "root.a");
	ck_assert_int_eq(a.output, CLI_OUTPUT_JSON);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "admin", "refresh-queues", NULL), 0);
	ck_assert_int_eq(a.command, CLI_ADMIN_REFRESH_QUEUES);
	cli_args_free(&a);
	ck_assert_int_eq(parse(&a, &cause, "queue", "status", NULL), -1);
	ck_assert_ptr_nonnull(strstr(cause, "expected one QUEUE"));
	free(cause);
	cli_args_free(&a);
	cause = NULL;
	ck_assert_int_eq(parse(&a, &cause, "queue", "drop", "a", NULL), -1);
	ck_assert_ptr_nonnull(strstr(cause, "unknown subcommand 'drop'"));
	free(cause);
	cli_args_free(&a);
	cause = NULL;
	ck_assert_int_eq(parse(&a, &cause, "admin", "refresh-queues", "now", NULL), -1);
	free(cause);
	cli_args_free(&a);
	cause = NULL;
	ck_assert_int_eq(parse(&a, &cause, "admin", NULL), -1);
	ck_assert_ptr_nonnull(strstr(cause, "refresh-queues"));
	free(cause);
	cli_args_free(&a);
	cause = NULL;
	/* --queue filters app list only. */
	ck_assert_int_eq(parse(&a, &cause, "queue", "list", "--queue", "a", NULL), -1);
	free(cause);
	cli_args_free(&a);
	ck_assert_ptr_nonnull(strstr(cli_args_usage(), "queue status QUEUE"));
	ck_assert_ptr_nonnull(strstr(cli_args_usage(), "admin refresh-queues"));
}
END_TEST

static Suite *queues_cli_suite(void)
{
	Suite *s = suite_create("queues_cli");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_args);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(queues_cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
