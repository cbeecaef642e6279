/*
 * task_child.h — the processes of one dataflow task's pipeline.
 *
 * Inside a task runner (not a daemon: it blocks on pipes and waits for
 * its children, which is the back-pressure a pipeline wants).  Every
 * child is forked with its input on fd 0 and output on fd 1, stderr
 * shared with the runner (the task's stderr file), and no other
 * descriptor, so each pipe sees its end of file when it should.
 */
#ifndef WEFT_EXECUTOR_TASK_CHILD_H
#define WEFT_EXECUTOR_TASK_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/* Fork a child reading in_fd and writing out_fd (as its fd 0 and 1; -1 =
 * /dev/null).  RET 0 in the child (which must _exit), the pid in the
 * parent, -1 with errno. */
pid_t task_child_fork(int in_fd, int out_fd);
/* Fork and run `/bin/sh -c command` that way.  RET pid / -1. */
pid_t task_child_shell(const char *command, int in_fd, int out_fd);
/* Wait for pid.  RET its wait status. */
int task_child_wait(pid_t pid);
/* Whether a wait status is success, and whether it is a death by
 * SIGPIPE (or a shell's 141): a writer whose reader left on purpose. */
bool task_child_ok(int status);
bool task_child_sigpipe(int status);
/* Exit code in YARN's convention (status, or 128 + signal). */
int task_child_code(int status);
/* A pipe whose ends are close-on-exec.  RET 0 / -1. */
int task_child_pipe(int fds[2]);

#endif
