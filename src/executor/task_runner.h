/*
 * task_runner.h — one dataflow task, run as its own process
 * (`weft-executor --run-task DIR`, started by the executor in the task's
 * process group).
 *
 * DIR/task.json holds the task (common/proto_task.h).  The runner builds the
 * pipeline
 *
 *   input -> [tee] -> command 1 -> [tee] -> ... -> command n -> [tee] -> output
 *
 * as processes joined by pipes: the input (a text split, the merged or
 * joined shuffle partitions, a persisted block) is written by a forked
 * child, each command runs in `/bin/sh -c`, a tee copies a persisted
 * dataset's records into its block file, and the output is the task's
 * stdout (collect), a part file (save), or this process itself (a map
 * output: partition, sort, combine, write; or a key sample).  Each stage
 * is a separate process, so a task uses as many cores as its pipeline
 * has busy stages, and the kernel's pipes give the back-pressure.
 *
 * It writes DIR/result.json (what the executor adds to the task's status
 * as "result", weft/protocol.h) and exits 0 when every stage succeeded;
 * otherwise the failing command's exit code (a writer that died of
 * SIGPIPE because a later command stopped reading is not a failure),
 * 1 for its own errors, 75 for a fetch failure.
 */
#ifndef WEFT_EXECUTOR_TASK_RUNNER_H
#define WEFT_EXECUTOR_TASK_RUNNER_H

#define TASK_RUNNER_FETCH_FAILED 75

/* RET the process's exit code. */
int task_runner_main(const char *dir);

#endif
