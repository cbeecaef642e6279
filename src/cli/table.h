/*
 * table.h — aligned text tables for weft's command-line tools.
 *
 * `weft app list` and `weft node list` print what `yarn application -list`
 * prints: one header line, one line per row, columns left-aligned and
 * padded to the widest cell.  Cells are copied and made printable (control
 * characters become spaces) so a hostile application name can neither
 * break a row in two nor move the cursor.
 */
#ifndef WEFT_CLI_TABLE_H
#define WEFT_CLI_TABLE_H

#include <stdio.h>

struct table;

/* A table with ncols columns named by headers (copied). */
struct table *table_new(int ncols, const char *const *headers);
/* Append a row of ncols cells (copied; NULL prints as ""). */
void table_add_row(struct table *t, const char *const *cells);
/* Rows added so far (the header not counted). */
int table_rows(const struct table *t);
/* Print header and rows, columns separated by at least three spaces and
 * no trailing blanks. */
void table_print(const struct table *t, FILE *out);
void table_free(struct table *t);

#endif
