/*
 * task_child.c — forking the stages of a task's pipeline (task_child.h).
 */
#include "weft_config.h"

#include "executor/task_child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* Put fd on target (or /dev/null there when fd < 0). */
static int task_child_place(int fd, int target, int flags)
{
	int null;

	if (fd == target)
		return 0;
	if (fd >= 0)
		return dup2(fd, target) < 0 ? -1 : 0;
	null = open("/dev/null", flags);
	if (null < 0)
		return -1;
	if (null != target) {
		if (dup2(null, target) < 0)
			return -1;
		close(null);
	}
	return 0;
}

pid_t task_child_fork(int in_fd, int out_fd)
{
	pid_t pid;
	int out = out_fd;

	fflush(NULL);
	pid = fork();
	if (pid != 0)
		return pid;
	/* Moving out_fd first would clobber an in_fd of 1. */
	if (out == 0) {
		out = dup(out_fd);
		if (out < 0)
			_exit(126);
	}
	if (task_child_place(in_fd, 0, O_RDONLY) != 0 || task_child_place(out, 1, O_WRONLY) != 0)
		_exit(126);
	close_range(3, ~0U, 0);
	return 0;
}

pid_t task_child_shell(const char *command, int in_fd, int out_fd)
{
	pid_t pid = task_child_fork(in_fd, out_fd);

	if (pid != 0)
		return pid;
	signal(SIGPIPE, SIG_DFL);
	execl("/bin/sh", "sh", "-c", command, (char *)NULL);
	fprintf(stderr, "weft: cannot run /bin/sh: %m\n");
	_exit(127);
}

int task_child_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 127 << 8;
	}
	return status;
}

bool task_child_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool task_child_sigpipe(int status)
{
	return (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) ||
	       (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGPIPE);
}

int task_child_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

int task_child_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC);
}
