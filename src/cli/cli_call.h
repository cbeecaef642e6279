/*
 * cli_call.h — `weft`'s calls to the RM through libweft's blocking layer
 * (weft/rm_client.h), and their errors printed the way every weft
 * command prints them:
 *   weft: cannot reach the resource manager at URL: CAUSE   (no answer)
 *   weft: MESSAGE                                           (RM's error)
 */
#ifndef WEFT_CLI_CALL_H
#define WEFT_CLI_CALL_H

#include <json-c/json.h>
#include <stdio.h>

struct weft_client;
struct weft_error;

/* Print why a call failed (status 0: no answer came). */
void cli_call_print_error(struct weft_client *client, long status, const char *message, FILE *err);
/* The same for a *_sync call's error. */
void cli_call_print_weft_error(struct weft_client *client, const struct weft_error *e, FILE *err);

/*
 * A plain call for what the typed calls do not cover: method on path (with
 * its query), body (not consumed) when not NULL, extra headers
 * ("Name: value", NULL-terminated, may be NULL), flags of weft_call_flags.
 * RET 0 with *out (caller puts) when a 2xx JSON object came back, else -1
 * after printing the error to err.
 */
int cli_call(struct weft_client *client, const char *method, const char *path,
             const char *const *headers, struct json_object *body, unsigned flags,
             struct json_object **out, FILE *err);

#endif
