/*
 * cli_node.c — `weft node list` over /ws/v1/cluster/nodes.
 *
 * Like `yarn node -list`, only nodes that can run containers are listed
 * unless --all; the filter is applied here (the JSON output too) so it
 * does not depend on the RM honouring a states parameter.
 */
#include "weft_config.h"

#include "cli/cli_node.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli_call.h"
#include "cli/report.h"
#include "common/proto_node.h"
#include "common/xmalloc.h"
#include "weft/client.h"
#include "weft/protocol.h"

/* Drop inactive nodes from the JSON answer, keeping YARN's shape. */
static struct json_object *cli_node_filter(struct json_object *root, char **cause)
{
	struct json_object *nodes = report_collection(root, WEFT_KEY_NODES, WEFT_KEY_NODE, cause);
	struct json_object *kept;

	if (nodes == NULL)
		return NULL;
	kept = json_object_new_array();
	for (size_t i = 0; i < json_object_array_length(nodes); i++) {
		struct json_object *node = json_object_array_get_idx(nodes, i), *st;
		if (json_object_object_get_ex(node, WEFT_KEY_STATE, &st) &&
		    json_object_is_type(st, json_type_string) &&
		    report_node_state_active(json_object_get_string(st)))
			json_object_array_add(kept, json_object_get(node));
	}
	json_object_put(nodes);
	return proto_node_reports_wrap(kept);
}

/* weft node list [--all] */
int cli_node_list(const struct cli_args *args, struct weft_client *client, FILE *out, FILE *err)
{
	struct json_object *root, *shown;
	char *why = NULL;
	int rc = 0;

	if (cli_call(client, "GET", WEFT_ROUTE_NODES, NULL, NULL, WEFT_CALL_IDEMPOTENT, &root,
	             err) != 0)
		return 1;
	if (args->output == CLI_OUTPUT_JSON) {
		shown = args->all ? json_object_get(root) : cli_node_filter(root, &why);
		if (shown != NULL) {
			fprintf(out, "%s\n",
			        json_object_to_json_string_ext(
			                shown,
			                JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(shown);
		} else
			rc = 1;
	} else if (report_nodes_table(out, root, args->all, &why) != 0)
		rc = 1;
	if (rc != 0) {
		fprintf(err, "weft: %s\n", why);
		free(why);
	}
	json_object_put(root);
	return rc;
}
