/*
 * cli_app.c — `weft app list|status|kill` over the RM's REST API
 * (/ws/v1/cluster/apps, /apps/{id}, /apps/{id}/state).
 */
#include "weft_config.h"

#include "cli/cli_app.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli_call.h"
#include "cli/report.h"
#include "cli/rest.h"
#include "common/daemon.h"
#include "common/proto_app.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* Between two looks at a dying application's state. */
#define CLI_APP_KILL_POLL_MS 200

/* Print a JSON answer as the RM sent it (pretty, one trailing newline). */
static void cli_app_print_json(FILE *out, struct json_object *root)
{
	fprintf(out, "%s\n",
	        json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
	                                                     JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* "?states=A,B&queue=Q&user=U" from the filters.  The state list is
 * validated upper-case words and commas, so it goes as it is. */
char *cli_app_list_query(const struct cli_args *args)
{
	const char *names[] = {WEFT_QUERY_STATES, WEFT_QUERY_QUEUE, WEFT_QUERY_USER};
	const char *values[] = {args->states, args->queue, args->user};
	char *query = xstrdup("");

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *escaped, *next;

		if (values[i] == NULL)
			continue;
		escaped = i == 0 ? xstrdup(values[i]) : rest_query_escape(values[i]);
		next = xasprintf("%s%s%s=%s", query, query[0] == '\0' ? "?" : "&", names[i],
		                 escaped);
		free(escaped);
		free(query);
		query = next;
	}
	return query;
}

/* weft app list */
int cli_app_list(const struct cli_args *args, const char *base, FILE *out, FILE *err)
{
	char *query = cli_app_list_query(args), *path, *why = NULL;
	struct json_object *root;
	int rc;

	path = xasprintf(WEFT_ROUTE_APPS "%s", query);
	rc = cli_call("GET", base, path, NULL, &root, NULL, err);
	free(path);
	free(query);
	if (rc != 0)
		return 1;
	if (args->output == CLI_OUTPUT_JSON)
		cli_app_print_json(out, root);
	else if (report_apps_table(out, root, &why) != 0) {
		fprintf(err, "weft: %s\n", why);
		free(why);
		rc = 1;
	}
	json_object_put(root);
	return rc == 0 ? 0 : 1;
}

/* weft app status ID */
int cli_app_status(const struct cli_args *args, const char *base, FILE *out, FILE *err)
{
	char *path = xasprintf(WEFT_PATH_APP_FMT, args->app_id), *why = NULL;
	struct json_object *root;
	int rc = cli_call("GET", base, path, NULL, &root, NULL, err);

	free(path);
	if (rc != 0)
		return 1;
	if (args->output == CLI_OUTPUT_JSON)
		cli_app_print_json(out, root);
	else if (report_app_status(out, root, &why) != 0) {
		fprintf(err, "weft: %s\n", why);
		free(why);
		rc = 1;
	}
	json_object_put(root);
	return rc == 0 ? 0 : 1;
}

/* The "state" of a /state answer, copied; NULL when absent. */
static char *cli_app_state_of(struct json_object *root)
{
	struct proto_app_state m;

	if (root != NULL && proto_app_state_decode(root, &m, NULL) == 0)
		return xstrdup(m.state);
	return NULL;
}

/* GET /apps/ID/state; RET the state (caller frees) or NULL (printed). */
static char *cli_app_get_state(const char *base, const char *app_id, FILE *err)
{
	char *path = xasprintf(WEFT_PATH_APP_STATE_FMT, app_id), *state = NULL;
	struct json_object *root;

	if (cli_call("GET", base, path, NULL, &root, NULL, err) == 0) {
		state = cli_app_state_of(root);
		if (state == NULL)
			fprintf(err,
			        "weft: unexpected answer from the RM: no \"" WEFT_KEY_STATE "\"\n");
		json_object_put(root);
	}
	free(path);
	return state;
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
		json_object_put(o);
	} else if (before)
		fprintf(out, "Application %s has already finished (%s)\n", args->app_id, state);
	else if (strcmp(state, "KILLED") == 0)
		fprintf(out, "Killed application %s\n", args->app_id);
	else
		fprintf(out, "Application %s ended %s before it could be killed\n", args->app_id,
		        state);
	return 0;
}

/* weft app kill ID: ask, then wait until the RM reports it final. */
int cli_app_kill(const struct cli_args *args, const char *base, FILE *out, FILE *err)
{
	char *state = cli_app_get_state(base, args->app_id, err), *path;
	struct proto_app_state kill = {.state = WEFT_APP_TARGET_KILLED};
	struct json_object *body, *root;
	int64_t deadline;
	int rc;

	if (state == NULL)
		return 1;
	if (rest_app_state_final(state)) {
		rc = cli_app_kill_result(args, state, true, out);
		free(state);
		return rc;
	}
	free(state);
	if (args->output == CLI_OUTPUT_TABLE)
		fprintf(err, "Killing application %s\n", args->app_id);
	body = proto_app_state_encode(&kill);
	path = xasprintf(WEFT_PATH_APP_STATE_FMT, args->app_id);
	rc = cli_call("PUT", base, path, body, &root, NULL, err);
	json_object_put(body);
	free(path);
	if (rc != 0)
		return 1;
	state = cli_app_state_of(root);
	json_object_put(root);

	/* A tool with no event loop: wait between blocking polls. */
	deadline = time_mono_ms() + CLI_APP_KILL_WAIT_MS;
	while (state == NULL || !rest_app_state_final(state)) {
		struct timespec ts = {0, CLI_APP_KILL_POLL_MS * 1000000L};

		if (time_mono_ms() >= deadline) {
			fprintf(err, "weft: application %s is still %s after %d s\n", args->app_id,
			        state != NULL ? state : "not final", CLI_APP_KILL_WAIT_MS / 1000);
			free(state);
			return 1;
		}
		nanosleep(&ts, NULL);
		free(state);
		state = cli_app_get_state(base, args->app_id, err);
		if (state == NULL)
			return 1;
	}
	rc = cli_app_kill_result(args, state, false, out);
	free(state);
	return rc;
}
