/*
 * cli_app.c — `weft app list|status|kill` through libweft's RM client
 * (weft/rm_client.h, blocking): the typed list, report and kill, and a
 * kill followed to its end by the waits the RM answers when the state
 * changes.
 */
#include "weft_config.h"

#include "cli/cli_app.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli_call.h"
#include "cli/report.h"
#include "common/daemon.h"
#include "common/proto_app.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "weft/rm_client.h"

/* Print a JSON answer (pretty, one trailing newline) and put it. */
static void cli_app_print_json(FILE *out, struct json_object *root)
{
	fprintf(out, "%s\n",
	        json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* weft app list */
int cli_app_list(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err)
{
	struct weft_app_filter filter = {
	        .states = args->states,
	        .queue = args->queue,
	        .user = args->user,
	};
	struct weft_app_list *apps = NULL;
	struct weft_error e = {0};

	if (weft_rm_list_apps_sync(rm, &filter, &apps, &e) != 0) {
		cli_call_print_weft_error(weft_rm_client_client(rm), &e, err);
		weft_error_clear(&e);
		return 1;
	}
	if (args->output == CLI_OUTPUT_JSON)
		cli_app_print_json(out, report_apps_json(apps->apps, apps->n));
	else
		report_apps_table(out, apps->apps, apps->n);
	weft_app_list_free(apps);
	return 0;
}

/* The report of id (printed error and NULL when it cannot be had). */
static struct weft_app_report *cli_app_report(struct weft_rm_client *rm, const char *id, FILE *err)
{
	struct weft_app_report *r = NULL;
	struct weft_error e = {0};

	if (weft_rm_get_app_sync(rm, id, &r, &e) != 0) {
		cli_call_print_weft_error(weft_rm_client_client(rm), &e, err);
		weft_error_clear(&e);
	}
	return r;
}

/* weft app status ID */
int cli_app_status(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err)
{
	struct weft_app_report *r = cli_app_report(rm, args->app_id, err);

	if (r == NULL)
		return 1;
	if (args->output == CLI_OUTPUT_JSON)
		cli_app_print_json(out, proto_app_report_wrap(proto_app_report_encode(r), NULL));
	else
		report_app_status(out, r);
	weft_app_report_free(r);
	return 0;
}

/* Print the outcome of a kill and pick the exit status. */
static int cli_app_kill_result(const struct cli_args *args, const char *state, bool before,
                               FILE *out)
{
	if (args->output == CLI_OUTPUT_JSON) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, WEFT_KEY_ID, json_object_new_string(args->app_id));
		json_object_object_add(o, WEFT_KEY_STATE, json_object_new_string(state));
		json_object_object_add(o, "alreadyFinal", json_object_new_boolean(before));
		cli_app_print_json(out, o);
	} else if (before)
		fprintf(out, "Application %s has already finished (%s)\n", args->app_id, state);
	else if (strcmp(state, "KILLED") == 0)
		fprintf(out, "Killed application %s\n", args->app_id);
	else
		fprintf(out, "Application %s ended %s before it could be killed\n", args->app_id,
		        state);
	return 0;
}

/* weft app kill ID: ask, then follow the application until the RM reports
 * it final (each wait answered when its state changes). */
int cli_app_kill(const struct cli_args *args, struct weft_rm_client *rm, FILE *out, FILE *err)
{
	struct weft_app_report *r = cli_app_report(rm, args->app_id, err);
	struct weft_error e = {0};
	char *state = NULL;
	int64_t deadline;
	int rc;

	if (r == NULL)
		return 1;
	if (weft_app_state_final(r->state)) {
		rc = cli_app_kill_result(args, r->state, true, out);
		weft_app_report_free(r);
		return rc;
	}
	weft_app_report_free(r);
	if (args->output == CLI_OUTPUT_TABLE)
		fprintf(err, "Killing application %s\n", args->app_id);
	if (weft_rm_kill_app_sync(rm, args->app_id, &state, NULL, &e) != 0) {
		cli_call_print_weft_error(weft_rm_client_client(rm), &e, err);
		weft_error_clear(&e);
		return 1;
	}
	/* An RM that cannot hold a wait is asked again at this pace. */
	weft_rm_client_set_wait_pace(rm, CLI_APP_KILL_PACE_MS);
	deadline = time_mono_ms() + CLI_APP_KILL_WAIT_MS;
	while (!weft_app_state_final(state)) {
		int64_t left = deadline - time_mono_ms();

		if (left <= 0) {
			fprintf(err, "weft: application %s is still %s after %d s\n", args->app_id,
			        state, CLI_APP_KILL_WAIT_MS / 1000);
			free(state);
			return 1;
		}
		if (weft_rm_wait_app_sync(rm, args->app_id, state, left, &r, &e) != 0) {
			cli_call_print_weft_error(weft_rm_client_client(rm), &e, err);
			weft_error_clear(&e);
			free(state);
			return 1;
		}
		free(state);
		state = xstrdup(r->state);
		weft_app_report_free(r);
	}
	rc = cli_app_kill_result(args, state, false, out);
	free(state);
	return rc;
}
