/*
 * record_io.h — records as a dataflow task sees them, and the buffered
 * I/O that moves them between pipes and files.
 *
 * A record is one line without its '\n'.  Its key is the bytes before the
 * first TAB (the whole line when there is none), its value what follows
 * the TAB (Hadoop Streaming's rule).  Keys compare as unsigned bytes, a
 * shorter key first when one is a prefix of the other (LC_ALL=C sort).
 * Every side of a shuffle partitions with the same hash, so both parents
 * of a join meet in the same reduce partition.
 */
#ifndef WEFT_EXECUTOR_RECORD_IO_H
#define WEFT_EXECUTOR_RECORD_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Lines from a file descriptor, through one growing buffer. */
struct line_reader {
	int fd;
	char *buf;
	size_t cap;
	size_t start; /* first unread byte */
	size_t end;   /* one past the last byte read */
	size_t scan;  /* bytes from start already known to hold no '\n' */
	bool eof;
	uint64_t bytes; /* read so far */
};

void line_reader_init(struct line_reader *r, int fd);
/* The next line (without '\n'; a last line without one counts), valid
 * until the next call.  RET 1, 0 at the end, -1 on a read error (errno). */
int line_reader_next(struct line_reader *r, const char **line, size_t *len);
void line_reader_free(struct line_reader *r);

/* Buffered writes to a file descriptor. */
struct out_buf {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	uint64_t written; /* bytes handed to the kernel or buffered */
};

void out_buf_init(struct out_buf *w, int fd, size_t cap);
/* RET 0 / -1 with errno (EPIPE when the reader left). */
int out_buf_put(struct out_buf *w, const void *data, size_t len);
/* A record and its '\n'. */
int out_buf_line(struct out_buf *w, const char *rec, size_t len);
int out_buf_flush(struct out_buf *w);
void out_buf_free(struct out_buf *w);
/* write(2) all of it, retrying on EINTR.  RET 0 / -1 with errno. */
int record_write_all(int fd, const void *data, size_t len);

/* Length of rec's key. */
static inline size_t record_key_len(const char *rec, size_t len)
{
	const char *tab = memchr(rec, '\t', len);

	return tab != NULL ? (size_t)(tab - rec) : len;
}

/* Order of two keys (memcmp, then length). */
static inline int record_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* The first 8 bytes of a key as a big-endian number (zero padded): the
 * numbers order as the keys do, except that ties need the whole keys. */
static inline uint64_t record_key_prefix(const char *key, size_t klen)
{
	uint64_t p = 0;
	size_t i;

	for (i = 0; i < 8; i++)
		p = (p << 8) | (i < klen ? (unsigned char)key[i] : 0);
	return p;
}

/* The hash partition of a key among n (FNV-1a, 64 bits). */
uint32_t record_hash_partition(const char *key, size_t klen, uint32_t n);

#endif
