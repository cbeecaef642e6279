/*
 * proc.h — child processes inside a libevent loop (after tmux's job.c).
 *
 * Children are started in their own process group with stdout/stderr sent
 * to files; SIGCHLD is turned into a loop event and reaped with a
 * waitpid(WNOHANG) loop, and the owner's exit callback runs from the loop.
 * An exec failure is reported through a close-on-exec pipe, so
 * proc_spawn() fails cleanly instead of leaving a child that exits 127.
 *
 * Ownership: the struct proc belongs to this module.  It is freed right
 * after the exit callback returns (after proc_detach(): when the child is
 * reaped), so the owner must drop its pointer inside the callback and not
 * use the handle afterwards.  The stdio paths are opened before the chdir
 * (relative ones resolve against the caller's directory); argv[0] is looked
 * up in the caller's PATH even when env is given.
 */
#ifndef WEFT_PROC_H
#define WEFT_PROC_H

#include <event2/event.h>
#include <stdbool.h>
#include <sys/types.h>

struct proc;
/* wait_status as from waitpid(); see proc_exit_code(). */
typedef void (*proc_exit_cb)(struct proc *p, int wait_status, void *arg);

struct proc_spec {
	const char *command;     /* run with /bin/sh -c, or NULL and argv */
	char *const *argv;       /* argv[0] is looked up in PATH */
	char *const *env;        /* full "K=V" environment; NULL = inherit */
	const char *cwd;         /* NULL = inherit */
	const char *stdout_path; /* created/appended 0640; NULL = /dev/null */
	const char *stderr_path; /* NULL = /dev/null */
	const char *stdin_path;  /* NULL = /dev/null */
	bool new_session;        /* setsid(): the child leads a session of
	                            its own; every process left in it is
	                            signalled with the group and SIGKILLed
	                            when the leader exits (NM containers, so
	                            an executor's tasks die with it even
	                            though they run in groups of their own) */
};

/* Install the SIGCHLD event on base; once per process. */
void proc_init(struct event_base *base);
/* Start a child.  RET the handle, or NULL with *cause (fork failed, the
 * program could not be executed, cwd missing, ...). */
struct proc *proc_spawn(const struct proc_spec *spec, proc_exit_cb cb, void *arg, char **cause);
pid_t proc_pid(const struct proc *p);
bool proc_running(const struct proc *p);
/* Signal the whole process group. */
void proc_signal(struct proc *p, int sig);
/* SIGTERM to the group, then SIGKILL to the group after grace_ms if the
 * leader has not exited; the group is also SIGKILLed once the leader is
 * reaped (when the grace period ends, if the leader died first: a shell
 * leader dies of SIGTERM at once while its child stops cleanly), so no
 * grandchild outlives a stopped container. */
void proc_terminate(struct proc *p, int grace_ms);
/* The owner goes away: no callback will run; the child is still reaped
 * and the handle freed when it exits. */
void proc_detach(struct proc *p);
/* Exit code in YARN's convention: the exit status, or 128+signal. */
int proc_exit_code(int wait_status);
/* SIGKILL now the remains of terminated groups whose leader already
 * exited and whose grace period is still running, and remove the SIGCHLD
 * event: call before freeing the event base (and before exit). */
void proc_shutdown(void);
/* Number of children not yet reaped (tests, shutdown). */
int proc_count(void);

#endif
