/*
 * weft/protocol.h — the wire contract between weft's programs.
 *
 * Everything here is HTTP/1.1 + JSON (field names in YARN's camelCase),
 * except driver <-> executor / AM, which is one JSON object per line over
 * TCP.  This header holds the constants; the comments below are the
 * specification every side implements.  Errors are always a 4xx/5xx with
 *   {"RemoteException":{"exception":"BadRequestException","message":"...",
 *    "javaClassName":"org.apache.hadoop.yarn.webapp.BadRequestException"}}
 *
 * ---------------------------------------------------------------------
 * RM public REST: YARN's paths and shapes (/ws/v1/cluster/...).  The
 * submitting user comes from the "user.name" query parameter (YARN's
 * simple auth), default "dr.who"; it must match [A-Za-z0-9._-]{1,32}.
 * weft-submit submits YARN's ApplicationSubmissionContext JSON with
 * application-type "WEFT"; its AM command is
 *   exec "$WEFT_LIBEXEC_DIR"/weft-am --mode client|cluster ...   (see weft-am(8))
 * Queues: GET /ws/v1/cluster/scheduler answers YARN's Capacity Scheduler
 * shape ({"scheduler":{"schedulerInfo":{"type":"capacityScheduler",
 * "queues":{"queue":[...]}}}}, parents nesting "queues", leaves typed
 * "capacitySchedulerLeafQueueInfo"); /apps?queue=Q lists the applications
 * of Q and every queue below it (Q by name or path).  A submission to an
 * unknown, parent or STOPPED queue, or beyond its maximum-applications,
 * is a 400; one the queue's submit ACL refuses a 403
 * AccessControlException.  The app's "queue" is its leaf's name.
 * POST|PUT /ws/v1/cluster/scheduler/refresh (X-Weft-Auth, as NM calls;
 * empty body) re-reads rm.scheduler.queues-file: 200 {"refreshed":true,
 * "source":"/path/queues.conf","queues":N}, or 400 with the reason and
 * the old queues kept; 401 without a valid signature.  `weft admin
 * refresh-queues` calls the same on the internal listener:
 * POST /rpc/admin/refresh-queues (WEFT_RPC_ADMIN_REFRESH_QUEUES).
 * A client address holding rm.http.max-connections-per-address public
 * connections has one more answered 429 (Retry-After: 1) and closed.
 * Staging: PUT/GET/DELETE /ws/v1/staging/{appid}/{file} (file name
 * [A-Za-z0-9._-]{1,128}, not starting with '.'); PUT answers 201
 * {"url":"/ws/v1/staging/{appid}/{file}","size":N}.
 * PUT works from new-application until the application ends (then 400);
 * DELETE answers {"url":..,"deleted":true}.  A submission answers 202 with
 * a Location header and no body, as YARN does; an empty list is
 * {"apps":null} / {"nodes":null}, as YARN writes it.  A local-resources
 * value may carry "executable":true (weft's addition; only type FILE).
 * Waiting for a state change (weft's addition; YARN clients poll):
 *   GET /ws/v1/cluster/apps/{id}?wait-while=STATE[&wait-timeout-ms=N]
 * answers the report at once when the app's state is not STATE, else
 * holds the request until the state changes or N ms pass (default 30000,
 * at most 60000; 0 = do not hold), then answers the report as it is then.
 * The answer is {"app":{...},"wait":OUTCOME}: "changed" (the state is not
 * STATE), "timeout" (N ms passed), "full" (the RM holds as many waits as
 * rm.app-wait.max-per-app / max-total allow: answered at once, the client
 * should pace itself) or "shutdown" (the RM is stopping).  STATE is an
 * application state (400 otherwise); an unknown application is a 404.
 * A submission repeated with the same body by the same user (a client
 * retrying a POST whose answer it lost) is answered 202 again and changes
 * nothing; a different body for a submitted id is a 400.
 * weft-submit follows GET /ws/v1/cluster/apps/{id} ("state","finalStatus",
 * "diagnostics","trackingUrl") with wait-while, and in cluster mode prints the AM's stdout:
 * GET /apps/{id}/appattempts (YARN's appAttempts.appAttempt[] with "id"
 * (int), "containerId", "nodeHttpAddress" host:port, "logsLink"), then the
 * NM's /ws/v1/node/containerlogs/{containerId}/stdout of the last attempt,
 * which the NM keeps serving after the application ended.
 *
 * ---------------------------------------------------------------------
 * RM internal RPC: a listener of its own, rm.rpc-address (default port
 * 8031, YARN's resource-tracker port), served ahead of public REST on the
 * RM's loop; /rpc/ paths are served there only (404 on rm.address).
 * ---------------------------------------------------------------------
 * RM internal: node tracker (NM -> RM, header X-Weft-Auth)
 * ---------------------------------------------------------------------
 * POST /rpc/node/register
 *   {"nodeId":"host:port","httpAddress":"host:port","rack":"/default-rack",
 *    "memoryMB":8192,"vcores":8,"version":"0.1.0",
 *    "containers":[<container status>...]}   (containers still running)
 *   -> 200 {"clusterTimestamp":1700000000000,"containerKeyIds":[5,4],
 *           "heartbeatIntervalMs":1000}
 * POST /rpc/node/heartbeat
 *   {"nodeId":"host:port","responseId":7,"fullReport":false,
 *    "containers":[<container status>...], "healthy":true,
 *    "healthReport":""}
 *   container status = {"containerId":"container_...","state":"NEW"|
 *                       "RUNNING"|"COMPLETE","exitStatus":0,"diagnostics":""}
 *   (YARN's ContainerStatus; weft's NMs report RUNNING until COMPLETE,
 *   and always write every field.  Absent, exitStatus reads as -1000,
 *   INVALID, and diagnostics as ""; in an allocate answer's "completed"
 *   exitStatus is required and an absent state reads COMPLETE.)
 *   Heartbeats are incremental.  A full report ("fullReport":true, or the
 *   field absent: older NMs send only full reports) lists every container
 *   the NM still knows; the NM sends one as its first heartbeat after each
 *   registration (so after RESYNC too) and then at least every
 *   WEFT_NM_FULL_REPORT_EVERY heartbeats.  A partial report
 *   ("fullReport":false) lists only what changed: a RUNNING container the
 *   RM has not yet answered a heartbeat listing it in, and every COMPLETE
 *   one (a COMPLETE one is listed, in every report, until the RM has
 *   acknowledged it in containersToAck).  A status whose heartbeat got no
 *   answer is listed again.  The RM handles each listed status the same
 *   in both kinds; only a full report also ends cleanup orders for
 *   containers it no longer lists (below).
 *   -> 200 {"responseId":8,"action":"NORMAL"|"RESYNC"|"SHUTDOWN",
 *           "containerKeyIds":[5,4], "containersToCleanup":["container_..."],
 *           "containersToAck":["container_..."],
 *           "appsToCleanup":["application_..."]}
 *   RESYNC: the RM does not know this node (it was LOST, or the RM
 *   restarted): the NM registers again.
 *   containersToCleanup is repeated until the NM reports the container
 *   COMPLETE or a full report stops listing it; a RUNNING container the
 *   RM does not know (its app ended, or the RM restarted) is put there
 *   too.  appsToCleanup is sent once, when nothing of the application
 *   runs any more.
 *
 * ---------------------------------------------------------------------
 * RM internal: AM protocol (AM -> RM, header X-Weft-AM-Token)
 * ---------------------------------------------------------------------
 * The RM starts each AM with WEFT_RM_URL (its internal RPC URL,
 * rm.rpc-address), WEFT_AM_TOKEN and
 * WEFT_APP_ATTEMPT_ID (plus the NM's container env) in its environment.
 * POST /rpc/am/register
 *   {"host":"h","rpcPort":-1,"trackingUrl":"http://h:p/"}
 *   -> 200 {"applicationId":"application_...","attemptId":"appattempt_...",
 *           "queue":"default","user":"alice",
 *           "maximumResource":{"memory":8192,"vCores":4},
 *           "minimumResource":{"memory":1024,"vCores":1}}
 * POST /rpc/am/allocate
 *   {"responseId":0,"progress":0.5,
 *    "asks":[{"priority":1,"count":3,"memoryMB":1024,"vcores":1,
 *             "nodes":["host:port",...],"racks":["/rack1",...],
 *             "relaxLocality":true}],
 *    "releases":["container_..."]}
 *   An ask states the total still wanted at that priority (YARN's
 *   semantics: it replaces the previous count; count 0 withdraws).
 *   "nodes" are node ids or host names, "racks" rack names (both
 *   optional): with relaxLocality true the scheduler waits a bounded
 *   number of scheduling opportunities for one of those nodes, then for
 *   their racks, then takes any node (delay scheduling); with false it
 *   never leaves them.
 *   -> 200 {"responseId":1,
 *           "allocated":[{"containerId":"container_...","nodeId":"h:p",
 *                         "nodeHttpAddress":"h:p","priority":1,
 *                         "memoryMB":1024,"vcores":1,"token":"..."}],
 *           "completed":[<container status>],
 *           "preempt":[{"containerId":"container_...","killAtMs":1700000000000}],
 *           "availableResources":{"memory":..,"vCores":..},
 *           "numClusterNodes":2, "action":"NORMAL"|"SHUTDOWN"}
 *   "preempt" (YARN's PreemptionMessage, as a list) names the attempt's
 *   containers the scheduler wants back for a queue below its guarantee;
 *   the AM may release them (or save their work) until killAtMs (wall
 *   clock), when the RM kills them and they complete with exitStatus -102
 *   (PREEMPTED, "Container preempted by scheduler").  It is [] when
 *   nothing is wanted back, and repeats in every answer until then.
 *   Asks that fit are granted in this same answer.  A killed or finished
 *   application gets action SHUTDOWN; an unknown or old attempt a 404
 *   ApplicationAttemptNotFoundException, and the AM exits.
 *   responseId is the last answer's (0 at first); a request whose
 *   responseId + 1 is the last answer's responseId is a resend and gets
 *   that answer again, unchanged (YARN's rule: a lost answer loses no
 *   grants).  "completed" also lists containers the AM released
 *   (exitStatus -100, "Container released by application") and grants not
 *   started within rm.container-token.expiry-ms (-100, "Container expired
 *   since it was unused").  allocate or finish before register: 400
 *   ApplicationMasterNotRegisteredException; register after the attempt
 *   ended: 404; finish again: 200.
 * POST /rpc/am/finish
 *   {"finalStatus":"SUCCEEDED"|"FAILED"|"KILLED","diagnostics":"",
 *    "trackingUrl":""}
 *   -> 200 {"isUnregistered":true}
 *
 * ---------------------------------------------------------------------
 * NM internal: container manager (RM or AM -> NM)
 * ---------------------------------------------------------------------
 * POST /rpc/containers/start
 *   {"token":"<container token>",
 *    "launchContext":{"commands":["sh command line", ...],
 *                     "environment":{"K":"V",...},
 *                     "localResources":[{"name":"job.json",
 *                        "url":"http://rm:8088/ws/v1/staging/app/job.json",
 *                        "executable":false}]}}
 *   The token authorizes the call (no other header is needed).  Commands
 *   are joined with " && " and run by /bin/sh -c in the container's
 *   working directory; $WEFT_LIBEXEC_DIR in them names where weft-am and
 *   weft-executor live on that node.
 *   A localResources url that starts with "/ws/v1/staging/" is fetched
 *   from the RM this NM reports to (so clients need not know how NMs
 *   reach the RM); any other url must be http://, https:// or file://.
 *   -> 200 {"containerId":"container_...","state":"LOCALIZING"|"RUNNING"}
 *   -> 401 InvalidTokenException, 409 (already started), 400 bad body.
 * POST /rpc/containers/stop    {"containerId":"...","token":"..."}
 *   (or with X-Weft-Auth instead of the token: the RM)
 *   -> 200 {"containerId":"...","state":"KILLING"|"COMPLETE"}
 * POST /rpc/containers/status  {"containerId":"...","token":"..."}
 *   -> 200 <container status>
 *   Stop and status accept the token the container was started with, or
 *   any token for that container signed under a current key for this
 *   node (its expiry only bounds the start).  An unknown container is a
 *   404 NotFoundException; an NM that is shutting down answers start with
 *   503.  The NM sends its nm.heartbeat-interval-ms as "heartbeatIntervalMs"
 *   in the register body; the register answer's heartbeatIntervalMs (the
 *   RM may lower it to fit its liveness expiry) is the one it then uses.
 *
 * ---------------------------------------------------------------------
 * Driver <-> executor and driver <-> AM (one JSON object per line)
 * ---------------------------------------------------------------------
 * The driver listens on a TCP port; weft-executor gets
 * --driver HOST:PORT and WEFT_APP_SECRET in its environment.
 *   exec -> drv {"type":"register","executorId":"3","nonce":"<32 hex>",
 *                "host":"h","nodeId":"h:p","containerId":"container_..",
 *                "cores":2,"workDir":"/...","pid":123}
 *   drv -> exec {"type":"challenge","nonce":"<32 hex>","proof":"<64 hex>"}
 *   exec -> drv {"type":"auth","proof":"<64 hex>"}
 *   drv -> exec {"type":"registered"} | {"type":"rejected","reason":".."}
 *     The application secret never travels: each side sends a fresh
 *     random nonce, and proves it holds the secret with
 *     HMAC-SHA256(secret, "driver"|"executor" NUL executorId NUL
 *     executor nonce NUL driver nonce) (proto_task_proof).  The executor
 *     checks the driver's proof before it answers (a wrong one: it logs
 *     "wrong application secret" and exits); the driver checks the
 *     executor's before it registers it or sends anything else.
 *   drv -> exec {"type":"launch","taskId":17,"attempt":0,"index":4,
 *                "command":"sh command","env":{"K":"V"}}
 *   exec -> drv {"type":"status","taskId":17,"attempt":0,
 *                "state":"RUNNING"|"FINISHED"|"FAILED"|"KILLED",
 *                "exitCode":0,"stdout":"...","stderrTail":"..."}
 *     exitCode is required except with RUNNING.  stdout comes with FINISHED
 *     only; optional "stdoutEncoding":"base64" (stdout was not UTF-8 text),
 *     "stdoutTruncated":true and "stdoutSize":N (full size in bytes) when
 *     the executor had to cut it to fit a line.  stderrTail: last 4 KiB.
 *   drv -> exec {"type":"kill","taskId":17,"attempt":0}
 *   drv -> exec {"type":"shutdown"}
 * A dataflow task (weft-job(5)) is a launch with "task" instead of
 * "command"; the executor runs it with its task runner
 * (`weft-executor --run-task DIR`, adding taskId, attempt, applicationId,
 * nodeId, secret, localDirs and budgetBytes to it in DIR/task.json):
 *   "task":{"stage":3,"partition":4,
 *     "input": {"type":"text","path":"/abs/file"|"url":"http://..",
 *                "start":0,"length":N}               (length -1: to the end)
 *            | {"type":"shuffle","mode":"group"|"join",
 *               "join":"inner"|"left"|"right"|"full",
 *               "sides":[{"shuffleId":1,
 *                         "maps":[{"map":"0_12_0","node":"h:p","size":N}]}]}
 *               (one side, or two for a join; only maps with bytes for
 *               this partition; a node equal to the executor's is read
 *               from its local dirs, any other through its NM)
 *            | {"type":"block","dataset":2,"node":"h:p","size":N},
 *     "commands":["sh command", ...],          (run in order, piped)
 *     "persist":[{"step":1,"dataset":2}],      (tee the records after
 *                            step N: 0 = the input, i = after commands[i-1])
 *     "output": {"type":"collect"}             (records = the task's stdout)
 *            | {"type":"save","dir":"/abs/staging","file":"part-00004"}
 *            | {"type":"sample","size":K}
 *            | {"type":"shuffle","shuffleId":2,"partitions":R,
 *               "partitioner":"hash"|"range","bounds":["base64 key",..],
 *               "combine":"sh command"}}
 *   A dataflow task's final status adds "result" (the runner's
 *   result.json):
 *     {"mapOutput":{"map":"4_17_0","sizes":[N,...],"records":N,
 *                   "spills":N},
 *      "blocks":[{"dataset":2,"size":N}], "bytesFetched":N,
 *      "sample":{"records":N,"keys":["base64",...]},
 *      "fetchFailed":{"shuffleId":1,"map":"0_12_0","node":"h:p",
 *                     "message":".."},          (with FAILED, exit code 75;
 *                     a block: "dataset" and "partition" instead)
 *      "error":".."}
 *   A map id is "<partition>_<taskId>_<attempt>"; keys travel in base64.
 *   The hash partition of a key is FNV-1a (64 bits, then x ^= x >> 29)
 *   modulo R; a range partition is the first bound not below the key.
 *   A peer told "shutdown" or "rejected" closes its end; the driver closes
 *   it anyway once the line has been flushed for 100 ms (2 s at most).
 * In client mode the AM dials the driver too:
 *   am  -> drv {"type":"register-am","nonce":"<32 hex>","applicationId":"..",
 *               "attemptId":".."}
 *   drv -> am  {"type":"challenge","nonce":"<32 hex>","proof":"<64 hex>"}
 *   am  -> drv {"type":"auth","proof":"<64 hex>"}
 *               (as the executor's handshake, the proofs' roles being
 *               "driver-am" and "am" and the id the attempt id; the AM
 *               obeys nothing from a driver whose proof is wrong and fails
 *               the application with "wrong application secret"; the
 *               driver sends nothing else before a right auth)
 *   drv -> am  {"type":"registered","trackingUrl":"http://h:p/ws/v1/driver"}
 *               | {"type":"rejected","reason":".."}
 *               (a newer attempt's register-am replaces the older link; the
 *               AM registers with the RM after "registered", with that
 *               trackingUrl)
 *   drv -> am  {"type":"request-executors","total":4}
 *   drv -> am  {"type":"kill-executor","containerId":".."}
 *               (dynamic allocation released that executor)
 *   am  -> drv {"type":"executor-lost","containerId":"..","exitStatus":-100,
 *               "diagnostics":".."}
 *   drv -> am  {"type":"shutdown","finalStatus":"SUCCEEDED","diagnostics":""}
 * An AM whose driver connection drops finishes the application as FAILED
 * ("driver disconnected"): closing the laptop ends a client-mode job.
 *
 * ---------------------------------------------------------------------
 * Driver status (HTTP on an ephemeral port; the app's trackingUrl)
 * ---------------------------------------------------------------------
 * GET /ws/v1/driver (and GET /) ->
 *   {"driver":{"address":"h:p","state":"RUNNING"|"SUCCEEDED"|"FAILED",
 *     "startedTime":ms,"finishedTime":ms,"diagnostics":"..",
 *     "tasks":{"pending":N,"running":N,"succeeded":N,"failed":N},
 *              (failed counts attempts; running counts attempts too)
 *     "executors":[{"id":"1","host":"h","nodeId":"h:p","containerId":"..",
 *        "cores":2,"activeTasks":N,"completedTasks":N,"failedTasks":N,
 *        "released":false}],
 *     "dynamicAllocation":{"minExecutors":1,"maxExecutors":8,
 *        "targetExecutors":3,"releasedExecutors":N},   (when on)
 *     "job":{"kind":"dataflow","name":"..",
 *        "jobs":[{"jobId":0,"action":"collect"|"save","dataset":"..",
 *                 "state":"RUNNING"|"SUCCEEDED"|"FAILED"|"CANCELLED",
 *                 "resultStageId":2,"submissionTime":ms,
 *                 "completionTime":ms,"failureReason":".."}],
 *        "stages":[{"stageId":1,"name":"..","kind":"shuffle-map"|"sample"|
 *                   "result","state":"IDLE"|"WAITING"|"RUNNING"|"DONE"|
 *                   "FAILED","dataset":"..","shuffleId":0,"jobId":0,
 *                   "attempts":N,"numTasks":N,"numCompleteTasks":N,
 *                   "numActiveTasks":N,"numPendingTasks":N,
 *                   "numFailedTasks":N,"numKilledTasks":N,
 *                   "numSpeculativeTasks":N,"numTasksLaunched":N,
 *                   "numRecomputedTasks":N,"fetchFailures":N,
 *                   "shuffleWriteBytes":N,"shuffleWriteRecords":N,
 *                   "spills":N,"submissionTime":ms,
 *                   "completionTime":ms}],
 *        "recomputedMapPartitions":N}}}
 *
 * ---------------------------------------------------------------------
 * NM shuffle service (weft-nm(8), SHUFFLE SERVICE)
 * ---------------------------------------------------------------------
 * GET /ws/v1/node/shuffle/{appId}/map/{shuffleId}/{mapId}/{reduceId}
 *   -> 200 application/octet-stream: the bytes [index[r], index[r+1]) of
 *      weft-shuffle/shuffle_{shuffleId}_{mapId}.data, where .index holds
 *      partitions + 1 little-endian uint64 offsets
 * GET /ws/v1/node/shuffle/{appId}/block/{datasetId}/{partition}
 *   -> 200: the whole weft-shuffle/block_{datasetId}_{partition}
 * Header X-Weft-Shuffle-Auth (or the query parameter ?auth=, same value,
 * for streamed downloads): security_sign_request() over GET, the path
 * (without the query) and the time, keyed by the application's secret
 * (which the NM learns
 * from WEFT_APP_SECRET in the app's launch contexts).  401 without or with
 * a bad signature, 403 when the NM knows no secret for the app, 404 for
 * an unknown app or a missing file, 400 for malformed ids or a partition
 * outside the index.
 */
#ifndef WEFT_PROTOCOL_H
#define WEFT_PROTOCOL_H

#include "weft/version.h"

/* An NM heartbeat is a full report ("fullReport":true) at least this often. */
#define WEFT_NM_FULL_REPORT_EVERY 10

/* --- keys shared by several areas (one macro per wire string; the proto_*.c
 * modules of every area use them) --- */
#define WEFT_KEY_CONTAINER_ID            "containerId"
#define WEFT_KEY_NODE_ID                 "nodeId"
#define WEFT_KEY_NODE_HTTP_ADDRESS       "nodeHttpAddress"
#define WEFT_KEY_STATE                   "state"
#define WEFT_KEY_EXIT_STATUS             "exitStatus"
#define WEFT_KEY_DIAGNOSTICS             "diagnostics"
#define WEFT_KEY_APPLICATION_ID          "applicationId"
#define WEFT_KEY_HOST                    "host"
#define WEFT_KEY_TOKEN                   "token"
#define WEFT_KEY_NAME                    "name"
#define WEFT_KEY_TYPE                    "type"
#define WEFT_KEY_SIZE                    "size"
#define WEFT_KEY_COMMAND                 "command"
#define WEFT_KEY_COMMANDS                "commands"
#define WEFT_KEY_ENVIRONMENT             "environment"
#define WEFT_KEY_EXECUTABLE              "executable"
#define WEFT_KEY_QUEUE                   "queue"
#define WEFT_KEY_USER                    "user"
#define WEFT_KEY_PRIORITY                "priority"
#define WEFT_KEY_MEMORY                  "memory"
#define WEFT_KEY_VCORES_RESOURCE         "vCores"
#define WEFT_KEY_MEMORY_MB               "memoryMB"
#define WEFT_KEY_VCORES                  "vcores"
#define WEFT_KEY_ACTION                  "action"
#define WEFT_KEY_PROGRESS                "progress"
#define WEFT_KEY_RESPONSE_ID             "responseId"
#define WEFT_KEY_TRACKING_URL            "trackingUrl"
#define WEFT_KEY_FINAL_STATUS            "finalStatus"
#define WEFT_KEY_ID                      "id"
#define WEFT_KEY_STARTED_TIME            "startedTime"
#define WEFT_KEY_FINISHED_TIME           "finishedTime"
#define WEFT_KEY_NODES                   "nodes"
#define WEFT_KEY_HTTP_ADDRESS            "httpAddress"
#define WEFT_KEY_RACK                    "rack"
#define WEFT_KEY_HEALTH_REPORT           "healthReport"
#define WEFT_KEY_VERSION                 "version"
#define WEFT_KEY_APPS                    "apps"
#define WEFT_KEY_APP                     "app"
#define WEFT_KEY_ALLOCATED_MB            "allocatedMB"
#define WEFT_KEY_RESERVED_MB             "reservedMB"
#define WEFT_KEY_CONTAINERS              "containers"
#define WEFT_KEY_NODE_HOST_NAME          "nodeHostName"
#define WEFT_KEY_NUM_CONTAINERS          "numContainers"
#define WEFT_KEY_USED_MEMORY_MB          "usedMemoryMB"
#define WEFT_KEY_USED_VIRTUAL_CORES      "usedVirtualCores"
#define WEFT_KEY_AVAILABLE_VIRTUAL_CORES "availableVirtualCores"
#define WEFT_KEY_HADOOP_VERSION          "hadoopVersion"
#define WEFT_KEY_HADOOP_BUILD_VERSION    "hadoopBuildVersion"
#define WEFT_KEY_CONTAINER               "container"
#define WEFT_KEY_PENDING                 "pending"
/* The "action" of a heartbeat's and an allocate's answer (RESYNC: the
 * node's only). */
#define WEFT_ACTION_NORMAL   "NORMAL"
#define WEFT_ACTION_RESYNC   "RESYNC"
#define WEFT_ACTION_SHUTDOWN "SHUTDOWN"
/* --- end of shared keys --- */

/* --- application keys and routes (src/common/proto_app.c owns them) --- */
/* Routes of the RM's public REST API for applications ({} is one path
 * segment, as http_server_route takes it). */
#define WEFT_ROUTE_APPS            "/ws/v1/cluster/apps"
#define WEFT_ROUTE_NEW_APPLICATION "/ws/v1/cluster/apps/new-application"
#define WEFT_ROUTE_APP             "/ws/v1/cluster/apps/{}"
#define WEFT_ROUTE_APP_STATE       "/ws/v1/cluster/apps/{}/state"
#define WEFT_ROUTE_APP_ATTEMPTS    "/ws/v1/cluster/apps/{}/appattempts"
/* The same for a client (printf formats taking the application id). */
#define WEFT_PATH_APP_FMT          "/ws/v1/cluster/apps/%s"
#define WEFT_PATH_APP_STATE_FMT    "/ws/v1/cluster/apps/%s/state"
#define WEFT_PATH_APP_ATTEMPTS_FMT "/ws/v1/cluster/apps/%s/appattempts"
/* GET /apps/{id}'s wait for a state change (above): query parameters,
 * bounds, the answer's key and its values. */
#define WEFT_APP_QUERY_WAIT_WHILE      "wait-while"
#define WEFT_APP_QUERY_WAIT_TIMEOUT_MS "wait-timeout-ms"
#define WEFT_APP_WAIT_DEFAULT_MS       30000
#define WEFT_APP_WAIT_MAX_MS           60000
#define WEFT_APP_KEY_WAIT              "wait"
#define WEFT_APP_WAIT_CHANGED          "changed"
#define WEFT_APP_WAIT_TIMEOUT          "timeout"
#define WEFT_APP_WAIT_FULL             "full"
#define WEFT_APP_WAIT_SHUTDOWN         "shutdown"
/* The last segment new-application (a GET of it is a 405). */
#define WEFT_APP_NEW_APPLICATION "new-application"
/* The ApplicationSubmissionContext, new-application's answer, /state. */
#define WEFT_APP_KEY_APP_ID                    "application-id"
#define WEFT_APP_KEY_APP_NAME                  "application-name"
#define WEFT_APP_KEY_APP_TYPE                  "application-type"
#define WEFT_APP_KEY_MAX_APP_ATTEMPTS          "max-app-attempts"
#define WEFT_APP_KEY_UNMANAGED_AM              "unmanaged-AM"
#define WEFT_APP_KEY_KEEP_CONTAINERS           "keep-containers-across-application-attempts"
#define WEFT_APP_KEY_APP_TAGS                  "application-tags"
#define WEFT_APP_KEY_TAG                       "tag"
#define WEFT_APP_KEY_RESOURCE                  "resource"
#define WEFT_APP_KEY_AM_CONTAINER_SPEC         "am-container-spec"
#define WEFT_APP_KEY_ENTRY                     "entry"
#define WEFT_APP_KEY_KEY                       "key"
#define WEFT_APP_KEY_VALUE                     "value"
#define WEFT_APP_KEY_LOCAL_RESOURCES           "local-resources"
#define WEFT_APP_KEY_VISIBILITY                "visibility"
#define WEFT_APP_KEY_TIMESTAMP                 "timestamp"
#define WEFT_APP_KEY_SERVICE_DATA              "service-data"
#define WEFT_APP_KEY_CREDENTIALS               "credentials"
#define WEFT_APP_KEY_APP_ACLS                  "application-acls"
#define WEFT_APP_KEY_LOG_AGGREGATION           "log-aggregation-context"
#define WEFT_APP_KEY_AM_BLACKLISTING           "am-black-listing-requests"
#define WEFT_APP_KEY_ATTEMPT_FAILURES_VALIDITY "attempt-failures-validity-interval"
#define WEFT_APP_KEY_MAX_RESOURCE              "maximum-resource-capability"
/* The app report ({"app":{...}}, and each of /apps' apps.app[]). */
#define WEFT_APP_KEY_APPS                   WEFT_KEY_APPS /* shared */
#define WEFT_APP_KEY_APP                    WEFT_KEY_APP  /* shared */
#define WEFT_APP_KEY_ID                     WEFT_KEY_ID   /* shared */
#define WEFT_APP_KEY_TRACKING_UI            "trackingUI"
#define WEFT_APP_KEY_CLUSTER_ID             "clusterId"
#define WEFT_APP_KEY_APPLICATION_TYPE       "applicationType"
#define WEFT_APP_KEY_APPLICATION_TAGS       "applicationTags"
#define WEFT_APP_KEY_STARTED_TIME           WEFT_KEY_STARTED_TIME /* shared */
#define WEFT_APP_KEY_LAUNCH_TIME            "launchTime"
#define WEFT_APP_KEY_FINISHED_TIME          WEFT_KEY_FINISHED_TIME /* shared */
#define WEFT_APP_KEY_ELAPSED_TIME           "elapsedTime"
#define WEFT_APP_KEY_AM_CONTAINER_LOGS      "amContainerLogs"
#define WEFT_APP_KEY_AM_HOST_HTTP_ADDRESS   "amHostHttpAddress"
#define WEFT_APP_KEY_AM_RPC_ADDRESS         "amRPCAddress"
#define WEFT_APP_KEY_ALLOCATED_MB           WEFT_KEY_ALLOCATED_MB /* shared */
#define WEFT_APP_KEY_ALLOCATED_VCORES       "allocatedVCores"
#define WEFT_APP_KEY_RESERVED_MB            WEFT_KEY_RESERVED_MB /* shared */
#define WEFT_APP_KEY_RESERVED_VCORES        "reservedVCores"
#define WEFT_APP_KEY_RUNNING_CONTAINERS     "runningContainers"
#define WEFT_APP_KEY_MEMORY_SECONDS         "memorySeconds"
#define WEFT_APP_KEY_VCORE_SECONDS          "vcoreSeconds"
#define WEFT_APP_KEY_QUEUE_USAGE            "queueUsagePercentage"
#define WEFT_APP_KEY_CLUSTER_USAGE          "clusterUsagePercentage"
#define WEFT_APP_KEY_PREEMPTED_MB           "preemptedResourceMB"
#define WEFT_APP_KEY_PREEMPTED_VCORES       "preemptedResourceVCores"
#define WEFT_APP_KEY_NON_AM_PREEMPTED       "numNonAMContainerPreempted"
#define WEFT_APP_KEY_AM_PREEMPTED           "numAMContainerPreempted"
#define WEFT_APP_KEY_LOG_AGGREGATION_STATUS "logAggregationStatus"
#define WEFT_APP_KEY_UNMANAGED_APPLICATION  "unmanagedApplication"
#define WEFT_APP_KEY_APP_NODE_LABEL         "appNodeLabelExpression"
#define WEFT_APP_KEY_AM_NODE_LABEL          "amNodeLabelExpression"
/* The attempt report (appAttempts.appAttempt[]). */
#define WEFT_APP_KEY_APP_ATTEMPTS                "appAttempts"
#define WEFT_APP_KEY_APP_ATTEMPT                 "appAttempt"
#define WEFT_APP_KEY_START_TIME                  "startTime"
#define WEFT_APP_KEY_LOGS_LINK                   "logsLink"
#define WEFT_APP_KEY_BLACKLISTED_NODES           "blacklistedNodes"
#define WEFT_APP_KEY_NODES_BLACKLISTED_BY_SYSTEM "nodesBlacklistedBySystem"
#define WEFT_APP_KEY_APP_ATTEMPT_ID              "appAttemptId"
#define WEFT_APP_KEY_APP_ATTEMPT_STATE           "appAttemptState"
#define WEFT_APP_KEY_DIAGNOSTICS_INFO            "diagnosticsInfo"
/* Values. */
#define WEFT_APP_TYPE_WEFT                "WEFT"
#define WEFT_APP_TARGET_KILLED            "KILLED"
#define WEFT_APP_RESOURCE_FILE            "FILE"
#define WEFT_APP_VISIBILITY_APP           "APPLICATION"
#define WEFT_APP_STAGING_PREFIX           "/ws/v1/staging/"
#define WEFT_APP_LOG_AGGREGATION_DISABLED "DISABLED"
/* --- end of application keys and routes --- */

/* weft admin refresh-queues, on the RM's internal listener. */
#define WEFT_RPC_ADMIN_REFRESH_QUEUES "/rpc/admin/refresh-queues"

/* YARN's ContainerExitStatus values. */
#define WEFT_EXIT_SUCCESS                     0
#define WEFT_EXIT_INVALID                     -1000
#define WEFT_EXIT_ABORTED                     -100
#define WEFT_EXIT_DISKS_FAILED                -101
#define WEFT_EXIT_PREEMPTED                   -102
#define WEFT_EXIT_KILLED_EXCEEDED_VMEM        -103
#define WEFT_EXIT_KILLED_EXCEEDED_PMEM        -104
#define WEFT_EXIT_KILLED_BY_APPMASTER         -105
#define WEFT_EXIT_KILLED_BY_RESOURCEMANAGER   -106
#define WEFT_EXIT_KILLED_AFTER_APP_COMPLETION -107

/* Environment a container sees (YARN's names, then weft's). */
#define WEFT_ENV_CONTAINER_ID   "CONTAINER_ID"
#define WEFT_ENV_APPLICATION_ID "APPLICATION_ID"
#define WEFT_ENV_NM_HOST        "NM_HOST"
#define WEFT_ENV_NM_PORT        "NM_PORT"
#define WEFT_ENV_NM_HTTP_PORT   "NM_HTTP_PORT"
#define WEFT_ENV_LOCAL_DIRS     "LOCAL_DIRS"
#define WEFT_ENV_LOG_DIRS       "LOG_DIRS"
#define WEFT_ENV_LIBEXEC_DIR    "WEFT_LIBEXEC_DIR"
#define WEFT_ENV_RM_URL         "WEFT_RM_URL" /* the RM's internal RPC URL */
#define WEFT_ENV_AM_TOKEN       "WEFT_AM_TOKEN"
#define WEFT_ENV_APP_ATTEMPT_ID "WEFT_APP_ATTEMPT_ID"
#define WEFT_ENV_APP_SECRET     "WEFT_APP_SECRET"
#define WEFT_ENV_TASK_INDEX     "WEFT_TASK_INDEX"
#define WEFT_ENV_TASK_ATTEMPT   "WEFT_TASK_ATTEMPT"
#define WEFT_ENV_EXECUTOR_ID    "WEFT_EXECUTOR_ID"

/* --- container API keys and routes (src/common/proto_container.c owns them) --- */
/* The NM's container API (containerId, state, commands and url are the
 * driver <-> executor section's keys: the same strings). */
#define WEFT_RPC_CONTAINERS_START     "/rpc/containers/start"
#define WEFT_RPC_CONTAINERS_STOP      "/rpc/containers/stop"
#define WEFT_RPC_CONTAINERS_STATUS    "/rpc/containers/status"
#define WEFT_KEY_LAUNCH_CONTEXT       "launchContext"
#define WEFT_KEY_LOCAL_RESOURCES      "localResources"
#define WEFT_CONTAINER_STATE_NEW      "NEW"
#define WEFT_CONTAINER_STATE_RUNNING  "RUNNING"
#define WEFT_CONTAINER_STATE_COMPLETE "COMPLETE"
#define WEFT_CONTAINER_STATE_KILLING  "KILLING"
/* The container token's payload (base64url, then "." and its HMAC). */
#define WEFT_TOKEN_KEY_EXPIRY "expiry"
#define WEFT_TOKEN_KEY_KEY_ID "keyId"
/* --- end of container API keys and routes --- */

/* The NM shuffle service: map outputs and persisted blocks live in this
 * directory of an application's local dirs; requests carry this header. */
#define WEFT_SHUFFLE_DIR         "weft-shuffle"
#define WEFT_SHUFFLE_AUTH_HEADER "X-Weft-Shuffle-Auth"

/* --- node keys and routes (src/common/proto_node.c owns them) --- */
/* NM -> RM, on the RM's internal listener. */
#define WEFT_RPC_NODE_REGISTER  "/rpc/node/register"
#define WEFT_RPC_NODE_HEARTBEAT "/rpc/node/heartbeat"
/* The container status record (src/common/proto_container.c's; also an
 * allocate answer's "completed" and the NM's status answer): the shared
 * WEFT_KEY_CONTAINER_ID, _STATE, _EXIT_STATUS, _DIAGNOSTICS. */
/* register. */
#define WEFT_NODE_KEY_HTTP_ADDRESS WEFT_KEY_HTTP_ADDRESS /* shared */
#define WEFT_NODE_KEY_RACK         WEFT_KEY_RACK         /* shared */
#define WEFT_NODE_KEY_VERSION      WEFT_KEY_VERSION      /* shared */
#define WEFT_NODE_KEY_HEARTBEAT_MS "heartbeatIntervalMs"
#define WEFT_NODE_KEY_CONTAINERS   WEFT_KEY_CONTAINERS /* shared */
#define WEFT_NODE_KEY_CLUSTER_TS   "clusterTimestamp"
#define WEFT_NODE_KEY_KEY_IDS      "containerKeyIds"
#define WEFT_NODE_DEFAULT_RACK     "/default-rack"
/* heartbeat. */
#define WEFT_NODE_KEY_FULL_REPORT     "fullReport"
#define WEFT_NODE_KEY_HEALTHY         "healthy"
#define WEFT_NODE_KEY_HEALTH_REPORT   WEFT_KEY_HEALTH_REPORT /* shared */
#define WEFT_NODE_KEY_TO_CLEANUP      "containersToCleanup"
#define WEFT_NODE_KEY_TO_ACK          "containersToAck"
#define WEFT_NODE_KEY_APPS_TO_CLEANUP "appsToCleanup"
/* The node report of the public REST API: GET WEFT_ROUTE_NODES
 * ({"nodes":{"node":[...]}}, {"nodes":null} when none; ?states=A,B
 * filters) and WEFT_ROUTE_NODE ({"node":{...}}); "node" is the shared
 * WEFT_KEY_NODE. */
#define WEFT_ROUTE_NODES                 "/ws/v1/cluster/nodes"
#define WEFT_ROUTE_NODE                  "/ws/v1/cluster/nodes/{}"
#define WEFT_NODE_KEY_NODE_HTTP_ADDRESS  "nodeHTTPAddress"
#define WEFT_NODE_KEY_LAST_HEALTH_UPDATE "lastHealthUpdate"
#define WEFT_NODE_KEY_AVAIL_MEMORY_MB    "availMemoryMB"
/* --- end of node keys and routes --- */

/* --- driver <-> executor keys (src/common/proto_task.c owns them) --- */
/* Message types. */
#define WEFT_MSG_REGISTER   "register"
#define WEFT_MSG_REGISTERED "registered"
#define WEFT_MSG_REJECTED   "rejected"
#define WEFT_MSG_LAUNCH     "launch"
#define WEFT_MSG_STATUS     "status"
#define WEFT_MSG_KILL       "kill"
#define WEFT_MSG_SHUTDOWN   "shutdown"
#define WEFT_MSG_CHALLENGE  "challenge"
#define WEFT_MSG_AUTH       "auth"
/* register, challenge, auth, rejected. */
#define WEFT_KEY_NONCE       "nonce"
#define WEFT_KEY_PROOF       "proof"
#define WEFT_KEY_EXECUTOR_ID "executorId"
#define WEFT_KEY_SECRET      "secret"
#define WEFT_KEY_CORES       "cores"
#define WEFT_KEY_WORK_DIR    "workDir"
#define WEFT_KEY_PID         "pid"
#define WEFT_KEY_REASON      "reason"
/* launch, kill, status. */
#define WEFT_KEY_TASK_ID          "taskId"
#define WEFT_KEY_ATTEMPT          "attempt"
#define WEFT_KEY_INDEX            "index"
#define WEFT_KEY_ENV              "env"
#define WEFT_KEY_TASK             "task"
#define WEFT_KEY_EXIT_CODE        "exitCode"
#define WEFT_KEY_STDOUT           "stdout"
#define WEFT_KEY_STDOUT_ENCODING  "stdoutEncoding"
#define WEFT_KEY_STDOUT_TRUNCATED "stdoutTruncated"
#define WEFT_KEY_STDOUT_SIZE      "stdoutSize"
#define WEFT_KEY_STDERR_TAIL      "stderrTail"
#define WEFT_KEY_RESULT           "result"
/* The dataflow task and its task file. */
#define WEFT_KEY_STAGE        "stage"
#define WEFT_KEY_PARTITION    "partition"
#define WEFT_KEY_INPUT        "input"
#define WEFT_KEY_PERSIST      "persist"
#define WEFT_KEY_OUTPUT       "output"
#define WEFT_KEY_PATH         "path"
#define WEFT_KEY_URL          "url"
#define WEFT_KEY_START        "start"
#define WEFT_KEY_LENGTH       "length"
#define WEFT_KEY_MODE         "mode"
#define WEFT_KEY_JOIN         "join"
#define WEFT_KEY_SIDES        "sides"
#define WEFT_KEY_SHUFFLE_ID   "shuffleId"
#define WEFT_KEY_MAPS         "maps"
#define WEFT_KEY_MAP          "map"
#define WEFT_KEY_NODE         "node"
#define WEFT_KEY_DATASET      "dataset"
#define WEFT_KEY_STEP         "step"
#define WEFT_KEY_DIR          "dir"
#define WEFT_KEY_FILE         "file"
#define WEFT_KEY_PARTITIONS   "partitions"
#define WEFT_KEY_PARTITIONER  "partitioner"
#define WEFT_KEY_BOUNDS       "bounds"
#define WEFT_KEY_COMBINE      "combine"
#define WEFT_KEY_LOCAL_DIRS   "localDirs"
#define WEFT_KEY_BUDGET_BYTES "budgetBytes"
/* A task's result. */
#define WEFT_KEY_MAP_OUTPUT    "mapOutput"
#define WEFT_KEY_SIZES         "sizes"
#define WEFT_KEY_RECORDS       "records"
#define WEFT_KEY_SPILLS        "spills"
#define WEFT_KEY_BLOCKS        "blocks"
#define WEFT_KEY_BYTES_FETCHED "bytesFetched"
#define WEFT_KEY_SAMPLE        "sample"
#define WEFT_KEY_KEYS          "keys"
#define WEFT_KEY_FETCH_FAILED  "fetchFailed"
#define WEFT_KEY_MESSAGE       "message"
#define WEFT_KEY_ERROR         "error"
/* --- end of driver <-> executor keys --- */

/* --- driver <-> AM keys and the driver's status page (src/common/
 * proto_driver.c owns them; registered, rejected and shutdown are the
 * executor section's types, attemptId the AM section's key) --- */
/* Message types of the client-mode AM link. */
#define WEFT_MSG_REGISTER_AM       "register-am"
#define WEFT_MSG_REQUEST_EXECUTORS "request-executors"
#define WEFT_MSG_KILL_EXECUTOR     "kill-executor"
#define WEFT_MSG_EXECUTOR_LOST     "executor-lost"
/* request-executors. */
#define WEFT_KEY_TOTAL "total"
/* The status page: GET WEFT_ROUTE_DRIVER (and GET /) answers
 * {"driver":{...}}; its URL is the application's trackingUrl. */
#define WEFT_ROUTE_DRIVER                     "/ws/v1/driver"
#define WEFT_ROUTE_ROOT                       "/"
#define WEFT_DRIVER_KEY_DRIVER                "driver"
#define WEFT_DRIVER_KEY_ADDRESS               "address"
#define WEFT_DRIVER_KEY_TASKS                 "tasks"
#define WEFT_DRIVER_KEY_RUNNING               "running"
#define WEFT_DRIVER_KEY_SUCCEEDED             "succeeded"
#define WEFT_DRIVER_KEY_FAILED                "failed"
#define WEFT_DRIVER_KEY_EXECUTORS             "executors"
#define WEFT_DRIVER_KEY_ACTIVE_TASKS          "activeTasks"
#define WEFT_DRIVER_KEY_COMPLETED_TASKS       "completedTasks"
#define WEFT_DRIVER_KEY_FAILED_TASKS          "failedTasks"
#define WEFT_DRIVER_KEY_RELEASED              "released"
#define WEFT_DRIVER_KEY_DYNAMIC_ALLOCATION    "dynamicAllocation"
#define WEFT_DRIVER_KEY_MIN_EXECUTORS         "minExecutors"
#define WEFT_DRIVER_KEY_MAX_EXECUTORS         "maxExecutors"
#define WEFT_DRIVER_KEY_TARGET_EXECUTORS      "targetExecutors"
#define WEFT_DRIVER_KEY_RELEASED_EXECUTORS    "releasedExecutors"
#define WEFT_DRIVER_KEY_JOB                   "job"
#define WEFT_DRIVER_KEY_KIND                  "kind"
#define WEFT_DRIVER_KEY_JOBS                  "jobs"
#define WEFT_DRIVER_KEY_JOB_ID                "jobId"
#define WEFT_DRIVER_KEY_RESULT_STAGE_ID       "resultStageId"
#define WEFT_DRIVER_KEY_SUBMISSION_TIME       "submissionTime"
#define WEFT_DRIVER_KEY_COMPLETION_TIME       "completionTime"
#define WEFT_DRIVER_KEY_FAILURE_REASON        "failureReason"
#define WEFT_DRIVER_KEY_STAGES                "stages"
#define WEFT_DRIVER_KEY_STAGE_ID              "stageId"
#define WEFT_DRIVER_KEY_ATTEMPTS              "attempts"
#define WEFT_DRIVER_KEY_NUM_TASKS             "numTasks"
#define WEFT_DRIVER_KEY_NUM_COMPLETE_TASKS    "numCompleteTasks"
#define WEFT_DRIVER_KEY_NUM_ACTIVE_TASKS      "numActiveTasks"
#define WEFT_DRIVER_KEY_NUM_PENDING_TASKS     "numPendingTasks"
#define WEFT_DRIVER_KEY_NUM_FAILED_TASKS      "numFailedTasks"
#define WEFT_DRIVER_KEY_NUM_KILLED_TASKS      "numKilledTasks"
#define WEFT_DRIVER_KEY_NUM_SPECULATIVE_TASKS "numSpeculativeTasks"
#define WEFT_DRIVER_KEY_NUM_TASKS_LAUNCHED    "numTasksLaunched"
#define WEFT_DRIVER_KEY_NUM_RECOMPUTED_TASKS  "numRecomputedTasks"
#define WEFT_DRIVER_KEY_FETCH_FAILURES        "fetchFailures"
#define WEFT_DRIVER_KEY_SHUFFLE_WRITE_BYTES   "shuffleWriteBytes"
#define WEFT_DRIVER_KEY_SHUFFLE_WRITE_RECORDS "shuffleWriteRecords"
#define WEFT_DRIVER_KEY_RECOMPUTED_MAP_PARTS  "recomputedMapPartitions"
/* --- end of driver <-> AM keys and the status page --- */

/* --- AM protocol keys and routes (src/common/proto_am.c owns them) --- */
/* AM -> RM, on the RM's internal listener, with this header. */
#define WEFT_AM_TOKEN_HEADER "X-Weft-AM-Token"
#define WEFT_RPC_AM_REGISTER "/rpc/am/register"
#define WEFT_RPC_AM_ALLOCATE "/rpc/am/allocate"
#define WEFT_RPC_AM_FINISH   "/rpc/am/finish"
/* register. */
#define WEFT_AM_KEY_RPC_PORT         "rpcPort"
#define WEFT_AM_KEY_ATTEMPT_ID       "attemptId"
#define WEFT_AM_KEY_MAXIMUM_RESOURCE "maximumResource"
#define WEFT_AM_KEY_MINIMUM_RESOURCE "minimumResource"
/* allocate. */
#define WEFT_AM_KEY_ASKS              "asks"
#define WEFT_AM_KEY_RELEASES          "releases"
#define WEFT_AM_KEY_COUNT             "count"
#define WEFT_AM_KEY_NODES             WEFT_KEY_NODES /* shared */
#define WEFT_AM_KEY_RACKS             "racks"
#define WEFT_AM_KEY_RELAX_LOCALITY    "relaxLocality"
#define WEFT_AM_KEY_ALLOCATED         "allocated"
#define WEFT_AM_KEY_COMPLETED         "completed"
#define WEFT_AM_KEY_PREEMPT           "preempt"
#define WEFT_AM_KEY_KILL_AT_MS        "killAtMs"
#define WEFT_AM_KEY_AVAILABLE         "availableResources"
#define WEFT_AM_KEY_NUM_CLUSTER_NODES "numClusterNodes"
/* finish. */
#define WEFT_AM_KEY_IS_UNREGISTERED "isUnregistered"
/* --- end of AM protocol keys and routes --- */

/* --- cluster info, metrics and scheduler (src/common/proto_cluster.c owns
 * them) --- */
/* GET WEFT_ROUTE_CLUSTER or WEFT_ROUTE_CLUSTER_INFO: {"clusterInfo":{...}}. */
#define WEFT_ROUTE_CLUSTER                "/ws/v1/cluster"
#define WEFT_ROUTE_CLUSTER_INFO           "/ws/v1/cluster/info"
#define WEFT_CLUSTER_KEY_CLUSTER_INFO     "clusterInfo"
#define WEFT_CLUSTER_KEY_STARTED_ON       "startedOn"
#define WEFT_CLUSTER_KEY_HA_STATE         "haState"
#define WEFT_CLUSTER_KEY_STATE_STORE      "rmStateStoreName"
#define WEFT_CLUSTER_KEY_RM_VERSION       "resourceManagerVersion"
#define WEFT_CLUSTER_KEY_RM_BUILD_VERSION "resourceManagerBuildVersion"
#define WEFT_CLUSTER_KEY_RM_BUILT_ON      "resourceManagerVersionBuiltOn"
#define WEFT_CLUSTER_KEY_HADOOP_BUILT_ON  "hadoopVersionBuiltOn"
#define WEFT_CLUSTER_KEY_HA_ZOOKEEPER     "haZooKeeperConnectionState"
/* GET WEFT_ROUTE_CLUSTER_METRICS: {"clusterMetrics":{...}}. */
#define WEFT_ROUTE_CLUSTER_METRICS            "/ws/v1/cluster/metrics"
#define WEFT_CLUSTER_KEY_CLUSTER_METRICS      "clusterMetrics"
#define WEFT_CLUSTER_KEY_APPS_SUBMITTED       "appsSubmitted"
#define WEFT_CLUSTER_KEY_APPS_COMPLETED       "appsCompleted"
#define WEFT_CLUSTER_KEY_APPS_PENDING         "appsPending"
#define WEFT_CLUSTER_KEY_APPS_RUNNING         "appsRunning"
#define WEFT_CLUSTER_KEY_APPS_FAILED          "appsFailed"
#define WEFT_CLUSTER_KEY_APPS_KILLED          "appsKilled"
#define WEFT_CLUSTER_KEY_AVAILABLE_MB         "availableMB"
#define WEFT_CLUSTER_KEY_TOTAL_MB             "totalMB"
#define WEFT_CLUSTER_KEY_RESERVED_VCORES      "reservedVirtualCores"
#define WEFT_CLUSTER_KEY_ALLOCATED_VCORES     "allocatedVirtualCores"
#define WEFT_CLUSTER_KEY_TOTAL_VCORES         "totalVirtualCores"
#define WEFT_CLUSTER_KEY_CONTAINERS_ALLOCATED "containersAllocated"
#define WEFT_CLUSTER_KEY_CONTAINERS_RESERVED  "containersReserved"
#define WEFT_CLUSTER_KEY_CONTAINERS_PENDING   "containersPending"
#define WEFT_CLUSTER_KEY_TOTAL_NODES          "totalNodes"
#define WEFT_CLUSTER_KEY_ACTIVE_NODES         "activeNodes"
#define WEFT_CLUSTER_KEY_LOST_NODES           "lostNodes"
#define WEFT_CLUSTER_KEY_UNHEALTHY_NODES      "unhealthyNodes"
#define WEFT_CLUSTER_KEY_DECOMMISSIONING      "decommissioningNodes"
#define WEFT_CLUSTER_KEY_DECOMMISSIONED       "decommissionedNodes"
#define WEFT_CLUSTER_KEY_REBOOTED_NODES       "rebootedNodes"
#define WEFT_CLUSTER_KEY_SHUTDOWN_NODES       "shutdownNodes"
/* GET WEFT_ROUTE_SCHEDULER: {"scheduler":{"schedulerInfo":{...}}}, queues
 * nested in "queues":{"queue":[...]} (WEFT_KEY_QUEUE); POST|PUT
 * WEFT_ROUTE_SCHEDULER_REFRESH (and WEFT_RPC_ADMIN_REFRESH_QUEUES)
 * answers {"refreshed":true,"source":"..","queues":N}. */
#define WEFT_ROUTE_SCHEDULER               "/ws/v1/cluster/scheduler"
#define WEFT_ROUTE_SCHEDULER_REFRESH       "/ws/v1/cluster/scheduler/refresh"
#define WEFT_SCHED_KEY_SCHEDULER           "scheduler"
#define WEFT_SCHED_KEY_SCHEDULER_INFO      "schedulerInfo"
#define WEFT_SCHED_KEY_CAPACITY            "capacity"
#define WEFT_SCHED_KEY_USED_CAPACITY       "usedCapacity"
#define WEFT_SCHED_KEY_MAX_CAPACITY        "maxCapacity"
#define WEFT_SCHED_KEY_ABS_CAPACITY        "absoluteCapacity"
#define WEFT_SCHED_KEY_ABS_MAX_CAPACITY    "absoluteMaxCapacity"
#define WEFT_SCHED_KEY_ABS_USED_CAPACITY   "absoluteUsedCapacity"
#define WEFT_SCHED_KEY_QUEUE_NAME          "queueName"
#define WEFT_SCHED_KEY_QUEUE_PATH          "queuePath"
#define WEFT_SCHED_KEY_QUEUES_SOURCE       "queuesSource"
#define WEFT_SCHED_KEY_QUEUES              "queues"
#define WEFT_SCHED_KEY_NUM_APPLICATIONS    "numApplications"
#define WEFT_SCHED_KEY_USED_RESOURCES      "usedResources"
#define WEFT_SCHED_KEY_RESOURCES_USED      "resourcesUsed"
#define WEFT_SCHED_KEY_RESOURCES           "resources"
#define WEFT_SCHED_KEY_BY_PARTITION        "resourceUsagesByPartition"
#define WEFT_SCHED_KEY_PARTITION_NAME      "partitionName"
#define WEFT_SCHED_KEY_USED                "used"
#define WEFT_SCHED_KEY_RESERVED            "reserved"
#define WEFT_SCHED_KEY_AM_USED             "amUsed"
#define WEFT_SCHED_KEY_AM_LIMIT            "amLimit"
#define WEFT_SCHED_KEY_PREEMPTION_DISABLED "preemptionDisabled"
#define WEFT_SCHED_KEY_NUM_ACTIVE_APPS     "numActiveApplications"
#define WEFT_SCHED_KEY_NUM_PENDING_APPS    "numPendingApplications"
#define WEFT_SCHED_KEY_MAX_APPS            "maxApplications"
#define WEFT_SCHED_KEY_MAX_APPS_PER_USER   "maxApplicationsPerUser"
#define WEFT_SCHED_KEY_MAX_PARALLEL_APPS   "maxParallelApps"
#define WEFT_SCHED_KEY_USER_LIMIT          "userLimit"
#define WEFT_SCHED_KEY_USER_LIMIT_FACTOR   "userLimitFactor"
#define WEFT_SCHED_KEY_MAX_AM_PERCENT      "maxAMResourcePercent"
#define WEFT_SCHED_KEY_USERS               "users"
#define WEFT_SCHED_KEY_USERNAME            "username"
#define WEFT_SCHED_KEY_AM_RESOURCE_USED    "AMResourceUsed"
#define WEFT_SCHED_KEY_USER_RESOURCE_LIMIT "userResourceLimit"
#define WEFT_SCHED_KEY_AM_RESOURCE_LIMIT   "AMResourceLimit"
#define WEFT_SCHED_KEY_USED_AM_RESOURCE    "usedAMResource"
#define WEFT_SCHED_KEY_USER_AM_LIMIT       "userAMResourceLimit"
#define WEFT_SCHED_KEY_ORDERING_POLICY     "orderingPolicyInfo"
#define WEFT_SCHED_KEY_ACL_SUBMIT          "aclSubmitApplications"
#define WEFT_SCHED_KEY_HIDE_RESERVATION    "hideReservationQueues"
#define WEFT_SCHED_KEY_NODE_LABELS         "nodeLabels"
#define WEFT_SCHED_KEY_DEFAULT_PRIORITY    "defaultPriority"
#define WEFT_SCHED_KEY_REFRESHED           "refreshed"
#define WEFT_SCHED_KEY_SOURCE              "source"
#define WEFT_SCHED_TYPE_CAPACITY           "capacityScheduler"
#define WEFT_SCHED_TYPE_LEAF               "capacitySchedulerLeafQueueInfo"
/* Staging (the RM's public listener): PUT, GET and DELETE of
 * WEFT_ROUTE_STAGING; PUT answers {"url":..,"size":N}, DELETE
 * {"url":..,"deleted":true}. */
#define WEFT_ROUTE_STAGING       "/ws/v1/staging/{}/{}"
#define WEFT_PATH_STAGING_FMT    WEFT_APP_STAGING_PREFIX "%s/%s"
#define WEFT_STAGING_KEY_DELETED "deleted"
/* --- end of cluster info, metrics and scheduler --- */

/* --- the NM's public REST views (src/common/proto_nm.c owns them) --- */
#define WEFT_ROUTE_NM                "/ws/v1/node"
#define WEFT_ROUTE_NM_INFO           "/ws/v1/node/info"
#define WEFT_ROUTE_NM_APPS           "/ws/v1/node/apps"
#define WEFT_ROUTE_NM_APP            "/ws/v1/node/apps/{}"
#define WEFT_ROUTE_NM_CONTAINERS     "/ws/v1/node/containers"
#define WEFT_ROUTE_NM_CONTAINER      "/ws/v1/node/containers/{}"
#define WEFT_ROUTE_NM_CONTAINER_LOGS "/ws/v1/node/containers/{}/logs"
#define WEFT_ROUTE_NM_LOGS           "/ws/v1/node/containerlogs/{}"
#define WEFT_ROUTE_NM_LOG_FILE       "/ws/v1/node/containerlogs/{}/{}"
/* A container's logs on its NM (a printf format taking the container id). */
#define WEFT_PATH_NM_LOGS_FMT "/ws/v1/node/containerlogs/%s"
/* {"nodeInfo":{...}} */
#define WEFT_NM_KEY_NODE_INFO        "nodeInfo"
#define WEFT_NM_KEY_NODE_HEALTHY     "nodeHealthy"
#define WEFT_NM_KEY_LAST_UPDATE      "lastNodeUpdateTime"
#define WEFT_NM_KEY_STARTUP_TIME     "nmStartupTime"
#define WEFT_NM_KEY_TOTAL_PMEM_MB    "totalPmemAllocatedContainersMB"
#define WEFT_NM_KEY_TOTAL_VCORES     "totalVCoresAllocatedContainers"
#define WEFT_NM_KEY_PMEM_CHECK       "pmemCheckEnabled"
#define WEFT_NM_KEY_VMEM_CHECK       "vmemCheckEnabled"
#define WEFT_NM_KEY_REGISTERED       WEFT_MSG_REGISTERED /* the same word */
#define WEFT_NM_KEY_RM_URL           "resourceManagerUrl"
#define WEFT_NM_KEY_NM_VERSION       "nodeManagerVersion"
#define WEFT_NM_KEY_NM_BUILD_VERSION "nodeManagerBuildVersion"
/* {"apps":{"app":[...]}} (?state=, ?user= filter) and {"app":{...}}. */
#define WEFT_NM_KEY_CONTAINER_IDS "containerids"
/* {"containers":{"container":[...]}} and {"container":{...}}. */
#define WEFT_NM_KEY_TOTAL_MEMORY_NEEDED "totalMemoryNeededMB"
#define WEFT_NM_KEY_TOTAL_VCORES_NEEDED "totalVCoresNeeded"
#define WEFT_NM_KEY_EXECUTION_TYPE      "executionType"
#define WEFT_NM_KEY_CONTAINER_LOGS_LINK "containerLogsLink"
#define WEFT_NM_KEY_CONTAINER_LOG_FILES "containerLogFiles"
#define WEFT_NM_EXECUTION_GUARANTEED    "GUARANTEED"
/* {"containerLogsInfo":{"containerId":..,"nodeId":..,
 *  "logAggregationType":"LOCAL","containerLogInfo":[{"fileName":..,
 *  "fileSize":N,"lastModifiedTime":ms}]}}; a file: ?start=, ?size=. */
#define WEFT_NM_KEY_CONTAINER_LOGS_INFO  "containerLogsInfo"
#define WEFT_NM_KEY_CONTAINER_LOG_INFO   "containerLogInfo"
#define WEFT_NM_KEY_LOG_AGGREGATION_TYPE "logAggregationType"
#define WEFT_NM_KEY_FILE_NAME            "fileName"
#define WEFT_NM_KEY_FILE_SIZE            "fileSize"
#define WEFT_NM_KEY_LAST_MODIFIED        "lastModifiedTime"
#define WEFT_NM_LOG_AGGREGATION_LOCAL    "LOCAL"
/* The shuffle service (NM shuffle service, above). */
#define WEFT_ROUTE_NM_SHUFFLE_MAP   "/ws/v1/node/shuffle/{}/map/{}/{}/{}"
#define WEFT_ROUTE_NM_SHUFFLE_BLOCK "/ws/v1/node/shuffle/{}/block/{}/{}"
#define WEFT_QUERY_SHUFFLE_AUTH     "auth" /* the header's value, for streams */
/* --- end of the NM's public REST views --- */

/* Query parameters of the public REST APIs (YARN's names; a parameter
 * named like a key is that key's macro). */
#define WEFT_QUERY_STATES            "states"
#define WEFT_QUERY_STATE             WEFT_KEY_STATE
#define WEFT_QUERY_FINAL_STATUS      WEFT_KEY_FINAL_STATUS
#define WEFT_QUERY_USER              WEFT_KEY_USER
#define WEFT_QUERY_QUEUE             WEFT_KEY_QUEUE
#define WEFT_QUERY_LIMIT             "limit"
#define WEFT_QUERY_STARTED_BEGIN     "startedTimeBegin"
#define WEFT_QUERY_STARTED_END       "startedTimeEnd"
#define WEFT_QUERY_FINISHED_BEGIN    "finishedTimeBegin"
#define WEFT_QUERY_FINISHED_END      "finishedTimeEnd"
#define WEFT_QUERY_APPLICATION_TYPES "applicationTypes"
#define WEFT_QUERY_APPLICATION_TAGS  WEFT_APP_KEY_APPLICATION_TAGS
#define WEFT_QUERY_START             WEFT_KEY_START
#define WEFT_QUERY_SIZE              WEFT_KEY_SIZE

/* Caps on what any side accepts. */
#define WEFT_MAX_JSON_BODY (1024 * 1024)
#define WEFT_MAX_LINE      (64 * 1024 * 1024)

#endif
