/*
 * fuzz_rm.c — see fuzz_rm.h.
 */
#include "weft_config.h"

#include "fuzz_rm.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/log.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "rm/rm.h"

static char fuzz_rm_dir[] = "/tmp/weft-fuzz-rm-XXXXXX";
static struct rm *fuzz_rm;

/* Remove the temporary directory (secret and staging). */
static void fuzz_rm_cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", fuzz_rm_dir);

	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fuzz_rm_dir);
	free(cmd);
}

/* Set key or give up: the harness cannot run without its RM. */
static void fuzz_rm_set(struct config *cfg, const char *key, const char *value)
{
	char *cause = NULL;

	if (config_set(cfg, key, value, &cause) != 0)
		fatalx("fuzz_rm: %s: %s", key, cause);
}

struct rm *fuzz_rm_get(void)
{
	struct event_base *base;
	struct config *cfg;
	char *cause = NULL, *path;

	if (fuzz_rm != NULL)
		return fuzz_rm;
	log_open("fuzz", LOG_LEVEL_ERROR, "/dev/null");
	if (mkdtemp(fuzz_rm_dir) == NULL)
		fatal("fuzz_rm: mkdtemp");
	atexit(fuzz_rm_cleanup);
	base = event_base_new();
	cfg = config_new();
	path = xasprintf("%s/secret", fuzz_rm_dir);
	if (secret_create(path, &cause) != 0)
		fatalx("fuzz_rm: %s", cause);
	fuzz_rm_set(cfg, "security.secret-file", path);
	free(path);
	path = xasprintf("%s/staging", fuzz_rm_dir);
	fuzz_rm_set(cfg, "rm.staging-dir", path);
	free(path);
	fuzz_rm_set(cfg, "rm.address", "127.0.0.1:0");
	fuzz_rm_set(cfg, "rm.rpc-address", "127.0.0.1:0");
	/* base and cfg live as long as the process: the RM keeps both. */
	fuzz_rm = rm_new(base, cfg, &cause);
	if (fuzz_rm == NULL)
		fatalx("fuzz_rm: rm_new: %s", cause);
	return fuzz_rm;
}
