/*
 * file.h — reading a whole local file into memory, bounded: job files,
 * files a client stages, configuration snippets.
 */
#ifndef WEFT_COMMON_FILE_H
#define WEFT_COMMON_FILE_H

#include <stddef.h>

/*
 * Read the regular file path, at most max bytes of it.  RET 0 with *text
 * (NUL-terminated, caller frees) and *len, or -1 with *cause ("path:
 * why": missing, not a regular file, larger than max, a read error).
 */
int file_read_all(const char *path, size_t max, char **text, size_t *len, char **cause);

#endif
