/*
 * fuzz_config_file.c — the weft.conf parser (common/config.c): the input
 * is a whole file, read through config_load_file from a memfd (no disk),
 * then every list and size getter on what it set.
 */
#include "weft_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/config.h"
#include "common/log.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct config *cfg;
	char *cause = NULL, path[64], *text;

	if (fd == -1) {
		log_open("fuzz", LOG_LEVEL_ERROR, "/dev/null");
		fd = memfd_create("weft-fuzz-conf", 0);
		if (fd == -1)
			abort();
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	cfg = config_new();
	if (config_load_file(cfg, path, &cause) != 0)
		free(cause);
	config_free(cfg);
	/* The size syntax config values use, on the raw text too. */
	text = fuzz_text(data, size);
	(void)config_parse_size_mb(text);
	free(text);
	return 0;
}
