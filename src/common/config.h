/*
 * config.h — weft.conf: typed `key = value` settings with documented
 * defaults.
 *
 * Every key any weft program reads is declared once, with its type, default
 * and one-line meaning, in config_keys.c; weft.conf(5) lists the same keys
 * (a unit test checks that they agree).  Values come, later ones winning,
 * from the defaults, from DIR/weft.conf, then from -D key=value overrides.
 * An unknown key or a badly typed value is an error naming the file, line
 * and key, never a silent default.
 */
#ifndef WEFT_CONFIG_H
#define WEFT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum config_type {
	CONFIG_STRING,       /* any text, may be empty */
	CONFIG_INT,          /* decimal integer within [min, max] */
	CONFIG_BOOL,         /* true/false/yes/no/on/off/1/0 */
	CONFIG_ADDRESS,      /* host:port, port 0..65535 (0 = pick a free port) */
	CONFIG_PATH,         /* a path; relative ones resolve against the conf dir */
	CONFIG_LIST,         /* comma-separated list of non-empty items */
	CONFIG_ENUM,         /* one of the words in `choices` (comma-separated) */
	CONFIG_ADDRESS_LIST, /* host:port, or several separated by commas */
};

struct config_key {
	const char *name;
	enum config_type type;
	const char *default_value; /* "" means unset (e.g. detect from host) */
	int64_t min, max;          /* CONFIG_INT only */
	const char *choices;       /* CONFIG_ENUM only */
	const char *description;   /* one line, as in weft.conf(5) */
};

/* The table of every key, ended by a {NULL} entry (config_keys.c). */
extern const struct config_key config_keys[];

struct config;

/* A configuration holding every key at its default. */
struct config *config_new(void);
void config_free(struct config *cfg);

/*
 * Pick the configuration directory and load DIR/weft.conf from it.
 * IN conf_dir: from --conf-dir, or NULL to use $WEFT_CONF_DIR, then the
 * source tree's conf/ when running uninstalled, then WEFT_SYSCONFDIR.
 * A directory named explicitly must exist; a missing weft.conf in it is
 * fine (defaults apply).  RET 0, or -1 with *cause "FILE:LINE: ...".
 */
int config_load(struct config *cfg, const char *conf_dir, char **cause);
/* Parse one file into cfg (used by config_load and tests). */
int config_load_file(struct config *cfg, const char *path, char **cause);
/* Set one key (validated against its type).  RET 0 / -1 with *cause. */
int config_set(struct config *cfg, const char *key, const char *value, char **cause);
/* Apply a "-D key=value" argument. */
int config_set_arg(struct config *cfg, const char *key_equals_value, char **cause);

/* The directory config_load chose ("" before it ran). */
const char *config_conf_dir(const struct config *cfg);

/* Typed getters: the key must be declared (a typo is a programming error
 * and fatal). */
const char *config_get(const struct config *cfg, const char *key);
int64_t config_get_int(const struct config *cfg, const char *key);
bool config_get_bool(const struct config *cfg, const char *key);
/* A CONFIG_PATH value made absolute against the conf dir (caller frees);
 * NULL when the value is empty. */
char *config_get_path(const struct config *cfg, const char *key);
/* A CONFIG_LIST (or CONFIG_ADDRESS_LIST) value split on commas; RET a
 * NULL-terminated array (free with config_list_free), *count if not
 * NULL. */
char **config_get_list(const struct config *cfg, const char *key, int *count);
void config_list_free(char **list);
/* Whether the value was set by a file or -D (not just the default). */
bool config_is_set(const struct config *cfg, const char *key);

/* Look a key up in the table; NULL when unknown. */
const struct config_key *config_key_find(const char *name);

/*
 * Parse a size with an optional unit, as weft-submit's --executor-memory:
 * "512" (MiB), "512m", "2g", "2048M".  RET megabytes or -1.
 */
int64_t config_parse_size_mb(const char *text);

#endif
