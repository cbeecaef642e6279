/*
 * shuffle_fetch.c — a reduce task's input, local or over HTTP
 * (shuffle_fetch.h).
 *
 * Local sources are mapped straight from the map output file (no copy).
 * Remote ones go through the asynchronous HTTP client on a loop of this
 * process, at most SHUFFLE_FETCH_PARALLEL at once; a body is kept in
 * memory while the task's budget allows, and a large one (or one past the
 * budget) is downloaded into a file of the task's directory and mapped.  A source
 * that does not answer is retried twice with a growing delay before it
 * counts as a fetch failure.
 */
#include "weft_config.h"

#include "executor/shuffle_fetch.h"

#include <endian.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/hash.h"
#include "common/http_client.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "executor/record_io.h"
#include "weft/protocol.h"

#define SHUFFLE_FETCH_PARALLEL 16
/* A segment larger than this (or past the budget) goes straight to a file
 * of the task's directory instead of through memory. */
#define SHUFFLE_FETCH_MEMORY_MAX ((int64_t)64 * 1024 * 1024)
#define SHUFFLE_FETCH_TRIES      3
#define SHUFFLE_FETCH_BACKOFF_MS 250
#define SHUFFLE_FETCH_TIMEOUT_MS 300000L

/* One source to fetch. */
struct fetch_job {
	struct fetch_state *st;
	int seg;            /* index in the result */
	int64_t shuffle_id; /* -1: a block */
	const char *map;
	const char *node;
	int64_t size;
	char *path; /* URL path */
	char *file; /* set while downloading to a file */
	int tries;
	struct event *retry;
	struct http_call *call;
};

struct fetch_state {
	const struct proto_task_spec *spec;
	struct fetch_result *r;
	struct event_base *base;
	struct http_client *http;
	struct secret *secret;
	struct fetch_job *jobs;
	int n_jobs;
	int next;      /* next job to start */
	int in_flight; /* calls or retries pending */
	int done;
	uint64_t in_memory;
	int files;
	char *error; /* a local error: the task fails */
};

int shuffle_fetch_open_local(const struct proto_task_spec *spec, const char *name)
{
	int first = hash_dir_index(name, spec->n_local_dirs), k, fd = -1, saved = ENOENT;
	char *path;

	for (k = 0; k < spec->n_local_dirs && fd < 0; k++) {
		path = xasprintf("%s/" WEFT_SHUFFLE_DIR "/%s",
		                 spec->local_dirs[(first + k) % spec->n_local_dirs], name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno != ENOENT)
			saved = errno;
		free(path);
	}
	if (fd < 0)
		errno = saved;
	return fd;
}

/* Map [off, off + len) of fd into seg. RET 0 / -1 with errno. */
static int shuffle_fetch_map(int fd, uint64_t off, uint64_t len, struct fetch_segment *seg)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t aligned = off - off % (uint64_t)page;
	void *p;

	if (len == 0)
		return 0;
	p = mmap(NULL, (size_t)(len + (off - aligned)), PROT_READ, MAP_PRIVATE, fd, (off_t)aligned);
	if (p == MAP_FAILED)
		return -1;
	madvise(p, (size_t)(len + (off - aligned)), MADV_SEQUENTIAL);
	seg->base = p;
	seg->base_len = (size_t)(len + (off - aligned));
	seg->mapped = true;
	seg->data = (const char *)p + (off - aligned);
	seg->len = (size_t)len;
	return 0;
}

/* Record a fetch failure (the first one wins). */
static void shuffle_fetch_fail(struct fetch_state *st, const struct fetch_job *j, const char *fmt,
                               ...) __attribute__((format(printf, 3, 4)));
static void shuffle_fetch_fail(struct fetch_state *st, const struct fetch_job *j, const char *fmt,
                               ...)
{
	struct fetch_result *r = st->r;
	va_list ap;

	if (r->failed)
		return;
	r->failed = true;
	r->shuffle_id = j->shuffle_id;
	r->map = xstrdup(j->map != NULL ? j->map : "");
	r->node = xstrdup(j->node);
	va_start(ap, fmt);
	r->message = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Read a map output's partition from this node's disks. */
static void shuffle_fetch_local(struct fetch_state *st, struct fetch_job *j)
{
	const struct proto_task_spec *spec = st->spec;
	struct fetch_segment *seg = &st->r->segs[j->seg];
	uint64_t offs[2];
	struct stat sb;
	char *name;
	int fd;

	if (j->shuffle_id < 0) {
		name = proto_task_block_file(spec->in.dataset, spec->partition);
		fd = shuffle_fetch_open_local(spec, name);
		free(name);
		if (fd < 0) {
			shuffle_fetch_fail(st, j, "block %" PRId64 "/%" PRId64 ": %s",
			                   spec->in.dataset, spec->partition, strerror(errno));
			return;
		}
		if (fstat(fd, &sb) != 0 || shuffle_fetch_map(fd, 0, (uint64_t)sb.st_size, seg) != 0)
			shuffle_fetch_fail(st, j, "block %" PRId64 "/%" PRId64 ": %s",
			                   spec->in.dataset, spec->partition, strerror(errno));
		close(fd);
		return;
	}
	name = proto_task_map_file(j->shuffle_id, j->map, PROTO_TASK_MAP_INDEX);
	fd = shuffle_fetch_open_local(spec, name);
	free(name);
	if (fd < 0 || pread(fd, offs, sizeof offs, (off_t)(spec->partition * 8)) != sizeof offs) {
		shuffle_fetch_fail(st, j, "map output %s of shuffle %" PRId64 ": index: %s", j->map,
		                   j->shuffle_id, fd < 0 ? strerror(errno) : "short read");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	offs[0] = le64toh(offs[0]);
	offs[1] = le64toh(offs[1]);
	if (offs[1] < offs[0] || (int64_t)(offs[1] - offs[0]) != j->size) {
		shuffle_fetch_fail(st, j,
		                   "map output %s of shuffle %" PRId64 ": partition %" PRId64
		                   " has %" PRIu64 " bytes, expected %" PRId64,
		                   j->map, j->shuffle_id, spec->partition, offs[1] - offs[0],
		                   j->size);
		return;
	}
	name = proto_task_map_file(j->shuffle_id, j->map, PROTO_TASK_MAP_DATA);
	fd = shuffle_fetch_open_local(spec, name);
	free(name);
	if (fd < 0 || shuffle_fetch_map(fd, offs[0], offs[1] - offs[0], seg) != 0)
		shuffle_fetch_fail(st, j, "map output %s of shuffle %" PRId64 ": data: %s", j->map,
		                   j->shuffle_id, strerror(errno));
	if (fd >= 0)
		close(fd);
	st->r->bytes += offs[1] - offs[0];
}

static void shuffle_fetch_start(struct fetch_state *st, struct fetch_job *j);

/* Start what the parallelism allows; stop the loop when all is done. */
static void shuffle_fetch_pump(struct fetch_state *st)
{
	while (!st->r->failed && st->error == NULL && st->in_flight < SHUFFLE_FETCH_PARALLEL &&
	       st->next < st->n_jobs)
		shuffle_fetch_start(st, &st->jobs[st->next++]);
	if (st->r->failed || st->error != NULL || (st->in_flight == 0 && st->next == st->n_jobs))
		event_base_loopbreak(st->base);
}

/* Keep a fetched body: in memory within the budget, else in a file. */
static int shuffle_fetch_keep(struct fetch_state *st, struct fetch_job *j, const char *body,
                              size_t len)
{
	struct fetch_segment *seg = &st->r->segs[j->seg];
	char *path;
	int fd;

	st->r->bytes += len;
	st->r->remote++;
	if (len == 0)
		return 0;
	if (st->in_memory + len <= st->spec->budget) {
		seg->base = xmalloc(len);
		memcpy(seg->base, body, len);
		seg->data = seg->base;
		seg->len = len;
		seg->base_len = len;
		st->in_memory += len;
		return 0;
	}
	path = xasprintf("fetch-%d", st->files++);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || record_write_all(fd, body, len) != 0 ||
	    shuffle_fetch_map(fd, 0, len, seg) != 0) {
		st->error = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return -1;
	}
	close(fd);
	unlink(path); /* the mapping keeps it */
	free(path);
	return 0;
}

/* Retry a source after its backoff. */
static void shuffle_fetch_retry_cb(evutil_socket_t fd, short events, void *arg)
{
	struct fetch_job *j = arg;

	j->st->in_flight--;
	shuffle_fetch_start(j->st, j);
	shuffle_fetch_pump(j->st);
}

/* A source answered (or did not). */
static void shuffle_fetch_done_cb(const struct http_response *resp, void *arg)
{
	struct fetch_job *j = arg;
	struct fetch_state *st = j->st;
	struct timeval tv;
	int ms;

	j->call = NULL;
	st->in_flight--;
	if (resp->status == 200 && (int64_t)resp->body_len == j->size) {
		shuffle_fetch_keep(st, j, resp->body, resp->body_len);
		st->done++;
	} else if ((resp->status == 0 || resp->status >= 500) && j->tries < SHUFFLE_FETCH_TRIES) {
		ms = SHUFFLE_FETCH_BACKOFF_MS << (j->tries - 1);
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
		if (j->retry == NULL)
			j->retry = evtimer_new(st->base, shuffle_fetch_retry_cb, j);
		st->in_flight++;
		evtimer_add(j->retry, &tv);
	} else if (resp->status == 200) {
		shuffle_fetch_fail(st, j, "http://%s%s: %zu bytes, expected %" PRId64, j->node,
		                   j->path, resp->body_len, j->size);
	} else if (resp->status == 0) {
		shuffle_fetch_fail(st, j, "http://%s%s: %s", j->node, j->path,
		                   resp->error != NULL ? resp->error : "no answer");
	} else {
		shuffle_fetch_fail(st, j, "http://%s%s: HTTP %ld: %.200s", j->node, j->path,
		                   resp->status, resp->body);
	}
	shuffle_fetch_pump(st);
}

/* A source downloaded into a file: map it (the mapping keeps it). */
static void shuffle_fetch_downloaded_cb(const struct http_response *resp, void *arg)
{
	struct fetch_job *j = arg;
	struct fetch_state *st = j->st;
	struct fetch_segment *seg = &st->r->segs[j->seg];
	struct stat sb;
	int fd;

	if (resp->status != 200) {
		shuffle_fetch_done_cb(resp, arg); /* retry or fail, as for memory */
		return;
	}
	j->call = NULL;
	st->in_flight--;
	fd = open(j->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size != j->size) {
		shuffle_fetch_fail(st, j, "http://%s%s: %lld bytes, expected %" PRId64, j->node,
		                   j->path, fd < 0 ? -1LL : (long long)sb.st_size, j->size);
	} else if (shuffle_fetch_map(fd, 0, (uint64_t)j->size, seg) != 0) {
		st->error = xasprintf("%s: %s", j->file, strerror(errno));
	} else {
		st->r->bytes += (uint64_t)j->size;
		st->r->remote++;
		st->done++;
	}
	if (fd >= 0)
		close(fd);
	unlink(j->file);
	shuffle_fetch_pump(st);
}

/* Start one source: local read, or a signed GET to its NM. */
static void shuffle_fetch_start(struct fetch_state *st, struct fetch_job *j)
{
	const char *headers[2];
	char *auth, *header, *url;

	if (j->size == 0 && j->shuffle_id >= 0) {
		st->done++;
		return;
	}
	if (strcmp(j->node, st->spec->node_id) == 0) {
		shuffle_fetch_local(st, j);
		st->done++;
		return;
	}
	j->tries++;
	auth = security_sign_request(st->secret, "GET", j->path, NULL, 0, time_now_ms());
	if (j->size > SHUFFLE_FETCH_MEMORY_MAX ||
	    st->in_memory + (uint64_t)j->size > st->spec->budget) {
		/* Big: stream it to disk.  Downloads carry no header, so the
		 * signature goes in the query (the NM accepts either). */
		free(j->file);
		j->file = xasprintf("fetch-%d", j->seg);
		url = xasprintf("http://%s%s?" WEFT_QUERY_SHUFFLE_AUTH "=%s", j->node, j->path,
		                auth);
		st->in_flight++;
		j->call = http_client_download(st->http, url, j->file, j->size,
		                               SHUFFLE_FETCH_TIMEOUT_MS,
		                               shuffle_fetch_downloaded_cb, j);
		free(url);
		free(auth);
		return;
	}
	header = xasprintf("%s: %s", WEFT_SHUFFLE_AUTH_HEADER, auth);
	headers[0] = header;
	headers[1] = NULL;
	url = xasprintf("http://%s%s", j->node, j->path);
	st->in_flight++;
	j->call = http_client_request(st->http, "GET", url, headers, NULL, 0,
	                              SHUFFLE_FETCH_TIMEOUT_MS, shuffle_fetch_done_cb, j);
	free(url);
	free(header);
	free(auth);
}

/* Run the jobs to the end (or the first failure). */
static int shuffle_fetch_run(struct fetch_state *st, char **cause)
{
	int i, remote = 0;

	for (i = 0; i < st->n_jobs; i++)
		if (strcmp(st->jobs[i].node, st->spec->node_id) != 0)
			remote++;
	if (remote > 0) {
		st->base = event_base_new();
		if (st->base == NULL)
			return set_cause(cause, "event_base_new failed");
		st->http = http_client_new(st->base);
		st->secret = secret_from_bytes(st->spec->secret, strlen(st->spec->secret));
	}
	shuffle_fetch_pump(st);
	if (st->base != NULL && !st->r->failed && st->error == NULL &&
	    !(st->in_flight == 0 && st->next == st->n_jobs))
		event_base_dispatch(st->base);
	for (i = 0; i < st->n_jobs; i++) {
		if (st->jobs[i].retry != NULL)
			event_free(st->jobs[i].retry);
		free(st->jobs[i].path);
		free(st->jobs[i].file);
	}
	if (st->http != NULL)
		http_client_free(st->http);
	if (st->base != NULL)
		event_base_free(st->base);
	secret_free(st->secret);
	free(st->jobs);
	if (st->error != NULL) {
		set_cause(cause, "%s", st->error);
		free(st->error);
		return -1;
	}
	return 0;
}

int shuffle_fetch(const struct proto_task_spec *spec, struct fetch_result *r, char **cause)
{
	struct fetch_state st;
	int s, m, n = 0;

	memset(r, 0, sizeof *r);
	memset(&st, 0, sizeof st);
	st.spec = spec;
	st.r = r;
	for (s = 0; s < spec->in.n_sides; s++)
		n += spec->in.sides[s].n_maps;
	r->segs = xcalloc((size_t)(n > 0 ? n : 1), sizeof *r->segs);
	r->n = n;
	st.jobs = xcalloc((size_t)(n > 0 ? n : 1), sizeof *st.jobs);
	for (s = 0; s < spec->in.n_sides; s++) {
		const struct proto_task_shuffle_side *side = &spec->in.sides[s];

		for (m = 0; m < side->n_maps; m++) {
			struct fetch_job *j = &st.jobs[st.n_jobs];

			j->st = &st;
			j->seg = st.n_jobs;
			j->shuffle_id = side->shuffle_id;
			j->map = side->maps[m].map;
			j->node = side->maps[m].node;
			j->size = side->maps[m].size;
			j->path = proto_task_shuffle_map_path(spec->app_id, side->shuffle_id,
			                                      j->map, spec->partition);
			r->segs[st.n_jobs].side = s;
			st.n_jobs++;
		}
	}
	return shuffle_fetch_run(&st, cause);
}

int shuffle_fetch_block(const struct proto_task_spec *spec, struct fetch_result *r, char **cause)
{
	struct fetch_state st;
	struct fetch_job *j;

	memset(r, 0, sizeof *r);
	memset(&st, 0, sizeof st);
	st.spec = spec;
	st.r = r;
	r->segs = xcalloc(1, sizeof *r->segs);
	r->n = 1;
	st.jobs = xcalloc(1, sizeof *st.jobs);
	st.n_jobs = 1;
	j = &st.jobs[0];
	j->st = &st;
	j->shuffle_id = -1;
	j->node = spec->in.node;
	j->size = spec->in.size;
	j->path = proto_task_shuffle_block_path(spec->app_id, spec->in.dataset, spec->partition);
	return shuffle_fetch_run(&st, cause);
}

void fetch_result_free(struct fetch_result *r)
{
	int i;

	for (i = 0; i < r->n; i++) {
		if (r->segs[i].mapped)
			munmap(r->segs[i].base, r->segs[i].base_len);
		else
			free(r->segs[i].base);
	}
	free(r->segs);
	free(r->map);
	free(r->node);
	free(r->message);
	memset(r, 0, sizeof *r);
}
