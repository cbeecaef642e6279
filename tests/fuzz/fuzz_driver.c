/*
 * fuzz_driver.c — the driver's decoders (common/proto_driver.c): a line
 * of the client-mode AM link as either end reads it (the type, then the
 * message of that type), and the status page as its readers decode it.
 * Every message decoded is encoded again and must decode again to the
 * same thing.
 *
 * Input: one byte choosing the decoder ('0' or any even byte: an AM link
 * line; '1' or any odd byte: a status page {"driver":{...}}), then the
 * JSON text.
 */
#include "weft_config.h"

#include <stdlib.h>
#include <string.h>

#include "common/proto_driver.h"
#include "common/proto_task.h"
#include "common/wjson.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Decode again what was encoded (taken), or abort. */
#define FUZZ_AGAIN(type, fn, again, back, check)                                                   \
	do {                                                                                       \
		struct type back;                                                                  \
		struct json_object *o_ = (again);                                                  \
		if (fn(o_, &back, NULL) != 0 || !(check))                                          \
			abort();                                                                   \
		json_object_put(o_);                                                               \
	} while (0)

/* One line of the AM link. */
static void fuzz_driver_line(struct json_object *msg)
{
	enum proto_driver_type type;

	if (proto_driver_type_decode(msg, &type, NULL, NULL) != 0)
		return;
	switch (type) {
	case PROTO_DRIVER_REGISTER_AM: {
		struct proto_driver_register_am m;

		if (proto_driver_register_am_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_register_am, proto_driver_register_am_decode,
			           proto_driver_register_am_encode(&m), b,
			           strcmp(b.attempt_id, m.attempt_id) == 0);
		break;
	}
	case PROTO_DRIVER_REGISTERED: {
		struct proto_driver_registered m;

		if (proto_driver_registered_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_registered, proto_driver_registered_decode,
			           proto_driver_registered_encode(&m), b,
			           (b.tracking_url == NULL) == (m.tracking_url == NULL));
		break;
	}
	case PROTO_DRIVER_REJECTED: {
		struct proto_task_rejected m;

		if (proto_task_rejected_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_task_rejected, proto_task_rejected_decode,
			           proto_task_rejected_encode(&m), b,
			           (b.reason == NULL) == (m.reason == NULL));
		break;
	}
	case PROTO_DRIVER_CHALLENGE: {
		struct proto_task_challenge m;

		if (proto_task_challenge_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_task_challenge, proto_task_challenge_decode,
			           proto_task_challenge_encode(&m), b,
			           strcmp(b.nonce, m.nonce) == 0 && strcmp(b.proof, m.proof) == 0);
		break;
	}
	case PROTO_DRIVER_AUTH: {
		struct proto_task_auth m;

		if (proto_task_auth_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_task_auth, proto_task_auth_decode,
			           proto_task_auth_encode(&m), b, strcmp(b.proof, m.proof) == 0);
		break;
	}
	case PROTO_DRIVER_REQUEST_EXECUTORS: {
		struct proto_driver_request_executors m;

		if (proto_driver_request_executors_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_request_executors,
			           proto_driver_request_executors_decode,
			           proto_driver_request_executors_encode(&m), b,
			           b.total == m.total);
		break;
	}
	case PROTO_DRIVER_KILL_EXECUTOR: {
		struct proto_driver_kill_executor m;

		if (proto_driver_kill_executor_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_kill_executor, proto_driver_kill_executor_decode,
			           proto_driver_kill_executor_encode(&m), b,
			           strcmp(b.container_id, m.container_id) == 0);
		break;
	}
	case PROTO_DRIVER_EXECUTOR_LOST: {
		struct proto_driver_executor_lost m;

		if (proto_driver_executor_lost_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_executor_lost, proto_driver_executor_lost_decode,
			           proto_driver_executor_lost_encode(&m), b,
			           b.exit_status == m.exit_status);
		break;
	}
	case PROTO_DRIVER_SHUTDOWN: {
		struct proto_driver_shutdown m;

		if (proto_driver_shutdown_decode(msg, &m, NULL) == 0)
			FUZZ_AGAIN(proto_driver_shutdown, proto_driver_shutdown_decode,
			           proto_driver_shutdown_encode(&m), b,
			           strcmp(b.final_status, m.final_status) == 0);
		break;
	}
	case PROTO_DRIVER_UNKNOWN:
		break;
	}
}

/* A status page. */
static void fuzz_driver_page(struct json_object *page)
{
	struct proto_driver_status m, back;
	struct json_object *status = proto_driver_page_unwrap(page, NULL), *again;
	char *cause = NULL;

	if (status == NULL)
		return;
	if (proto_driver_status_decode(status, &m, &cause) != 0) {
		if (cause == NULL)
			abort(); /* refused without saying why */
		free(cause);
		return;
	}
	if (m.has_job)
		m.job_object = proto_driver_job_encode(&m.job);
	again = proto_driver_page_wrap(proto_driver_status_encode(&m));
	if (proto_driver_status_decode(proto_driver_page_unwrap(again, NULL), &back, NULL) != 0 ||
	    back.n_executors != m.n_executors || back.has_job != m.has_job ||
	    back.job.n_stages != m.job.n_stages || back.job.n_jobs != m.job.n_jobs)
		abort();
	proto_driver_status_clear(&back);
	proto_driver_status_clear(&m);
	json_object_put(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *obj;

	if (size < 1)
		return 0;
	obj = wjson_parse_object((const char *)data + 1, size - 1, NULL);
	if (obj == NULL)
		return 0;
	if (data[0] & 1)
		fuzz_driver_page(obj);
	else
		fuzz_driver_line(obj);
	json_object_put(obj);
	return 0;
}
