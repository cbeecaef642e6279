/*
 * submit_quote.h — quoting words for /bin/sh.
 *
 * The AM command weft-submit builds is run by the NM with /bin/sh -c, so
 * every word that comes from the user (a -D value, a driver address) is
 * quoted: whatever it holds, the AM receives exactly that one argument.
 */
#ifndef WEFT_SUBMIT_QUOTE_H
#define WEFT_SUBMIT_QUOTE_H

/* text as one POSIX shell word (caller frees): as it is when it holds only
 * characters no shell treats specially, else in single quotes with each '
 * written as '\''. */
char *submit_quote_shell(const char *text);

#endif
