/*
 * config.c — weft.conf: loading, validating and reading typed settings.
 *
 * A configuration holds one value per key of config_keys[] (same index),
 * with where it came from: the default, a file, or a -D override.  Later
 * sources win, and a -D override wins over a file whatever the order they
 * were applied in.  A file is validated completely before any of it is
 * applied, so a bad line never leaves a half-loaded configuration.
 */
#include "weft_config.h"

#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/parse.h"
#include "common/xmalloc.h"

enum config_source { CONFIG_FROM_DEFAULT, CONFIG_FROM_FILE, CONFIG_FROM_ARG };

struct config {
	size_t n_keys;
	char **values;               /* by config_keys[] index */
	enum config_source *sources; /* by config_keys[] index */
	char *conf_dir;              /* "" until config_load */
};

/* One validated line of a file, applied once the whole file is good. */
struct config_pending {
	size_t index;
	char *value;
};

/* The index of a key in config_keys[], or -1 when it is not declared. */
static long config_key_index(const char *name)
{
	long i;

	for (i = 0; config_keys[i].name != NULL; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return i;
	}
	return -1;
}

/* Look a key up in the table. */
const struct config_key *config_key_find(const char *name)
{
	long i = config_key_index(name);

	return i < 0 ? NULL : &config_keys[i];
}

/* Strip leading and trailing white space in place; RET the trimmed start. */
static char *config_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

/* Parse a whole decimal integer; RET 0 or -1 (not a number, or overflow). */
static int config_parse_int(const char *text, int64_t *out)
{
	return parse_int64(text, INT64_MIN, INT64_MAX, out, NULL);
}

/* Parse a boolean word; RET 0 or -1. */
static int config_parse_bool(const char *text, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(text, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(text, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Check "host:port" or "[v6]:port" with a port in 0..65535.  (Only the
 * shape is checked here; net_parse_address splits it for use.) */
static int config_check_address(const char *text, char **reason)
{
	const char *colon, *p;
	long port;

	if (text[0] == '[') {
		p = strchr(text, ']');
		if (p == NULL || p == text + 1 || p[1] != ':')
			return set_cause(reason, "expected host:port or [v6]:port, got '%s'", text);
		colon = p + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || colon == text || memchr(text, ':', colon - text) != NULL)
			return set_cause(reason, "expected host:port, got '%s'", text);
	}
	for (p = colon + 1; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			break;
	}
	if (colon[1] == '\0' || *p != '\0' || p - (colon + 1) > 5)
		return set_cause(reason, "port '%s' is not a number in 0..65535", colon + 1);
	port = strtol(colon + 1, NULL, 10);
	if (port > 65535)
		return set_cause(reason, "port %ld is not in 0..65535", port);
	return 0;
}

/* host:port[,host:port...]: each item an address (spaces around commas
 * allowed). */
static int config_check_address_list(const char *text, char **reason)
{
	const char *p = text;

	for (;;) {
		size_t len;
		char *item;
		int rc;

		while (isspace((unsigned char)*p))
			p++;
		len = strcspn(p, ",");
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0)
			return set_cause(reason, "empty address in list '%s'", text);
		item = xstrndup(p, len);
		rc = config_check_address(item, reason);
		free(item);
		if (rc != 0)
			return -1;
		p += strcspn(p, ",");
		if (*p == '\0')
			return 0;
		p++;
	}
}

/* Whether word is one of the comma-separated choices. */
static bool config_enum_has(const char *choices, const char *word)
{
	size_t len = strlen(word);
	const char *p = choices, *comma;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		if ((comma != NULL ? (size_t)(comma - p) : strlen(p)) == len &&
		    strncmp(p, word, len) == 0 && len > 0)
			return true;
		p = comma != NULL ? comma + 1 : NULL;
	}
	return false;
}

/* Check a comma-separated list: every item non-empty once trimmed ("" is
 * the empty list). */
static int config_check_list(const char *text, char **reason)
{
	const char *p = text, *end;

	if (*text == '\0')
		return 0;
	for (;;) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			return set_cause(reason, "empty item in list '%s'", text);
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

/* Validate value against the key's type; RET 0, or -1 with *reason saying
 * what is wrong (without the key, which callers name their own way). */
static int config_check_value(const struct config_key *key, const char *value, char **reason)
{
	int64_t v;
	bool b;

	switch (key->type) {
	case CONFIG_STRING:
	case CONFIG_PATH:
		return 0;
	case CONFIG_INT:
		if (config_parse_int(value, &v) != 0)
			return set_cause(reason, "expected an integer, got '%s'", value);
		if (v < key->min || v > key->max)
			return set_cause(reason,
			                 "%" PRId64 " is out of range [%" PRId64 ", %" PRId64 "]",
			                 v, key->min, key->max);
		return 0;
	case CONFIG_BOOL:
		if (config_parse_bool(value, &b) != 0)
			return set_cause(reason, "expected true/false/yes/no/on/off/1/0, got '%s'",
			                 value);
		return 0;
	case CONFIG_ADDRESS:
		return config_check_address(value, reason);
	case CONFIG_ADDRESS_LIST:
		return config_check_address_list(value, reason);
	case CONFIG_LIST:
		return config_check_list(value, reason);
	case CONFIG_ENUM:
		if (!config_enum_has(key->choices, value))
			return set_cause(reason, "expected one of %s, got '%s'", key->choices,
			                 value);
		return 0;
	}
	return set_cause(reason, "key has an unknown type");
}

/* A configuration at every default; a default that fails its own type is
 * a mistake in config_keys.c and fatal. */
struct config *config_new(void)
{
	struct config *cfg;
	char *reason = NULL;
	size_t i;

	cfg = xcalloc(1, sizeof *cfg);
	while (config_keys[cfg->n_keys].name != NULL)
		cfg->n_keys++;
	cfg->values = xcalloc(cfg->n_keys, sizeof *cfg->values);
	cfg->sources = xcalloc(cfg->n_keys, sizeof *cfg->sources);
	for (i = 0; i < cfg->n_keys; i++) {
		if (config_check_value(&config_keys[i], config_keys[i].default_value, &reason) != 0)
			fatalx("config_keys.c: default of %s: %s", config_keys[i].name, reason);
		cfg->values[i] = xstrdup(config_keys[i].default_value);
		cfg->sources[i] = CONFIG_FROM_DEFAULT;
	}
	cfg->conf_dir = xstrdup("");
	return cfg;
}

/* Free a configuration and every value in it. */
void config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_keys; i++)
		free(cfg->values[i]);
	free(cfg->values);
	free(cfg->sources);
	free(cfg->conf_dir);
	free(cfg);
}

/* Replace the value of key index i, recording its source. */
static void config_store(struct config *cfg, size_t i, const char *value, enum config_source source)
{
	free(cfg->values[i]);
	cfg->values[i] = xstrdup(value);
	cfg->sources[i] = source;
}

/* Free the lines collected from a file. */
static void config_pending_free(struct config_pending *pending, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(pending[i].value);
	free(pending);
}

/* Parse one file: validate every line first, then apply them all (keys a
 * -D override set keep their override). */
int config_load_file(struct config *cfg, const char *path, char **cause)
{
	struct config_pending *pending = NULL;
	size_t n_pending = 0, cap = 0, size = 0, i;
	char *line = NULL, *key, *value, *eq, *reason = NULL;
	unsigned long *first_line = NULL, line_no = 0;
	ssize_t len;
	long index;
	FILE *f;
	int rc = -1;

	f = fopen(path, "re");
	if (f == NULL)
		return set_cause(cause, "%s: %s", path, strerror(errno));
	first_line = xcalloc(cfg->n_keys, sizeof *first_line);

	while ((len = getline(&line, &size, f)) != -1) {
		line_no++;
		if (strlen(line) != (size_t)len) {
			set_cause(cause, "%s:%lu: NUL byte in line", path, line_no);
			goto out;
		}
		key = config_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			set_cause(cause, "%s:%lu: expected 'key = value', got '%s'", path, line_no,
			          key);
			goto out;
		}
		*eq = '\0';
		key = config_trim(key);
		value = config_trim(eq + 1);
		if (*key == '\0') {
			set_cause(cause, "%s:%lu: missing key before '='", path, line_no);
			goto out;
		}
		index = config_key_index(key);
		if (index < 0) {
			set_cause(cause, "%s:%lu: unknown key '%s'", path, line_no, key);
			goto out;
		}
		if (first_line[index] != 0) {
			set_cause(cause, "%s:%lu: key '%s': duplicate (first set on line %lu)",
			          path, line_no, key, first_line[index]);
			goto out;
		}
		first_line[index] = line_no;
		if (config_check_value(&config_keys[index], value, &reason) != 0) {
			set_cause(cause, "%s:%lu: key '%s': %s", path, line_no, key, reason);
			free(reason);
			goto out;
		}
		if (n_pending == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			pending = xreallocarray(pending, cap, sizeof *pending);
		}
		pending[n_pending].index = (size_t)index;
		pending[n_pending].value = xstrdup(value);
		n_pending++;
	}
	if (ferror(f)) {
		set_cause(cause, "%s: %s", path, strerror(errno));
		goto out;
	}

	for (i = 0; i < n_pending; i++) {
		if (cfg->sources[pending[i].index] != CONFIG_FROM_ARG)
			config_store(cfg, pending[i].index, pending[i].value, CONFIG_FROM_FILE);
	}
	rc = 0;
out:
	config_pending_free(pending, n_pending);
	free(first_line);
	free(line);
	fclose(f);
	return rc;
}

/* Set one key from code, validated like a file line. */
int config_set(struct config *cfg, const char *key, const char *value, char **cause)
{
	char *reason = NULL;
	long index;

	index = config_key_index(key);
	if (index < 0)
		return set_cause(cause, "unknown key '%s'", key);
	if (config_check_value(&config_keys[index], value, &reason) != 0) {
		set_cause(cause, "key '%s': %s", key, reason);
		free(reason);
		return -1;
	}
	config_store(cfg, (size_t)index, value, CONFIG_FROM_ARG);
	return 0;
}

/* Apply "-D key=value": errors read "-D key: ...". */
int config_set_arg(struct config *cfg, const char *key_equals_value, char **cause)
{
	char *copy, *eq, *key, *value, *reason = NULL;
	long index;
	int rc = -1;

	copy = xstrdup(key_equals_value);
	eq = strchr(copy, '=');
	if (eq == NULL) {
		set_cause(cause, "-D %s: expected key=value", key_equals_value);
		goto out;
	}
	*eq = '\0';
	key = config_trim(copy);
	value = config_trim(eq + 1);
	if (*key == '\0') {
		set_cause(cause, "-D %s: missing key before '='", key_equals_value);
		goto out;
	}
	index = config_key_index(key);
	if (index < 0) {
		set_cause(cause, "-D %s: unknown key", key);
		goto out;
	}
	if (config_check_value(&config_keys[index], value, &reason) != 0) {
		set_cause(cause, "-D %s: %s", key, reason);
		free(reason);
		goto out;
	}
	config_store(cfg, (size_t)index, value, CONFIG_FROM_ARG);
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Whether dir is the directory of one of the installed program dirs
 * (compared as given and after resolving symbolic links). */
static bool config_is_install_dir(const char *dir)
{
	static const char *const install_dirs[] = {WEFT_BINDIR, WEFT_SBINDIR, WEFT_LIBEXECDIR};
	char *resolved;
	bool same;
	size_t i;

	for (i = 0; i < sizeof install_dirs / sizeof install_dirs[0]; i++) {
		if (strcmp(dir, install_dirs[i]) == 0)
			return true;
		resolved = realpath(install_dirs[i], NULL);
		same = resolved != NULL && strcmp(dir, resolved) == 0;
		free(resolved);
		if (same)
			return true;
	}
	return false;
}

/* The default conf dir when none is named: the source tree's conf/ for a
 * program run from its build tree (config.status sits beside it); for an
 * installed program the configured sysconfdir, or ../etc/weft when the
 * tree was installed somewhere else (make install prefix=...). */
static char *config_default_dir(void)
{
	char *self, *probe, *rel;
	bool build_tree, relocated;
	struct stat st;

	self = daemon_self_dir();
	if (self == NULL)
		return xstrdup(WEFT_SYSCONFDIR);
	/* Programs sit at the top of the build tree, test programs below. */
	build_tree = false;
	for (int up = 0; up < 3 && !build_tree; up++) {
		probe = xasprintf("%s%s/config.status", self,
		                  up == 0   ? ""
		                  : up == 1 ? "/.."
		                            : "/../..");
		build_tree = access(probe, F_OK) == 0;
		free(probe);
	}
	rel = xasprintf("%s/../etc/weft", self);
	relocated = !config_is_install_dir(self) && stat(rel, &st) == 0 && S_ISDIR(st.st_mode);
	free(self);
#ifdef WEFT_SOURCE_CONF_DIR
	if (build_tree) {
		free(rel);
		return xstrdup(WEFT_SOURCE_CONF_DIR);
	}
#else
	(void)build_tree;
#endif
	if (relocated) {
		probe = realpath(rel, NULL);
		free(rel);
		return probe != NULL ? probe : xstrdup(WEFT_SYSCONFDIR);
	}
	free(rel);
	return xstrdup(WEFT_SYSCONFDIR);
}

/* Pick the configuration directory and load weft.conf from it. */
int config_load(struct config *cfg, const char *conf_dir, char **cause)
{
	const char *env, *origin = NULL;
	char *dir, *resolved, *file;
	struct stat st;
	int rc;

	env = getenv("WEFT_CONF_DIR");
	if (conf_dir != NULL) {
		dir = xstrdup(conf_dir);
		origin = "configuration directory ";
	} else if (env != NULL && *env != '\0') {
		dir = xstrdup(env);
		origin = "WEFT_CONF_DIR=";
	} else
		dir = config_default_dir();

	if (stat(dir, &st) != 0) {
		if (origin != NULL) {
			set_cause(cause, "%s%s: %s", origin, dir, strerror(errno));
			free(dir);
			return -1;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		set_cause(cause, "%s%s: not a directory", origin != NULL ? origin : "", dir);
		free(dir);
		return -1;
	}
	/* Absolute, so relative paths keep meaning the same after a chdir. */
	resolved = realpath(dir, NULL);
	if (resolved != NULL) {
		free(dir);
		dir = resolved;
	}
	free(cfg->conf_dir);
	cfg->conf_dir = dir;

	file = xasprintf("%s/weft.conf", dir);
	if (stat(file, &st) != 0 && errno == ENOENT)
		rc = 0;
	else
		rc = config_load_file(cfg, file, cause);
	free(file);
	return rc;
}

/* The directory config_load chose. */
const char *config_conf_dir(const struct config *cfg)
{
	return cfg->conf_dir;
}

/* The index of a key a getter was asked for; an undeclared key or a getter
 * of the wrong type is a programming error. */
static size_t config_getter_index(const char *key, int type)
{
	long index;

	index = config_key_index(key);
	if (index < 0)
		fatalx("config: key '%s' is not declared in config_keys.c", key);
	if (type >= 0 && config_keys[index].type != (enum config_type)type)
		fatalx("config: key '%s' read with a getter of the wrong type", key);
	return (size_t)index;
}

/* The value as text, whatever the type. */
const char *config_get(const struct config *cfg, const char *key)
{
	return cfg->values[config_getter_index(key, -1)];
}

/* A CONFIG_INT value (validated when it was set). */
int64_t config_get_int(const struct config *cfg, const char *key)
{
	int64_t v = 0;

	config_parse_int(cfg->values[config_getter_index(key, CONFIG_INT)], &v);
	return v;
}

/* A CONFIG_BOOL value. */
bool config_get_bool(const struct config *cfg, const char *key)
{
	bool b = false;

	config_parse_bool(cfg->values[config_getter_index(key, CONFIG_BOOL)], &b);
	return b;
}

/* A CONFIG_PATH value made absolute against the conf dir. */
char *config_get_path(const struct config *cfg, const char *key)
{
	const char *value = cfg->values[config_getter_index(key, CONFIG_PATH)];

	if (*value == '\0')
		return NULL;
	if (*value == '/' || *cfg->conf_dir == '\0')
		return xstrdup(value);
	return xasprintf("%s/%s", cfg->conf_dir, value);
}

/* A CONFIG_LIST or CONFIG_ADDRESS_LIST value split on commas, items
 * trimmed. */
char **config_get_list(const struct config *cfg, const char *key, int *count)
{
	size_t index = config_getter_index(key, -1);
	const char *value = cfg->values[index];
	char *copy, *p, *comma, **list;
	int n = 0, cap = 1;

	if (config_keys[index].type != CONFIG_LIST &&
	    config_keys[index].type != CONFIG_ADDRESS_LIST)
		fatalx("config: key '%s' read with a getter of the wrong type", key);
	for (p = (char *)value; *p != '\0'; p++) {
		if (*p == ',')
			cap++;
	}
	list = xcalloc((size_t)cap + 1, sizeof *list);
	copy = xstrdup(value);
	p = copy;
	while (*value != '\0' && p != NULL) {
		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		list[n++] = xstrdup(config_trim(p));
		p = comma != NULL ? comma + 1 : NULL;
	}
	free(copy);
	list[n] = NULL;
	if (count != NULL)
		*count = n;
	return list;
}

/* Free a list from config_get_list. */
void config_list_free(char **list)
{
	char **p;

	if (list == NULL)
		return;
	for (p = list; *p != NULL; p++)
		free(*p);
	free(list);
}

/* Whether a file or -D set the key. */
bool config_is_set(const struct config *cfg, const char *key)
{
	return cfg->sources[config_getter_index(key, -1)] != CONFIG_FROM_DEFAULT;
}

/* Parse "512", "512m", "2g", "2048MiB", "1t", "4096k" into MiB (k rounds up
 * to a whole MiB).  RET megabytes, or -1 for anything else. */
int64_t config_parse_size_mb(const char *text)
{
	char buf[64], *s, *end, *unit;
	unsigned long long v;
	int64_t mb;
	size_t len;

	if (text == NULL || strlen(text) >= sizeof buf)
		return -1;
	memcpy(buf, text, strlen(text) + 1);
	s = config_trim(buf);
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || v > INT64_MAX)
		return -1;
	unit = end;
	len = strlen(unit);
	if (len == 0)
		return (int64_t)v;
	/* Unit letter, then nothing, "b" or "ib". */
	if (len > 1 && strcasecmp(unit + 1, "b") != 0 && strcasecmp(unit + 1, "ib") != 0)
		return -1;
	switch (tolower((unsigned char)*unit)) {
	case 'k':
		return (int64_t)(v / 1024 + (v % 1024 != 0));
	case 'm':
		return (int64_t)v;
	case 'g':
		if (v > (unsigned long long)(INT64_MAX / 1024))
			return -1;
		mb = (int64_t)v * 1024;
		return mb;
	case 't':
		if (v > (unsigned long long)(INT64_MAX / (1024 * 1024)))
			return -1;
		mb = (int64_t)v * 1024 * 1024;
		return mb;
	default:
		return -1;
	}
}
