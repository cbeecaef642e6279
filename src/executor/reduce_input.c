/*
 * reduce_input.c — merging and joining fetched segments (reduce_input.h).
 *
 * Every segment stays where the fetch put it (mapped or in memory); the
 * merge hands out pointers into them, so a record is copied once, into
 * the output buffer.  A join keeps the pointers of one key's records of
 * each side and writes their product.
 */
#include "weft_config.h"

#include "executor/reduce_input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "executor/record_io.h"
#include "executor/record_merge.h"

struct join_rec {
	const char *rec;
	size_t len;
};

struct join_group {
	struct join_rec *r;
	size_t n, cap;
};

/* The value of a record: what follows its key's TAB ("" when none). */
static void reduce_input_value(const char *rec, size_t len, size_t klen, const char **v,
                               size_t *vlen)
{
	if (klen < len) {
		*v = rec + klen + 1;
		*vlen = len - klen - 1;
	} else {
		*v = rec + len;
		*vlen = 0;
	}
}

/* key TAB left TAB right. */
static int reduce_input_pair(struct out_buf *w, const char *key, size_t klen, const char *l,
                             size_t llen, const char *r, size_t rlen)
{
	if (out_buf_put(w, key, klen) != 0 || out_buf_put(w, "\t", 1) != 0 ||
	    out_buf_put(w, l, llen) != 0 || out_buf_put(w, "\t", 1) != 0 ||
	    out_buf_put(w, r, rlen) != 0 || out_buf_put(w, "\n", 1) != 0)
		return -1;
	return 0;
}

/* Collect the records of one side with key (key, klen), starting with the
 * current one; *cur is left on the first record of a later key. */
static void reduce_input_group(struct record_merge *m, struct join_group *g, const char **cur,
                               size_t *len, size_t *klen, int *more)
{
	const char *key = *cur;
	size_t keylen = *klen;

	g->n = 0;
	do {
		if (g->n == g->cap) {
			g->cap = g->cap == 0 ? 16 : g->cap * 2;
			g->r = xreallocarray(g->r, g->cap, sizeof *g->r);
		}
		g->r[g->n].rec = *cur;
		g->r[g->n].len = *len;
		g->n++;
		*more = record_merge_next(m, cur, len, klen, NULL);
	} while (*more && record_key_cmp(*cur, *klen, key, keylen) == 0);
}

/* Match the two sides by key. */
static int reduce_input_join(const struct proto_task_spec *spec, struct record_merge *left,
                             struct record_merge *right, struct out_buf *w)
{
	bool keep_left =
	        spec->in.join == PROTO_TASK_JOIN_LEFT || spec->in.join == PROTO_TASK_JOIN_FULL;
	bool keep_right =
	        spec->in.join == PROTO_TASK_JOIN_RIGHT || spec->in.join == PROTO_TASK_JOIN_FULL;
	struct join_group lg = {0}, rg = {0};
	const char *l = NULL, *r = NULL, *v, *u;
	size_t llen = 0, lk = 0, rlen = 0, rk = 0, vlen, ulen, i, j;
	int lmore, rmore, c, rc = 0;

	lmore = record_merge_next(left, &l, &llen, &lk, NULL);
	rmore = record_merge_next(right, &r, &rlen, &rk, NULL);
	while (rc == 0 && (lmore || rmore)) {
		c = lmore && rmore ? record_key_cmp(l, lk, r, rk) : lmore ? -1 : 1;
		if (c < 0) {
			if (keep_left) {
				reduce_input_value(l, llen, lk, &v, &vlen);
				rc = reduce_input_pair(w, l, lk, v, vlen, "", 0);
			}
			lmore = record_merge_next(left, &l, &llen, &lk, NULL);
			continue;
		}
		if (c > 0) {
			if (keep_right) {
				reduce_input_value(r, rlen, rk, &v, &vlen);
				rc = reduce_input_pair(w, r, rk, "", 0, v, vlen);
			}
			rmore = record_merge_next(right, &r, &rlen, &rk, NULL);
			continue;
		}
		reduce_input_group(left, &lg, &l, &llen, &lk, &lmore);
		reduce_input_group(right, &rg, &r, &rlen, &rk, &rmore);
		for (i = 0; i < lg.n && rc == 0; i++) {
			size_t key_len = record_key_len(lg.r[i].rec, lg.r[i].len);

			reduce_input_value(lg.r[i].rec, lg.r[i].len, key_len, &v, &vlen);
			for (j = 0; j < rg.n && rc == 0; j++) {
				reduce_input_value(rg.r[j].rec, rg.r[j].len,
				                   record_key_len(rg.r[j].rec, rg.r[j].len), &u,
				                   &ulen);
				rc = reduce_input_pair(w, lg.r[i].rec, key_len, v, vlen, u, ulen);
			}
		}
	}
	free(lg.r);
	free(rg.r);
	return rc;
}

int reduce_input_write(const struct proto_task_spec *spec, const struct fetch_result *r, int fd,
                       char **cause)
{
	struct record_merge sides[2];
	struct out_buf w;
	const char *rec;
	size_t len, klen;
	int i, rc = 0;

	record_merge_init(&sides[0]);
	record_merge_init(&sides[1]);
	for (i = 0; i < r->n; i++) {
		const struct fetch_segment *seg = &r->segs[i];

		if (seg->len > 0)
			record_merge_add_lines(&sides[seg->side > 0 ? 1 : 0], seg->data, seg->len,
			                       i);
	}
	record_merge_start(&sides[0]);
	record_merge_start(&sides[1]);
	out_buf_init(&w, fd, 1024 * 1024);
	if (spec->in.mode == PROTO_TASK_REDUCE_JOIN) {
		rc = reduce_input_join(spec, &sides[0], &sides[1], &w);
	} else {
		while (record_merge_next(&sides[0], &rec, &len, &klen, NULL) == 1) {
			if (out_buf_line(&w, rec, len) != 0) {
				rc = -1;
				break;
			}
		}
	}
	if (rc == 0)
		rc = out_buf_flush(&w);
	if (rc != 0 && errno == EPIPE)
		rc = 0;
	else if (rc != 0)
		set_cause(cause, "writing the merged input: %s", strerror(errno));
	out_buf_free(&w);
	record_merge_free(&sides[0]);
	record_merge_free(&sides[1]);
	return rc;
}
