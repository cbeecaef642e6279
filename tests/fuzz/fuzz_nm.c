/*
 * fuzz_nm.c — the decoders of the NodeManager's public REST views
 * (common/proto_nm.c): nodeInfo ('0'), an /apps body ('1'), a
 * /containers body ('2') and a log listing ('3'), as a reader of the NM
 * decodes them.  Every view decoded is encoded again and must decode
 * again to the same thing.
 *
 * Input: one byte choosing the decoder (its value modulo 4), then the
 * JSON text.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/proto_nm.h"
#include "common/wjson.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Every app of an /apps body. */
static void fuzz_nm_apps(struct json_object *body)
{
	struct json_object *items = proto_nm_apps_unwrap(body, NULL), *again;
	struct proto_nm_app m, back;

	for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
		if (proto_nm_app_decode(json_object_array_get_idx(items, i), "a", &m, NULL) != 0)
			continue;
		again = proto_nm_app_encode(&m);
		if (proto_nm_app_decode(again, "a", &back, NULL) != 0 ||
		    back.n_container_ids != m.n_container_ids || strcmp(back.id, m.id) != 0)
			abort();
		proto_nm_app_clear(&back);
		proto_nm_app_clear(&m);
		json_object_put(again);
	}
	json_object_put(items);
}

/* Every container of a /containers body. */
static void fuzz_nm_containers(struct json_object *body)
{
	struct json_object *items = proto_nm_containers_unwrap(body, NULL), *again;
	struct proto_nm_container m, back;

	for (size_t i = 0; items != NULL && i < json_object_array_length(items); i++) {
		if (proto_nm_container_decode(json_object_array_get_idx(items, i), "c", &m, NULL) !=
		    0)
			continue;
		again = proto_nm_container_encode(&m);
		if (proto_nm_container_decode(again, "c", &back, NULL) != 0 ||
		    back.n_log_files != m.n_log_files || back.exit_code != m.exit_code)
			abort();
		proto_nm_container_clear(&back);
		proto_nm_container_clear(&m);
		json_object_put(again);
	}
	json_object_put(items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *body, *again = NULL;

	if (size < 1)
		return 0;
	body = wjson_parse_object((const char *)data + 1, size - 1, NULL);
	if (body == NULL)
		return 0;
	switch (data[0] % 4) {
	case 0: {
		struct proto_nm_info m, back;

		if (proto_nm_info_decode(body, &m, NULL) == 0 &&
		    (proto_nm_info_decode(again = proto_nm_info_encode(&m), &back, NULL) != 0 ||
		     strcmp(back.id, m.id) != 0))
			abort();
		break;
	}
	case 1:
		fuzz_nm_apps(body);
		break;
	case 2:
		fuzz_nm_containers(body);
		break;
	default: {
		struct proto_nm_logs m, back;

		if (proto_nm_logs_decode(body, &m, NULL) != 0)
			break;
		again = proto_nm_logs_encode(&m);
		if (proto_nm_logs_decode(again, &back, NULL) != 0 || back.n_files != m.n_files)
			abort();
		proto_nm_logs_clear(&back);
		proto_nm_logs_clear(&m);
		break;
	}
	}
	json_object_put(again);
	json_object_put(body);
	return 0;
}
