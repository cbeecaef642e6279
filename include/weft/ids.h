/*
 * weft/ids.h — application, attempt and container ids in YARN's formats.
 *
 *   application_<clusterTimestamp>_<seq, 4+ digits>
 *   appattempt_<clusterTimestamp>_<seq, 4+>_<attempt, 6 digits>
 *   container_<clusterTimestamp>_<seq, 4+>_<attempt, 2+>_<seq, 6+ digits>
 *
 * clusterTimestamp is the RM's start time in milliseconds.  Parsers accept
 * exactly these shapes (and YARN's "container_e<epoch>_" prefix) and
 * reject anything else, so an id from a URL can be trusted after parsing.
 * They are canonical: decimal digits only, clusterTimestamp > 0, every
 * sequence and attempt number >= 1, and the text must be what formatting
 * the parsed id gives back (no extra leading zeros), so two different
 * strings never name the same id.  As in YARN, a container's epoch lives
 * in weft_container_id_t.seq above bit 40 (seq = epoch << 40 | number).
 */
#ifndef WEFT_IDS_H
#define WEFT_IDS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_ID_MAX 80 /* room for any formatted id plus NUL */

typedef struct {
	int64_t cluster_ts;
	int32_t seq;
} weft_app_id_t;

typedef struct {
	weft_app_id_t app;
	int32_t attempt;
} weft_attempt_id_t;

typedef struct {
	weft_attempt_id_t attempt;
	int64_t seq;
} weft_container_id_t;

/* Format into buf (at least WEFT_ID_MAX bytes); RET buf. */
char *weft_app_id_format(const weft_app_id_t *id, char *buf);
char *weft_attempt_id_format(const weft_attempt_id_t *id, char *buf);
char *weft_container_id_format(const weft_container_id_t *id, char *buf);

/* Parse; RET 0, or -1 when text is not exactly such an id. */
int weft_app_id_parse(const char *text, weft_app_id_t *out);
int weft_attempt_id_parse(const char *text, weft_attempt_id_t *out);
int weft_container_id_parse(const char *text, weft_container_id_t *out);

int weft_app_id_equal(const weft_app_id_t *a, const weft_app_id_t *b);

#ifdef __cplusplus
}
#endif

#endif
