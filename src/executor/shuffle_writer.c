/*
 * shuffle_writer.c — partition, sort, combine and write a map output
 * (shuffle_writer.h).
 *
 * The combine command sees the map's records sorted by partition and key
 * (so equal keys are adjacent, as a streaming reducer expects); a child
 * forked from this process streams the sorted records into it, while
 * this process reads what it prints into a second sorter, which orders
 * the (much smaller) result again before it is written.
 */
#include "weft_config.h"

#include "executor/shuffle_writer.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/xmalloc.h"
#include "executor/record_io.h"
#include "executor/record_sorter.h"
#include "executor/task_child.h"
#include "weft/protocol.h"

/* The range partition: the first bound not below the key. */
uint32_t shuffle_writer_partition(const struct proto_task_output *out, const char *key, size_t klen)
{
	int lo = 0, hi = out->n_bounds, mid;

	if (!out->range)
		return record_hash_partition(key, klen, out->partitions);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (record_key_cmp(out->bounds[mid], out->bound_lens[mid], key, klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

/* Read records from fd into a new sorter.  RET it, or NULL with *cause. */
static struct record_sorter *shuffle_writer_read(const struct proto_task_spec *spec, int fd,
                                                 char **cause)
{
	struct record_sorter *s;
	struct line_reader r;
	const char *line;
	size_t len;
	int rc;

	s = record_sorter_new(spec->out.partitions, spec->budget, ".");
	line_reader_init(&r, fd);
	while ((rc = line_reader_next(&r, &line, &len)) == 1) {
		uint32_t p = shuffle_writer_partition(&spec->out, line, record_key_len(line, len));

		if (record_sorter_add(s, p, line, len, cause) != 0) {
			rc = -2;
			break;
		}
	}
	if (rc == -1)
		set_cause(cause, "reading records: %s", strerror(errno));
	line_reader_free(&r);
	if (rc != 0 || record_sorter_finish(s, cause) != 0) {
		record_sorter_free(s);
		return NULL;
	}
	return s;
}

/* In a forked child: stream the sorted records to fd 1 and exit. */
static void shuffle_writer_feed(struct record_sorter *s, uint32_t parts)
{
	struct out_buf w;
	const char *rec;
	size_t len, klen;
	uint32_t p;

	signal(SIGPIPE, SIG_IGN);
	out_buf_init(&w, 1, 1024 * 1024);
	for (p = 0; p < parts; p++) {
		while (record_sorter_next(s, p, &rec, &len, &klen) == 1) {
			if (out_buf_line(&w, rec, len) != 0)
				_exit(errno == EPIPE ? 128 + SIGPIPE : 1);
		}
	}
	if (out_buf_flush(&w) != 0)
		_exit(errno == EPIPE ? 128 + SIGPIPE : 1);
	_exit(0);
}

/* Run the combine command over a sorted map output (s is freed).  RET
 * the combined records sorted again, or NULL with *cause
 * (res->combine_status set when the command failed). */
static struct record_sorter *shuffle_writer_combine(const struct proto_task_spec *spec,
                                                    struct record_sorter *s,
                                                    struct shuffle_write_result *res, char **cause)
{
	struct record_sorter *out;
	int to_cmd[2], from_cmd[2], feeder_status, cmd_status;
	pid_t feeder, cmd;

	if (task_child_pipe(to_cmd) != 0)
		goto pipe_failed;
	if (task_child_pipe(from_cmd) != 0) {
		close(to_cmd[0]);
		close(to_cmd[1]);
		goto pipe_failed;
	}
	feeder = task_child_fork(-1, to_cmd[1]);
	if (feeder == 0)
		shuffle_writer_feed(s, spec->out.partitions);
	/* The feeder has its own copy of the sorted records (and keeps the
	 * spill files it mapped): free ours for the second sort. */
	record_sorter_free(s);
	cmd = task_child_shell(spec->out.combine, to_cmd[0], from_cmd[1]);
	close(to_cmd[0]);
	close(to_cmd[1]);
	close(from_cmd[1]);
	if (feeder < 0 || cmd < 0) {
		set_cause(cause, "fork: %s", strerror(errno));
		if (feeder > 0)
			kill(feeder, SIGKILL);
		if (cmd > 0)
			kill(cmd, SIGKILL);
		out = NULL;
	} else {
		out = shuffle_writer_read(spec, from_cmd[0], cause);
	}
	close(from_cmd[0]);
	feeder_status = feeder > 0 ? task_child_wait(feeder) : 0;
	cmd_status = cmd > 0 ? task_child_wait(cmd) : 0;
	if (out == NULL)
		return NULL;
	if (!task_child_ok(cmd_status)) {
		res->combine_status = cmd_status;
		record_sorter_free(out);
		set_cause(cause, "the combine command exited with code %d",
		          task_child_code(cmd_status));
		return NULL;
	}
	if (!task_child_ok(feeder_status)) {
		record_sorter_free(out);
		set_cause(cause, "the combine command did not read all of its input");
		return NULL;
	}
	return out;
pipe_failed:
	set_cause(cause, "pipe: %s", strerror(errno));
	record_sorter_free(s);
	return NULL;
}

/* The map output's directory in the local dir its name hashes to. */
static char *shuffle_writer_dir(const struct proto_task_spec *spec, const char *name, char **cause)
{
	char *dir;

	dir = xasprintf("%s/" WEFT_SHUFFLE_DIR,
	                spec->local_dirs[hash_dir_index(name, spec->n_local_dirs)]);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		set_cause(cause, "mkdir %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	return dir;
}

/* Write the data and index files.  RET 0 / -1 *cause. */
static int shuffle_writer_write(const struct proto_task_spec *spec, struct record_sorter *s,
                                struct shuffle_write_result *res, char **cause)
{
	char *data_name, *index_name, *dir, *data_tmp, *index_tmp, *data_path, *index_path;
	uint64_t *offsets;
	struct out_buf w;
	const char *rec;
	size_t len, klen;
	uint32_t p, n = spec->out.partitions;
	int fd = -1, rc = -1;

	data_name = proto_task_map_file(spec->out.shuffle_id, res->map, PROTO_TASK_MAP_DATA);
	index_name = proto_task_map_file(spec->out.shuffle_id, res->map, PROTO_TASK_MAP_INDEX);
	/* Readers look a map output up by its index file's name. */
	dir = shuffle_writer_dir(spec, index_name, cause);
	if (dir == NULL) {
		free(data_name);
		free(index_name);
		return -1;
	}
	data_path = xasprintf("%s/%s", dir, data_name);
	index_path = xasprintf("%s/%s", dir, index_name);
	data_tmp = xasprintf("%s.tmp", data_path);
	index_tmp = xasprintf("%s.tmp", index_path);
	offsets = xcalloc((size_t)n + 1, sizeof *offsets);
	res->sizes = xcalloc(n, sizeof *res->sizes);
	res->n = n;

	fd = open(data_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_cause(cause, "%s: %s", data_tmp, strerror(errno));
		goto out;
	}
	out_buf_init(&w, fd, 1024 * 1024);
	for (p = 0; p < n; p++) {
		offsets[p] = htole64(w.written);
		while (record_sorter_next(s, p, &rec, &len, &klen) == 1) {
			if (out_buf_line(&w, rec, len) != 0)
				break;
		}
		res->sizes[p] = w.written - le64toh(offsets[p]);
	}
	offsets[n] = htole64(w.written);
	if (out_buf_flush(&w) != 0 || w.written != le64toh(offsets[n])) {
		set_cause(cause, "%s: %s", data_tmp, strerror(errno));
		out_buf_free(&w);
		goto out;
	}
	out_buf_free(&w);
	if (close(fd) != 0) {
		fd = -1;
		set_cause(cause, "%s: %s", data_tmp, strerror(errno));
		goto out;
	}
	fd = open(index_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || record_write_all(fd, offsets, ((size_t)n + 1) * sizeof *offsets) != 0 ||
	    close(fd) != 0) {
		set_cause(cause, "%s: %s", index_tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* The data first: whoever sees the index finds its data. */
	if (rename(data_tmp, data_path) != 0 || rename(index_tmp, index_path) != 0) {
		set_cause(cause, "rename into %s: %s", dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		unlink(data_tmp);
		unlink(index_tmp);
		unlink(data_path);
	}
	free(offsets);
	free(data_tmp);
	free(index_tmp);
	free(data_path);
	free(index_path);
	free(dir);
	free(data_name);
	free(index_name);
	return rc;
}

int shuffle_writer_run(const struct proto_task_spec *spec, int in_fd,
                       struct shuffle_write_result *res, char **cause)
{
	struct record_sorter *s, *combined;
	int rc;

	memset(res, 0, sizeof *res);
	res->map = proto_task_map_id(spec->partition, spec->task_id, spec->attempt);
	s = shuffle_writer_read(spec, in_fd, cause);
	if (s == NULL)
		return -1;
	res->records = record_sorter_count(s);
	res->spills = record_sorter_spills(s);
	if (spec->out.combine != NULL && record_sorter_count(s) > 0) {
		combined = shuffle_writer_combine(spec, s, res, cause);
		if (combined == NULL)
			return -1;
		s = combined;
	}
	rc = shuffle_writer_write(spec, s, res, cause);
	record_sorter_free(s);
	return rc;
}

void shuffle_write_result_free(struct shuffle_write_result *res)
{
	free(res->map);
	free(res->sizes);
	memset(res, 0, sizeof *res);
}
