/*
 * job_dataflow.c — the "dataflow" job kind: a job file's actions run one
 * after the other, each as a DAG scheduler job (weft-job(5)).
 *
 *   collect   each partition's records come back as its task's stdout;
 *             when all are in, they are written to the output in
 *             partition order (capped like the shell job's results)
 *   save      tasks write part files into a staging directory that is
 *             committed (renamed into place with _SUCCESS) when the job
 *             succeeded and removed when it failed
 *
 * Before the first action, the size of every http(s) input is asked for
 * (HEAD, asynchronously): a URL whose size is known is cut into splits
 * like a file (its tasks read their byte ranges), one whose size is not
 * is one split.  The next action starts from the loop, never from inside
 * the callback that ended the previous one.
 */
#include "weft_config.h"

#include "driver/job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/proto_driver.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/dag_scheduler.h"
#include "driver/lineage.h"
#include "driver/output_commit.h"
#include "driver/task_scheduler.h"

/* One URL input whose size is asked for. */
struct job_dataflow_head {
	struct job_dataflow *job;
	struct dataset *d;
	int file;
};

struct job_dataflow {
	struct job_env env;
	struct lineage *l;
	struct dag_scheduler *dag;
	int action;    /* the running action, or the next one */
	char *staging; /* the running save's staging directory */
	char **parts;  /* collect: each partition's records */
	size_t *lens;
	int n_parts;
	size_t total;
	struct event *next;
	bool over;
	char *failure;                   /* a collect that cannot be printed */
	struct http_client *http;        /* HEADs of URL inputs */
	struct job_dataflow_head *asked; /* one per URL input */
	int heads;                       /* HEADs not answered yet */
};

#define JOB_DATAFLOW_HEAD_TIMEOUT_MS 30000L

static int job_dataflow_validate(struct json_object *job, char **cause)
{
	struct lineage *l;

	if (lineage_parse(job, true, &l, cause) != 0)
		return -1;
	lineage_free(l);
	return 0;
}

/* The job is over (once). */
static void job_dataflow_finish(struct job_dataflow *job, bool ok, const char *diagnostics)
{
	if (job->over)
		return;
	job->over = true;
	if (job->staging != NULL) {
		output_commit_abort(job->staging);
		free(job->staging);
		job->staging = NULL;
	}
	job->env.finished(job->env.arg, ok, diagnostics);
}

/* Forget the collected partitions. */
static void job_dataflow_drop_parts(struct job_dataflow *job)
{
	int i;

	for (i = 0; i < job->n_parts; i++)
		free(job->parts[i]);
	free(job->parts);
	free(job->lens);
	job->parts = NULL;
	job->lens = NULL;
	job->n_parts = 0;
	job->total = 0;
}

/* A partition of the result is done. */
static void job_dataflow_partition_cb(void *arg, int p, const struct task_result *r)
{
	struct job_dataflow *job = arg;
	const struct action *a = &job->l->actions[job->action];

	if (a->kind != ACTION_COLLECT || job->failure != NULL || p < 0 || p >= job->n_parts)
		return;
	if (r->stdout_truncated) {
		job->failure = xasprintf("partition %d of %s: its records (%" PRId64 " bytes) are "
		                         "more than an executor sends back in one task result",
		                         p, a->dataset->name, r->stdout_size);
		dag_scheduler_cancel(job->dag);
		event_active(job->next, EV_TIMEOUT, 1);
		return;
	}
	if (r->stdout_len > job->env.max_result_bytes - job->total) {
		job->failure = xasprintf("collect of %s: results add up to more than the driver's "
		                         "limit of %zu bytes (save it instead)",
		                         a->dataset->name, job->env.max_result_bytes);
		dag_scheduler_cancel(job->dag);
		event_active(job->next, EV_TIMEOUT, 1);
		return;
	}
	free(job->parts[p]);
	job->parts[p] = xmalloc(r->stdout_len + 1);
	memcpy(job->parts[p], r->stdout_data, r->stdout_len);
	job->lens[p] = r->stdout_len;
	job->total += r->stdout_len;
}

/* Write a collect's records in partition order.  RET 0 / -1 *cause. */
static int job_dataflow_print(struct job_dataflow *job, char **cause)
{
	int i;

	errno = 0;
	for (i = 0; i < job->n_parts; i++) {
		if (job->lens[i] > 0 &&
		    fwrite(job->parts[i], 1, job->lens[i], job->env.out) != job->lens[i])
			break;
	}
	if (fflush(job->env.out) != 0 || i < job->n_parts || ferror(job->env.out))
		return set_cause(cause, "writing the job's output: %s",
		                 errno != 0 ? strerror(errno) : "write error");
	return 0;
}

/* The action's DAG job succeeded: print or commit, then go on. */
static void job_dataflow_succeeded_cb(void *arg)
{
	struct job_dataflow *job = arg;
	const struct action *a = &job->l->actions[job->action];
	char *cause = NULL, *msg;

	if (a->kind == ACTION_COLLECT) {
		if (job_dataflow_print(job, &cause) != 0) {
			job->failure = cause;
		} else {
			log_info("collect of %s: %d partitions, %zu bytes", a->dataset->name,
			         job->n_parts, job->total);
		}
		job_dataflow_drop_parts(job);
	} else {
		if (output_commit_finish(job->staging, a->path, a->overwrite, &cause) != 0) {
			msg = xasprintf("save of %s: committing %s: %s", a->dataset->name, a->path,
			                cause);
			free(cause);
			job->failure = msg;
		} else {
			log_info("saved %s to %s (%d part files)", a->dataset->name, a->path,
			         a->dataset->partitions);
			free(job->staging);
			job->staging = NULL;
		}
	}
	job->action++;
	event_active(job->next, EV_TIMEOUT, 1);
}

/* The action's DAG job failed: the whole job does. */
static void job_dataflow_failed_cb(void *arg, const char *reason)
{
	struct job_dataflow *job = arg;

	job_dataflow_drop_parts(job);
	job_dataflow_finish(job, false, reason);
}

/* Start the next action, or end the job (from the loop). */
static void job_dataflow_next_cb(evutil_socket_t fd, short events, void *arg)
{
	struct job_dataflow *job = arg;
	struct dag_job_callbacks cb;
	struct dag_output out;
	const struct action *a;
	char *cause = NULL, *msg;

	if (job->over)
		return;
	if (job->failure != NULL) {
		job_dataflow_drop_parts(job);
		job_dataflow_finish(job, false, job->failure);
		return;
	}
	if (job->heads > 0)
		return; /* the last HEAD answer comes back here */
	if (job->dag == NULL) {
		if (lineage_repartition(job->l, &cause) != 0) {
			job_dataflow_finish(job, false, cause);
			free(cause);
			return;
		}
		job->dag = dag_scheduler_new(job->l, job->env.scheduler);
	}
	if (job->action >= job->l->n_actions) {
		log_info("all %d action%s done", job->l->n_actions,
		         job->l->n_actions == 1 ? "" : "s");
		job_dataflow_finish(job, true, NULL);
		return;
	}
	a = &job->l->actions[job->action];
	memset(&out, 0, sizeof out);
	out.kind = a->kind;
	if (a->kind == ACTION_SAVE) {
		job->staging = output_commit_begin(a->path, &cause);
		if (job->staging == NULL) {
			msg = xasprintf("save of %s: %s", a->dataset->name, cause);
			free(cause);
			job_dataflow_finish(job, false, msg);
			free(msg);
			return;
		}
		out.save_dir = job->staging;
	} else {
		job->n_parts = a->dataset->partitions;
		job->parts = xcalloc((size_t)(job->n_parts > 0 ? job->n_parts : 1), sizeof(char *));
		job->lens = xcalloc((size_t)(job->n_parts > 0 ? job->n_parts : 1), sizeof(size_t));
	}
	cb.partition_done = job_dataflow_partition_cb;
	cb.succeeded = job_dataflow_succeeded_cb;
	cb.failed = job_dataflow_failed_cb;
	cb.arg = job;
	dag_scheduler_run_job(job->dag, a->dataset, &out, &cb);
}

/* A URL input's HEAD answered: its size, if it says. */
static void job_dataflow_head_cb(const struct http_response *resp, void *arg)
{
	struct job_dataflow_head *h = arg;
	struct job_dataflow *job = h->job;
	const char *url = h->d->files[h->file].url;

	if (resp->status >= 200 && resp->status <= 299 && resp->content_length >= 0) {
		lineage_set_url_size(job->l, h->d, h->file, resp->content_length);
		log_info("%s: %lld bytes", url, (long long)resp->content_length);
	} else {
		log_warn("%s: size unknown (%s): read as one split", url,
		         resp->status == 0 ? (resp->error != NULL ? resp->error : "no answer")
		                           : "no Content-Length");
	}
	if (--job->heads == 0)
		event_active(job->next, EV_TIMEOUT, 1);
}

/* Ask for the size of every URL input. */
static void job_dataflow_ask_sizes(struct job_dataflow *job)
{
	struct job_dataflow_head *h;
	struct dataset *d;
	int i, f, n = 0;

	for (i = 0; i < job->l->n_datasets; i++)
		for (f = 0;
		     job->l->datasets[i]->op == DATASET_TEXT && f < job->l->datasets[i]->n_files;
		     f++)
			n += job->l->datasets[i]->files[f].url != NULL;
	if (n == 0)
		return;
	job->http = http_client_new(job->env.base);
	job->asked = xcalloc((size_t)n, sizeof *job->asked);
	for (i = 0; i < job->l->n_datasets; i++) {
		d = job->l->datasets[i];
		if (d->op != DATASET_TEXT)
			continue;
		for (f = 0; f < d->n_files; f++) {
			if (d->files[f].url == NULL)
				continue;
			h = &job->asked[job->heads];
			h->job = job;
			h->d = d;
			h->file = f;
			job->heads++;
			http_client_request(job->http, "HEAD", d->files[f].url, NULL, NULL, 0,
			                    JOB_DATAFLOW_HEAD_TIMEOUT_MS, job_dataflow_head_cb, h);
		}
	}
}

static void *job_dataflow_start(struct json_object *desc, const struct job_env *env, char **cause)
{
	struct job_dataflow *job;
	struct lineage *l;
	int i, tasks = 0;

	if (lineage_parse(desc, true, &l, cause) != 0)
		return NULL;
	job = xcalloc(1, sizeof *job);
	job->env = *env;
	if (job->env.max_result_bytes == 0)
		job->env.max_result_bytes = SIZE_MAX;
	job->l = l;
	job->next = event_new(env->base, -1, 0, job_dataflow_next_cb, job);
	if (job->next == NULL)
		fatalx("job_dataflow_start: event_new failed");
	for (i = 0; i < l->n_datasets; i++)
		if (l->datasets[i]->op == DATASET_TEXT)
			tasks += l->datasets[i]->n_splits;
	log_info("dataflow job%s%s: %d dataset%s, %d action%s, %d input split%s",
	         l->name != NULL ? " " : "", l->name != NULL ? l->name : "", l->n_datasets,
	         l->n_datasets == 1 ? "" : "s", l->n_actions, l->n_actions == 1 ? "" : "s", tasks,
	         tasks == 1 ? "" : "s");
	job_dataflow_ask_sizes(job);
	if (job->heads == 0)
		event_active(job->next, EV_TIMEOUT, 1);
	return job;
}

static void job_dataflow_free(void *arg)
{
	struct job_dataflow *job = arg;

	if (job == NULL)
		return;
	/* Pending HEADs are cancelled with the client. */
	if (job->http != NULL)
		http_client_free(job->http);
	free(job->asked);
	dag_scheduler_free(job->dag);
	if (job->staging != NULL) {
		output_commit_abort(job->staging);
		free(job->staging);
	}
	job_dataflow_drop_parts(job);
	event_free(job->next);
	lineage_free(job->l);
	free(job->failure);
	free(job);
}

static void job_dataflow_executor_removed(void *arg, const char *executor_id, const char *node,
                                          const char *reason)
{
	struct job_dataflow *job = arg;

	if (!job->over && job->dag != NULL)
		dag_scheduler_executor_removed(job->dag, executor_id, node, reason);
}

static struct json_object *job_dataflow_status(void *arg)
{
	struct job_dataflow *job = arg;
	struct proto_driver_job m;
	struct json_object *o;

	/* No DAG yet (still asking for the inputs' sizes): no jobs, no
	 * stages. */
	if (job->dag != NULL) {
		dag_scheduler_status_fill(job->dag, &m);
	} else {
		memset(&m, 0, sizeof m);
		m.recomputed_map_partitions = -1;
	}
	m.name = job->l->name;
	m.kind = job_dataflow_kind.name;
	o = proto_driver_job_encode(&m);
	proto_driver_job_clear(&m);
	return o;
}

const struct job_kind job_dataflow_kind = {
        .name = "dataflow",
        .validate = job_dataflow_validate,
        .start = job_dataflow_start,
        .free = job_dataflow_free,
        .executor_removed = job_dataflow_executor_removed,
        .status = job_dataflow_status,
};
