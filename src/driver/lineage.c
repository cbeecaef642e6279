/*
 * lineage.c — parsing, checking and resolving a dataflow job file
 * (lineage.h, weft-job(5)).
 *
 * Two passes over "datasets": the first creates every dataset with its
 * own fields, the second links parents by name (so a job file may list
 * datasets in any order); then a depth-first walk rejects cycles and
 * gives the order in which partitions are settled (parents first).
 */
#include "weft_config.h"

#include "driver/lineage.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/parse.h"
#include "common/wjson.h"
#include "common/xmalloc.h"

#define LINEAGE_MAX_INPUTS  10000
#define LINEAGE_MAX_FILES   100000
#define LINEAGE_MAX_COMMAND (256 * 1024)

static const char *const lineage_op_names[] = {
        [DATASET_TEXT] = "text",
        [DATASET_MAP] = "map",
        [DATASET_REDUCE_BY_KEY] = "reduce-by-key",
        [DATASET_SORT_BY_KEY] = "sort-by-key",
        [DATASET_JOIN] = "join",
};

/* The fields each op accepts (besides "op" and "persist"). */
static const char *const lineage_op_fields[][6] = {
        [DATASET_TEXT] = {"input", "split-size", NULL},
        [DATASET_MAP] = {"parent", "command", NULL},
        [DATASET_REDUCE_BY_KEY] = {"parent", "partitions", "command", "combine", NULL},
        [DATASET_SORT_BY_KEY] = {"parent", "partitions", "command", NULL},
        [DATASET_JOIN] = {"parents", "partitions", "type", "command", NULL},
};

const char *dataset_op_name(enum dataset_op op)
{
	return lineage_op_names[op];
}

bool dataset_is_wide(const struct dataset *d)
{
	return d->op == DATASET_REDUCE_BY_KEY || d->op == DATASET_SORT_BY_KEY ||
	       d->op == DATASET_JOIN;
}

struct dataset *lineage_find(const struct lineage *l, const char *name)
{
	int i;

	for (i = 0; i < l->n_datasets; i++)
		if (strcmp(l->datasets[i]->name, name) == 0)
			return l->datasets[i];
	return NULL;
}

int lineage_split_count(int64_t size, int64_t split_size)
{
	int64_t n;

	if (size < 0)
		return 1;
	if (size == 0)
		return 0;
	if (split_size < 1)
		split_size = 1;
	/* Rounded up without size + split_size - 1, which overflows near
	 * INT64_MAX (a URL's Content-Length is whatever its server says). */
	n = size / split_size + (size % split_size != 0);
	return n > INT_MAX ? INT_MAX : (int)n;
}

int lineage_parse_size(struct json_object *value, const char *path, int64_t *out, char **cause)
{
	int64_t v;
	char *why = NULL;

	if (json_object_is_type(value, json_type_int)) {
		/* wjson_parse refused integers beyond int64; json-c alone clamps
		 * them to INT64_MAX, which the range refuses too. */
		v = json_object_get_int64(value);
		if (v < 1 || v > LINEAGE_MAX_SPLIT_SIZE)
			return set_cause(cause,
			                 "%s: %" PRId64 " is out of range [1, %" PRId64 "] bytes",
			                 path, v, LINEAGE_MAX_SPLIT_SIZE);
		*out = v;
		return 0;
	}
	if (!json_object_is_type(value, json_type_string))
		return set_cause(cause,
		                 "%s: expected a size in bytes (65536, \"64m\", \"1g\"), got %s",
		                 path, json_type_to_name(json_object_get_type(value)));
	if (parse_size(json_object_get_string(value), 1, 1, LINEAGE_MAX_SPLIT_SIZE, out,
	               cause != NULL ? &why : NULL) != 0) {
		set_cause(cause, "%s: %s", path, why);
		free(why);
		return -1;
	}
	return 0;
}

/* Free one dataset. */
static void dataset_free(struct dataset *d)
{
	int i;

	free(d->name);
	free(d->command);
	free(d->combine);
	for (i = 0; i < d->n_inputs; i++)
		free(d->inputs[i]);
	free(d->inputs);
	for (i = 0; i < d->n_files; i++) {
		free(d->files[i].path);
		free(d->files[i].url);
	}
	free(d->files);
	free(d->splits);
	free(d);
}

void lineage_free(struct lineage *l)
{
	int i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n_datasets; i++)
		dataset_free(l->datasets[i]);
	free(l->datasets);
	for (i = 0; i < l->n_actions; i++)
		free(l->actions[i].path);
	free(l->actions);
	free(l->order);
	free(l->name);
	free(l->base_dir);
	free(l);
}

/* An absolute version of path (relative to base). */
static char *lineage_absolute(const struct lineage *l, const char *path)
{
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", l->base_dir, path);
}

/* A non-empty command string, at most LINEAGE_MAX_COMMAND bytes. */
static int lineage_command(struct json_object *obj, const char *prefix, const char *key,
                           bool required, char **out, char **cause)
{
	const char *v = NULL, *p;

	if (wjson_get_string(obj, prefix, key, required, &v, cause) != 0)
		return -1;
	if (v == NULL)
		return 0;
	for (p = v; isspace((unsigned char)*p); p++)
		;
	if (*p == '\0')
		return set_cause(cause, "%s.%s: must not be empty", prefix, key);
	if (strlen(v) > LINEAGE_MAX_COMMAND)
		return set_cause(cause, "%s.%s: longer than %d bytes", prefix, key,
		                 LINEAGE_MAX_COMMAND);
	*out = xstrdup(v);
	return 0;
}

/* Check that obj has no field outside allowed (NULL-terminated). */
static int lineage_known_fields(struct json_object *obj, const char *prefix,
                                const char *const *allowed, const char *what, char **cause)
{
	int i;

	json_object_object_foreach(obj, key, value)
	{
		(void)value;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return set_cause(cause, "%s%s%s: unknown field of %s", prefix,
			                 *prefix != '\0' ? "." : "", key, what);
	}
	return 0;
}

/* The first pass over one dataset: its op and own fields. */
static int lineage_dataset(struct lineage *l, const char *name, struct json_object *obj,
                           struct dataset *d, char **cause)
{
	char *prefix = xasprintf("datasets.%s", name);
	const char *allowed[8], *op = NULL, *type = NULL;
	struct json_object *input = NULL, *v;
	int64_t parts = 0;
	int rc = -1, i, k;
	size_t n;

	d->name = xstrdup(name);
	if (!json_object_is_type(obj, json_type_object)) {
		set_cause(cause, "%s: expected an object", prefix);
		goto out;
	}
	if (wjson_get_string(obj, prefix, "op", true, &op, cause) != 0)
		goto out;
	for (i = 0; i <= DATASET_JOIN; i++)
		if (strcmp(op, lineage_op_names[i]) == 0)
			break;
	if (i > DATASET_JOIN) {
		set_cause(cause,
		          "%s.op: unknown op \"%.64s\" (expected text, map, reduce-by-key, "
		          "sort-by-key or join)",
		          prefix, op);
		goto out;
	}
	d->op = (enum dataset_op)i;
	allowed[0] = "op";
	allowed[1] = "persist";
	for (k = 0; lineage_op_fields[d->op][k] != NULL; k++)
		allowed[2 + k] = lineage_op_fields[d->op][k];
	allowed[2 + k] = NULL;
	if (lineage_known_fields(obj, prefix, allowed, op, cause) != 0 ||
	    wjson_get_bool(obj, prefix, "persist", false, &d->persist, cause) != 0)
		goto out;

	switch (d->op) {
	case DATASET_TEXT:
		if (!json_object_object_get_ex(obj, "input", &input) || input == NULL) {
			set_cause(cause,
			          "%s.input: missing (a path, glob, directory or URL, or "
			          "a list of them)",
			          prefix);
			goto out;
		}
		if (json_object_is_type(input, json_type_string)) {
			d->inputs = xcalloc(1, sizeof *d->inputs);
			d->inputs[d->n_inputs++] = xstrdup(json_object_get_string(input));
		} else if (json_object_is_type(input, json_type_array)) {
			n = json_object_array_length(input);
			if (n == 0 || n > LINEAGE_MAX_INPUTS) {
				set_cause(cause, "%s.input: expected 1 to %d inputs", prefix,
				          LINEAGE_MAX_INPUTS);
				goto out;
			}
			d->inputs = xcalloc(n, sizeof *d->inputs);
			for (i = 0; i < (int)n; i++) {
				v = json_object_array_get_idx(input, (size_t)i);
				if (v == NULL || !json_object_is_type(v, json_type_string)) {
					set_cause(cause, "%s.input[%d]: expected a string", prefix,
					          i);
					goto out;
				}
				d->inputs[d->n_inputs++] = xstrdup(json_object_get_string(v));
			}
		} else {
			set_cause(cause, "%s.input: expected a string or a list of strings",
			          prefix);
			goto out;
		}
		for (i = 0; i < d->n_inputs; i++) {
			if (d->inputs[i][0] == '\0') {
				set_cause(cause, "%s.input[%d]: must not be empty", prefix, i);
				goto out;
			}
		}
		d->split_size = LINEAGE_DEFAULT_SPLIT_SIZE;
		if (json_object_object_get_ex(obj, "split-size", &v) && v != NULL) {
			char *path = xasprintf("%s.split-size", prefix);
			int bad = lineage_parse_size(v, path, &d->split_size, cause);

			free(path);
			if (bad != 0)
				goto out;
		}
		break;
	case DATASET_MAP:
		if (lineage_command(obj, prefix, "command", true, &d->command, cause) != 0)
			goto out;
		break;
	case DATASET_REDUCE_BY_KEY:
		if (lineage_command(obj, prefix, "combine", false, &d->combine, cause) != 0)
			goto out;
		/* fall through */
	case DATASET_SORT_BY_KEY:
	case DATASET_JOIN:
		if (lineage_command(obj, prefix, "command", false, &d->command, cause) != 0 ||
		    wjson_get_int(obj, prefix, "partitions", false, 1, LINEAGE_MAX_PARTITIONS,
		                  &parts, cause) != 0)
			goto out;
		d->partitions_asked = (int)parts;
		if (d->op != DATASET_JOIN)
			break;
		if (wjson_get_string(obj, prefix, "type", false, &type, cause) != 0)
			goto out;
		if (type == NULL || strcmp(type, "inner") == 0)
			d->join = JOIN_INNER;
		else if (strcmp(type, "left") == 0)
			d->join = JOIN_LEFT;
		else if (strcmp(type, "right") == 0)
			d->join = JOIN_RIGHT;
		else if (strcmp(type, "full") == 0)
			d->join = JOIN_FULL;
		else {
			set_cause(cause, "%s.type: expected inner, left, right or full", prefix);
			goto out;
		}
		break;
	}
	rc = 0;
out:
	free(prefix);
	(void)l;
	return rc;
}

/* The second pass: link a dataset to its parents by name. */
static int lineage_link(struct lineage *l, struct dataset *d, struct json_object *obj, char **cause)
{
	char *prefix = xasprintf("datasets.%s", d->name);
	struct json_object *parents, *v;
	const char *name;
	int rc = -1, i;

	if (d->op == DATASET_TEXT) {
		rc = 0;
		goto out;
	}
	if (d->op == DATASET_JOIN) {
		if (wjson_get_array(obj, prefix, "parents", true, &parents, cause) != 0)
			goto out;
		if (json_object_array_length(parents) != 2) {
			set_cause(cause, "%s.parents: a join has exactly two parents", prefix);
			goto out;
		}
		for (i = 0; i < 2; i++) {
			v = json_object_array_get_idx(parents, (size_t)i);
			if (v == NULL || !json_object_is_type(v, json_type_string)) {
				set_cause(cause, "%s.parents[%d]: expected a dataset name", prefix,
				          i);
				goto out;
			}
			name = json_object_get_string(v);
			d->parents[i] = lineage_find(l, name);
			if (d->parents[i] == NULL) {
				set_cause(cause, "%s.parents[%d]: no dataset named \"%.64s\"",
				          prefix, i, name);
				goto out;
			}
		}
		d->n_parents = 2;
		rc = 0;
		goto out;
	}
	if (wjson_get_string(obj, prefix, "parent", true, &name, cause) != 0)
		goto out;
	d->parents[0] = lineage_find(l, name);
	if (d->parents[0] == NULL) {
		set_cause(cause, "%s.parent: no dataset named \"%.64s\"", prefix, name);
		goto out;
	}
	d->n_parents = 1;
	rc = 0;
out:
	free(prefix);
	return rc;
}

/* Depth-first: reject cycles, append datasets parents-first to order. */
static int lineage_visit(struct dataset *d, int *color, struct dataset **order, int *n,
                         char **cause)
{
	int i;

	if (color[d->id] == 2)
		return 0;
	if (color[d->id] == 1)
		return set_cause(cause, "datasets.%s: is its own ancestor (a cycle)", d->name);
	color[d->id] = 1;
	for (i = 0; i < d->n_parents; i++)
		if (lineage_visit(d->parents[i], color, order, n, cause) != 0)
			return -1;
	color[d->id] = 2;
	order[(*n)++] = d;
	return 0;
}

/* Add a file of a text dataset. */
static void lineage_add_file(struct dataset *d, char *path, char *url, int64_t size)
{
	d->files = xreallocarray(d->files, (size_t)d->n_files + 1, sizeof *d->files);
	d->files[d->n_files].path = path;
	d->files[d->n_files].url = url;
	d->files[d->n_files].size = size;
	d->n_files++;
}

/* Hadoop's hidden files: names starting with '.' or '_' (_SUCCESS). */
static bool lineage_hidden(const char *name)
{
	return name[0] == '.' || name[0] == '_';
}

static int lineage_compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One local path (a match of a glob, or as written): a readable regular
 * file, or a directory whose regular visible files are all taken. */
static int lineage_add_path(struct dataset *d, const char *field, const char *path, char **cause)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *full;
	size_t n = 0, i;
	DIR *dir;
	int rc = 0;

	if (stat(path, &st) != 0)
		return set_cause(cause, "%s: %s: %s", field, path, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		if (access(path, R_OK) != 0)
			return set_cause(cause, "%s: %s: %s", field, path, strerror(errno));
		if (d->n_files >= LINEAGE_MAX_FILES)
			return set_cause(cause, "%s: more than %d input files", field,
			                 LINEAGE_MAX_FILES);
		lineage_add_file(d, xstrdup(path), NULL, (int64_t)st.st_size);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return set_cause(cause, "%s: %s: not a regular file or directory", field, path);
	dir = opendir(path);
	if (dir == NULL)
		return set_cause(cause, "%s: %s: %s", field, path, strerror(errno));
	while ((de = readdir(dir)) != NULL) {
		if (lineage_hidden(de->d_name))
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof *names, lineage_compare_names);
	for (i = 0; i < n; i++) {
		full = xasprintf("%s/%s", path, names[i]);
		if (rc == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode))
			rc = lineage_add_path(d, field, full, cause);
		free(full);
		free(names[i]);
	}
	free(names);
	return rc;
}

/* List the files of one input of a text dataset. */
static int lineage_add_input(const struct lineage *l, struct dataset *d, int i, char **cause)
{
	const char *input = d->inputs[i], *host;
	char *field = xasprintf("datasets.%s.input%s", d->name, d->n_inputs > 1 ? "" : "");
	char *path = NULL;
	glob_t g;
	size_t k;
	int rc = -1, grc;

	if (d->n_inputs > 1) {
		free(field);
		field = xasprintf("datasets.%s.input[%d]", d->name, i);
	}
	if (strncmp(input, "http://", 7) == 0 || strncmp(input, "https://", 8) == 0) {
		host = strstr(input, "://") + 3;
		if (*host == '\0' || *host == '/') {
			set_cause(cause, "%s: %s: no host in the URL", field, input);
			goto out;
		}
		lineage_add_file(d, NULL, xstrdup(input), -1);
		rc = 0;
		goto out;
	}
	if (strncmp(input, "file://", 7) == 0) {
		if (input[7] != '/') {
			set_cause(cause, "%s: %s: expected file:///absolute/path", field, input);
			goto out;
		}
		path = xstrdup(input + 7);
	} else if (strstr(input, "://") != NULL) {
		set_cause(cause,
		          "%s: %s: unsupported scheme (expected a path, file://, http:// "
		          "or https://)",
		          field, input);
		goto out;
	} else {
		path = lineage_absolute(l, input);
	}
	if (strpbrk(path, "*?[") == NULL) {
		rc = lineage_add_path(d, field, path, cause);
		goto out;
	}
	grc = glob(path, GLOB_ERR, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		set_cause(cause, "%s: %s: no file matches", field, path);
		goto out;
	}
	if (grc != 0) {
		set_cause(cause, "%s: %s: %s", field, path,
		          grc == GLOB_NOSPACE ? "out of memory" : "cannot read a directory");
		goto out;
	}
	rc = 0;
	for (k = 0; k < g.gl_pathc && rc == 0; k++)
		if (!lineage_hidden(strrchr(g.gl_pathv[k], '/') + 1))
			rc = lineage_add_path(d, field, g.gl_pathv[k], cause);
	globfree(&g);
out:
	free(path);
	free(field);
	return rc;
}

/* Cut every file of a text dataset into splits, at most
 * LINEAGE_MAX_PARTITIONS in all (counted before anything is allocated: a
 * tiny split-size on a big file must not allocate a split per byte).
 * RET 0 / -1 *cause. */
static int lineage_split(struct dataset *d, char **cause)
{
	int64_t total = 0;
	int f, k, n;

	for (f = 0; f < d->n_files; f++) {
		total += lineage_split_count(d->files[f].size, d->split_size);
		if (total > LINEAGE_MAX_PARTITIONS)
			return set_cause(cause,
			                 "datasets.%s: more than %d splits (raise split-size)",
			                 d->name, LINEAGE_MAX_PARTITIONS);
	}
	d->splits = total > 0 ? xcalloc((size_t)total, sizeof *d->splits) : NULL;
	for (f = 0; f < d->n_files; f++) {
		n = lineage_split_count(d->files[f].size, d->split_size);
		for (k = 0; k < n; k++) {
			struct text_split *s = &d->splits[d->n_splits++];

			s->file = f;
			if (d->files[f].size < 0) {
				s->start = 0;
				s->length = -1;
			} else {
				/* k < n <= size / split_size + 1: no overflow. */
				s->start = (int64_t)k * d->split_size;
				s->length = d->split_size;
				if (s->length > d->files[f].size - s->start)
					s->length = d->files[f].size - s->start;
			}
		}
	}
	return 0;
}

/* Settle every dataset's partitions, parents first (text datasets from
 * their splits).  RET 0 / -1 *cause. */
static int lineage_settle(struct lineage *l, char **cause)
{
	struct dataset *d;
	int i, k, most;

	for (i = 0; i < l->n_datasets; i++) {
		d = l->order[i];
		switch (d->op) {
		case DATASET_TEXT:
			free(d->splits);
			d->splits = NULL;
			d->n_splits = 0;
			if (lineage_split(d, cause) != 0)
				return -1;
			d->partitions = d->n_splits;
			break;
		case DATASET_MAP:
			d->partitions = d->parents[0]->partitions;
			break;
		default:
			most = 1;
			for (k = 0; k < d->n_parents; k++)
				if (d->parents[k]->partitions > most)
					most = d->parents[k]->partitions;
			d->partitions = d->partitions_asked > 0 ? d->partitions_asked : most;
			break;
		}
	}
	return 0;
}

/* List every text dataset's files, then settle partitions. */
static int lineage_resolve(struct lineage *l, char **cause)
{
	struct dataset *d;
	int i, k;

	for (i = 0; i < l->n_datasets; i++) {
		d = l->order[i];
		if (d->op != DATASET_TEXT)
			continue;
		for (k = 0; k < d->n_inputs; k++)
			if (lineage_add_input(l, d, k, cause) != 0)
				return -1;
	}
	return lineage_settle(l, cause);
}

int lineage_set_url_size(struct lineage *l, struct dataset *d, int file, int64_t size)
{
	if (d->op != DATASET_TEXT || file < 0 || file >= d->n_files || d->files[file].url == NULL ||
	    size < -1)
		return -1;
	d->files[file].size = size;
	return 0;
}

int lineage_repartition(struct lineage *l, char **cause)
{
	return lineage_settle(l, cause);
}

/* One action. */
static int lineage_action(struct lineage *l, struct json_object *obj, int i, char **cause)
{
	static const char *const fields[] = {"op", "dataset", "path", "overwrite", NULL};
	struct action *a = &l->actions[i];
	char *prefix = xasprintf("actions[%d]", i), *dir, *slash;
	const char *op, *name, *path = NULL;
	int rc = -1, k;

	if (!json_object_is_type(obj, json_type_object)) {
		set_cause(cause, "%s: expected an object", prefix);
		goto out;
	}
	if (lineage_known_fields(obj, prefix, fields, "an action", cause) != 0 ||
	    wjson_get_string(obj, prefix, "op", true, &op, cause) != 0 ||
	    wjson_get_string(obj, prefix, "dataset", true, &name, cause) != 0)
		goto out;
	if (strcmp(op, "collect") == 0)
		a->kind = ACTION_COLLECT;
	else if (strcmp(op, "save") == 0)
		a->kind = ACTION_SAVE;
	else {
		set_cause(cause, "%s.op: unknown action \"%.64s\" (expected collect or save)",
		          prefix, op);
		goto out;
	}
	a->dataset = lineage_find(l, name);
	if (a->dataset == NULL) {
		set_cause(cause, "%s.dataset: no dataset named \"%.64s\"", prefix, name);
		goto out;
	}
	if (a->kind == ACTION_COLLECT) {
		if (json_object_object_get_ex(obj, "path", NULL) ||
		    json_object_object_get_ex(obj, "overwrite", NULL)) {
			set_cause(cause, "%s: path and overwrite belong to save", prefix);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (wjson_get_string(obj, prefix, "path", true, &path, cause) != 0 ||
	    wjson_get_bool(obj, prefix, "overwrite", false, &a->overwrite, cause) != 0)
		goto out;
	if (path[0] == '\0' || (strstr(path, "://") != NULL && strncmp(path, "file://", 7) != 0)) {
		set_cause(cause, "%s.path: expected a directory path", prefix);
		goto out;
	}
	if (strncmp(path, "file://", 7) == 0)
		path += 7;
	a->path = lineage_absolute(l, path);
	while (strlen(a->path) > 1 && a->path[strlen(a->path) - 1] == '/')
		a->path[strlen(a->path) - 1] = '\0';
	for (k = 0; k < i; k++) {
		if (l->actions[k].kind == ACTION_SAVE && strcmp(l->actions[k].path, a->path) == 0) {
			set_cause(cause, "%s.path: %s is saved to by actions[%d] already", prefix,
			          a->path, k);
			goto out;
		}
	}
	rc = 0;
	if (!a->overwrite && access(a->path, F_OK) == 0) {
		rc = set_cause(cause, "%s.path: %s already exists (set \"overwrite\": true)",
		               prefix, a->path);
		goto out;
	}
	dir = xstrdup(a->path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0)
		rc = set_cause(cause, "%s.path: cannot create %s: %s: %s", prefix, a->path, dir,
		               strerror(errno));
	free(dir);
out:
	free(prefix);
	return rc;
}

/* Both passes over "datasets": create each with its own fields, then
 * link parents by name.  RET 0 / -1 *cause. */
static int lineage_datasets(struct lineage *l, struct json_object *datasets, char **cause)
{
	struct json_object_iterator it, end;
	struct dataset *d;
	const char *key;

	l->datasets = xcalloc((size_t)json_object_object_length(datasets), sizeof *l->datasets);
	end = json_object_iter_end(datasets);
	for (it = json_object_iter_begin(datasets); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		d = xcalloc(1, sizeof *d);
		d->id = l->n_datasets;
		l->datasets[l->n_datasets++] = d;
		if (key[0] == '\0' || strlen(key) > 128)
			return set_cause(cause, "datasets: names must have 1 to 128 characters");
		if (lineage_dataset(l, key, json_object_iter_peek_value(&it), d, cause) != 0)
			return -1;
	}
	for (it = json_object_iter_begin(datasets); !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		key = json_object_iter_peek_name(&it);
		if (lineage_link(l, lineage_find(l, key), json_object_iter_peek_value(&it),
		                 cause) != 0)
			return -1;
	}
	return 0;
}

int lineage_parse(struct json_object *job, bool resolve, struct lineage **out, char **cause)
{
	static const char *const fields[] = {"kind",     "name",    "base-dir",
	                                     "datasets", "actions", NULL};
	struct json_object *datasets, *actions;
	struct lineage *l;
	const char *kind, *name = NULL, *base = NULL;
	int *color = NULL, n = 0, i;
	size_t n_actions;

	if (job == NULL || !json_object_is_type(job, json_type_object))
		return set_cause(cause, "job: expected a JSON object");
	if (lineage_known_fields(job, "", fields, "a dataflow job", cause) != 0 ||
	    wjson_get_string(job, "", "kind", true, &kind, cause) != 0 ||
	    wjson_get_string(job, "", "name", false, &name, cause) != 0 ||
	    wjson_get_string(job, "", "base-dir", false, &base, cause) != 0 ||
	    wjson_get_object(job, "", "datasets", true, &datasets, cause) != 0 ||
	    wjson_get_array(job, "", "actions", true, &actions, cause) != 0)
		return -1;
	if (strcmp(kind, "dataflow") != 0)
		return set_cause(cause, "kind: expected \"dataflow\"");
	if (base != NULL && base[0] != '/')
		return set_cause(cause, "base-dir: expected an absolute path");
	if (json_object_object_length(datasets) == 0)
		return set_cause(cause, "datasets: a job needs at least one dataset");
	if (json_object_object_length(datasets) > LINEAGE_MAX_DATASETS)
		return set_cause(cause, "datasets: more than %d", LINEAGE_MAX_DATASETS);
	n_actions = json_object_array_length(actions);
	if (n_actions == 0 || n_actions > LINEAGE_MAX_DATASETS)
		return set_cause(cause, "actions: expected 1 to %d actions", LINEAGE_MAX_DATASETS);

	l = xcalloc(1, sizeof *l);
	l->name = name != NULL ? xstrdup(name) : NULL;
	if (base != NULL) {
		l->base_dir = xstrdup(base);
	} else {
		l->base_dir = getcwd(NULL, 0);
		if (l->base_dir == NULL)
			l->base_dir = xstrdup("/");
	}
	if (lineage_datasets(l, datasets, cause) != 0)
		goto fail;
	color = xcalloc((size_t)l->n_datasets, sizeof *color);
	l->order = xcalloc((size_t)l->n_datasets, sizeof *l->order);
	for (i = 0; i < l->n_datasets; i++)
		if (lineage_visit(l->datasets[i], color, l->order, &n, cause) != 0)
			goto fail;
	l->actions = xcalloc(n_actions, sizeof *l->actions);
	for (i = 0; i < (int)n_actions; i++) {
		l->n_actions++;
		if (lineage_action(l, json_object_array_get_idx(actions, (size_t)i), i, cause) != 0)
			goto fail;
	}
	if (resolve && lineage_resolve(l, cause) != 0)
		goto fail;
	free(color);
	*out = l;
	return 0;
fail:
	free(color);
	lineage_free(l);
	return -1;
}
