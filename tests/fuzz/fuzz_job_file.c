/*
 * fuzz_job_file.c — the job-file decoder (weft-job(5)): the text as
 * weft-submit reads it (wjson_parse), checked as driver_validate_job
 * checks it (driver.c picks the kind, lineage.c reads a dataflow job).
 *
 * Input: the job file's text, then optionally a NUL and 8-byte
 * little-endian integers: the sizes the URL inputs' HEAD answers give, so
 * that splitting (lineage_set_url_size, lineage_repartition) sees any
 * size a server may send.  Local inputs are not listed (the file system
 * is not the decoder's input): a job that names one is parsed without
 * resolving.
 */
#include "weft_config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "common/wjson.h"
#include "driver/driver.h"
#include "driver/lineage.h"
#include "fuzz.h"

/* Whether every input of every text dataset is an http(s) URL. */
static bool fuzz_only_urls(struct json_object *job)
{
	struct json_object *datasets, *input, *v;

	if (!json_object_object_get_ex(job, "datasets", &datasets) ||
	    !json_object_is_type(datasets, json_type_object))
		return false;
	json_object_object_foreach(datasets, name, d)
	{
		(void)name;
		if (!json_object_is_type(d, json_type_object) ||
		    !json_object_object_get_ex(d, "input", &input))
			continue;
		for (size_t i = 0; i < (json_object_is_type(input, json_type_array)
		                                ? json_object_array_length(input)
		                                : 1);
		     i++) {
			const char *s;

			v = json_object_is_type(input, json_type_array)
			            ? json_object_array_get_idx(input, i)
			            : input;
			if (!json_object_is_type(v, json_type_string))
				return false;
			s = json_object_get_string(v);
			if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
				return false;
		}
	}
	return true;
}

/* Give the URL files of l the sizes in data, then split again. */
static void fuzz_url_sizes(struct lineage *l, const uint8_t *data, size_t size)
{
	char *cause = NULL;

	for (int i = 0; i < l->n_datasets; i++) {
		struct dataset *d = l->datasets[i];

		for (int f = 0; f < d->n_files && size >= 8; f++) {
			uint64_t v = 0;

			for (int b = 7; b >= 0; b--)
				v = v << 8 | data[b];
			data += 8;
			size -= 8;
			lineage_set_url_size(l, d, f, (int64_t)v);
		}
	}
	if (lineage_repartition(l, &cause) != 0)
		free(cause);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t json_len = nul != NULL ? (size_t)(nul - data) : size;
	struct json_object *job, *kind;
	struct lineage *l = NULL;
	char *cause = NULL;

	job = wjson_parse((const char *)data, json_len, &cause);
	if (job == NULL) {
		free(cause);
		return 0;
	}
	if (json_object_is_type(job, json_type_object) &&
	    json_object_object_get_ex(job, "kind", &kind) &&
	    json_object_is_type(kind, json_type_string) &&
	    strcmp(json_object_get_string(kind), "dataflow") == 0) {
		bool resolve = fuzz_only_urls(job);

		if (lineage_parse(job, resolve, &l, &cause) == 0) {
			if (resolve && nul != NULL)
				fuzz_url_sizes(l, nul + 1, size - json_len - 1);
			lineage_free(l);
		} else {
			free(cause);
		}
	} else if (driver_validate_job(job, &cause) != 0) {
		free(cause);
	}
	json_object_put(job);
	return 0;
}
