/*
 * ids.c — application, attempt and container ids in YARN's text formats.
 *
 * Formatting follows YARN exactly (ApplicationId, ApplicationAttemptId,
 * ContainerId.toString): the widths are minimums, so larger numbers print
 * wider.  A container id carries YARN's RM epoch in the bits above 40 of
 * its sequence number and prints it as a "container_e<epoch>_" prefix.
 *
 * Parsing is strict and canonical: decimal digits only (no sign, space or
 * empty part), no overflow, nothing after the last number, and the text
 * must be exactly what formatting the parsed id gives back (no extra
 * leading zeros: each number has exactly the digits its format prints).
 * So an id that parses can be used as a map key, a file name or a URL
 * part without aliasing another id.
 */
#include "weft_config.h"

#include "weft/ids.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* YARN keeps the container sequence in the low 40 bits, the epoch above. */
#define IDS_CONTAINER_SEQ_BITS 40
#define IDS_CONTAINER_SEQ_MASK ((INT64_C(1) << IDS_CONTAINER_SEQ_BITS) - 1)
#define IDS_EPOCH_MAX          ((INT64_C(1) << (63 - IDS_CONTAINER_SEQ_BITS)) - 1)

/* Format an application id into buf. */
char *weft_app_id_format(const weft_app_id_t *id, char *buf)
{
	snprintf(buf, WEFT_ID_MAX, "application_%" PRId64 "_%04" PRId32, id->cluster_ts, id->seq);
	return buf;
}

/* Format an attempt id into buf. */
char *weft_attempt_id_format(const weft_attempt_id_t *id, char *buf)
{
	snprintf(buf, WEFT_ID_MAX, "appattempt_%" PRId64 "_%04" PRId32 "_%06" PRId32,
	         id->app.cluster_ts, id->app.seq, id->attempt);
	return buf;
}

/* Format a container id into buf, with the epoch prefix when it has one. */
char *weft_container_id_format(const weft_container_id_t *id, char *buf)
{
	int64_t epoch = id->seq >> IDS_CONTAINER_SEQ_BITS;
	char prefix[32] = "";

	if (epoch > 0)
		snprintf(prefix, sizeof prefix, "e%02" PRId64 "_", epoch);
	snprintf(buf, WEFT_ID_MAX, "container_%s%" PRId64 "_%04" PRId32 "_%02" PRId32 "_%06" PRId64,
	         prefix, id->attempt.app.cluster_ts, id->attempt.app.seq, id->attempt.attempt,
	         epoch > 0 ? id->seq & IDS_CONTAINER_SEQ_MASK : id->seq);
	return buf;
}

/* How many digits printf's "%0<width>" writes for v >= 0. */
static size_t ids_printed_digits(int64_t v, size_t width)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n > width ? n : width;
}

/*
 * Read a run of decimal digits at *pos, at most max, advancing *pos.  RET
 * false when there is no digit, the value overflows max, or the run is not
 * what formatting with "%0<width>" prints (canonical: no extra leading
 * zeros).  Checked here rather than by formatting the id again and
 * comparing, which cost a printf per parse (the RM parses every container
 * id of every NM heartbeat).
 */
static bool ids_read_number(const char **pos, int64_t max, size_t width, int64_t *out)
{
	const char *p = *pos;
	int64_t v = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		int d = *p - '0';
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
	}
	if ((size_t)(p - *pos) != ids_printed_digits(v, width))
		return false;
	*pos = p;
	*out = v;
	return true;
}

/* Consume the literal word at *pos. */
static bool ids_read_literal(const char **pos, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*pos, word, n) != 0)
		return false;
	*pos += n;
	return true;
}

/* Read "<cluster_ts>_<seq>" (the part every id shares). */
static bool ids_read_app_part(const char **pos, weft_app_id_t *out)
{
	int64_t ts, seq;

	if (!ids_read_number(pos, INT64_MAX, 1, &ts) || ts <= 0)
		return false;
	if (!ids_read_literal(pos, "_"))
		return false;
	if (!ids_read_number(pos, INT32_MAX, 4, &seq) || seq < 1)
		return false;
	out->cluster_ts = ts;
	out->seq = (int32_t)seq;
	return true;
}

/* Parse an application id. */
int weft_app_id_parse(const char *text, weft_app_id_t *out)
{
	const char *p = text;
	weft_app_id_t id;

	if (text == NULL || !ids_read_literal(&p, "application_") || !ids_read_app_part(&p, &id) ||
	    *p != '\0')
		return -1;
	*out = id;
	return 0;
}

/* Parse an attempt id. */
int weft_attempt_id_parse(const char *text, weft_attempt_id_t *out)
{
	const char *p = text;
	weft_attempt_id_t id;
	int64_t attempt;

	if (text == NULL || !ids_read_literal(&p, "appattempt_") ||
	    !ids_read_app_part(&p, &id.app) || !ids_read_literal(&p, "_"))
		return -1;
	if (!ids_read_number(&p, INT32_MAX, 6, &attempt) || attempt < 1 || *p != '\0')
		return -1;
	id.attempt = (int32_t)attempt;
	*out = id;
	return 0;
}

/* Parse a container id, with or without YARN's epoch prefix. */
int weft_container_id_parse(const char *text, weft_container_id_t *out)
{
	const char *p = text;
	weft_container_id_t id;
	int64_t epoch = 0, attempt, seq;

	if (text == NULL || !ids_read_literal(&p, "container_"))
		return -1;
	if (*p == 'e') {
		/* Epoch 0 prints no prefix, so "e00_" is not canonical. */
		p++;
		if (!ids_read_number(&p, IDS_EPOCH_MAX, 2, &epoch) || epoch < 1 ||
		    !ids_read_literal(&p, "_"))
			return -1;
	}
	if (!ids_read_app_part(&p, &id.attempt.app) || !ids_read_literal(&p, "_"))
		return -1;
	if (!ids_read_number(&p, INT32_MAX, 2, &attempt) || attempt < 1)
		return -1;
	if (!ids_read_literal(&p, "_") || !ids_read_number(&p, IDS_CONTAINER_SEQ_MASK, 6, &seq) ||
	    seq < 1 || *p != '\0')
		return -1;
	id.attempt.attempt = (int32_t)attempt;
	id.seq = (epoch << IDS_CONTAINER_SEQ_BITS) | seq;
	*out = id;
	return 0;
}

/* Two application ids name the same application. */
int weft_app_id_equal(const weft_app_id_t *a, const weft_app_id_t *b)
{
	return a->cluster_ts == b->cluster_ts && a->seq == b->seq;
}
