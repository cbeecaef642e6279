/*
 * sim_app.h — the simulated applications of weft-sls and their AMs.
 *
 * An application goes through the public REST flow a YARN client uses
 * (POST .../apps/new-application, then POST .../apps with an AM container
 * spec whose command is never run), waits for the RM to start its AM
 * container on a simulated node (nm_api hands the start call here, with
 * the AM token from the launch environment), then behaves as an AM:
 * register, allocate asks (YARN's replace-the-count semantics) while
 * tasks remain, start each granted container on its simulated node,
 * release surplus grants, count completions from the allocate answers,
 * re-run preempted tasks, and finish SUCCEEDED when every task is done.
 *
 * Task containers are started in-process (the grant's node record), not
 * through nm_api: the RM never sees that call, only the node's reports.
 */
#ifndef WEFT_SLS_SIM_APP_H
#define WEFT_SLS_SIM_APP_H

#include <json-c/json.h>

struct sls;
struct sim_apps;

/* RET the applications, or NULL with *cause (a client could not be
 * made). */
struct sim_apps *sim_apps_new(struct sls *sls, char **cause);
/* Frees the submission clients first (before sls->rest_pool goes). */
void sim_apps_free(struct sim_apps *a);
/* Schedule every submission, relative to now. */
void sim_apps_start(struct sim_apps *a);

/*
 * nm_api: the RM asks node to start container_id with this launch
 * environment (an object of strings).  RET 0, or -1 with *cause when no
 * simulated application expects it (HTTP 400) or the node refuses it.
 */
int sim_apps_am_launch(struct sim_apps *a, const char *container_id, int node,
                       struct json_object *environment, char **cause);
/* The node holding one of the applications' containers, or -1. */
int sim_apps_container_node(const struct sim_apps *a, const char *container_id);
/* sim_node: an AM container ended (killed, lost, or after its AM
 * finished). */
void sim_apps_am_container_ended(struct sim_apps *a, const char *container_id, int exit_status);

/* Applications in the scenario, and those that ended (either way). */
int sim_apps_total(const struct sim_apps *a);
int sim_apps_ended(const struct sim_apps *a);

#endif
