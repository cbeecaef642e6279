/*
 * output_commit.h — a save action's output, all or nothing (Hadoop's
 * FileOutputCommitter, simplified to one rename).
 *
 * Tasks write part-NNNNN files into a hidden staging directory beside the
 * destination (<parent>/.<name>.weft-<random>); each part file appears
 * there only when its task succeeded.  Committing removes what failed
 * attempts left, writes an empty _SUCCESS and renames the staging
 * directory to the destination, so readers see either nothing or the
 * whole output.  Aborting removes the staging directory.
 */
#ifndef WEFT_DRIVER_OUTPUT_COMMIT_H
#define WEFT_DRIVER_OUTPUT_COMMIT_H

#include <stdbool.h>

/* Make the staging directory for path.  RET it (caller frees), or NULL
 * with *cause. */
char *output_commit_begin(const char *path, char **cause);
/* Move the staging directory into place (replacing an existing path when
 * overwrite).  RET 0 / -1 *cause (the staging directory is left). */
int output_commit_finish(const char *staging, const char *path, bool overwrite, char **cause);
/* Remove a staging directory and everything in it. */
void output_commit_abort(const char *staging);

#endif
