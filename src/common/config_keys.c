/*
 * config_keys.c — every weft.conf key, its type, default and meaning.
 *
 * This table is the single source of truth: config.c validates against it,
 * weft.conf(5) and conf/weft.conf document the same keys (tests check), and
 * `weft conf` could print it.  Keep it sorted by program, then name.
 */
#include "weft_config.h"

#include "common/config.h"

#include <stddef.h>
#include <stdint.h>

/* Not clang-format's: man/gen-conf-docs.py and tests/integration/docs.sh
 * read this table one key a line, indented with a tab. */
/* clang-format off */
#define INT(n, d, lo, hi, desc) { n, CONFIG_INT, d, lo, hi, NULL, desc }
#define STR(n, d, desc) { n, CONFIG_STRING, d, 0, 0, NULL, desc }
#define BOOL(n, d, desc) { n, CONFIG_BOOL, d, 0, 0, NULL, desc }
#define ADDR(n, d, desc) { n, CONFIG_ADDRESS, d, 0, 0, NULL, desc }
#define ADDRS(n, d, desc) { n, CONFIG_ADDRESS_LIST, d, 0, 0, NULL, desc }
#define PATH(n, d, desc) { n, CONFIG_PATH, d, 0, 0, NULL, desc }
#define LIST(n, d, desc) { n, CONFIG_LIST, d, 0, 0, NULL, desc }
#define ENUM(n, d, c, desc) { n, CONFIG_ENUM, d, 0, 0, c, desc }

const struct config_key config_keys[] = {
	/* Everyone. */
	ENUM("log.level", "info", "error,warn,info,debug",
	     "How much the daemons and tools log."),
	PATH("security.secret-file", "secret",
	     "Cluster secret (mode 0600, same on every host); relative to the conf dir."),

	/* weft-rm */
	ADDRS("rm.address", "0.0.0.0:8088",
	      "Where the RM listens and where NMs, AMs and clients reach it (0.0.0.0 = every interface; clients then use 127.0.0.1). Several RMs: host:port,host:port; clients try them in turn, and weft-rm listens on the first that names an address of its host (one it can bind), else on the first."),
	ADDRS("rm.rpc-address", "0.0.0.0:8031",
	      "Where the RM serves internal RPC (NM heartbeats, AM calls, weft admin), ahead of public REST (YARN's 8030/8031/8033); rm.bind-host applies too. A list as rm.address, with the same rule for weft-rm."),
	STR("rm.bind-host", "",
	    "Listen on this host instead of rm.address's and rm.rpc-address's (e.g. 0.0.0.0 while they name the host)."),
	STR("rm.hostname", "",
	    "Host name the RM advertises to AMs and in URLs; empty = rm.address's host, or the host's name for 0.0.0.0."),
	INT("rm.nm.liveness-expiry-ms", "600000", 1000, INT64_C(86400000),
	    "A node that has not heartbeated for this long is LOST."),
	INT("rm.am.max-attempts", "2", 1, 100,
	    "Attempts an application gets before it FAILS (an app may ask for fewer)."),
	INT("rm.am.liveness-expiry-ms", "600000", 1000, INT64_C(86400000),
	    "An AM that has not called allocate for this long fails its attempt."),
	INT("rm.am.launch-timeout-ms", "600000", 1000, INT64_C(86400000),
	    "An AM container that has not registered this long after launch fails its attempt."),
	INT("rm.scheduler.minimum-allocation-mb", "1024", 1, INT64_C(1) << 40,
	    "Smallest container memory; asks are rounded up to a multiple of it."),
	INT("rm.scheduler.maximum-allocation-mb", "8192", 1, INT64_C(1) << 40,
	    "Largest container memory; larger asks are refused."),
	INT("rm.scheduler.minimum-allocation-vcores", "1", 1, 1 << 20,
	    "Smallest container vcores."),
	INT("rm.scheduler.maximum-allocation-vcores", "4", 1, 1 << 20,
	    "Largest container vcores; larger asks are refused."),
	ENUM("rm.scheduler.placement", "spread", "spread,pack",
	     "spread: place on the node with the most free room; pack: fill nodes one by one."),
	PATH("rm.scheduler.queues-file", "queues.conf",
	     "Queue tree (hierarchical capacity queues, see conf/queues.conf); relative to the conf dir; no file = the single queue root.default."),
	INT("rm.scheduler.node-locality-delay", "40", 0, 1000000,
	    "Scheduling opportunities an ask naming nodes passes up before taking a node of their racks (capped at the node count; 0 = none)."),
	INT("rm.scheduler.rack-locality-additional-delay", "40", 0, 1000000,
	    "Further scheduling opportunities before such an ask takes any node (capped at the node count)."),
	BOOL("rm.scheduler.reservations", "true",
	     "Hold a node for an ask too large for any node's free room, so large asks do not starve."),
	BOOL("rm.scheduler.preemption.enabled", "false",
	     "Take containers back from queues over their share for queues below their guarantee."),
	INT("rm.scheduler.preemption.monitoring-interval-ms", "3000", 100, 3600000,
	    "How often the preemption policy runs."),
	INT("rm.scheduler.preemption.max-wait-before-kill-ms", "15000", 0, 3600000,
	    "Between telling an AM a container is wanted back and killing it (exit status -102)."),
	INT("rm.scheduler.preemption.total-preemption-per-round", "10", 1, 100,
	    "Percent of the cluster one preemption round may newly ask back (on top of earlier rounds' marks)."),
	PATH("rm.topology.table-file", "",
	     "Node-to-rack table, 'host rack' per line (YARN's net.topology.table.file.name); empty = none."),
	PATH("rm.topology.script", "",
	     "Run with host names as arguments, prints one rack per host (net.topology.script.file.name); empty = none."),
	PATH("rm.staging-dir", "/tmp/weft-staging",
	     "Where the RM keeps the files applications upload (removed when each app ends)."),
	INT("rm.staging.max-file-mb", "1024", 1, INT64_C(1) << 30,
	    "Largest file an application may upload to staging."),
	INT("rm.staging.max-mb-per-user", "4096", 0, INT64_C(1) << 30,
	    "Total a user may have staged over all applications not yet cleaned up (counted per uploading user; a PUT beyond it is answered 403 and stores nothing; 0 = no cap)."),
	INT("rm.max-reserved-apps-per-user", "100", 0, 100000,
	    "Application ids one user may hold from new-application and not yet submitted; beyond, new-application is answered 403 (0 = no cap; all users together hold at most 100000, the oldest let go first)."),
	INT("rm.reserved-apps.expiry-ms", "3600000", 1000, INT64_C(86400000) * 7,
	    "A user at rm.max-reserved-apps-per-user whose oldest id is older than this gets a new id and the oldest is let go, with its staged files."),
	INT("rm.max-completed-applications", "1000", 0, 10000000,
	    "Finished applications kept for REST reports."),
	INT("rm.container-token.expiry-ms", "600000", 1000, INT64_C(86400000),
	    "A granted container must be started within this time."),
	INT("rm.container-token.roll-interval-ms", "86400000", 1000, INT64_C(86400000) * 30,
	    "How often the RM rolls the container-token key id (the previous one stays valid)."),
	INT("rm.http.max-body-bytes", "1048576", 1024, INT64_C(1) << 30,
	    "Largest JSON request body the RM accepts."),
	INT("rm.http.max-connections-per-address", "16", 0, 1000000,
	    "Open public REST connections one client address may hold; beyond it a connection is answered 429 and closed (0 = no cap; not applied to rm.rpc-address)."),
	INT("rm.app-wait.max-per-app", "64", 0, 1000000,
	    "GETs of one application's report held until its state changes (?wait-while=); beyond, they are answered at once, marked full."),
	INT("rm.app-wait.max-total", "1024", 0, 1000000,
	    "Such held GETs of all applications together; each holds a connection (see rm.http.max-connections-per-address)."),

	/* weft-nm */
	ADDR("nm.address", "0.0.0.0:8042",
	     "Where the NM listens (REST, logs, container API); host:port is its node id (0.0.0.0 = the host's name)."),
	STR("nm.hostname", "",
	    "Host the NM advertises in its node id; empty = nm.address's host, or the host's name for 0.0.0.0."),
	STR("nm.rack", "/default-rack", "Rack the NM reports for itself."),
	INT("nm.resource.memory-mb", "-1", -1, INT64_C(1) << 40,
	    "Memory the NM offers to containers; -1 = detect (physical memory less 1 GiB, at least 1024)."),
	INT("nm.resource.vcores", "-1", -1, 1 << 20,
	    "Vcores the NM offers; -1 = detect (online CPUs)."),
	LIST("nm.local-dirs", "/tmp/weft-nm/local",
	     "Directories for container working dirs and localized files (usercache/<user>/appcache/<app>)."),
	LIST("nm.log-dirs", "/tmp/weft-nm/logs",
	     "Directories for container logs (<app>/<container>/stdout, stderr)."),
	INT("nm.heartbeat-interval-ms", "1000", 10, 3600000,
	    "How often the NM heartbeats the RM (an extra one goes as soon as a container ends)."),
	INT("nm.delete.debug-delay-sec", "0", 0, 86400 * 30,
	    "Keep an application's directories this long after it ends (for debugging)."),
	INT("nm.sleep-delay-before-sigkill-ms", "250", 0, 600000,
	    "Between SIGTERM and SIGKILL when a container is stopped."),
	BOOL("nm.pmem-check-enabled", "true",
	     "Kill containers whose process tree uses more memory than granted (exit status -104)."),
	INT("nm.container-monitor.interval-ms", "3000", 100, 600000,
	    "How often container memory is measured."),
	PATH("nm.libexec-dir", "",
	     "Where weft-am and weft-executor are on this host; empty = beside weft-nm, else the installed libexec dir."),
	INT("nm.localizer.max-file-mb", "4096", 1, INT64_C(1) << 30,
	    "Largest file the NM localizes for a container."),
	INT("nm.localizer.timeout-ms", "300000", 1000, INT64_C(86400000),
	    "Time allowed for fetching one localized file."),
	INT("nm.http.max-body-bytes", "1048576", 1024, INT64_C(1) << 30,
	    "Largest JSON request body the NM accepts."),

	/* weft-am */
	INT("am.max-executor-failures", "0", 0, 100000,
	    "Executors that may fail before the AM fails the app; 0 = max(3, 2 x executors)."),
	INT("am.heartbeat-interval-ms", "1000", 10, 600000,
	    "How often the AM calls allocate when it has nothing to ask (asks go out at once)."),

	/* driver (in weft-submit or weft-am) */
	STR("driver.host", "",
	    "Address executors dial to reach the driver; empty = the local interface that reaches the RM."),
	STR("driver.bind-host", "",
	    "Address the driver's listeners (executors, status) bind; empty = the address it advertises; 0.0.0.0 = every interface."),
	INT("driver.port", "0", 0, 65535, "Driver port; 0 = any free port."),
	INT("driver.task.max-failures", "4", 1, 1000,
	    "Attempts a task gets before the job fails."),
	BOOL("driver.speculation", "false",
	     "Launch a copy of a task running 1.5x longer than the median of its finished peers."),
	INT("driver.dynamic-allocation.min-executors", "0", 0, 100000,
	    "Dynamic executors: never fewer (weft-submit --dynamic-executors MIN:MAX sets it)."),
	INT("driver.dynamic-allocation.max-executors", "0", 0, 100000,
	    "Dynamic executors: never more; 0 = dynamic allocation off."),
	INT("driver.dynamic-allocation.executor-idle-timeout-ms", "60000", 100, INT64_C(86400000),
	    "Dynamic executors: release an executor idle this long."),

	/* weft-submit and weft */
	INT("rm.connect.max-wait-ms", "60000", 1000, INT64_C(86400000),
	    "How long weft and weft-submit keep retrying a call no RM of rm.address answered (no connection, 429, 503; a call safe to repeat also after a timeout or a 5xx) before they give up; a call moves on to the next RM of the list at once, and pauses between rounds."),
	INT("submit.poll-interval-ms", "100", 10, 60000,
	    "weft-submit follows its application by waits the RM answers when the state changes; when the RM answers a wait without holding it (it holds as many as it will, or it is an RM without waits) weft-submit asks again after this pause."),
	STR("submit.queue", "default", "Queue applications go to when --queue is not given."),
	INT("submit.am-memory-mb", "512", 1, INT64_C(1) << 40,
	    "AM container memory in client mode (cluster mode uses --driver-memory)."),

	{ NULL, CONFIG_STRING, NULL, 0, 0, NULL, NULL },
};
/* clang-format on */
