/*
 * file.c — a whole file into memory (see file.h).  The buffer starts at
 * the size fstat gives and grows only if the file grew meanwhile, so a
 * generous bound costs nothing for a small file.
 */
#include "weft_config.h"

#include "common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

int file_read_all(const char *path, size_t max, char **text, size_t *len, char **cause)
{
	struct stat st;
	size_t n = 0, cap;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return set_cause(cause, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return set_cause(cause, "%s: larger than %zu bytes", path, max);
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t got;

		if (n == cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				return set_cause(cause, "%s: larger than %zu bytes", path, max);
			}
			cap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = read(fd, buf + n, cap - n);
		if (got == 0)
			break;
		if (got < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			free(buf);
			close(fd);
			return set_cause(cause, "%s: %s", path, strerror(err));
		}
		n += (size_t)got;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return set_cause(cause, "%s: larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}
