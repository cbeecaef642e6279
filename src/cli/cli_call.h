/*
 * cli_call.h — one blocking REST call from `weft`, with the error printed
 * the way every weft command prints it:
 *   weft: cannot reach the resource manager at URL: CAUSE   (no answer)
 *   weft: MESSAGE                                           (RM's error)
 */
#ifndef WEFT_CLI_CALL_H
#define WEFT_CLI_CALL_H

#include <json-c/json.h>
#include <stdio.h>

/* Per-call time limit of the tool. */
#define CLI_CALL_TIMEOUT_MS 15000

/*
 * method on base+path (path may hold a query string; the user name is
 * added), sending body (not consumed) when not NULL.  RET 0 with *out
 * (caller puts) when a 2xx JSON object came back, else -1 after printing
 * the error to err.  *status (when not NULL) is the HTTP status, 0 when
 * no answer came.
 */
int cli_call(const char *method, const char *base, const char *path, struct json_object *body,
             struct json_object **out, long *status, FILE *err);
/* The same with extra request headers ("Name: value", NULL-terminated,
 * may be NULL). */
int cli_call_headers(const char *method, const char *base, const char *path,
                     const char *const *headers, struct json_object *body, struct json_object **out,
                     long *status, FILE *err);

#endif
