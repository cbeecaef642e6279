/*
 * dag_task.c — the dataflow task of one partition of a stage
 * (dag_state.h), as proto_task encodes it for the executor.
 *
 * Owns how a stage's pipeline becomes a task: where its input comes from
 * (a text split, a shuffle read of every map output with bytes for the
 * partition, or a persisted block that cuts the chain), which commands
 * run, which steps are persisted, where the records go (a shuffle write,
 * a key sample, or the job's output), and the node the task would best
 * run on.  The spec is encoded once per task; retries reuse it.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_task.h"
#include "common/xmalloc.h"
#include "driver/dag_state.h"

/* The node with most bytes of reduce partition p over the sides. */
static const char *dag_task_shuffle_preference(struct dag_scheduler *dag, struct dataset *wide,
                                               int p)
{
	const char *best = NULL, *node;
	int64_t best_bytes = -1, bytes;
	int side, k, i, m;

	for (side = 0; side < wide->n_parents; side++) {
		struct shuffle *sh = dag_scheduler_shuffle(dag, wide, side);

		node = map_outputs_preferred_node(sh->outputs, p);
		if (node == NULL)
			continue;
		/* Its bytes over both sides. */
		bytes = 0;
		for (k = 0; k < wide->n_parents; k++) {
			struct shuffle *s2 = dag_scheduler_shuffle(dag, wide, k);

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

/* The input of a shuffle read of partition p of a wide dataset (its map
 * arrays are the caller's to free; strings are borrowed). */
static void dag_task_shuffle_input(struct dag_scheduler *dag, struct dataset *wide, int p,
                                   struct proto_task_input *in)
{
	int side, i, n;

	in->type = PROTO_TASK_INPUT_SHUFFLE;
	in->mode = wide->op == DATASET_JOIN ? PROTO_TASK_REDUCE_JOIN : PROTO_TASK_REDUCE_GROUP;
	in->join = wide->op == DATASET_JOIN ? (enum proto_task_join_type)wide->join
	                                    : PROTO_TASK_JOIN_INNER;
	for (side = 0; side < wide->n_parents && side < 2; side++) {
		struct shuffle *sh = dag_scheduler_shuffle(dag, wide, side);
		struct proto_task_shuffle_side *s = &in->sides[side];

		n = map_outputs_maps(sh->outputs);
		s->shuffle_id = sh->id;
		s->maps = xcalloc((size_t)(n > 0 ? n : 1), sizeof *s->maps);
		for (i = 0; i < n; i++) {
			if (map_outputs_size(sh->outputs, i, p) == 0)
				continue;
			s->maps[s->n_maps].map = (char *)map_outputs_map(sh->outputs, i);
			s->maps[s->n_maps].node = (char *)map_outputs_node(sh->outputs, i);
			s->maps[s->n_maps].size = map_outputs_size(sh->outputs, i, p);
			s->n_maps++;
		}
		in->n_sides++;
	}
}

/* The output of a stage's task for partition p (strings borrowed; file
 * is the caller's buffer for a save's part file name). */
static void dag_task_output(struct dag_scheduler *dag, struct stage *st, int p,
                            struct proto_task_output *out, char *file, size_t file_size)
{
	struct shuffle *sh = st->shuffle;

	switch (st->kind) {
	case STAGE_MAP:
		out->type = PROTO_TASK_OUTPUT_SHUFFLE;
		out->shuffle_id = sh->id;
		out->partitions = (uint32_t)sh->partitions;
		out->range = sh->range;
		if (sh->range) {
			out->bounds = sh->bounds;
			out->bound_lens = sh->bound_lens;
			out->n_bounds = sh->n_bounds;
		}
		if (sh->child->op == DATASET_REDUCE_BY_KEY && sh->child->combine != NULL)
			out->combine = sh->child->combine;
		break;
	case STAGE_SAMPLE:
		out->type = PROTO_TASK_OUTPUT_SAMPLE;
		out->sample_size = dag_sample_size(st);
		break;
	case STAGE_RESULT: {
		struct dag_job *job = dag->jobs[st->job];

		if (job->kind == ACTION_COLLECT) {
			out->type = PROTO_TASK_OUTPUT_COLLECT;
		} else {
			out->type = PROTO_TASK_OUTPUT_SAVE;
			out->dir = job->save_dir;
			snprintf(file, file_size, "part-%05d", p);
			out->file = file;
		}
		break;
	}
	}
}

struct json_object *dag_task_payload(struct dag_scheduler *dag, struct stage *st, int p,
                                     const char **preferred)
{
	struct dataset *chain[DAG_MAX_CHAIN], *root;
	struct proto_task_spec spec;
	struct json_object *payload;
	char file[32];
	int n, i, first, cut = -1, side;

	memset(&spec, 0, sizeof spec);
	*preferred = NULL;
	n = dag_scheduler_chain(dag, st->final, chain);
	for (i = n - 1; i >= 0 && cut < 0; i--)
		if (dag_scheduler_block(dag, chain[i], p) != NULL)
			cut = i;
	spec.stage = st->id;
	spec.partition = p;
	spec.commands = xcalloc((size_t)n + 1, sizeof *spec.commands);
	spec.persist = xcalloc((size_t)n + 1, sizeof *spec.persist);
	root = chain[cut >= 0 ? cut : 0];
	if (cut >= 0 || dag_scheduler_fully_cached(dag, root)) {
		spec.in.type = PROTO_TASK_INPUT_BLOCK;
		spec.in.dataset = root->id;
		spec.in.node = (char *)dag_scheduler_block(dag, root, p);
		spec.in.size = dag->blocks[root->id].size[p];
		*preferred = spec.in.node;
		first = (cut >= 0 ? cut : 0) + 1;
	} else if (root->op == DATASET_TEXT) {
		const struct text_split *sp = &root->splits[p];
		const struct text_file *f = &root->files[sp->file];

		spec.in.type = PROTO_TASK_INPUT_TEXT;
		spec.in.path = f->path;
		spec.in.url = f->path != NULL ? NULL : f->url;
		spec.in.start = sp->start;
		spec.in.length = sp->length;
		if (root->persist) {
			spec.persist[spec.n_persist].step = 0;
			spec.persist[spec.n_persist++].dataset = root->id;
		}
		first = 1;
	} else {
		dag_task_shuffle_input(dag, root, p, &spec.in);
		*preferred = dag_task_shuffle_preference(dag, root, p);
		first = 0; /* the wide dataset's own command runs here */
	}
	for (i = first; i < n; i++) {
		struct dataset *d = chain[i];

		if (d->command != NULL)
			spec.commands[spec.n_commands++] = d->command;
		if (d->persist && dag_scheduler_block(dag, d, p) == NULL) {
			spec.persist[spec.n_persist].step = spec.n_commands;
			spec.persist[spec.n_persist++].dataset = d->id;
		}
	}
	dag_task_output(dag, st, p, &spec.out, file, sizeof file);
	payload = proto_task_spec_encode(&spec, PROTO_TASK_SPEC_LAUNCH);
	/* Everything else was borrowed. */
	for (side = 0; side < spec.in.n_sides; side++)
		free(spec.in.sides[side].maps);
	free(spec.commands);
	free(spec.persist);
	return payload;
}
