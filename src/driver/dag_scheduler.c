/*
 * dag_scheduler.c — stages, their submission and lineage recovery
 * (dag_scheduler.h).
 *
 * Owns the shuffles (each with its map output registry and, for a sort,
 * its range bounds), the stages (kept for the status page after they
 * ran), the persisted blocks' locations, and the running job.
 *
 * A stage's pipeline is its final dataset and the chain of map datasets
 * above it up to a root: a text dataset, a wide dataset (read from its
 * shuffles), or a persisted dataset whose blocks all exist (read back
 * instead of recomputed).  Per task, a persisted dataset of the chain
 * whose block for that partition exists cuts the chain further.  Which
 * stages a stage waits for is worked out again each time it is
 * submitted, so a lost block or map output simply makes its producer
 * reappear among the parents.
 */
#include "weft_config.h"

#include "driver/dag_scheduler.h"

#include <inttypes.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/map_output.h"

#define DAG_MAX_CHAIN       1024
#define DAG_SAMPLE_PER_PART 60
#define DAG_SAMPLE_MAX      10000

enum stage_kind { STAGE_MAP, STAGE_SAMPLE, STAGE_RESULT };
enum stage_state { STAGE_IDLE, STAGE_WAITING, STAGE_RUNNING, STAGE_DONE, STAGE_FAILED };

static const char *const stage_kind_names[] = {"shuffle-map", "sample", "result"};
static const char *const stage_state_names[] = {"IDLE", "WAITING", "RUNNING", "DONE", "FAILED"};

struct sample_key {
	char *key;
	size_t len;
	double weight;
};

struct shuffle {
	int id;
	struct dataset *child; /* the wide dataset */
	int side;              /* which parent of it */
	struct dataset *parent;
	int partitions;
	bool range;
	char **bounds; /* base64, partitions - 1 */
	int n_bounds;
	bool bounds_ready;
	struct map_outputs *outputs;
	struct stage *map_stage;
	struct stage *sample_stage;
	struct sample_key *samples;
	int n_samples;
};

struct stage {
	struct dag_scheduler *dag;
	int id;
	enum stage_kind kind;
	enum stage_state state;
	struct dataset *final;
	struct shuffle *shuffle; /* map: written; sample: sampled for */
	int job;                 /* result: its job */
	int partitions;
	bool *done; /* sample and result stages */
	int attempts;
	int fetch_failures; /* in a row */
	int tasks_launched;
	int recomputed;
	int64_t records; /* map stage: records written (last output of each task) */
	int64_t spills;  /* map stage: sorted runs spilled to disk */
	struct task_set *set;
	struct task_set_counts last; /* of the last finished attempt */
	char *name;
	int64_t submitted_ms, completed_ms;
};

struct dag_job {
	int id;
	struct dataset *ds;
	enum action_kind kind;
	char *save_dir;
	struct dag_job_callbacks cb;
	struct stage *result;
	const char *state;
	int64_t started_ms, finished_ms;
	char *failure;
};

struct block_state {
	char **node; /* per partition: where the block is, or NULL */
	int64_t *size;
};

struct dag_scheduler {
	struct lineage *l;
	struct task_scheduler *ts;
	struct shuffle **shuffles;
	int n_shuffles;
	struct stage **stages;
	int n_stages;
	struct block_state *blocks; /* per dataset id */
	struct dag_job **jobs;
	int n_jobs;
	struct dag_job *current;
	int recomputed;
	bool checking;
};

static void dag_submit(struct dag_scheduler *dag, struct stage *st);

/* Keys travel in base64 (they are bytes, not necessarily text). */
static char *dag_base64_encode(const char *data, size_t len)
{
	char *out = xmalloc(4 * ((len + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
	return out;
}

/* Decode len bytes of base64 text into buf.  RET the length or -1. */
static int dag_base64_decode(unsigned char *buf, const char *text, size_t len)
{
	int n, pad = 0;

	if (len == 0)
		return 0;
	if (len > INT_MAX || len % 4 != 0)
		return -1;
	n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
	if (n < 0)
		return -1;
	if (text[len - 1] == '=')
		pad++;
	if (text[len - 2] == '=')
		pad++;
	return n - pad;
}
static void dag_check_waiting(struct dag_scheduler *dag);
static const struct task_set_callbacks dag_set_callbacks;

/* ------------------------------------------------------------------ */
/* Shuffles, stages and blocks. */

struct dag_scheduler *dag_scheduler_new(struct lineage *l, struct task_scheduler *ts)
{
	struct dag_scheduler *dag = xcalloc(1, sizeof *dag);
	int i;

	dag->l = l;
	dag->ts = ts;
	dag->blocks = xcalloc((size_t)l->n_datasets, sizeof *dag->blocks);
	for (i = 0; i < l->n_datasets; i++) {
		int n = l->datasets[i]->partitions > 0 ? l->datasets[i]->partitions : 1;

		dag->blocks[i].node = xcalloc((size_t)n, sizeof(char *));
		dag->blocks[i].size = xcalloc((size_t)n, sizeof(int64_t));
	}
	return dag;
}

/* The shuffle that feeds side `side` of the wide dataset child. */
static struct shuffle *dag_shuffle(struct dag_scheduler *dag, struct dataset *child, int side)
{
	struct shuffle *sh;
	int i;

	for (i = 0; i < dag->n_shuffles; i++)
		if (dag->shuffles[i]->child == child && dag->shuffles[i]->side == side)
			return dag->shuffles[i];
	sh = xcalloc(1, sizeof *sh);
	sh->id = dag->n_shuffles;
	sh->child = child;
	sh->side = side;
	sh->parent = child->parents[side];
	sh->partitions = child->partitions;
	sh->range = child->op == DATASET_SORT_BY_KEY;
	sh->bounds_ready = !sh->range || sh->partitions == 1;
	if (sh->range && sh->partitions == 1)
		sh->n_bounds = 0;
	sh->outputs = map_outputs_new(sh->parent->partitions, sh->partitions);
	dag->shuffles =
	        xreallocarray(dag->shuffles, (size_t)dag->n_shuffles + 1, sizeof *dag->shuffles);
	dag->shuffles[dag->n_shuffles++] = sh;
	return sh;
}

/* A new stage. */
static struct stage *dag_stage_new(struct dag_scheduler *dag, enum stage_kind kind,
                                   struct dataset *final, struct shuffle *sh)
{
	struct stage *st = xcalloc(1, sizeof *st);

	st->dag = dag;
	st->id = dag->n_stages;
	st->kind = kind;
	st->final = final;
	st->shuffle = sh;
	st->job = -1;
	st->partitions = final->partitions;
	if (kind != STAGE_MAP)
		st->done = xcalloc((size_t)(st->partitions > 0 ? st->partitions : 1), sizeof(bool));
	switch (kind) {
	case STAGE_MAP:
		st->name =
		        xasprintf("%s -> shuffle %d for %s", final->name, sh->id, sh->child->name);
		break;
	case STAGE_SAMPLE:
		st->name = xasprintf("sample of %s for %s", final->name, sh->child->name);
		break;
	case STAGE_RESULT:
		st->name = xstrdup(final->name);
		break;
	}
	dag->stages = xreallocarray(dag->stages, (size_t)dag->n_stages + 1, sizeof *dag->stages);
	dag->stages[dag->n_stages++] = st;
	return st;
}

static struct stage *dag_map_stage(struct dag_scheduler *dag, struct shuffle *sh)
{
	if (sh->map_stage == NULL)
		sh->map_stage = dag_stage_new(dag, STAGE_MAP, sh->parent, sh);
	return sh->map_stage;
}

static struct stage *dag_sample_stage(struct dag_scheduler *dag, struct shuffle *sh)
{
	if (sh->sample_stage == NULL)
		sh->sample_stage = dag_stage_new(dag, STAGE_SAMPLE, sh->parent, sh);
	return sh->sample_stage;
}

/* The block of dataset d's partition p: its node, or NULL. */
static const char *dag_block(const struct dag_scheduler *dag, const struct dataset *d, int p)
{
	if (!d->persist || p < 0 || p >= d->partitions)
		return NULL;
	return dag->blocks[d->id].node[p];
}

static bool dag_fully_cached(const struct dag_scheduler *dag, const struct dataset *d)
{
	int p;

	if (!d->persist || d->partitions == 0)
		return false;
	for (p = 0; p < d->partitions; p++)
		if (dag->blocks[d->id].node[p] == NULL)
			return false;
	return true;
}

/* Forget every block on node.  RET how many. */
static int dag_lose_blocks(struct dag_scheduler *dag, const char *node)
{
	int i, p, n = 0;

	for (i = 0; i < dag->l->n_datasets; i++) {
		for (p = 0; p < dag->l->datasets[i]->partitions; p++) {
			char **b = &dag->blocks[i].node[p];

			if (*b != NULL && strcmp(*b, node) == 0) {
				free(*b);
				*b = NULL;
				n++;
			}
		}
	}
	return n;
}

/* The chain of a pipeline ending in final: chain[0] is the root (text,
 * wide, or a fully persisted dataset), chain[n - 1] is final.  RET n. */
static int dag_chain(const struct dag_scheduler *dag, struct dataset *final, struct dataset **chain)
{
	struct dataset *up[DAG_MAX_CHAIN], *d = final;
	int n = 0, i, cut = -1;

	for (;;) {
		up[n++] = d;
		if (d->op != DATASET_MAP || n == DAG_MAX_CHAIN)
			break;
		d = d->parents[0];
	}
	/* The fully persisted dataset nearest to final cuts the chain. */
	for (i = 0; i < n && cut < 0; i++)
		if (dag_fully_cached(dag, up[i]))
			cut = i;
	if (cut >= 0)
		n = cut + 1;
	for (i = 0; i < n; i++)
		chain[i] = up[n - 1 - i];
	return n;
}

/* The stages st reads from.  RET how many (at most 3). */
static int dag_stage_parents(struct dag_scheduler *dag, struct stage *st, struct stage **out)
{
	struct dataset *chain[DAG_MAX_CHAIN];
	int n = 0, k;

	dag_chain(dag, st->final, chain);
	if (dataset_is_wide(chain[0]) && !dag_fully_cached(dag, chain[0]))
		for (k = 0; k < chain[0]->n_parents; k++)
			out[n++] = dag_map_stage(dag, dag_shuffle(dag, chain[0], k));
	if (st->kind == STAGE_MAP && !st->shuffle->bounds_ready)
		out[n++] = dag_sample_stage(dag, st->shuffle);
	return n;
}

/* Whether a stage's output is all there. */
static bool dag_stage_complete(const struct stage *st)
{
	int p;

	switch (st->kind) {
	case STAGE_MAP:
		return st->shuffle->bounds_ready && map_outputs_missing(st->shuffle->outputs) == 0;
	case STAGE_SAMPLE:
		return st->shuffle->bounds_ready;
	case STAGE_RESULT:
		for (p = 0; p < st->partitions; p++)
			if (!st->done[p])
				return false;
		return true;
	}
	return false;
}

/* Whether partition p of a stage still has to be computed. */
static bool dag_partition_missing(const struct stage *st, int p)
{
	if (st->kind == STAGE_MAP)
		return !map_outputs_available(st->shuffle->outputs, p);
	return !st->done[p];
}

/* ------------------------------------------------------------------ */
/* Tasks. */

/* The node with most bytes of reduce partition p over the sides. */
static const char *dag_shuffle_preference(struct dag_scheduler *dag, struct dataset *wide, int p)
{
	const char *best = NULL, *node;
	int64_t best_bytes = -1, bytes;
	int side, k, i, m;

	for (side = 0; side < wide->n_parents; side++) {
		struct shuffle *sh = dag_shuffle(dag, wide, side);

		node = map_outputs_preferred_node(sh->outputs, p);
		if (node == NULL)
			continue;
		/* Its bytes over both sides. */
		bytes = 0;
		for (k = 0; k < wide->n_parents; k++) {
			struct shuffle *s2 = dag_shuffle(dag, wide, k);

			m = map_outputs_maps(s2->outputs);
			for (i = 0; i < m; i++) {
				const char *n2 = map_outputs_node(s2->outputs, i);

				if (n2 != NULL && strcmp(n2, node) == 0)
					bytes += map_outputs_size(s2->outputs, i, p);
			}
		}
		if (bytes > best_bytes) {
			best = node;
			best_bytes = bytes;
		}
	}
	return best;
}

/* "input" of a shuffle read of partition p of a wide dataset. */
static struct json_object *dag_shuffle_input(struct dag_scheduler *dag, struct dataset *wide, int p)
{
	static const char *const joins[] = {"inner", "left", "right", "full"};
	struct json_object *in = wjson_new_object(), *sides = json_object_new_array();
	int side, i;

	wjson_add_string(in, "type", "shuffle");
	wjson_add_string(in, "mode", wide->op == DATASET_JOIN ? "join" : "group");
	if (wide->op == DATASET_JOIN)
		wjson_add_string(in, "join", joins[wide->join]);
	for (side = 0; side < wide->n_parents; side++) {
		struct shuffle *sh = dag_shuffle(dag, wide, side);
		struct json_object *s = wjson_new_object(), *maps = json_object_new_array();

		wjson_add_int(s, "shuffleId", sh->id);
		for (i = 0; i < map_outputs_maps(sh->outputs); i++) {
			struct json_object *m;

			if (map_outputs_size(sh->outputs, i, p) == 0)
				continue;
			m = wjson_new_object();
			wjson_add_string(m, "map", map_outputs_map(sh->outputs, i));
			wjson_add_string(m, "node", map_outputs_node(sh->outputs, i));
			wjson_add_int(m, "size", map_outputs_size(sh->outputs, i, p));
			json_object_array_add(maps, m);
		}
		wjson_add(s, "maps", maps);
		json_object_array_add(sides, s);
	}
	wjson_add(in, "sides", sides);
	return in;
}

/* "output" of a stage's tasks. */
static struct json_object *dag_task_output(struct dag_scheduler *dag, struct stage *st)
{
	struct json_object *out = wjson_new_object(), *bounds;
	struct shuffle *sh = st->shuffle;
	int i, k;

	switch (st->kind) {
	case STAGE_MAP:
		wjson_add_string(out, "type", "shuffle");
		wjson_add_int(out, "shuffleId", sh->id);
		wjson_add_int(out, "partitions", sh->partitions);
		wjson_add_string(out, "partitioner", sh->range ? "range" : "hash");
		if (sh->range) {
			bounds = json_object_new_array();
			for (i = 0; i < sh->n_bounds; i++)
				json_object_array_add(bounds,
				                      json_object_new_string(sh->bounds[i]));
			wjson_add(out, "bounds", bounds);
		}
		if (sh->child->op == DATASET_REDUCE_BY_KEY && sh->child->combine != NULL)
			wjson_add_string(out, "combine", sh->child->combine);
		break;
	case STAGE_SAMPLE:
		wjson_add_string(out, "type", "sample");
		k = st->partitions > 0 ? DAG_SAMPLE_PER_PART * sh->partitions / st->partitions + 1
		                       : DAG_SAMPLE_PER_PART;
		if (k < 20)
			k = 20;
		if (k > DAG_SAMPLE_MAX)
			k = DAG_SAMPLE_MAX;
		wjson_add_int(out, "size", k);
		break;
	case STAGE_RESULT: {
		struct dag_job *job = dag->jobs[st->job];

		if (job->kind == ACTION_COLLECT) {
			wjson_add_string(out, "type", "collect");
		} else {
			wjson_add_string(out, "type", "save");
			wjson_add_string(out, "dir", job->save_dir);
		}
		break;
	}
	}
	return out;
}

/* The task computing partition p of stage st; *preferred its node. */
static struct json_object *dag_task_payload(struct dag_scheduler *dag, struct stage *st, int p,
                                            const char **preferred)
{
	struct dataset *chain[DAG_MAX_CHAIN], *root;
	struct json_object *task = wjson_new_object(), *in, *commands, *persist, *out, *step;
	const char *block;
	int n, i, first, cut = -1;

	*preferred = NULL;
	n = dag_chain(dag, st->final, chain);
	for (i = n - 1; i >= 0 && cut < 0; i--)
		if (dag_block(dag, chain[i], p) != NULL)
			cut = i;
	commands = json_object_new_array();
	persist = json_object_new_array();
	wjson_add_int(task, "stage", st->id);
	wjson_add_int(task, "partition", p);
	root = chain[cut >= 0 ? cut : 0];
	if (cut >= 0 || dag_fully_cached(dag, root)) {
		block = dag_block(dag, root, p);
		in = wjson_new_object();
		wjson_add_string(in, "type", "block");
		wjson_add_int(in, "dataset", root->id);
		wjson_add_string(in, "node", block);
		wjson_add_int(in, "size", dag->blocks[root->id].size[p]);
		*preferred = block;
		first = (cut >= 0 ? cut : 0) + 1;
	} else if (root->op == DATASET_TEXT) {
		const struct text_split *sp = &root->splits[p];
		const struct text_file *f = &root->files[sp->file];

		in = wjson_new_object();
		wjson_add_string(in, "type", "text");
		if (f->path != NULL)
			wjson_add_string(in, "path", f->path);
		else
			wjson_add_string(in, "url", f->url);
		wjson_add_int(in, "start", sp->start);
		wjson_add_int(in, "length", sp->length);
		if (root->persist) {
			step = wjson_new_object();
			wjson_add_int(step, "step", 0);
			wjson_add_int(step, "dataset", root->id);
			json_object_array_add(persist, step);
		}
		first = 1;
	} else {
		in = dag_shuffle_input(dag, root, p);
		*preferred = dag_shuffle_preference(dag, root, p);
		first = 0; /* the wide dataset's own command runs here */
	}
	for (i = first; i < n; i++) {
		struct dataset *d = chain[i];

		if (d->command != NULL)
			json_object_array_add(commands, json_object_new_string(d->command));
		if (d->persist && dag_block(dag, d, p) == NULL) {
			step = wjson_new_object();
			wjson_add_int(step, "step", (int64_t)json_object_array_length(commands));
			wjson_add_int(step, "dataset", d->id);
			json_object_array_add(persist, step);
		}
	}
	wjson_add(task, "input", in);
	wjson_add(task, "commands", commands);
	wjson_add(task, "persist", persist);
	out = dag_task_output(dag, st);
	if (st->kind == STAGE_RESULT && dag->jobs[st->job]->kind == ACTION_SAVE) {
		char file[32];

		snprintf(file, sizeof file, "part-%05d", p);
		wjson_add_string(out, "file", file);
	}
	wjson_add(task, "output", out);
	return task;
}

/* Submit the tasks of st's missing partitions. */
static void dag_launch(struct dag_scheduler *dag, struct stage *st)
{
	struct task_spec *specs;
	char *name;
	int p, n = 0;

	specs = xcalloc((size_t)(st->partitions > 0 ? st->partitions : 1), sizeof *specs);
	for (p = 0; p < st->partitions; p++) {
		if (!dag_partition_missing(st, p))
			continue;
		specs[n].index = p;
		specs[n].payload = dag_task_payload(dag, st, p, &specs[n].preferred_node);
		n++;
	}
	if (n == 0) {
		free(specs);
		st->state = STAGE_DONE;
		return;
	}
	if (st->attempts > 0) {
		st->recomputed += n;
		if (st->kind == STAGE_MAP)
			dag->recomputed += n;
		log_warn("stage %d (%s): resubmitting %d missing partition%s of %d (attempt %d)",
		         st->id, st->name, n, n == 1 ? "" : "s", st->partitions, st->attempts);
	}
	name = xasprintf("stage %d.%d (%s)", st->id, st->attempts, st->name);
	st->attempts++;
	st->tasks_launched += n;
	st->state = STAGE_RUNNING;
	if (st->submitted_ms == 0)
		st->submitted_ms = time_now_ms();
	st->set = task_scheduler_submit(dag->ts, name, specs, n, &dag_set_callbacks, st);
	for (p = 0; p < n; p++)
		json_object_put(specs[p].payload);
	free(specs);
	free(name);
}

/* Submit st, or its missing parents first (it then waits for them). */
static void dag_submit(struct dag_scheduler *dag, struct stage *st)
{
	struct stage *parents[3];
	int n, i;
	bool missing = false;

	if (st->state == STAGE_RUNNING)
		return;
	if (dag_stage_complete(st)) {
		st->state = STAGE_DONE;
		return;
	}
	n = dag_stage_parents(dag, st, parents);
	for (i = 0; i < n; i++) {
		if (dag_stage_complete(parents[i]))
			continue;
		missing = true;
		if (parents[i]->state != STAGE_RUNNING && parents[i]->state != STAGE_WAITING)
			dag_submit(dag, parents[i]);
	}
	if (missing) {
		st->state = STAGE_WAITING;
		return;
	}
	dag_launch(dag, st);
}

/* Launch every waiting stage whose parents are complete now. */
static void dag_check_waiting(struct dag_scheduler *dag)
{
	bool again = true;
	int i;

	if (dag->checking)
		return;
	dag->checking = true;
	while (again && dag->current != NULL) {
		again = false;
		for (i = 0; i < dag->n_stages && dag->current != NULL; i++) {
			struct stage *st = dag->stages[i];
			enum stage_state before = st->state;

			if (st->state != STAGE_WAITING)
				continue;
			st->state = STAGE_IDLE;
			dag_submit(dag, st);
			if (st->state != before)
				again = true;
		}
	}
	dag->checking = false;
}

/* ------------------------------------------------------------------ */
/* The end of a job. */

/* Stop every stage's tasks. */
static void dag_stop_stages(struct dag_scheduler *dag)
{
	int i;

	for (i = 0; i < dag->n_stages; i++) {
		struct stage *st = dag->stages[i];

		if (st->set != NULL) {
			task_set_counts(st->set, &st->last);
			task_set_free(st->set);
			st->set = NULL;
		}
		if (st->state == STAGE_RUNNING || st->state == STAGE_WAITING)
			st->state = STAGE_IDLE;
	}
}

/* The job failed: stop everything and tell the owner. */
static void dag_job_fail(struct dag_scheduler *dag, const char *reason)
{
	struct dag_job *job = dag->current;

	if (job == NULL)
		return;
	dag->current = NULL;
	dag_stop_stages(dag);
	job->result->state = STAGE_FAILED;
	job->state = "FAILED";
	job->failure = xstrdup(reason);
	job->finished_ms = time_now_ms();
	log_warn("job %d failed: %s", job->id, reason);
	if (job->cb.failed != NULL)
		job->cb.failed(job->cb.arg, reason);
}

/* The result stage is complete. */
static void dag_job_succeed(struct dag_scheduler *dag)
{
	struct dag_job *job = dag->current;

	dag->current = NULL;
	dag_stop_stages(dag);
	job->state = "SUCCEEDED";
	job->finished_ms = time_now_ms();
	log_info("job %d (%s of %s) finished in %" PRId64 " ms", job->id,
	         job->kind == ACTION_COLLECT ? "collect" : "save", job->ds->name,
	         job->finished_ms - job->started_ms);
	if (job->cb.succeeded != NULL)
		job->cb.succeeded(job->cb.arg);
}

/* ------------------------------------------------------------------ */
/* Task set callbacks. */

/* Register the blocks a task persisted. */
static void dag_register_blocks(struct dag_scheduler *dag, int p, const struct task_result *r)
{
	struct json_object *blocks = NULL, *b;
	int64_t id, size;
	size_t i;

	if (r->result == NULL ||
	    wjson_get_array(r->result, "result", "blocks", false, &blocks, NULL) != 0 ||
	    blocks == NULL)
		return;
	for (i = 0; i < json_object_array_length(blocks); i++) {
		b = json_object_array_get_idx(blocks, i);
		if (b == NULL || !json_object_is_type(b, json_type_object) ||
		    wjson_get_int(b, "", "dataset", true, 0, dag->l->n_datasets - 1, &id, NULL) !=
		            0 ||
		    wjson_get_int(b, "", "size", true, 0, INT64_MAX, &size, NULL) != 0)
			continue;
		if (p >= dag->l->datasets[id]->partitions || !dag->l->datasets[id]->persist)
			continue;
		free(dag->blocks[id].node[p]);
		dag->blocks[id].node[p] = xstrdup(r->node);
		dag->blocks[id].size[p] = size;
	}
}

/* A map task's output: register it.  RET 0 / -1 *cause. */
static int dag_register_map_output(struct stage *st, const struct task_result *r, char **cause)
{
	struct json_object *mo, *sizes;
	const char *map;
	int64_t *values, v;
	size_t n, i;
	int rc;

	if (r->result == NULL ||
	    wjson_get_object(r->result, "result", "mapOutput", true, &mo, cause) != 0 ||
	    wjson_get_string(mo, "result.mapOutput", "map", true, &map, cause) != 0 ||
	    wjson_get_array(mo, "result.mapOutput", "sizes", true, &sizes, cause) != 0)
		return r->result == NULL ? set_cause(cause, "no result") : -1;
	n = json_object_array_length(sizes);
	if (n != (size_t)st->shuffle->partitions)
		return set_cause(cause, "%zu partition sizes for %d partitions", n,
		                 st->shuffle->partitions);
	values = xcalloc(n > 0 ? n : 1, sizeof *values);
	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(sizes, i);

		if (e == NULL || !json_object_is_type(e, json_type_int) ||
		    (v = json_object_get_int64(e)) < 0) {
			free(values);
			return set_cause(cause, "result.mapOutput.sizes[%zu]: not a size", i);
		}
		values[i] = v;
	}
	rc = map_outputs_register(st->shuffle->outputs, r->index, map, r->node, values, (int)n);
	free(values);
	if (wjson_get_int(mo, "", "records", false, 0, INT64_MAX, &v, NULL) == 0 && v > 0)
		st->records += v;
	v = 0;
	if (wjson_get_int(mo, "", "spills", false, 0, INT64_MAX, &v, NULL) == 0)
		st->spills += v;
	return rc != 0 ? set_cause(cause, "cannot register map output %s", map) : 0;
}

/* A sample task's keys. */
static void dag_add_sample(struct stage *st, const struct task_result *r)
{
	struct shuffle *sh = st->shuffle;
	struct json_object *sample = NULL, *keys = NULL;
	int64_t records = 0;
	size_t n, i, len;
	char *key;

	if (r->result == NULL ||
	    wjson_get_object(r->result, "", "sample", false, &sample, NULL) != 0 ||
	    sample == NULL ||
	    wjson_get_int(sample, "", "records", false, 0, INT64_MAX, &records, NULL) != 0 ||
	    wjson_get_array(sample, "", "keys", false, &keys, NULL) != 0 || keys == NULL)
		return;
	n = json_object_array_length(keys);
	for (i = 0; i < n; i++) {
		struct json_object *k = json_object_array_get_idx(keys, i);
		unsigned char *buf;
		int got;

		if (k == NULL || !json_object_is_type(k, json_type_string))
			continue;
		len = (size_t)json_object_get_string_len(k);
		buf = xmalloc(len / 4 * 3 + 4);
		got = len % 4 == 0 ? dag_base64_decode(buf, json_object_get_string(k), len) : -1;
		if (got < 0) {
			free(buf);
			continue;
		}
		key = (char *)buf;
		sh->samples =
		        xreallocarray(sh->samples, (size_t)sh->n_samples + 1, sizeof *sh->samples);
		sh->samples[sh->n_samples].key = key;
		sh->samples[sh->n_samples].len = (size_t)got;
		sh->samples[sh->n_samples].weight = (double)records / (double)n;
		sh->n_samples++;
	}
}

/* Order of two sample keys (bytes, then length). */
static int dag_compare_samples(const void *a, const void *b)
{
	const struct sample_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Range bounds from the samples: partitions - 1 keys splitting the
 * weighted sample into equal parts (Spark's RangePartitioner). */
static void dag_compute_bounds(struct shuffle *sh)
{
	double total = 0, step, cum = 0;
	int i, j = 0, parts = sh->partitions;
	const struct sample_key *last = NULL;

	qsort(sh->samples, (size_t)sh->n_samples, sizeof *sh->samples, dag_compare_samples);
	for (i = 0; i < sh->n_samples; i++)
		total += sh->samples[i].weight;
	sh->bounds = xcalloc((size_t)(parts > 1 ? parts - 1 : 1), sizeof *sh->bounds);
	step = parts > 0 ? total / parts : 0;
	for (i = 0; i < sh->n_samples && j < parts - 1; i++) {
		cum += sh->samples[i].weight;
		if (cum >= step * (j + 1) &&
		    (last == NULL || dag_compare_samples(&sh->samples[i], last) > 0)) {
			sh->bounds[j++] = dag_base64_encode(sh->samples[i].key, sh->samples[i].len);
			last = &sh->samples[i];
		}
	}
	/* Fewer distinct keys than partitions: the rest stay empty. */
	for (; j < parts - 1; j++)
		sh->bounds[j] =
		        last != NULL ? dag_base64_encode(last->key, last->len) : xstrdup("");
	sh->n_bounds = parts - 1;
	sh->bounds_ready = true;
	for (i = 0; i < sh->n_samples; i++)
		free(sh->samples[i].key);
	free(sh->samples);
	sh->samples = NULL;
	log_info("shuffle %d (sort of %s): %d range bounds from %d sampled keys", sh->id,
	         sh->parent->name, sh->n_bounds, sh->n_samples);
	sh->n_samples = 0;
}

/* A task of a stage succeeded. */
static void dag_task_succeeded_cb(struct task_set *set, const struct task_result *r, void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	char *cause = NULL, *reason;

	if (dag->current == NULL || r->index < 0 || r->index >= st->partitions)
		return;
	dag_register_blocks(dag, r->index, r);
	switch (st->kind) {
	case STAGE_MAP:
		if (dag_register_map_output(st, r, &cause) != 0) {
			reason = xasprintf("task %d of stage %d returned no usable map output: %s",
			                   r->index, st->id, cause);
			free(cause);
			dag_job_fail(dag, reason);
			free(reason);
		}
		break;
	case STAGE_SAMPLE:
		dag_add_sample(st, r);
		st->done[r->index] = true;
		break;
	case STAGE_RESULT:
		st->done[r->index] = true;
		if (dag->current->cb.partition_done != NULL)
			dag->current->cb.partition_done(dag->current->cb.arg, r->index, r);
		break;
	}
}

/* Every task of a stage's attempt succeeded. */
static void dag_set_succeeded_cb(struct task_set *set, void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	int p;

	if (st->set == set) {
		task_set_counts(set, &st->last);
		task_set_free(set);
		st->set = NULL;
	}
	if (dag->current == NULL)
		return;
	st->state = STAGE_IDLE;
	if (st->kind == STAGE_SAMPLE) {
		for (p = 0; p < st->partitions; p++)
			if (!st->done[p])
				break;
		if (p == st->partitions && !st->shuffle->bounds_ready)
			dag_compute_bounds(st->shuffle);
	}
	if (dag_stage_complete(st)) {
		st->state = STAGE_DONE;
		st->fetch_failures = 0;
		st->completed_ms = time_now_ms();
		log_info("stage %d (%s) done after %d attempt%s", st->id, st->name, st->attempts,
		         st->attempts == 1 ? "" : "s");
		if (st->kind == STAGE_RESULT) {
			dag_job_succeed(dag);
			return;
		}
	} else {
		/* Outputs were lost while it ran: compute them again. */
		dag_submit(dag, st);
	}
	dag_check_waiting(dag);
}

/* A task failed for good: the job fails. */
static void dag_set_failed_cb(struct task_set *set, const char *reason, void *arg)
{
	struct stage *st = arg;

	dag_job_fail(st->dag, reason);
}

/* Outputs on a node are gone: forget them, keep tasks off the node. */
static int dag_lose_node(struct dag_scheduler *dag, const char *node)
{
	int i, lost = 0;

	for (i = 0; i < dag->n_shuffles; i++)
		lost += map_outputs_lose_node(dag->shuffles[i]->outputs, node);
	lost += dag_lose_blocks(dag, node);
	if (lost > 0)
		log_warn("node %s: %d map output%s and blocks lost", node, lost,
		         lost == 1 ? "" : "s");
	return lost;
}

/* A task could not fetch its input (Spark's FetchFailed). */
static void dag_fetch_failed_cb(struct task_set *set, const struct task_result *r, void *arg)
{
	struct stage *st = arg;
	struct dag_scheduler *dag = st->dag;
	struct json_object *ff = NULL;
	const char *node = NULL, *message = NULL;
	char *reason;

	if (dag->current == NULL)
		return;
	if (r->result != NULL)
		wjson_get_object(r->result, "", "fetchFailed", false, &ff, NULL);
	if (ff != NULL) {
		wjson_get_string(ff, "", "node", false, &node, NULL);
		wjson_get_string(ff, "", "message", false, &message, NULL);
	}
	if (st->set == set) {
		/* This attempt of the stage is over; what finished counts. */
		task_set_counts(set, &st->last);
		task_set_free(set);
		st->set = NULL;
		st->state = STAGE_IDLE;
		st->fetch_failures++;
	}
	log_warn("stage %d (%s): task %d on executor %s could not fetch its input from %s: %s",
	         st->id, st->name, r->index, r->executor_id, node != NULL ? node : "?",
	         message != NULL ? message : "?");
	if (node != NULL) {
		dag_lose_node(dag, node);
		task_scheduler_exclude_node(dag->ts, node);
	}
	if (st->fetch_failures >= DAG_MAX_STAGE_ATTEMPTS) {
		reason =
		        xasprintf("Stage %d (%s) has failed the maximum allowable number of times: "
		                  "%d. Most recent failure reason: fetch failed from %s: %s",
		                  st->id, st->name, DAG_MAX_STAGE_ATTEMPTS,
		                  node != NULL ? node : "?", message != NULL ? message : "?");
		dag_job_fail(dag, reason);
		free(reason);
		return;
	}
	dag_submit(dag, st);
	dag_check_waiting(dag);
}

static const struct task_set_callbacks dag_set_callbacks = {
        .task_succeeded = dag_task_succeeded_cb,
        .succeeded = dag_set_succeeded_cb,
        .failed = dag_set_failed_cb,
        .fetch_failed = dag_fetch_failed_cb,
};

/* ------------------------------------------------------------------ */
/* Jobs. */

/* Create the stages ds depends on, ancestors first, so that stage ids
 * follow the order in which stages can run (as Spark numbers them). */
static void dag_create_ancestors(struct dag_scheduler *dag, struct dataset *ds)
{
	struct dataset *chain[DAG_MAX_CHAIN];
	struct shuffle *sh;
	int k;

	dag_chain(dag, ds, chain);
	if (!dataset_is_wide(chain[0]) || dag_fully_cached(dag, chain[0]))
		return;
	for (k = 0; k < chain[0]->n_parents; k++) {
		dag_create_ancestors(dag, chain[0]->parents[k]);
		sh = dag_shuffle(dag, chain[0], k);
		if (sh->map_stage != NULL)
			continue;
		if (sh->range && !sh->bounds_ready)
			dag_sample_stage(dag, sh);
		dag_map_stage(dag, sh);
	}
}

int dag_scheduler_run_job(struct dag_scheduler *dag, struct dataset *ds,
                          const struct dag_output *out, const struct dag_job_callbacks *cb)
{
	struct dag_job *job = xcalloc(1, sizeof *job);

	job->id = dag->n_jobs;
	job->ds = ds;
	job->kind = out->kind;
	job->save_dir = out->save_dir != NULL ? xstrdup(out->save_dir) : NULL;
	job->cb = *cb;
	job->state = "RUNNING";
	job->started_ms = time_now_ms();
	dag->jobs = xreallocarray(dag->jobs, (size_t)dag->n_jobs + 1, sizeof *dag->jobs);
	dag->jobs[dag->n_jobs++] = job;
	dag_create_ancestors(dag, ds);
	job->result = dag_stage_new(dag, STAGE_RESULT, ds, NULL);
	job->result->job = job->id;
	dag->current = job;
	log_info("job %d: %s of %s (%d partition%s)", job->id,
	         out->kind == ACTION_COLLECT ? "collect" : "save", ds->name, ds->partitions,
	         ds->partitions == 1 ? "" : "s");
	dag_submit(dag, job->result);
	if (dag->current == job && job->result->state == STAGE_DONE)
		dag_job_succeed(dag); /* nothing to compute (no partitions) */
	else
		dag_check_waiting(dag);
	return job->id;
}

void dag_scheduler_cancel(struct dag_scheduler *dag)
{
	if (dag->current == NULL)
		return;
	dag->current->state = "CANCELLED";
	dag->current = NULL;
	dag_stop_stages(dag);
}

void dag_scheduler_executor_removed(struct dag_scheduler *dag, const char *executor_id,
                                    const char *node, const char *reason)
{
	/* The RM reports the containers of a node it declared LOST with
	 * "Container released on a *lost* node": its NM serves nothing. */
	if (node == NULL || reason == NULL || strstr(reason, "lost* node") == NULL)
		return;
	log_warn("executor %s was on node %s, which the cluster lost", executor_id, node);
	if (dag_lose_node(dag, node) > 0)
		task_scheduler_exclude_node(dag->ts, node);
	if (dag->current != NULL)
		dag_check_waiting(dag);
}

int dag_scheduler_recomputed(const struct dag_scheduler *dag)
{
	return dag->recomputed;
}

/* One stage for the status page. */
static struct json_object *dag_stage_status(const struct dag_scheduler *dag, const struct stage *st)
{
	struct json_object *o = wjson_new_object();
	struct task_set_counts c;
	int p, done = 0;

	if (st->set != NULL)
		task_set_counts(st->set, &c);
	else
		c = st->last;
	for (p = 0; p < st->partitions; p++)
		if (!dag_partition_missing(st, p))
			done++;
	wjson_add_int(o, "stageId", st->id);
	wjson_add_string(o, "name", st->name);
	wjson_add_string(o, "kind", stage_kind_names[st->kind]);
	wjson_add_string(o, "state", stage_state_names[st->state]);
	wjson_add_string(o, "dataset", st->final->name);
	if (st->shuffle != NULL)
		wjson_add_int(o, "shuffleId", st->shuffle->id);
	if (st->job >= 0)
		wjson_add_int(o, "jobId", st->job);
	wjson_add_int(o, "attempts", st->attempts);
	wjson_add_int(o, "numTasks", st->partitions);
	wjson_add_int(o, "numCompleteTasks", done);
	wjson_add_int(o, "numActiveTasks", st->set != NULL ? c.running : 0);
	wjson_add_int(o, "numPendingTasks", st->set != NULL ? c.pending : 0);
	wjson_add_int(o, "numFailedTasks", c.failed);
	wjson_add_int(o, "numKilledTasks", c.killed);
	wjson_add_int(o, "numSpeculativeTasks", c.speculative);
	wjson_add_int(o, "numTasksLaunched", st->tasks_launched);
	wjson_add_int(o, "numRecomputedTasks", st->recomputed);
	wjson_add_int(o, "fetchFailures", st->fetch_failures);
	if (st->kind == STAGE_MAP) {
		wjson_add_int(o, "shuffleWriteBytes", map_outputs_bytes(st->shuffle->outputs));
		wjson_add_int(o, "shuffleWriteRecords", st->records);
		wjson_add_int(o, "spills", st->spills);
	}
	if (st->submitted_ms > 0)
		wjson_add_int(o, "submissionTime", st->submitted_ms);
	if (st->completed_ms > 0)
		wjson_add_int(o, "completionTime", st->completed_ms);
	(void)dag;
	return o;
}

struct json_object *dag_scheduler_status(const struct dag_scheduler *dag)
{
	struct json_object *o = wjson_new_object(), *jobs = json_object_new_array(),
	                   *stages = json_object_new_array();
	int i;

	for (i = 0; i < dag->n_jobs; i++) {
		const struct dag_job *job = dag->jobs[i];
		struct json_object *j = wjson_new_object();

		wjson_add_int(j, "jobId", job->id);
		wjson_add_string(j, "action", job->kind == ACTION_COLLECT ? "collect" : "save");
		wjson_add_string(j, "dataset", job->ds->name);
		wjson_add_string(j, "state", job->state);
		wjson_add_int(j, "resultStageId", job->result->id);
		wjson_add_int(j, "submissionTime", job->started_ms);
		if (job->finished_ms > 0)
			wjson_add_int(j, "completionTime", job->finished_ms);
		if (job->failure != NULL)
			wjson_add_string(j, "failureReason", job->failure);
		json_object_array_add(jobs, j);
	}
	for (i = 0; i < dag->n_stages; i++)
		json_object_array_add(stages, dag_stage_status(dag, dag->stages[i]));
	wjson_add(o, "jobs", jobs);
	wjson_add(o, "stages", stages);
	wjson_add_int(o, "recomputedMapPartitions", dag->recomputed);
	return o;
}

void dag_scheduler_free(struct dag_scheduler *dag)
{
	int i, p;

	if (dag == NULL)
		return;
	dag->current = NULL;
	dag_stop_stages(dag);
	for (i = 0; i < dag->n_stages; i++) {
		free(dag->stages[i]->done);
		free(dag->stages[i]->name);
		free(dag->stages[i]);
	}
	free(dag->stages);
	for (i = 0; i < dag->n_shuffles; i++) {
		struct shuffle *sh = dag->shuffles[i];

		for (p = 0; p < sh->n_bounds; p++)
			free(sh->bounds[p]);
		free(sh->bounds);
		for (p = 0; p < sh->n_samples; p++)
			free(sh->samples[p].key);
		free(sh->samples);
		map_outputs_free(sh->outputs);
		free(sh);
	}
	free(dag->shuffles);
	for (i = 0; i < dag->l->n_datasets; i++) {
		int n = dag->l->datasets[i]->partitions > 0 ? dag->l->datasets[i]->partitions : 1;

		for (p = 0; p < n; p++)
			free(dag->blocks[i].node[p]);
		free(dag->blocks[i].node);
		free(dag->blocks[i].size);
	}
	free(dag->blocks);
	for (i = 0; i < dag->n_jobs; i++) {
		free(dag->jobs[i]->save_dir);
		free(dag->jobs[i]->failure);
		free(dag->jobs[i]);
	}
	free(dag->jobs);
	free(dag);
}
