/*
 * dirs.h — the NM's careful file-system helpers: directory creation that
 * never follows a symlink below a trusted base, recursive removal that
 * never leaves the tree, and the one rule for names a client may choose.
 */
#ifndef WEFT_NM_DIRS_H
#define WEFT_NM_DIRS_H

#include <stdbool.h>
#include <sys/types.h>

/* Longest file name a client may give (a localized file, a log file). */
#define DIRS_NAME_MAX 255
/* Deepest tree dirs_remove_tree() descends (one fd per level). */
#define DIRS_REMOVE_MAX_DEPTH 256

/*
 * A plain file name: 1..DIRS_NAME_MAX bytes, no '/', no control
 * characters, not starting with '.' (which also rules out "." and "..").
 */
bool dirs_is_plain_name(const char *name);

/* mkdir -p path with mode for the directories it creates (symlinks in
 * the existing part are followed: this is for administrator paths).
 * RET 0, or -1 with *cause "PATH: reason". */
int dirs_make_path(const char *path, mode_t mode, char **cause);

/*
 * Create base/rel one component at a time below an existing base, where
 * no component may be a symlink (a container cannot redirect us).  rel is
 * '/'-separated plain names.  RET 0 or -1 with *cause naming the path.
 */
int dirs_make_below(const char *base, const char *rel, mode_t mode, char **cause);

/*
 * Remove path and everything below it without following any symlink (a
 * link is removed, never its target) and without crossing out of the
 * tree; directories a container made unreadable are opened up first.
 * A missing path is success.  RET 0 or -1 with *cause (what could not be
 * removed; the rest is still removed).
 */
int dirs_remove_tree(const char *path, char **cause);

#endif
