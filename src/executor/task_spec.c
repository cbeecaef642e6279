/*
 * task_spec.c — parsing a dataflow task (task_spec.h, weft/protocol.h).
 */
#include "weft_config.h"

#include "executor/task_spec.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "executor/record_io.h"

#define TASK_SPEC_MAX_COMMANDS   256
#define TASK_SPEC_MAX_MAPS       1000000
#define TASK_SPEC_MAX_PARTITIONS 1000000

bool task_spec_map_id_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != '_')
			return false;
	return true;
}

char *task_spec_map_file(int64_t shuffle_id, const char *map, const char *suffix)
{
	return xasprintf("shuffle_%" PRId64 "_%s.%s", shuffle_id, map, suffix);
}

char *task_spec_block_file(int64_t dataset, int64_t partition)
{
	return xasprintf("block_%" PRId64 "_%" PRId64, dataset, partition);
}

/* FNV-1a of the name: the same dir for a file's writer and readers. */
int task_spec_dir_index(const char *name, int n)
{
	uint32_t h = 2166136261u;

	if (n <= 1)
		return 0;
	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619u;
	}
	return (int)(h % (uint32_t)n);
}

/* A string field, copied. */
static int task_spec_string(struct json_object *obj, const char *prefix, const char *key,
                            bool required, char **out, char **cause)
{
	const char *v = NULL;

	if (wjson_get_string(obj, prefix, key, required, &v, cause) != 0)
		return -1;
	*out = v != NULL ? xstrdup(v) : NULL;
	return 0;
}

/* The map sources of one shuffle side. */
static int task_spec_side(struct json_object *obj, const char *prefix,
                          struct task_shuffle_side *side, char **cause)
{
	struct json_object *maps, *m;
	char *path;
	size_t i, n;

	if (wjson_get_int(obj, prefix, "shuffleId", true, 0, INT32_MAX, &side->shuffle_id, cause) !=
	            0 ||
	    wjson_get_array(obj, prefix, "maps", true, &maps, cause) != 0)
		return -1;
	n = json_object_array_length(maps);
	if (n > TASK_SPEC_MAX_MAPS)
		return set_cause(cause, "%s.maps: more than %d entries", prefix,
		                 TASK_SPEC_MAX_MAPS);
	side->maps = xcalloc(n > 0 ? n : 1, sizeof *side->maps);
	for (i = 0; i < n; i++) {
		struct task_map_source *src = &side->maps[i];

		m = json_object_array_get_idx(maps, i);
		path = xasprintf("%s.maps[%zu]", prefix, i);
		side->n_maps++;
		if (m == NULL || !json_object_is_type(m, json_type_object)) {
			set_cause(cause, "%s: expected an object", path);
			free(path);
			return -1;
		}
		if (task_spec_string(m, path, "map", true, &src->map, cause) != 0 ||
		    task_spec_string(m, path, "node", true, &src->node, cause) != 0 ||
		    wjson_get_int(m, path, "size", true, 0, INT64_MAX, &src->size, cause) != 0) {
			free(path);
			return -1;
		}
		if (!task_spec_map_id_valid(src->map)) {
			set_cause(cause, "%s.map: expected [0-9_]{1,64}", path);
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

/* "input": text, shuffle or block. */
static int task_spec_input(struct json_object *obj, struct task_input *in, char **cause)
{
	struct json_object *sides, *side;
	const char *type, *mode = NULL, *join = NULL;
	char *prefix;
	size_t i, n;

	if (wjson_get_string(obj, "input", "type", true, &type, cause) != 0)
		return -1;
	if (strcmp(type, "text") == 0) {
		in->type = TASK_INPUT_TEXT;
		in->length = -1;
		if (task_spec_string(obj, "input", "path", false, &in->path, cause) != 0 ||
		    task_spec_string(obj, "input", "url", false, &in->url, cause) != 0 ||
		    wjson_get_int(obj, "input", "start", false, 0, INT64_MAX, &in->start, cause) !=
		            0 ||
		    wjson_get_int(obj, "input", "length", false, -1, INT64_MAX, &in->length,
		                  cause) != 0)
			return -1;
		if ((in->path == NULL) == (in->url == NULL))
			return set_cause(cause, "input: expected one of path and url");
		if (in->path != NULL && in->path[0] != '/')
			return set_cause(cause, "input.path: expected an absolute path");
		return 0;
	}
	if (strcmp(type, "block") == 0) {
		in->type = TASK_INPUT_BLOCK;
		if (wjson_get_int(obj, "input", "dataset", true, 0, INT32_MAX, &in->dataset,
		                  cause) != 0 ||
		    task_spec_string(obj, "input", "node", true, &in->node, cause) != 0 ||
		    wjson_get_int(obj, "input", "size", false, 0, INT64_MAX, &in->size, cause) != 0)
			return -1;
		return 0;
	}
	if (strcmp(type, "shuffle") != 0)
		return set_cause(cause, "input.type: unknown input type '%.32s'", type);
	in->type = TASK_INPUT_SHUFFLE;
	if (wjson_get_string(obj, "input", "mode", false, &mode, cause) != 0 ||
	    wjson_get_string(obj, "input", "join", false, &join, cause) != 0 ||
	    wjson_get_array(obj, "input", "sides", true, &sides, cause) != 0)
		return -1;
	in->mode = TASK_REDUCE_GROUP;
	if (mode != NULL && strcmp(mode, "join") == 0)
		in->mode = TASK_REDUCE_JOIN;
	else if (mode != NULL && strcmp(mode, "group") != 0)
		return set_cause(cause, "input.mode: expected group or join");
	in->join = TASK_JOIN_INNER;
	if (join != NULL) {
		if (strcmp(join, "left") == 0)
			in->join = TASK_JOIN_LEFT;
		else if (strcmp(join, "right") == 0)
			in->join = TASK_JOIN_RIGHT;
		else if (strcmp(join, "full") == 0)
			in->join = TASK_JOIN_FULL;
		else if (strcmp(join, "inner") != 0)
			return set_cause(cause, "input.join: expected inner, left, right or full");
	}
	n = json_object_array_length(sides);
	if (n < 1 || n > 2 || (in->mode == TASK_REDUCE_JOIN) != (n == 2))
		return set_cause(cause, "input.sides: expected 1 side (group) or 2 (join)");
	for (i = 0; i < n; i++) {
		side = json_object_array_get_idx(sides, i);
		prefix = xasprintf("input.sides[%zu]", i);
		in->n_sides++;
		if (side == NULL || !json_object_is_type(side, json_type_object)) {
			set_cause(cause, "%s: expected an object", prefix);
			free(prefix);
			return -1;
		}
		if (task_spec_side(side, prefix, &in->sides[i], cause) != 0) {
			free(prefix);
			return -1;
		}
		free(prefix);
	}
	return 0;
}

/* "output": shuffle, save, collect or sample. */
static int task_spec_output(struct json_object *obj, struct task_output *out, char **cause)
{
	struct json_object *bounds, *b;
	const char *type, *part = NULL;
	int64_t parts = 1;
	size_t i, n;

	if (wjson_get_string(obj, "output", "type", true, &type, cause) != 0)
		return -1;
	if (strcmp(type, "collect") == 0) {
		out->type = TASK_OUTPUT_COLLECT;
		return 0;
	}
	if (strcmp(type, "save") == 0) {
		out->type = TASK_OUTPUT_SAVE;
		if (task_spec_string(obj, "output", "dir", true, &out->dir, cause) != 0 ||
		    task_spec_string(obj, "output", "file", true, &out->file, cause) != 0)
			return -1;
		if (out->dir[0] != '/')
			return set_cause(cause, "output.dir: expected an absolute path");
		if (out->file[0] == '\0' || out->file[0] == '.' || strchr(out->file, '/') != NULL)
			return set_cause(cause, "output.file: expected a plain file name");
		return 0;
	}
	if (strcmp(type, "sample") == 0) {
		out->type = TASK_OUTPUT_SAMPLE;
		out->sample_size = 100;
		return wjson_get_int(obj, "output", "size", false, 1, 1000000, &out->sample_size,
		                     cause);
	}
	if (strcmp(type, "shuffle") != 0)
		return set_cause(cause, "output.type: unknown output type '%.32s'", type);
	out->type = TASK_OUTPUT_SHUFFLE;
	if (wjson_get_int(obj, "output", "shuffleId", true, 0, INT32_MAX, &out->shuffle_id,
	                  cause) != 0 ||
	    wjson_get_int(obj, "output", "partitions", true, 1, TASK_SPEC_MAX_PARTITIONS, &parts,
	                  cause) != 0 ||
	    wjson_get_string(obj, "output", "partitioner", false, &part, cause) != 0 ||
	    task_spec_string(obj, "output", "combine", false, &out->combine, cause) != 0)
		return -1;
	out->partitions = (uint32_t)parts;
	if (part == NULL || strcmp(part, "hash") == 0)
		return 0;
	if (strcmp(part, "range") != 0)
		return set_cause(cause, "output.partitioner: expected hash or range");
	out->range = true;
	if (wjson_get_array(obj, "output", "bounds", true, &bounds, cause) != 0)
		return -1;
	n = json_object_array_length(bounds);
	if (n + 1 != (size_t)parts)
		return set_cause(
		        cause, "output.bounds: expected partitions - 1 = %" PRId64 " keys, got %zu",
		        parts - 1, n);
	out->bounds = xcalloc(n > 0 ? n : 1, sizeof *out->bounds);
	out->bound_lens = xcalloc(n > 0 ? n : 1, sizeof *out->bound_lens);
	for (i = 0; i < n; i++) {
		b = json_object_array_get_idx(bounds, i);
		if (b == NULL || !json_object_is_type(b, json_type_string) ||
		    (out->bounds[i] = record_base64_decode(json_object_get_string(b),
		                                           &out->bound_lens[i])) == NULL)
			return set_cause(cause, "output.bounds[%zu]: expected a base64 string", i);
		out->n_bounds++;
		if (i > 0 && record_key_cmp(out->bounds[i - 1], out->bound_lens[i - 1],
		                            out->bounds[i], out->bound_lens[i]) > 0)
			return set_cause(cause, "output.bounds[%zu]: keys are not sorted", i);
	}
	return 0;
}

/* "localDirs": a comma-separated list. */
static void task_spec_local_dirs(struct task_spec *spec, const char *list)
{
	char *copy = xstrdup(list), *tok, *save = NULL;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '\0')
			continue;
		spec->local_dirs = xreallocarray(spec->local_dirs, (size_t)spec->n_local_dirs + 1,
		                                 sizeof *spec->local_dirs);
		spec->local_dirs[spec->n_local_dirs++] = xstrdup(tok);
	}
	free(copy);
}

int task_spec_parse(struct json_object *obj, struct task_spec *spec, char **cause)
{
	struct json_object *input, *output, *commands = NULL, *persist = NULL, *c;
	const char *dirs;
	int64_t attempt, budget, step;
	size_t i, n;

	memset(spec, 0, sizeof *spec);
	if (wjson_get_int(obj, "", "taskId", true, 0, INT64_MAX, &spec->task_id, cause) != 0 ||
	    wjson_get_int(obj, "", "attempt", true, 0, INT_MAX, &attempt, cause) != 0 ||
	    wjson_get_int(obj, "", "partition", true, 0, INT32_MAX, &spec->partition, cause) != 0 ||
	    wjson_get_int(obj, "", "stage", false, 0, INT32_MAX, &spec->stage, cause) != 0 ||
	    task_spec_string(obj, "", "applicationId", true, &spec->app_id, cause) != 0 ||
	    task_spec_string(obj, "", "nodeId", true, &spec->node_id, cause) != 0 ||
	    task_spec_string(obj, "", "secret", true, &spec->secret, cause) != 0 ||
	    wjson_get_string(obj, "", "localDirs", true, &dirs, cause) != 0 ||
	    wjson_get_int(obj, "", "budgetBytes", true, 1, INT64_MAX, &budget, cause) != 0 ||
	    wjson_get_object(obj, "", "input", true, &input, cause) != 0 ||
	    wjson_get_object(obj, "", "output", true, &output, cause) != 0 ||
	    wjson_get_array(obj, "", "commands", false, &commands, cause) != 0 ||
	    wjson_get_array(obj, "", "persist", false, &persist, cause) != 0)
		return -1;
	spec->attempt = (int)attempt;
	spec->budget = (size_t)budget;
	task_spec_local_dirs(spec, dirs);
	if (spec->n_local_dirs == 0)
		return set_cause(cause, "localDirs: no directory");
	if (task_spec_input(input, &spec->in, cause) != 0 ||
	    task_spec_output(output, &spec->out, cause) != 0)
		return -1;
	n = commands != NULL ? json_object_array_length(commands) : 0;
	if (n > TASK_SPEC_MAX_COMMANDS)
		return set_cause(cause, "commands: more than %d", TASK_SPEC_MAX_COMMANDS);
	spec->commands = xcalloc(n + 1, sizeof *spec->commands);
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(commands, i);
		if (c == NULL || !json_object_is_type(c, json_type_string) ||
		    json_object_get_string_len(c) == 0)
			return set_cause(cause, "commands[%zu]: expected a non-empty string", i);
		spec->commands[spec->n_commands++] = xstrdup(json_object_get_string(c));
	}
	n = persist != NULL ? json_object_array_length(persist) : 0;
	spec->persist = xcalloc(n + 1, sizeof *spec->persist);
	for (i = 0; i < n; i++) {
		char *prefix = xasprintf("persist[%zu]", i);

		c = json_object_array_get_idx(persist, i);
		if (c == NULL || !json_object_is_type(c, json_type_object)) {
			set_cause(cause, "%s: expected an object", prefix);
			free(prefix);
			return -1;
		}
		if (wjson_get_int(c, prefix, "step", true, 0, spec->n_commands, &step, cause) !=
		            0 ||
		    wjson_get_int(c, prefix, "dataset", true, 0, INT32_MAX,
		                  &spec->persist[i].dataset, cause) != 0) {
			free(prefix);
			return -1;
		}
		free(prefix);
		spec->persist[i].step = (int)step;
		spec->n_persist++;
	}
	return 0;
}

/* A shuffle side's sources. */
static void task_spec_side_free(struct task_shuffle_side *side)
{
	int i;

	for (i = 0; i < side->n_maps; i++) {
		free(side->maps[i].map);
		free(side->maps[i].node);
	}
	free(side->maps);
}

void task_spec_free(struct task_spec *spec)
{
	int i;

	free(spec->app_id);
	free(spec->node_id);
	free(spec->secret);
	for (i = 0; i < spec->n_local_dirs; i++)
		free(spec->local_dirs[i]);
	free(spec->local_dirs);
	free(spec->in.path);
	free(spec->in.url);
	free(spec->in.node);
	for (i = 0; i < spec->in.n_sides; i++)
		task_spec_side_free(&spec->in.sides[i]);
	for (i = 0; i < spec->n_commands; i++)
		free(spec->commands[i]);
	free(spec->commands);
	free(spec->persist);
	for (i = 0; i < spec->out.n_bounds; i++)
		free(spec->out.bounds[i]);
	free(spec->out.bounds);
	free(spec->out.bound_lens);
	free(spec->out.combine);
	free(spec->out.dir);
	free(spec->out.file);
	memset(spec, 0, sizeof *spec);
}
