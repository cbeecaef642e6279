/*
 * text_input.h — the lines of one text split, written to a descriptor.
 *
 * A split is the byte range [start, start + length) of a file, and owns
 * the lines that start inside it (Hadoop's LineRecordReader rule): a
 * split that does not begin at 0 skips through the first '\n' at or after
 * its start, and every split reads on through the first '\n' at or after
 * its end.  Consecutive splits therefore hand out every line exactly
 * once, whatever the split size.  Output always ends with '\n'.
 */
#ifndef WEFT_EXECUTOR_TEXT_INPUT_H
#define WEFT_EXECUTOR_TEXT_INPUT_H

#include <stdint.h>

/*
 * The byte range [*from, *to) of a split of the open file fd (size bytes):
 * what text_input_file copies.  RET 0 / -1 with errno.
 */
int text_input_range(int fd, int64_t size, int64_t start, int64_t length, int64_t *from,
                     int64_t *to);
/* Copy a split of a local file to out_fd.  A reader that leaves early is
 * not an error.  RET 0 / -1 with *cause. */
int text_input_file(const char *path, int64_t start, int64_t length, int out_fd, char **cause);
/* The same for an http(s):// URL (a Range request from start; length -1
 * = to the end).  RET 0 / -1 with *cause. */
int text_input_url(const char *url, int64_t start, int64_t length, int out_fd, char **cause);

#endif
