/*
 * names: "NAME=TARGET" labels and libpq's service file. A word before '='
 * that libpq knows as a connection keyword keeps its libpq meaning
 * (host=db), so every conninfo string works as before.
 */
#include "config.h"

#include "names.h"
#include "util.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PGPULSE_PG_SYSCONFDIR
#define PGPULSE_PG_SYSCONFDIR "/etc/postgresql-common"
#endif

/* Is word (len bytes) a libpq connection keyword, e.g. host or service? */
static bool names_is_libpq_keyword(const char *word, size_t len)
{
	PQconninfoOption *opts = PQconndefaults();
	bool found = false;

	if (opts == NULL)
		return true; /* out of memory: read it as a conninfo, as before */
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strlen(o->keyword) == len && strncmp(o->keyword, word, len) == 0)
			found = true;
	PQconninfoFree(opts);
	return found;
}

static bool names_valid_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '-' || c == ':';
}

bool names_split(const char *arg, char *name, size_t namelen, const char **target)
{
	const char *eq = strchr(arg, '=');
	size_t len;

	if (eq == NULL || eq == arg || arg[0] == '-')
		return false;
	len = (size_t)(eq - arg);
	if (len >= NAMES_MAX_LEN || len >= namelen)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!names_valid_char((unsigned char)arg[i]))
			return false;
	if (names_is_libpq_keyword(arg, len))
		return false;
	memcpy(name, arg, len);
	name[len] = '\0';
	*target = eq + 1;
	return true;
}

bool names_list_add(struct names_list *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return false;
	l->v = util_xrealloc(l->v, sizeof(*l->v) * (size_t)(l->n + 1));
	l->v[l->n++] = util_xstrdup(s);
	return true;
}

void names_list_free(struct names_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* libpq's format: "[name]" lines start a service; '#' comments; blanks ignored. */
void names_parse_service_file(const char *text, struct names_list *l)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		size_t a = 0, b = n;

		while (a < n && isspace((unsigned char)line[a]))
			a++;
		while (b > a && isspace((unsigned char)line[b - 1]))
			b--;
		if (b - a > 2 && line[a] == '[' && line[b - 1] == ']') {
			char name[NAMES_MAX_LEN];
			size_t len = b - a - 2;

			/* Longer names cannot be a label we accept back in /probe. */
			if (len < sizeof(name)) {
				memcpy(name, line + a + 1, len);
				name[len] = '\0';
				names_list_add(l, name);
			}
		}
		line = end ? end + 1 : NULL;
	}
}

int names_service_paths(const char *pgservicefile, const char *home, const char *pgsysconfdir,
			const char *sysconfdir, char paths[][4096], size_t pathlen)
{
	int n = 0;

	if (pgservicefile && *pgservicefile)
		snprintf(paths[n++], pathlen, "%s", pgservicefile);
	else if (home && *home)
		snprintf(paths[n++], pathlen, "%s/.pg_service.conf", home);
	if (pgsysconfdir && *pgsysconfdir)
		snprintf(paths[n++], pathlen, "%s/pg_service.conf", pgsysconfdir);
	else if (sysconfdir && *sysconfdir)
		snprintf(paths[n++], pathlen, "%s/pg_service.conf", sysconfdir);
	return n;
}

/* Reads a whole (small) file; NULL when it cannot be read. */
static char *names_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = util_xrealloc(buf, cap + 1);
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0 && len < (1u << 24));
	fclose(f);
	buf[len] = '\0';
	return buf;
}

void names_service_targets(struct names_list *out, char *err, size_t errlen)
{
	struct names_list found = { 0 };
	char paths[2][4096], target[NAMES_MAX_LEN + 16];
	int n = names_service_paths(getenv("PGSERVICEFILE"), getenv("HOME"), getenv("PGSYSCONFDIR"),
				    PGPULSE_PG_SYSCONFDIR, paths, sizeof(paths[0]));
	size_t used = 0;

	err[0] = '\0';
	for (int i = 0; i < n; i++) {
		char *text = names_read_file(paths[i]);

		if (text)
			names_parse_service_file(text, &found);
		free(text);
		if (used < errlen)
			used += (size_t)snprintf(err + used, errlen - used, "%s%s", i ? ", " : "",
						 paths[i]);
	}
	for (int i = 0; i < found.n; i++) {
		snprintf(target, sizeof(target), "service=%s", found.v[i]);
		names_list_add(out, target);
	}
	names_list_free(&found);
}
