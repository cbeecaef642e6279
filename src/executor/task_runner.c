/*
 * task_runner.c — a dataflow task's pipeline (task_runner.h).
 *
 * Owns the stages' processes and the files the task produces until they
 * are committed: a save's part file and persisted blocks are written
 * under temporary names and renamed only once every stage succeeded, so
 * a failed or killed attempt never leaves a half file under a real name.
 */
#include "weft_config.h"

#include "executor/task_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/wjson.h"
#include "common/hash.h"
#include "common/xmalloc.h"
#include "executor/record_io.h"
#include "executor/reduce_input.h"
#include "executor/shuffle_fetch.h"
#include "executor/shuffle_writer.h"
#include "executor/task_child.h"
#include "common/proto_task.h"
#include "executor/text_input.h"
#include "weft/protocol.h"

#define TASK_RUNNER_MAX_SPEC       ((size_t)256 * 1024 * 1024)
#define TASK_RUNNER_MAX_SAMPLE_KEY 1024

enum stage_kind { STAGE_INPUT, STAGE_TEE, STAGE_COMMAND };

struct runner_stage {
	enum stage_kind kind;
	int command;     /* STAGE_COMMAND: index */
	int persist;     /* STAGE_TEE: index in spec->persist */
	char *block_tmp; /* STAGE_TEE */
	char *block_path;
	pid_t pid;
	int status;
};

struct runner {
	const char *dir;
	struct proto_task_spec spec;
	struct fetch_result fetched;
	struct runner_stage *stages;
	int n_stages;
	char *save_tmp, *save_path;
	struct shuffle_write_result shuffle;
	struct proto_task_result result; /* written to result.json */
};

/* Write result.json (best effort: the status says the rest). */
static void task_runner_write_result(struct runner *r)
{
	struct json_object *obj = proto_task_result_encode(&r->result);
	char *path = xasprintf("%s/result.json", r->dir);
	const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd >= 0) {
		if (record_write_all(fd, text, strlen(text)) != 0)
			fprintf(stderr, "weft: %s: %s\n", path, strerror(errno));
		close(fd);
	}
	free(path);
	json_object_put(obj);
}

/* Fail the task: say why on stderr and in the result. */
static int task_runner_fail(struct runner *r, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int task_runner_fail(struct runner *r, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "weft: %s\n", msg);
	free(r->result.error);
	r->result.error = msg;
	return code;
}

/* ------------------------------------------------------------------ */
/* Stages run in forked children. */

/* The input stage: write the task's input records to fd 1. */
static void task_runner_input(struct runner *r)
{
	const struct proto_task_input *in = &r->spec.in;
	char *cause = NULL;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	switch (in->type) {
	case PROTO_TASK_INPUT_TEXT:
		if (in->path != NULL)
			rc = text_input_file(in->path, in->start, in->length, 1, &cause);
		else
			rc = text_input_url(in->url, in->start, in->length, 1, &cause);
		break;
	case PROTO_TASK_INPUT_SHUFFLE:
		rc = reduce_input_write(&r->spec, &r->fetched, 1, &cause);
		break;
	case PROTO_TASK_INPUT_BLOCK:
		if (r->fetched.n > 0 && r->fetched.segs[0].len > 0 &&
		    record_write_all(1, r->fetched.segs[0].data, r->fetched.segs[0].len) != 0 &&
		    errno != EPIPE) {
			set_cause(&cause, "writing block: %s", strerror(errno));
			rc = -1;
		}
		break;
	}
	if (rc != 0) {
		fprintf(stderr, "weft: input: %s\n", cause);
		_exit(1);
	}
	_exit(0);
}

/* A tee stage: copy fd 0 to fd 1 and to the block file.  Exits 0 when
 * the block is complete, 141 when the reader left before the end. */
static void task_runner_tee(struct runner_stage *st)
{
	static char buf[1024 * 1024];
	bool reader_left = false;
	ssize_t n;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = open(st->block_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "weft: persist: %s: %s\n", st->block_tmp, strerror(errno));
		_exit(1);
	}
	for (;;) {
		n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "weft: persist: read: %s\n", strerror(errno));
			_exit(1);
		}
		if (n == 0)
			break;
		if (record_write_all(fd, buf, (size_t)n) != 0) {
			fprintf(stderr, "weft: persist: %s: %s\n", st->block_tmp, strerror(errno));
			_exit(1);
		}
		if (!reader_left && record_write_all(1, buf, (size_t)n) != 0) {
			if (errno != EPIPE) {
				fprintf(stderr, "weft: persist: write: %s\n", strerror(errno));
				_exit(1);
			}
			reader_left = true;
		}
	}
	if (close(fd) != 0)
		_exit(1);
	_exit(reader_left ? 128 + SIGPIPE : 0);
}

/* ------------------------------------------------------------------ */
/* Output stages run in this process. */

/* A copy of len bytes (keys may hold NUL bytes). */
static char *task_runner_copy(const char *p, size_t len)
{
	char *out = xmalloc(len + 1);

	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

/* Keep a reservoir of sample keys (deterministic per partition). */
static int task_runner_sample(struct runner *r, int fd, char **cause)
{
	uint64_t seed = (uint64_t)r->spec.partition * UINT64_C(0x9E3779B97F4A7C15) + 1, seen = 0, j;
	size_t k = (size_t)r->spec.out.sample_size, n = 0;
	struct line_reader lr;
	char **sample;
	size_t *lens;
	const char *line;
	size_t len, klen;
	int rc;

	sample = xcalloc(k, sizeof *sample);
	lens = xcalloc(k, sizeof *lens);
	line_reader_init(&lr, fd);
	while ((rc = line_reader_next(&lr, &line, &len)) == 1) {
		/* A prefix of a key splits ranges as well as the key would,
		 * and keeps the sample (and the status line) small. */
		klen = record_key_len(line, len);
		if (klen > TASK_RUNNER_MAX_SAMPLE_KEY)
			klen = TASK_RUNNER_MAX_SAMPLE_KEY;
		seen++;
		if (n < k) {
			sample[n] = task_runner_copy(line, klen);
			lens[n++] = klen;
			continue;
		}
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = seed % seen;
		if (j < k) {
			free(sample[j]);
			sample[j] = task_runner_copy(line, klen);
			lens[j] = klen;
		}
	}
	line_reader_free(&lr);
	if (rc < 0)
		set_cause(cause, "reading records: %s", strerror(errno));
	/* The result owns the keys from here. */
	r->result.has_sample = true;
	r->result.sample.records = (int64_t)seen;
	r->result.sample.keys = sample;
	r->result.sample.key_lens = lens;
	r->result.sample.n_keys = (int)n;
	return rc < 0 ? -1 : 0;
}

/* The path of a persisted block (and its temporary name). */
static void task_runner_block_paths(struct runner *r, struct runner_stage *st)
{
	const struct proto_task_persist *p = &r->spec.persist[st->persist];
	char *name = proto_task_block_file(p->dataset, r->spec.partition);
	char *dir = xasprintf("%s/" WEFT_SHUFFLE_DIR,
	                      r->spec.local_dirs[hash_dir_index(name, r->spec.n_local_dirs)]);

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		fprintf(stderr, "weft: mkdir %s: %s\n", dir, strerror(errno));
	st->block_path = xasprintf("%s/%s", dir, name);
	st->block_tmp = xasprintf("%s.%" PRId64 "_%d.tmp", st->block_path, r->spec.task_id,
	                          r->spec.attempt);
	free(dir);
	free(name);
}

/* The stages in pipeline order. */
static void task_runner_plan(struct runner *r)
{
	int i, k, cap = 1 + 2 * (r->spec.n_commands + 1) + r->spec.n_persist;

	r->stages = xcalloc((size_t)cap, sizeof *r->stages);
	r->stages[r->n_stages++].kind = STAGE_INPUT;
	for (i = 0; i <= r->spec.n_commands; i++) {
		if (i > 0) {
			r->stages[r->n_stages].kind = STAGE_COMMAND;
			r->stages[r->n_stages++].command = i - 1;
		}
		for (k = 0; k < r->spec.n_persist; k++) {
			if (r->spec.persist[k].step != i)
				continue;
			r->stages[r->n_stages].kind = STAGE_TEE;
			r->stages[r->n_stages].persist = k;
			task_runner_block_paths(r, &r->stages[r->n_stages]);
			r->n_stages++;
		}
	}
}

/* Start every stage; the last one writes to sink.  RET 0 / -1 *cause. */
static int task_runner_start(struct runner *r, int sink, char **cause)
{
	int i, in = -1, fds[2];

	for (i = 0; i < r->n_stages; i++) {
		struct runner_stage *st = &r->stages[i];
		int out = sink;

		if (i + 1 < r->n_stages) {
			if (task_child_pipe(fds) != 0) {
				if (in >= 0)
					close(in);
				return set_cause(cause, "pipe: %s", strerror(errno));
			}
			out = fds[1];
		}
		if (st->kind == STAGE_COMMAND) {
			st->pid = task_child_shell(r->spec.commands[st->command], in, out);
		} else {
			st->pid = task_child_fork(in, out);
			if (st->pid == 0) {
				if (st->kind == STAGE_INPUT)
					task_runner_input(r);
				task_runner_tee(st);
			}
		}
		if (in >= 0)
			close(in);
		if (out != sink)
			close(out);
		if (st->pid < 0) {
			if (out != sink)
				close(fds[0]);
			return set_cause(cause, "fork: %s", strerror(errno));
		}
		in = i + 1 < r->n_stages ? fds[0] : -1;
	}
	return 0;
}

/* Wait for every started stage. */
static void task_runner_wait_all(struct runner *r)
{
	int i;

	for (i = 0; i < r->n_stages; i++)
		if (r->stages[i].pid > 0)
			r->stages[i].status = task_child_wait(r->stages[i].pid);
}

/* The first stage that really failed, from the end: a writer killed by
 * SIGPIPE failed only because its reader stopped.  RET index or -1. */
static int task_runner_failed_stage(const struct runner *r)
{
	int i;

	for (i = r->n_stages - 1; i >= 0; i--) {
		const struct runner_stage *st = &r->stages[i];

		if (st->pid <= 0 || task_child_ok(st->status) || task_child_sigpipe(st->status))
			continue;
		return i;
	}
	return -1;
}

/* Describe a stage for messages (caller frees). */
static char *task_runner_describe(const struct runner *r, const struct runner_stage *st)
{
	if (st->kind == STAGE_COMMAND)
		return xasprintf("command %d of %d (%s)", st->command + 1, r->spec.n_commands,
		                 r->spec.commands[st->command]);
	if (st->kind == STAGE_TEE)
		return xstrdup("persisting a block");
	return xstrdup("reading the input");
}

/* Everything succeeded: rename files into place, fill the result. */
static int task_runner_commit(struct runner *r)
{
	struct stat sb;
	uint32_t p;
	int i;

	if (r->save_tmp != NULL && rename(r->save_tmp, r->save_path) != 0)
		return task_runner_fail(r, 1, "%s: %s", r->save_path, strerror(errno));
	r->result.blocks = xcalloc((size_t)r->n_stages + 1, sizeof *r->result.blocks);
	for (i = 0; i < r->n_stages; i++) {
		struct runner_stage *st = &r->stages[i];

		if (st->kind != STAGE_TEE)
			continue;
		if (!task_child_ok(st->status) || stat(st->block_tmp, &sb) != 0 ||
		    rename(st->block_tmp, st->block_path) != 0) {
			unlink(st->block_tmp);
			continue; /* not a whole block: not persisted */
		}
		r->result.blocks[r->result.n_blocks].dataset = r->spec.persist[st->persist].dataset;
		r->result.blocks[r->result.n_blocks].size = (int64_t)sb.st_size;
		r->result.n_blocks++;
	}
	if (r->spec.out.type == PROTO_TASK_OUTPUT_SHUFFLE) {
		r->result.has_map_output = true;
		r->result.map_output.map = xstrdup(r->shuffle.map);
		r->result.map_output.sizes =
		        xcalloc(r->shuffle.n > 0 ? r->shuffle.n : 1, sizeof(int64_t));
		for (p = 0; p < r->shuffle.n; p++)
			r->result.map_output.sizes[p] = (int64_t)r->shuffle.sizes[p];
		r->result.map_output.n_sizes = (int)r->shuffle.n;
		r->result.map_output.records = (int64_t)r->shuffle.records;
		r->result.map_output.spills = r->shuffle.spills;
	}
	return 0;
}

/* Remove what a failed attempt left under temporary names. */
static void task_runner_discard(struct runner *r)
{
	int i;

	if (r->save_tmp != NULL)
		unlink(r->save_tmp);
	for (i = 0; i < r->n_stages; i++)
		if (r->stages[i].block_tmp != NULL)
			unlink(r->stages[i].block_tmp);
}

/* Fetch the input a reduce or a block read needs.  RET 0, or an exit
 * code (a fetch failure is reported in the result). */
static int task_runner_fetch(struct runner *r)
{
	char *cause = NULL;
	int rc;

	if (r->spec.in.type == PROTO_TASK_INPUT_SHUFFLE)
		rc = shuffle_fetch(&r->spec, &r->fetched, &cause);
	else if (r->spec.in.type == PROTO_TASK_INPUT_BLOCK)
		rc = shuffle_fetch_block(&r->spec, &r->fetched, &cause);
	else
		return 0;
	if (rc != 0) {
		rc = task_runner_fail(r, 1, "fetching the input: %s", cause);
		free(cause);
		return rc;
	}
	r->result.bytes_fetched = (int64_t)r->fetched.bytes;
	if (!r->fetched.failed)
		return 0;
	r->result.has_fetch_failed = true;
	if (r->fetched.shuffle_id >= 0) {
		r->result.fetch_failed.shuffle_id = r->fetched.shuffle_id;
		r->result.fetch_failed.map =
		        r->fetched.map != NULL ? xstrdup(r->fetched.map) : NULL;
	} else {
		r->result.fetch_failed.dataset = r->spec.in.dataset;
		r->result.fetch_failed.partition = r->spec.partition;
	}
	r->result.fetch_failed.node = r->fetched.node != NULL ? xstrdup(r->fetched.node) : NULL;
	r->result.fetch_failed.message =
	        r->fetched.message != NULL ? xstrdup(r->fetched.message) : NULL;
	fprintf(stderr, "weft: fetch failed from %s: %s\n", r->fetched.node, r->fetched.message);
	return TASK_RUNNER_FETCH_FAILED;
}

/* Run the pipeline to its end.  RET the exit code. */
static int task_runner_run(struct runner *r)
{
	const struct proto_task_output *out = &r->spec.out;
	char *cause = NULL, *what;
	int sink = -1, fds[2] = {-1, -1}, rc, failed;
	int own_rc = 0;

	rc = task_runner_fetch(r);
	if (rc != 0)
		return rc;
	switch (out->type) {
	case PROTO_TASK_OUTPUT_COLLECT:
		sink = 1;
		break;
	case PROTO_TASK_OUTPUT_SAVE:
		r->save_path = xasprintf("%s/%s", out->dir, out->file);
		r->save_tmp = xasprintf("%s/.%s.%" PRId64 "_%d.tmp", out->dir, out->file,
		                        r->spec.task_id, r->spec.attempt);
		sink = open(r->save_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (sink < 0) {
			rc = task_runner_fail(r, 1, "%s: %s", r->save_tmp, strerror(errno));
			free(r->save_tmp);
			r->save_tmp = NULL;
			return rc;
		}
		break;
	case PROTO_TASK_OUTPUT_SHUFFLE:
	case PROTO_TASK_OUTPUT_SAMPLE:
		if (task_child_pipe(fds) != 0)
			return task_runner_fail(r, 1, "pipe: %s", strerror(errno));
		sink = fds[1];
		break;
	}
	task_runner_plan(r);
	if (task_runner_start(r, sink, &cause) != 0) {
		own_rc = task_runner_fail(r, 1, "%s", cause);
		free(cause);
		cause = NULL;
	}
	if (sink != 1)
		close(sink);
	if (fds[0] >= 0) {
		if (own_rc == 0 && out->type == PROTO_TASK_OUTPUT_SHUFFLE &&
		    shuffle_writer_run(&r->spec, fds[0], &r->shuffle, &cause) != 0)
			own_rc = task_runner_fail(r, 1, "map output: %s", cause);
		else if (own_rc == 0 && out->type == PROTO_TASK_OUTPUT_SAMPLE &&
		         task_runner_sample(r, fds[0], &cause) != 0)
			own_rc = task_runner_fail(r, 1, "sampling: %s", cause);
		free(cause);
		cause = NULL;
		close(fds[0]);
	}
	task_runner_wait_all(r);
	failed = task_runner_failed_stage(r);
	if (failed >= 0) {
		struct runner_stage *st = &r->stages[failed];

		what = task_runner_describe(r, st);
		rc = task_child_code(st->status);
		rc = task_runner_fail(r, rc != 0 ? rc : 1, "%s exited with code %d", what, rc);
		free(what);
		task_runner_discard(r);
		return rc;
	}
	if (own_rc != 0) {
		task_runner_discard(r);
		return own_rc;
	}
	return task_runner_commit(r);
}

int task_runner_main(const char *dir)
{
	struct json_object *obj;
	struct runner r;
	char *path, *cause = NULL;
	int rc;

	memset(&r, 0, sizeof r);
	r.dir = dir;
	proto_task_result_init(&r.result);
	signal(SIGPIPE, SIG_IGN);
	path = xasprintf("%s/task.json", dir);
	obj = wjson_parse_file(path, TASK_RUNNER_MAX_SPEC, &cause);
	free(path);
	if (obj == NULL) {
		rc = task_runner_fail(&r, 1, "task file: %s", cause);
	} else if (proto_task_spec_decode(obj, "", PROTO_TASK_SPEC_FILE, &r.spec, &cause) != 0) {
		rc = task_runner_fail(&r, 1, "task: %s", cause);
	} else {
		rc = task_runner_run(&r);
	}
	free(cause);
	if (obj != NULL)
		json_object_put(obj);
	task_runner_write_result(&r);
	proto_task_result_clear(&r.result);
	fetch_result_free(&r.fetched);
	shuffle_write_result_free(&r.shuffle);
	for (int i = 0; i < r.n_stages; i++) {
		free(r.stages[i].block_tmp);
		free(r.stages[i].block_path);
	}
	free(r.stages);
	free(r.save_tmp);
	free(r.save_path);
	proto_task_spec_clear(&r.spec);
	return rc;
}
