/*
 * executor_output.c — a finished task's output capture
 * (executor_output.h).
 *
 * Owns how much of a task's output goes back: stdout is capped so the
 * status line fits in WEFT_MAX_LINE (cut at a character boundary, the cut
 * reported with stdoutTruncated and stdoutSize; proto_task sends it in
 * base64 when it is not UTF-8 text), stderr travels as its last
 * PROTO_TASK_STDERR_TAIL bytes made valid text, and a dataflow task's
 * result.json rides along, checked like any message.
 */
#include "weft_config.h"

#include "executor/executor_output.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/wjson.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

/* A status line must fit the driver's line cap, with room to spare. */
#define EXECUTOR_OUTPUT_STATUS_LIMIT (WEFT_MAX_LINE - 64 * 1024)
/* A task runner's result.json (map output sizes, samples) must fit a line
 * with the rest of the status. */
#define EXECUTOR_OUTPUT_MAX_RESULT (16 * 1024 * 1024)

/* Read at most max bytes from the start of path.  RET the buffer (NUL
 * after it), *len read and *size the whole file's size; empty if the file
 * is gone. */
static char *executor_output_read_head(const char *path, size_t max, size_t *len, int64_t *size)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	*len = 0;
	*size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return xstrdup("");
	}
	*size = st.st_size;
	if ((uint64_t)st.st_size < max)
		max = (size_t)st.st_size;
	buf = xmalloc(max + 1);
	while (*len < max) {
		n = read(fd, buf + *len, max - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* Make buf (a tail cut anywhere) valid text in place: drop a partial
 * character at the start, replace what is not UTF-8 with '?'.  RET the
 * new start. */
static char *executor_output_sanitize_tail(char *buf, size_t *len)
{
	size_t skip = utf8_cut_start(buf, *len);

	buf += skip;
	*len -= skip;
	utf8_sanitize(buf, *len, UTF8_KEEP_CONTROLS);
	return buf;
}

/* The last max bytes of path as text (caller frees). */
static char *executor_output_read_tail(const char *path, size_t max)
{
	struct stat st;
	char *buf, *text;
	size_t len = 0;
	ssize_t n;
	off_t from;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xstrdup("");
	if (fstat(fd, &st) != 0) {
		close(fd);
		return xstrdup("");
	}
	from = st.st_size > (off_t)max ? st.st_size - (off_t)max : 0;
	buf = xmalloc(max + 1);
	while (len < max) {
		n = pread(fd, buf + len, max - len, from + (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text = executor_output_sanitize_tail(buf, &len);
	text = xstrndup(text, len);
	free(buf);
	return text;
}

/* What the task runner wrote in dir/result.json, or NULL. */
static struct proto_task_result *executor_output_result(const char *dir, int64_t task_id)
{
	struct proto_task_result *r = NULL;
	struct json_object *obj;
	char *path = xasprintf("%s/result.json", dir), *cause = NULL;

	obj = wjson_parse_file(path, EXECUTOR_OUTPUT_MAX_RESULT, &cause);
	if (obj == NULL) {
		log_debug("task %" PRId64 ": no result: %s", task_id, cause);
	} else {
		r = xmalloc(sizeof *r);
		if (proto_task_result_decode(obj, "", r, &cause) != 0) {
			log_warn("task %" PRId64 ": %s: %s", task_id, path, cause);
			proto_task_result_clear(r);
			free(r);
			r = NULL;
		}
		json_object_put(obj);
	}
	free(cause);
	free(path);
	return r;
}

/*
 * The line must fit the driver's cap: stdout is cut (at a character
 * boundary) until it does, and the cut is reported.
 */
struct json_object *executor_output_final_status(const char *dir, int64_t task_id, int attempt,
                                                 enum proto_task_state state, int exit_code,
                                                 bool dataflow)
{
	struct proto_task_status st;
	struct json_object *msg;
	char *out, *tail, *path;
	size_t len, kept, text_len;
	int64_t size;

	memset(&st, 0, sizeof st);
	st.task_id = task_id;
	st.attempt = attempt;
	st.state = state;
	st.exit_code = exit_code;
	st.stdout_size = -1;
	path = xasprintf("%s/stderr", dir);
	tail = executor_output_read_tail(path, PROTO_TASK_STDERR_TAIL);
	free(path);
	st.stderr_tail = tail;
	/* A dataflow task's result first: stdout is cut to what fits beside it. */
	if (dataflow)
		st.result = executor_output_result(dir, task_id);
	if (state != PROTO_TASK_FINISHED) {
		msg = proto_task_status_encode(&st);
		goto out;
	}

	path = xasprintf("%s/stdout", dir);
	out = executor_output_read_head(path, EXECUTOR_OUTPUT_STATUS_LIMIT, &len, &size);
	free(path);
	kept = len;
	st.stdout_data = out;
	st.stdout_size = size;
	for (;;) {
		st.stdout_len = kept;
		st.stdout_truncated = (int64_t)kept < size;
		msg = proto_task_status_encode(&st);
		text_len = strlen(wjson_text(msg));
		if (text_len <= EXECUTOR_OUTPUT_STATUS_LIMIT || kept == 0)
			break;
		json_object_put(msg);
		/* Escapes or base64 made it too long: keep proportionally less. */
		kept = (size_t)((double)kept * EXECUTOR_OUTPUT_STATUS_LIMIT / (double)text_len *
		                0.9);
		kept = utf8_boundary(out, kept);
	}
	if ((int64_t)kept < size)
		log_warn("task %" PRId64 " attempt %d: stdout of %" PRId64 " bytes cut to %zu",
		         task_id, attempt, size, kept);
	free(out);
out:
	if (st.result != NULL) {
		proto_task_result_clear(st.result);
		free(st.result);
	}
	free(tail);
	return msg;
}
