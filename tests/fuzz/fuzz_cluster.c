/*
 * fuzz_cluster.c — the decoders of the RM's cluster reports
 * (common/proto_cluster.c) as their readers call them: clusterInfo ('0'),
 * clusterMetrics ('1'), the Capacity Scheduler's queue tree ('2', as
 * weft-sls decodes it, and as `weft queue` walks it), the refresh's
 * answer ('3') and a staging answer ('4').  Every message decoded is
 * encoded again and must decode again to the same thing.
 *
 * Input: one byte choosing the decoder (its value modulo 5), then the
 * JSON text.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/proto_app.h"
#include "common/proto_cluster.h"
#include "common/wjson.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* The tree as `weft queue` walks it: every queue object, depth first. */
static int fuzz_cluster_walk(struct json_object *queue, int depth)
{
	struct json_object *children = proto_cluster_queue_children(queue);
	int n = 1;

	if (depth > 100)
		abort(); /* the parser's depth limit bounds this */
	for (size_t i = 0; children != NULL && i < json_object_array_length(children); i++)
		n += fuzz_cluster_walk(json_object_array_get_idx(children, i), depth + 1);
	json_object_put(children);
	return n;
}

static void fuzz_cluster_scheduler(struct json_object *body)
{
	struct proto_cluster_scheduler m, back;
	struct json_object *info = proto_cluster_scheduler_info(body, NULL), *again;
	char *cause = NULL;

	if (info != NULL)
		fuzz_cluster_walk(info, 0);
	if (proto_cluster_scheduler_decode(body, &m, &cause) != 0) {
		if (cause == NULL)
			abort(); /* refused without saying why */
		free(cause);
		return;
	}
	/* The encoder nests by parent index: parents come first. */
	for (int i = 0; i < m.n_queues; i++)
		if (m.queues[i].parent >= i || m.queues[i].parent < -1)
			abort();
	again = proto_cluster_scheduler_encode(&m);
	if (proto_cluster_scheduler_decode(again, &back, NULL) != 0 || back.n_queues != m.n_queues)
		abort();
	for (int i = 0; i < m.n_queues; i++)
		if (back.queues[i].parent != m.queues[i].parent ||
		    back.queues[i].n_users != m.queues[i].n_users ||
		    strcmp(back.queues[i].name, m.queues[i].name) != 0)
			abort();
	proto_cluster_scheduler_clear(&back);
	proto_cluster_scheduler_clear(&m);
	json_object_put(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *body, *again = NULL;

	if (size < 1)
		return 0;
	body = wjson_parse_object((const char *)data + 1, size - 1, NULL);
	if (body == NULL)
		return 0;
	switch (data[0] % 5) {
	case 0: {
		struct proto_cluster_info m, back;

		if (proto_cluster_info_decode(body, &m, NULL) == 0 &&
		    (proto_cluster_info_decode(again = proto_cluster_info_encode(&m), &back,
		                               NULL) != 0 ||
		     back.id != m.id))
			abort();
		break;
	}
	case 1: {
		struct proto_cluster_metrics m, back;

		if (proto_cluster_metrics_decode(body, &m, NULL) == 0 &&
		    (proto_cluster_metrics_decode(again = proto_cluster_metrics_encode(&m), &back,
		                                  NULL) != 0 ||
		     memcmp(&m, &back, sizeof m) != 0))
			abort();
		break;
	}
	case 2:
		fuzz_cluster_scheduler(body);
		break;
	case 3: {
		struct proto_cluster_refreshed m, back;

		if (proto_cluster_refreshed_decode(body, &m, NULL) == 0 &&
		    (proto_cluster_refreshed_decode(again = proto_cluster_refreshed_encode(&m),
		                                    &back, NULL) != 0 ||
		     back.queues != m.queues))
			abort();
		break;
	}
	default: {
		struct weft_staged_file m;

		proto_app_staged_decode(body, &m, NULL);
		break;
	}
	}
	json_object_put(again);
	json_object_put(body);
	return 0;
}
