/*
 * dshell.c — the client of weft's distributed shell (see dshell-am.c), an
 * example written only against the installed libweft (libweft(3)).
 *
 *   dshell [--rm ADDRESSES] [--containers N] [--memory MB] [--vcores N]
 *          [--max-failures N] [--queue Q] [--am PATH] -- COMMAND
 *
 * It asks the RM for an application id, puts the AM program (dshell-am,
 * found beside this program unless --am says otherwise) into the RM's
 * staging area, submits an application whose AM container runs it, and
 * follows the application to its end with the RM's wait (no polling),
 * printing each state it reaches.  Exit status 0 when the application
 * FINISHED with SUCCEEDED, 1 when it did not, 2 for bad usage.
 *
 * It uses the blocking layer of the library (weft_client_new_blocking and
 * the *_sync calls), as a one-shot tool should.
 */
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <weft/weft.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: dshell [--rm ADDRESSES] [--containers N] [--memory MB] [--vcores N]\n"
	             "              [--max-failures N] [--queue Q] [--am PATH] -- COMMAND\n"
	             "Run COMMAND in N containers of a weft cluster (default: 2), replacing\n"
	             "failed ones up to --max-failures (default 3).  --rm names the RM's REST\n"
	             "address(es), comma separated (default: $WEFT_RM_ADDRESS, else\n"
	             "127.0.0.1:8088).\n");
}

/* The number of option `name`, within [min, max], or exit 2. */
static int number(const char *name, const char *text, int min, int max)
{
	char *end;
	long v = strtol(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "dshell: --%s: '%s' is not a number in %d..%d\n", name, text, min,
		        max);
		exit(2);
	}
	return (int)v;
}

/* dshell-am beside this program. */
static char *am_beside_me(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *slash, *path;

	if (n <= 0)
		return strdup("dshell-am");
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash != NULL)
		*slash = '\0';
	path = malloc(strlen(self) + sizeof "/dshell-am");
	if (path != NULL)
		sprintf(path, "%s/dshell-am", self);
	return path;
}

static int fail(const char *what, struct weft_error *err)
{
	fprintf(stderr, "dshell: %s: %s\n", what, err->message != NULL ? err->message : "failed");
	weft_error_clear(err);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"rm", required_argument, NULL, 'r'},
	        {"containers", required_argument, NULL, 'n'},
	        {"memory", required_argument, NULL, 'm'},
	        {"vcores", required_argument, NULL, 'c'},
	        {"max-failures", required_argument, NULL, 'f'},
	        {"queue", required_argument, NULL, 'q'},
	        {"am", required_argument, NULL, 'a'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *rm_addresses = getenv("WEFT_RM_ADDRESS"), *queue = "default";
	const char *containers = "2", *memory = "128", *vcores = "1", *max_failures = "3";
	char *am_path = NULL, *cause = NULL;
	struct weft_client_options options = {0};
	struct weft_new_application app;
	struct weft_staged_file *staged = NULL;
	struct weft_app_report *report = NULL;
	struct weft_error err = {0};
	struct weft_client *client;
	struct weft_rm_client *rm;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rm_addresses = optarg;
			break;
		case 'n':
			containers = optarg;
			break;
		case 'm':
			memory = optarg;
			break;
		case 'c':
			vcores = optarg;
			break;
		case 'f':
			max_failures = optarg;
			break;
		case 'q':
			queue = optarg;
			break;
		case 'a':
			am_path = strdup(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	number("containers", containers, 1, 10000);
	number("memory", memory, 1, INT_MAX);
	number("vcores", vcores, 1, 1024);
	number("max-failures", max_failures, 0, INT_MAX);
	if (am_path == NULL)
		am_path = am_beside_me();
	if (am_path == NULL || access(am_path, X_OK) != 0) {
		fprintf(stderr, "dshell: cannot run the AM program %s (--am names it)\n",
		        am_path != NULL ? am_path : "dshell-am");
		return 2;
	}

	options.rm_addresses = rm_addresses;
	options.user = getenv("USER");
	client = weft_client_new_blocking(&options, &cause);
	if (client == NULL) {
		fprintf(stderr, "dshell: %s\n", cause);
		return 2;
	}
	rm = weft_rm_client_new(client);

	if (weft_rm_new_application_sync(rm, &app, &err) != 0)
		return fail("new application", &err);
	if (weft_rm_stage_file_sync(rm, app.app_id, "dshell-am", am_path, &staged, &err) != 0)
		return fail("staging the AM", &err);

	{
		char *commands[] = {"exec ./dshell-am"};
		struct weft_app_env env[] = {
		        {"DSHELL_COMMAND", argv[optind]},
		        {"DSHELL_CONTAINERS", (char *)containers},
		        {"DSHELL_MEMORY_MB", (char *)memory},
		        {"DSHELL_VCORES", (char *)vcores},
		        {"DSHELL_MAX_FAILURES", (char *)max_failures},
		};
		struct weft_app_file files[] = {
		        {"dshell-am", (char *)staged->url, true, staged->size, 0},
		};
		struct weft_app_submission sub = {
		        .name = "dshell",
		        .queue = (char *)queue,
		        .type = "DSHELL",
		        .max_attempts = 1,
		        .resource = weft_resource(128, 1),
		        .commands = commands,
		        .n_commands = 1,
		        .env = env,
		        .n_env = (int)(sizeof env / sizeof env[0]),
		        .files = files,
		        .n_files = 1,
		};

		snprintf(sub.app_id, sizeof sub.app_id, "%s", app.app_id);
		if (weft_rm_submit_sync(rm, &sub, &err) != 0)
			return fail("submit", &err);
	}
	printf("dshell: submitted %s\n", app.app_id);
	fflush(stdout);

	/* Follow it: each wait answers when the state moves. */
	if (weft_rm_get_app_sync(rm, app.app_id, &report, &err) != 0)
		return fail("report", &err);
	printf("dshell: %s: %s\n", app.app_id, report->state);
	while (!weft_app_state_final(report->state)) {
		struct weft_app_report *next = NULL;

		if (weft_rm_wait_app_sync(rm, app.app_id, report->state, 0, &next, &err) != 0)
			return fail("waiting for the application", &err);
		weft_app_report_free(report);
		report = next;
		printf("dshell: %s: %s\n", app.app_id, report->state);
		fflush(stdout);
	}
	printf("dshell: %s: final status %s%s%s\n", app.app_id, report->final_status,
	       report->diagnostics != NULL && report->diagnostics[0] != '\0' ? ": " : "",
	       report->diagnostics != NULL ? report->diagnostics : "");
	rc = strcmp(report->state, "FINISHED") == 0 &&
	                     strcmp(report->final_status, "SUCCEEDED") == 0
	             ? 0
	             : 1;
	weft_app_report_free(report);
	weft_staged_file_free(staged);
	weft_rm_client_free(rm);
	weft_client_free(client);
	free(am_path);
	return rc;
}
