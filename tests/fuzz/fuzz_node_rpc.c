/*
 * fuzz_node_rpc.c — the node protocol's decoders (common/proto_node.c)
 * on both ends.  RM side: the register and heartbeat bodies through the
 * functions the routes call after authentication (rm/node_tracker.c,
 * which decode with proto_node), on a real in-process RM: what a body
 * decodes to is applied (nodes join the scheduler, container statuses
 * reach the app manager), so the state it leaves is fuzzed too.  NM side:
 * the RM's answers, as the status updater and weft-sls decode them.  Every
 * message decoded is encoded again (as an object, and for requests as
 * weft-sls's text) and must decode again.
 *
 * Input: one byte choosing the call (bit 0: register or heartbeat; bit 1:
 * the RM's answer to it instead of the NM's request; '0' register, '1'
 * heartbeat, '2' register answer, '3' heartbeat answer; bit 2 instead: the
 * public node report, '4' a GET /ws/v1/cluster/nodes body, '5' a
 * /nodes/{id} body, as `weft node` and scripts read them), then the JSON
 * text.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/proto_node.h"
#include "common/wjson.h"
#include "fuzz.h"
#include "fuzz_rm.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_rm_get();
	return 0;
}

/* Text in buf (drained) must parse. */
static struct json_object *fuzz_node_reparse(struct evbuffer *buf)
{
	size_t len = evbuffer_get_length(buf);
	struct json_object *obj = wjson_parse((const char *)evbuffer_pullup(buf, -1), len, NULL);

	if (obj == NULL)
		abort(); /* the writer wrote bad JSON */
	evbuffer_drain(buf, len);
	return obj;
}

/* A request decoded must encode, and write, to what decodes again. */
static void fuzz_node_request(struct json_object *body, bool heartbeat)
{
	struct evbuffer *buf = evbuffer_new();
	struct json_object *again[2];

	if (heartbeat) {
		struct proto_node_heartbeat m, back;

		if (proto_node_heartbeat_decode(body, &m, NULL) != 0)
			goto out;
		again[0] = proto_node_heartbeat_encode(&m);
		proto_node_heartbeat_write(buf, &m);
		again[1] = fuzz_node_reparse(buf);
		for (int k = 0; k < 2; k++) {
			if (proto_node_heartbeat_decode(again[k], &back, NULL) != 0 ||
			    back.n_containers != m.n_containers)
				abort();
			proto_node_heartbeat_clear(&back);
			json_object_put(again[k]);
		}
		proto_node_heartbeat_clear(&m);
	} else {
		struct proto_node_register m, back;

		if (proto_node_register_decode(body, &m, NULL) != 0)
			goto out;
		again[0] = proto_node_register_encode(&m);
		proto_node_register_write(buf, &m);
		again[1] = fuzz_node_reparse(buf);
		for (int k = 0; k < 2; k++) {
			if (proto_node_register_decode(again[k], &back, NULL) != 0 ||
			    back.n_containers != m.n_containers)
				abort();
			proto_node_register_clear(&back);
			json_object_put(again[k]);
		}
		proto_node_register_clear(&m);
	}
out:
	evbuffer_free(buf);
}

/* An answer, decoded as the NM does; it must encode to what decodes
 * again.  RET the decoder's result. */
static int fuzz_node_answer(struct json_object *body, bool heartbeat, char **cause)
{
	struct json_object *again;

	if (heartbeat) {
		struct proto_node_heartbeat_answer a, back;

		if (proto_node_heartbeat_answer_decode(body, &a, cause) != 0)
			return -1;
		again = proto_node_heartbeat_answer_encode(&a);
		if (proto_node_heartbeat_answer_decode(again, &back, NULL) != 0 ||
		    back.n_containers_to_ack != a.n_containers_to_ack)
			abort();
		proto_node_heartbeat_answer_clear(&back);
		proto_node_heartbeat_answer_clear(&a);
	} else {
		struct proto_node_register_answer a, back;

		if (proto_node_register_answer_decode(body, &a, cause) != 0)
			return -1;
		again = proto_node_register_answer_encode(&a);
		if (proto_node_register_answer_decode(again, &back, NULL) != 0 ||
		    back.n_key_ids != a.n_key_ids)
			abort();
	}
	json_object_put(again);
	return 0;
}

/* The node report: a list body (or one node's), each node decoded,
 * encoded and decoded again. */
static void fuzz_node_report(struct json_object *body, bool one)
{
	struct json_object *list, *again;
	struct proto_node_report m, back;

	if (one) {
		list = json_object_new_array();
		json_object_array_add(list, json_object_get(proto_node_report_unwrap(body, NULL)));
	} else if ((list = proto_node_reports_unwrap(body, NULL)) == NULL) {
		return;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (proto_node_report_decode(json_object_array_get_idx(list, i), "n", &m, NULL) !=
		    0)
			continue;
		again = proto_node_report_encode(&m);
		if (proto_node_report_decode(again, "n", &back, NULL) != 0 ||
		    strcmp(back.id, m.id) != 0 || back.avail_vcores != m.avail_vcores)
			abort();
		json_object_put(again);
	}
	again = proto_node_reports_wrap(json_object_get(list));
	json_object_put(again);
	json_object_put(list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rm *rm = fuzz_rm_get();
	struct json_object *body, *answer = NULL;
	bool heartbeat, reply;
	char *cause = NULL;
	int rc;

	if (size < 1)
		return 0;
	heartbeat = (data[0] & 1) != 0;
	reply = (data[0] & 2) != 0;
	body = wjson_parse_object((const char *)data + 1, size - 1, &cause);
	if (body == NULL) {
		free(cause);
		return 0;
	}
	if (data[0] & 4) {
		fuzz_node_report(body, heartbeat);
		rc = 0;
		answer = json_object_new_object();
	} else if (reply) {
		rc = fuzz_node_answer(body, heartbeat, &cause);
		answer = rc == 0 ? json_object_new_object() : NULL;
	} else {
		fuzz_node_request(body, heartbeat);
		if (heartbeat)
			rc = node_tracker_heartbeat(rm->nodes, body, &answer, &cause);
		else
			rc = node_tracker_register(rm->nodes, body, &answer, &cause);
	}
	if (rc == 0 && answer == NULL)
		abort(); /* accepted without an answer */
	if (rc != 0 && cause == NULL)
		abort(); /* refused without saying why */
	json_object_put(answer);
	free(cause);
	json_object_put(body);
	return 0;
}
