/*
 * node.c — the node manager's identity and settings.
 *
 * Everything here is decided once at start-up and read-only afterwards:
 * what the node offers to containers, which directories it uses (checked
 * now, so a typo or a read-only disk stops the daemon with a clear message
 * instead of failing every container later), where the RM is, and — after
 * the HTTP server is bound — the node id other programs use to reach us.
 */
#include "weft_config.h"

#include "nm/node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/net.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "nm/dirs.h"

/* What YARN's NM offers by default: the machine less 1 GiB for the OS. */
int64_t node_detect_memory_mb(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
	int64_t mb;

	if (pages <= 0 || page_size <= 0)
		return 1024;
	mb = (int64_t)pages * (int64_t)page_size / (1024 * 1024) - 1024;
	return mb < 1024 ? 1024 : mb;
}

/* One vcore per online CPU. */
int64_t node_detect_vcores(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus < 1 ? 1 : (int64_t)cpus;
}

/* Make one configured directory usable; RET its absolute path or NULL. */
static char *node_prepare_dir(const char *key, const char *dir, char **cause)
{
	char cwd[4096], *path, *why = NULL;

	if (dir[0] == '/') {
		path = xstrdup(dir);
	} else {
		if (getcwd(cwd, sizeof cwd) == NULL) {
			set_cause(cause, "%s: %s: %s", key, dir, strerror(errno));
			return NULL;
		}
		path = xasprintf("%s/%s", cwd, dir);
	}
	if (dirs_make_path(path, 0755, &why) != 0) {
		set_cause(cause, "%s: %s", key, why);
		free(why);
		free(path);
		return NULL;
	}
	if (access(path, W_OK | X_OK) != 0) {
		set_cause(cause, "%s: %s: %s", key, path, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* Create and check every directory of a list setting. */
int node_prepare_dirs(const char *key, char *const *dirs, int n, char ***out, int *n_out,
                      char **cause)
{
	char **list;
	int i;

	*out = NULL;
	*n_out = 0;
	if (n <= 0)
		return set_cause(cause, "%s: no directory given", key);
	list = xcalloc((size_t)n + 1, sizeof *list);
	for (i = 0; i < n; i++) {
		list[i] = node_prepare_dir(key, dirs[i], cause);
		if (list[i] == NULL) {
			config_list_free(list);
			return -1;
		}
	}
	*out = list;
	*n_out = n;
	return 0;
}

/* Read a list setting and prepare its directories. */
static int node_prepare_list(const struct config *cfg, const char *key, char ***out, int *n_out,
                             char **cause)
{
	char **raw;
	int n, rc;

	raw = config_get_list(cfg, key, &n);
	rc = node_prepare_dirs(key, raw, n, out, n_out, cause);
	config_list_free(raw);
	return rc;
}

/* Fill the settings of ctx from the configuration. */
/* rm.rpc-address as the status updater's client reads it (one or more
 * addresses). */
static int node_check_rm_addresses(const char *list, char **cause)
{
	char **urls = NULL, *why = NULL;
	int n = 0;

	if (client_parse_addresses(list, &urls, &n, &why) != 0) {
		set_cause(cause, "rm.rpc-address: %s", why);
		free(why);
		return -1;
	}
	for (int i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	return 0;
}

int node_init(struct nm_context *ctx, const struct config *cfg, struct event_base *base,
              char **cause)
{
	int64_t memory_mb, vcores;

	ctx->base = base;
	ctx->cfg = cfg;
	ctx->start_time_ms = time_now_ms();
	memory_mb = config_get_int(cfg, "nm.resource.memory-mb");
	vcores = config_get_int(cfg, "nm.resource.vcores");
	if (memory_mb == 0 || vcores == 0)
		return set_cause(cause, "nm.resource.%s: must be positive, or -1 to detect",
		                 memory_mb == 0 ? "memory-mb" : "vcores");
	if (memory_mb < 0)
		memory_mb = node_detect_memory_mb();
	if (vcores < 0)
		vcores = node_detect_vcores();
	ctx->capability = weft_resource(memory_mb, vcores);
	ctx->kill_grace_ms = config_get_int(cfg, "nm.sleep-delay-before-sigkill-ms");

	if (node_prepare_list(cfg, "nm.local-dirs", &ctx->local_dirs, &ctx->n_local_dirs, cause) !=
	            0 ||
	    node_prepare_list(cfg, "nm.log-dirs", &ctx->log_dirs, &ctx->n_log_dirs, cause) != 0)
		return -1;

	ctx->rm_url = net_url_for_address(config_get(cfg, "rm.address"), cause);
	if (ctx->rm_url == NULL)
		return -1;
	if (node_check_rm_addresses(config_get(cfg, "rm.rpc-address"), cause) != 0)
		return -1;
	ctx->rm_rpc_addresses = xstrdup(config_get(cfg, "rm.rpc-address"));
	ctx->libexec_dir = config_get_path(cfg, "nm.libexec-dir");
	if (ctx->libexec_dir == NULL)
		ctx->libexec_dir = daemon_libexec_dir();
	return 0;
}

/* The node id: the advertised host and the port actually bound. */
void node_set_port(struct nm_context *ctx, int port)
{
	const char *configured = config_get(ctx->cfg, "nm.hostname");
	char *bind_host = NULL, *cause = NULL;
	int ignored;

	free(ctx->host);
	free(ctx->node_id);
	if (*configured != '\0') {
		ctx->host = xstrdup(configured);
	} else if (net_parse_address(config_get(ctx->cfg, "nm.address"), &bind_host, &ignored,
	                             &cause) == 0) {
		ctx->host = net_advertised_host(bind_host);
	} else {
		/* config.c checked the address already; be safe anyway. */
		free(cause);
		ctx->host = net_hostname();
	}
	free(bind_host);
	ctx->port = port;
	ctx->node_id = net_format_address(ctx->host, port);
}

/* Free what node_init / node_set_port allocated. */
void node_free(struct nm_context *ctx)
{
	config_list_free(ctx->local_dirs);
	config_list_free(ctx->log_dirs);
	free(ctx->rm_url);
	free(ctx->rm_rpc_addresses);
	free(ctx->libexec_dir);
	free(ctx->host);
	free(ctx->node_id);
	ctx->local_dirs = ctx->log_dirs = NULL;
	ctx->rm_url = ctx->rm_rpc_addresses = ctx->libexec_dir = ctx->host = ctx->node_id = NULL;
}
