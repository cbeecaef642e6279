/*
 * weft/weft.h — all of libweft's public API in one include (libweft(3)).
 *
 * Every header of weft_public_headers (src/lib/Makemodule.am) is included
 * here; tests/public_headers.sh fails when one is missing.  Each also
 * compiles alone, so a program may include only the ones it uses.
 */
#ifndef WEFT_WEFT_H
#define WEFT_WEFT_H

#include <weft/am_client.h>
#include <weft/app.h>
#include <weft/client.h>
#include <weft/container.h>
#include <weft/ids.h>
#include <weft/nm_client.h>
#include <weft/resource.h>
#include <weft/rm_client.h>
#include <weft/version.h>

#endif
