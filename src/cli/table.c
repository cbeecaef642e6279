/*
 * table.c — aligned text tables (see table.h).
 *
 * Widths are counted in UTF-8 characters, not bytes, so a name with
 * accents does not shift the columns after it.
 */
#include "weft_config.h"

#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xmalloc.h"

/* Spaces between two columns. */
#define TABLE_GAP 3

struct table {
	int ncols;
	char **cells; /* (rows + 1) * ncols, row 0 is the header */
	int nrows;    /* including the header */
	int alloc;    /* rows allocated */
};

/* A printable copy of text: control characters become spaces. */
static char *table_clean(const char *text)
{
	char *copy = xstrdup(text != NULL ? text : "");

	for (char *p = copy; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			*p = ' ';
	}
	return copy;
}

/* Characters (UTF-8 sequences) in text, the width it takes on screen. */
static size_t table_width(const char *text)
{
	return utf8_width(text);
}

/* Store one row of copies. */
static void table_append(struct table *t, const char *const *cells)
{
	if (t->nrows == t->alloc) {
		t->alloc = t->alloc == 0 ? 8 : t->alloc * 2;
		t->cells = xreallocarray(t->cells, (size_t)t->alloc * (size_t)t->ncols,
		                         sizeof *t->cells);
	}
	for (int c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = table_clean(cells[c]);
	t->nrows++;
}

/* Create a table with its header row. */
struct table *table_new(int ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->ncols = ncols;
	table_append(t, headers);
	return t;
}

/* Add one row. */
void table_add_row(struct table *t, const char *const *cells)
{
	table_append(t, cells);
}

/* Rows without the header. */
int table_rows(const struct table *t)
{
	return t->nrows - 1;
}

/* Print with every column as wide as its widest cell. */
void table_print(const struct table *t, FILE *out)
{
	size_t *widths = xcalloc((size_t)t->ncols, sizeof *widths);

	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++) {
			size_t w = table_width(t->cells[r * t->ncols + c]);
			if (w > widths[c])
				widths[c] = w;
		}
	for (int r = 0; r < t->nrows; r++) {
		/* Trailing empty cells print nothing, not a run of blanks. */
		int last = t->ncols - 1;
		while (last > 0 && t->cells[r * t->ncols + last][0] == '\0')
			last--;
		for (int c = 0; c <= last; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			fputs(cell, out);
			if (c < last)
				fprintf(out, "%*s",
				        (int)(widths[c] - table_width(cell) + TABLE_GAP), "");
		}
		fputc('\n', out);
	}
	free(widths);
}

/* Free the table and its copies. */
void table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
