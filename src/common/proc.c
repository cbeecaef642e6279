/*
 * proc.c — child processes inside the libevent loop (after tmux's job.c).
 *
 * Owns every child a weft program starts: fork + exec into a new process
 * group with stdio on files, an O_CLOEXEC pipe through which the child
 * reports a failed open/chdir/exec (so proc_spawn() fails with a cause
 * instead of leaving a child that exits 127), SIGCHLD turned into a loop
 * event and drained with a waitpid(WNOHANG) loop, and termination of the
 * whole group: SIGTERM, SIGKILL after a grace period, and SIGKILL to the
 * group again once the leader is gone so no grandchild survives.
 *
 * Ownership: the handle belongs to this module.  It is freed right after
 * the owner's exit callback returns (or, after proc_detach(), when the
 * child is reaped), so the owner must forget it in the callback.
 */
#include "weft_config.h"

#include "common/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/xmalloc.h"

struct proc {
	pid_t pid;
	bool running;           /* not reaped yet */
	bool terminating;       /* proc_terminate() was called */
	bool session;           /* leads its own session (proc_spec.new_session) */
	struct timeval kill_at; /* when proc_terminate's grace ends */
	proc_exit_cb cb;        /* NULL once detached */
	void *arg;
	struct event *kill_timer;
	LIST_ENTRY(proc) entry;
};

/* What the child reports through the error pipe before it gives up. */
enum proc_stage {
	PROC_STAGE_STDIN = 1,
	PROC_STAGE_STDOUT,
	PROC_STAGE_STDERR,
	PROC_STAGE_CHDIR,
	PROC_STAGE_EXEC,
};

struct proc_failure {
	int stage;
	int error;
};

static struct event_base *proc_base;
static struct event *proc_sigchld_event;

/*
 * A terminated leader often dies before the rest of its group: a shell
 * running `sh -c CMD` dies of SIGTERM at once while CMD (an AM, an
 * executor) is still stopping cleanly.  The group keeps its grace period:
 * its SIGKILL waits in one of these until the deadline.
 */
struct proc_group_kill {
	pid_t pgid;
	bool session;
	struct event *timer;
	LIST_ENTRY(proc_group_kill) entry;
};
static LIST_HEAD(, proc_group_kill) proc_group_kills = LIST_HEAD_INITIALIZER(proc_group_kills);
static LIST_HEAD(, proc) proc_list = LIST_HEAD_INITIALIZER(proc_list);
static int proc_unreaped;

static void proc_sigchld_cb(evutil_socket_t sig, short events, void *arg);

/* Install the SIGCHLD event (again on a new base, for tests). */
void proc_init(struct event_base *base)
{
	struct sigaction sa;

	if (proc_base == base && proc_sigchld_event != NULL)
		return;
	if (proc_sigchld_event != NULL)
		event_free(proc_sigchld_event);
	/* A SIGCHLD left ignored would make the kernel reap for us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	proc_base = base;
	proc_sigchld_event = evsignal_new(base, SIGCHLD, proc_sigchld_cb, NULL);
	if (proc_sigchld_event == NULL || evsignal_add(proc_sigchld_event, NULL) != 0)
		fatalx("proc_init: cannot install the SIGCHLD event");
}

/* Report a failure to the parent and leave without running atexit hooks. */
static void proc_child_fail(int fd, int stage)
{
	struct proc_failure f = {stage, errno};
	ssize_t n;

	do
		n = write(fd, &f, sizeof f);
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/*
 * Open path for stdio slot target in the child.  The file is opened at a
 * descriptor above 2 first so that an already closed 0/1/2 cannot make one
 * slot's file clobber another's.
 */
static int proc_child_open(const char *path, int flags, int target)
{
	int fd, high;

	fd = open(path != NULL ? path : "/dev/null", flags | O_NOCTTY | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	if (high == -1)
		return -1;
	if (flags & O_NONBLOCK) {
		/* Opened non-blocking only so a FIFO cannot stall the spawn. */
		fcntl(high, F_SETFL, fcntl(high, F_GETFL) & ~O_NONBLOCK);
	}
	if (dup2(high, target) == -1) {
		close(high);
		return -1;
	}
	close(high);
	return 0;
}

/* Mark every descriptor above 2 close-on-exec (the error pipe already is). */
static void proc_child_cloexec_all(void)
{
	struct rlimit rl;
	long fd, max = 65536;

#ifdef SYS_close_range
	/* close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) where the kernel has it. */
	if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (fd = 3; fd < max; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* Everything the child does between vfork and exec (system calls only,
 * nothing that touches the parent's memory but its own stack). */
static void proc_child(const struct proc_spec *spec, int error_fd)
{
	struct sigaction sa;
	sigset_t none;
	int sig;
	char *sh_argv[4];

	if (spec->new_session)
		setsid();
	else
		setpgid(0, 0);

	/* Dispositions set by the daemon (SIGPIPE ignored, libevent's
	 * handlers) must not leak into the program. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (proc_child_open(spec->stdin_path, O_RDONLY | O_NONBLOCK, STDIN_FILENO) != 0)
		proc_child_fail(error_fd, PROC_STAGE_STDIN);
	if (proc_child_open(spec->stdout_path, O_WRONLY | O_APPEND | O_CREAT, STDOUT_FILENO) != 0)
		proc_child_fail(error_fd, PROC_STAGE_STDOUT);
	if (proc_child_open(spec->stderr_path, O_WRONLY | O_APPEND | O_CREAT, STDERR_FILENO) != 0)
		proc_child_fail(error_fd, PROC_STAGE_STDERR);
	if (spec->cwd != NULL && chdir(spec->cwd) != 0)
		proc_child_fail(error_fd, PROC_STAGE_CHDIR);
	proc_child_cloexec_all();

	if (spec->command != NULL) {
		sh_argv[0] = (char *)"sh";
		sh_argv[1] = (char *)"-c";
		sh_argv[2] = (char *)spec->command;
		sh_argv[3] = NULL;
		if (spec->env != NULL)
			execve("/bin/sh", sh_argv, spec->env);
		else
			execv("/bin/sh", sh_argv);
	} else if (spec->env != NULL) {
		execvpe(spec->argv[0], spec->argv, spec->env);
	} else {
		execvp(spec->argv[0], spec->argv);
	}
	proc_child_fail(error_fd, PROC_STAGE_EXEC);
}

/* Turn a child's report into the caller's cause. */
static void proc_failure_cause(const struct proc_spec *spec, const struct proc_failure *f,
                               char **cause)
{
	const char *what = strerror(f->error);

	switch (f->stage) {
	case PROC_STAGE_STDIN:
		set_cause(cause, "%s: %s", spec->stdin_path ? spec->stdin_path : "/dev/null", what);
		break;
	case PROC_STAGE_STDOUT:
		set_cause(cause, "%s: %s", spec->stdout_path ? spec->stdout_path : "/dev/null",
		          what);
		break;
	case PROC_STAGE_STDERR:
		set_cause(cause, "%s: %s", spec->stderr_path ? spec->stderr_path : "/dev/null",
		          what);
		break;
	case PROC_STAGE_CHDIR:
		set_cause(cause, "chdir %s: %s", spec->cwd, what);
		break;
	default:
		set_cause(cause, "exec %s: %s", spec->command ? "/bin/sh" : spec->argv[0], what);
		break;
	}
}

/* Start a child; see proc.h. */
struct proc *proc_spawn(const struct proc_spec *spec, proc_exit_cb cb, void *arg, char **cause)
{
	struct proc_failure failure;
	sigset_t all, old;
	struct proc *p;
	pid_t pid;
	ssize_t n;
	int fds[2], status;

	if (proc_base == NULL) {
		set_cause(cause, "proc_spawn: proc_init was not called");
		return NULL;
	}
	if (spec == NULL ||
	    (spec->command == NULL && (spec->argv == NULL || spec->argv[0] == NULL))) {
		set_cause(cause, "proc_spawn: no command given");
		return NULL;
	}
	if (pipe2(fds, O_CLOEXEC) != 0) {
		set_cause(cause, "pipe: %s", strerror(errno));
		return NULL;
	}

	/* No handler may run in the child before it resets them: libevent's
	 * would write into the parent's signal socketpair. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	/* vfork: the child borrows our memory until it execs, instead of a
	 * copy of every page table that exec throws away at once (the cost
	 * of a short task).  proc_child only makes system calls and writes
	 * its own stack, and we stay suspended until it has exec'd or left. */
	pid = vfork();
	if (pid == 0) {
		proc_child(spec, fds[1]);
		_exit(127); /* not reached */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	if (pid == -1) {
		set_cause(cause, "fork: %s", strerror(errno));
		close(fds[0]);
		return NULL;
	}
	/* Both sides set the group, so signalling it right after we return
	 * cannot race the child's own setpgid (EACCES after exec is fine).
	 * A session leader sets its own: were we first, its setsid() would
	 * fail, and the error pipe below waits until it is done anyway. */
	if (!spec->new_session)
		setpgid(pid, pid);

	/* EOF means exec succeeded; a record means the child is giving up. */
	do
		n = read(fds[0], &failure, sizeof failure);
	while (n == -1 && errno == EINTR);
	close(fds[0]);
	if (n != 0) {
		if (n != (ssize_t)sizeof failure) {
			failure.stage = PROC_STAGE_EXEC;
			failure.error = n == -1 ? errno : EIO;
		}
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		proc_failure_cause(spec, &failure, cause);
		return NULL;
	}

	p = xcalloc(1, sizeof *p);
	p->pid = pid;
	p->running = true;
	p->session = spec->new_session;
	p->cb = cb;
	p->arg = arg;
	LIST_INSERT_HEAD(&proc_list, p, entry);
	proc_unreaped++;
	log_debug("started pid %ld (%s)", (long)pid,
	          spec->command != NULL ? spec->command : spec->argv[0]);
	return p;
}

/* The child's pid (also its process group id). */
pid_t proc_pid(const struct proc *p)
{
	return p->pid;
}

/* True until the child has been reaped. */
bool proc_running(const struct proc *p)
{
	return p->running;
}

/* Signal every process of session sid but the caller, found in /proc
 * (members in process groups of their own are out of killpg's reach).
 * RET how many were signalled. */
static int proc_signal_session(pid_t sid, int sig)
{
	char path[64], buf[512];
	struct dirent *de;
	const char *rparen;
	long pid, session;
	ssize_t n;
	int fd, count = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (dir == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd == -1)
			continue;
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) state ppid pgrp session ...": comm may hold ')'. */
		rparen = strrchr(buf, ')');
		if (rparen == NULL || sscanf(rparen + 1, " %*c %*d %*d %ld", &session) != 1)
			continue;
		if (session == (long)sid && kill((pid_t)pid, sig) == 0)
			count++;
	}
	closedir(dir);
	return count;
}

/* Signal the group (and, for a session leader, the whole session); fall
 * back to the leader if it left the group. */
void proc_signal(struct proc *p, int sig)
{
	if (!p->running)
		return;
	if (kill(-p->pid, sig) != 0 && kill(p->pid, sig) != 0 && errno != ESRCH)
		log_warn("kill %ld: %s", (long)p->pid, strerror(errno));
	if (p->session)
		proc_signal_session(p->pid, sig);
}

/* Grace period over: the group did not stop on SIGTERM. */
static void proc_kill_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc *p = arg;

	if (p->running) {
		log_debug("pid %ld still running after SIGTERM: SIGKILL", (long)p->pid);
		proc_signal(p, SIGKILL);
	}
}

/* SIGTERM now, SIGKILL after grace_ms; see proc.h. */
void proc_terminate(struct proc *p, int grace_ms)
{
	struct timeval tv;

	if (!p->running)
		return;
	p->terminating = true;
	if (grace_ms <= 0) {
		proc_signal(p, SIGKILL);
		return;
	}
	proc_signal(p, SIGTERM);
	/* A stopped group would never act on SIGTERM. */
	proc_signal(p, SIGCONT);
	if (p->kill_timer == NULL) {
		p->kill_timer = evtimer_new(proc_base, proc_kill_timer_cb, p);
		if (p->kill_timer == NULL)
			fatalx("proc_terminate: evtimer_new failed");
	} else if (evtimer_pending(p->kill_timer, NULL)) {
		return; /* the first deadline stands */
	}
	tv.tv_sec = grace_ms / 1000;
	tv.tv_usec = (grace_ms % 1000) * 1000;
	evtimer_add(p->kill_timer, &tv);
	event_base_gettimeofday_cached(proc_base, &p->kill_at);
	timeradd(&p->kill_at, &tv, &p->kill_at);
}

/* The owner no longer wants the exit callback. */
void proc_detach(struct proc *p)
{
	p->cb = NULL;
	p->arg = NULL;
}

/* YARN's exit code convention. */
int proc_exit_code(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return -1;
}

/* Children not yet reaped. */
int proc_count(void)
{
	return proc_unreaped;
}

/* The handle for pid, if we started it. */
static struct proc *proc_find(pid_t pid)
{
	struct proc *p;

	LIST_FOREACH(p, &proc_list, entry)
	{
		if (p->pid == pid)
			return p;
	}
	return NULL;
}

/* SIGKILL what is left of a group (and session). */
static void proc_kill_remains(pid_t pgid, bool session)
{
	if (kill(-pgid, SIGKILL) == 0)
		log_debug("killed what was left of group %ld", (long)pgid);
	if (session && proc_signal_session(pgid, SIGKILL) > 0)
		log_debug("killed what was left of session %ld", (long)pgid);
}

/* A deferred group kill is due (or proc_shutdown runs it early). */
static void proc_group_kill_cb(evutil_socket_t fd, short events, void *arg)
{
	struct proc_group_kill *k = arg;

	proc_kill_remains(k->pgid, k->session);
	LIST_REMOVE(k, entry);
	event_free(k->timer);
	free(k);
}

/* After the leader of a terminated group was reaped: SIGKILL the rest
 * when its grace period ends, or now if it already has. */
static void proc_defer_group_kill(struct proc *p)
{
	struct proc_group_kill *k;
	struct timeval now, left;

	event_base_gettimeofday_cached(proc_base, &now);
	if (p->kill_timer == NULL || !evtimer_pending(p->kill_timer, NULL) ||
	    !timercmp(&p->kill_at, &now, >)) {
		proc_kill_remains(p->pid, p->session);
		return;
	}
	/* Nothing left to wait for? */
	if (kill(-p->pid, 0) != 0 && (!p->session || proc_signal_session(p->pid, 0) == 0))
		return;
	timersub(&p->kill_at, &now, &left);
	k = xcalloc(1, sizeof *k);
	k->pgid = p->pid;
	k->session = p->session;
	k->timer = evtimer_new(proc_base, proc_group_kill_cb, k);
	if (k->timer == NULL)
		fatalx("proc_defer_group_kill: evtimer_new failed");
	LIST_INSERT_HEAD(&proc_group_kills, k, entry);
	evtimer_add(k->timer, &left);
}

/* Run every deferred group kill now, free them and the SIGCHLD event
 * (before the event base is freed; proc_init may follow on a new base). */
void proc_shutdown(void)
{
	while (!LIST_EMPTY(&proc_group_kills))
		proc_group_kill_cb(-1, 0, LIST_FIRST(&proc_group_kills));
	if (proc_sigchld_event != NULL) {
		event_free(proc_sigchld_event);
		proc_sigchld_event = NULL;
	}
	proc_base = NULL;
}

/* A child was reaped: clean its group up, tell the owner, free. */
static void proc_reaped(struct proc *p, int status)
{
	p->running = false;
	proc_unreaped--;
	LIST_REMOVE(p, entry);
	/* The group outlives its leader while any member lives; a session's
	 * processes end with its leader, after the grace period if it was
	 * being terminated. */
	if (p->terminating)
		proc_defer_group_kill(p);
	else if (p->session)
		proc_kill_remains(p->pid, true);
	if (p->kill_timer != NULL) {
		event_free(p->kill_timer);
		p->kill_timer = NULL;
	}
	log_debug("pid %ld exited with code %d", (long)p->pid, proc_exit_code(status));
	if (p->cb != NULL)
		p->cb(p, status, p->arg);
	free(p);
}

/* SIGCHLD: reap every child that has exited. */
static void proc_sigchld_cb(evutil_socket_t sig, short events, void *arg)
{
	struct proc *p;
	pid_t pid;
	int status;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			break;
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nothing left */
		}
		p = proc_find(pid);
		if (p == NULL) {
			log_debug("reaped pid %ld we did not start", (long)pid);
			continue;
		}
		proc_reaped(p, status);
	}
}
