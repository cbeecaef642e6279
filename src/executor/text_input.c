/*
 * text_input.c — copying text splits into a task's pipeline
 * (text_input.h).
 *
 * A local split is copied by the kernel (sendfile), not through a buffer
 * of ours; the boundaries are found with a few small preads around the
 * split's start and end.  A URL is streamed with a blocking libcurl
 * transfer: this runs in a task's input process, where blocking on the
 * pipe is exactly the back-pressure wanted.
 */
#include "weft_config.h"

#include "executor/text_input.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "executor/record_io.h"

#define TEXT_INPUT_SCAN  (64 * 1024)
#define TEXT_INPUT_CHUNK (1024 * 1024)

/* Position of the first '\n' at or after pos, or -1 (none before EOF). */
static int64_t text_input_find_newline(int fd, int64_t pos)
{
	char buf[TEXT_INPUT_SCAN];
	char *nl;
	ssize_t n;

	for (;;) {
		n = pread(fd, buf, sizeof buf, (off_t)pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -2;
		if (n == 0)
			return -1;
		nl = memchr(buf, '\n', (size_t)n);
		if (nl != NULL)
			return pos + (nl - buf);
		pos += n;
	}
}

int text_input_range(int fd, int64_t size, int64_t start, int64_t length, int64_t *from,
                     int64_t *to)
{
	int64_t end, nl;

	end = length < 0 || length > size - start ? size : start + length;
	if (start >= size) {
		*from = *to = size;
		return 0;
	}
	if (start == 0) {
		*from = 0;
	} else {
		nl = text_input_find_newline(fd, start);
		if (nl == -2)
			return -1;
		*from = nl < 0 ? size : nl + 1;
	}
	if (end >= size) {
		*to = size;
	} else {
		nl = text_input_find_newline(fd, end);
		if (nl == -2)
			return -1;
		*to = nl < 0 ? size : nl + 1;
	}
	if (*to < *from)
		*to = *from;
	return 0;
}

/* Copy [from, to) of in_fd to out_fd.  RET 0, 1 when the reader left, -1. */
static int text_input_copy(int in_fd, int64_t from, int64_t to, int out_fd)
{
	off_t off = (off_t)from;
	char *buf = NULL;
	ssize_t n;
	bool use_sendfile = true;

	while (off < (off_t)to) {
		size_t want = (size_t)((off_t)to - off);

		if (want > TEXT_INPUT_CHUNK * 8)
			want = TEXT_INPUT_CHUNK * 8;
		if (use_sendfile) {
			n = sendfile(out_fd, in_fd, &off, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				use_sendfile = false;
				continue;
			}
			if (n < 0) {
				free(buf);
				return errno == EPIPE ? 1 : -1;
			}
			if (n == 0)
				break; /* the file shrank */
			continue;
		}
		if (buf == NULL)
			buf = xmalloc(TEXT_INPUT_CHUNK);
		if (want > TEXT_INPUT_CHUNK)
			want = TEXT_INPUT_CHUNK;
		n = pread(in_fd, buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (record_write_all(out_fd, buf, (size_t)n) != 0) {
			free(buf);
			return errno == EPIPE ? 1 : -1;
		}
		off += n;
	}
	free(buf);
	return 0;
}

int text_input_file(const char *path, int64_t start, int64_t length, int out_fd, char **cause)
{
	int64_t from, to;
	struct stat st;
	char last;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_cause(cause, "%s: not a regular file", path);
	}
	if (text_input_range(fd, (int64_t)st.st_size, start, length, &from, &to) != 0) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	posix_fadvise(fd, (off_t)from, (off_t)(to - from), POSIX_FADV_SEQUENTIAL);
	rc = text_input_copy(fd, from, to, out_fd);
	if (rc == 0 && to > from && pread(fd, &last, 1, (off_t)(to - 1)) == 1 && last != '\n' &&
	    record_write_all(out_fd, "\n", 1) != 0 && errno != EPIPE)
		rc = -1;
	if (rc < 0)
		set_cause(cause, "%s: copying [%" PRId64 ", %" PRId64 "): %s", path, from, to,
		          strerror(errno));
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* State of a streamed URL split. */
struct text_url {
	CURL *easy;
	int out_fd;
	int64_t start, end; /* end = -1: no end */
	int64_t pos;        /* offset of the next byte received */
	bool checked;       /* the response status was looked at */
	bool skipping;      /* before the first line of the split */
	bool done;          /* past the split's last line: stop */
	bool left;          /* the reader left */
	bool failed;
	int error;
	char last;
	int64_t emitted;
};

/* Forward the bytes of a received chunk that belong to the split. */
static size_t text_url_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct text_url *u = arg;
	size_t n = size * nmemb, i = 0, from, to;
	long code = 0;
	char *nl;

	if (!u->checked) {
		u->checked = true;
		curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 400)
			return 0;
		if (code != 206)
			u->pos = 0; /* the whole body came: count from 0 */
	}
	/* Bytes before the split's start (a server that ignored Range). */
	if (u->pos < u->start) {
		int64_t skip = u->start - u->pos;

		if ((int64_t)n <= skip) {
			u->pos += (int64_t)n;
			return n;
		}
		i = (size_t)skip;
		u->pos = u->start;
	}
	if (u->skipping) {
		nl = memchr(data + i, '\n', n - i);
		if (nl == NULL) {
			u->pos += (int64_t)(n - i);
			return n;
		}
		u->pos += (nl - (data + i)) + 1;
		i = (size_t)(nl - data) + 1;
		u->skipping = false;
		if (u->end >= 0 && u->pos - 1 >= u->end) {
			/* That '\n' also ended the split: it owns no line. */
			u->done = true;
			return 0;
		}
	}
	from = i;
	to = n;
	if (u->end >= 0) {
		/* Emit through the first '\n' at or after end. */
		int64_t search_from = u->end - u->pos;
		size_t k = search_from > 0 ? i + (size_t)search_from : i;

		if (k < n) {
			nl = memchr(data + k, '\n', n - k);
			if (nl != NULL) {
				to = (size_t)(nl - data) + 1;
				u->done = true;
			}
		}
	}
	if (to > from) {
		if (record_write_all(u->out_fd, data + from, to - from) != 0) {
			if (errno == EPIPE)
				u->left = true;
			else {
				u->failed = true;
				u->error = errno;
			}
			return 0;
		}
		u->emitted += (int64_t)(to - from);
		u->last = data[to - 1];
	}
	u->pos += (int64_t)(to - i);
	return u->done ? 0 : n;
}

int text_input_url(const char *url, int64_t start, int64_t length, int out_fd, char **cause)
{
	struct text_url u;
	char range[64];
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long code = 0;

	memset(&u, 0, sizeof u);
	u.out_fd = out_fd;
	u.start = start;
	u.end = length < 0 ? -1 : start + length;
	u.pos = start;
	u.skipping = start > 0;
	u.easy = curl_easy_init();
	if (u.easy == NULL)
		return set_cause(cause, "%s: curl_easy_init failed", url);
	curl_easy_setopt(u.easy, CURLOPT_URL, url);
	curl_easy_setopt(u.easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(u.easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(u.easy, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(u.easy, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(u.easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(u.easy, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(u.easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(u.easy, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(u.easy, CURLOPT_WRITEFUNCTION, text_url_write_cb);
	curl_easy_setopt(u.easy, CURLOPT_WRITEDATA, &u);
	if (start > 0) {
		snprintf(range, sizeof range, "%" PRId64 "-", start);
		curl_easy_setopt(u.easy, CURLOPT_RANGE, range);
	}
	rc = curl_easy_perform(u.easy);
	curl_easy_getinfo(u.easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(u.easy);
	if (u.left)
		return 0;
	if (u.failed)
		return set_cause(cause, "%s: writing: %s", url, strerror(u.error));
	if (code >= 400)
		return set_cause(cause, "%s: HTTP status %ld", url, code);
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && u.done))
		return set_cause(cause, "%s: %s", url,
		                 errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
	if (u.emitted > 0 && u.last != '\n' && record_write_all(out_fd, "\n", 1) != 0 &&
	    errno != EPIPE)
		return set_cause(cause, "%s: writing: %s", url, strerror(errno));
	return 0;
}
