/*
 * record_io.c — line reading and buffered writing for dataflow tasks, the
 * key helpers every stage shares (see record_io.h).
 *
 * The reader keeps one buffer and hands out lines that point into it, so
 * a record is copied once (pipe -> buffer) before whoever consumes it
 * copies it where it belongs.  It remembers how far it scanned for a
 * newline, so a very long line costs linear time.
 */
#include "weft_config.h"

#include "executor/record_io.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/hash.h"
#include "common/xmalloc.h"

#define LINE_READER_INITIAL (1024 * 1024)
#define LINE_READER_CHUNK   (256 * 1024)

/* A reader on fd with an empty buffer. */
void line_reader_init(struct line_reader *r, int fd)
{
	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->cap = LINE_READER_INITIAL;
	r->buf = xmalloc(r->cap);
}

/* Make room for at least LINE_READER_CHUNK more bytes after end. */
static void line_reader_room(struct line_reader *r)
{
	if (r->start > 0 && (r->start == r->end || r->cap - r->end < LINE_READER_CHUNK)) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < LINE_READER_CHUNK) {
		r->cap *= 2;
		r->buf = xrealloc(r->buf, r->cap);
	}
}

/* The next line; see record_io.h. */
int line_reader_next(struct line_reader *r, const char **line, size_t *len)
{
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(r->buf + r->start + r->scan, '\n', r->end - r->start - r->scan);
		if (nl != NULL) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line);
			r->start += *len + 1;
			r->scan = 0;
			return 1;
		}
		r->scan = r->end - r->start;
		if (r->eof) {
			if (r->start == r->end)
				return 0;
			*line = r->buf + r->start;
			*len = r->end - r->start;
			r->start = r->end;
			r->scan = 0;
			return 1;
		}
		line_reader_room(r);
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
		r->bytes += (uint64_t)n;
	}
}

void line_reader_free(struct line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

/* write(2) everything. */
int record_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void out_buf_init(struct out_buf *w, int fd, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->fd = fd;
	w->cap = cap > 0 ? cap : 256 * 1024;
	w->buf = xmalloc(w->cap);
}

int out_buf_flush(struct out_buf *w)
{
	if (w->len == 0)
		return 0;
	if (record_write_all(w->fd, w->buf, w->len) != 0)
		return -1;
	w->len = 0;
	return 0;
}

int out_buf_put(struct out_buf *w, const void *data, size_t len)
{
	w->written += len;
	if (w->len + len <= w->cap) {
		memcpy(w->buf + w->len, data, len);
		w->len += len;
		return 0;
	}
	if (out_buf_flush(w) != 0)
		return -1;
	if (len >= w->cap / 2)
		return record_write_all(w->fd, data, len);
	memcpy(w->buf, data, len);
	w->len = len;
	return 0;
}

int out_buf_line(struct out_buf *w, const char *rec, size_t len)
{
	if (w->len + len + 1 <= w->cap) {
		memcpy(w->buf + w->len, rec, len);
		w->buf[w->len + len] = '\n';
		w->len += len + 1;
		w->written += len + 1;
		return 0;
	}
	if (out_buf_put(w, rec, len) != 0)
		return -1;
	return out_buf_put(w, "\n", 1);
}

void out_buf_free(struct out_buf *w)
{
	free(w->buf);
	w->buf = NULL;
}

/* FNV-1a over the key, folded to n partitions. */
uint32_t record_hash_partition(const char *key, size_t klen, uint32_t n)
{
	uint64_t h = hash_fnv1a64(key, klen);

	h ^= h >> 29;
	return n > 0 ? (uint32_t)(h % n) : 0;
}
