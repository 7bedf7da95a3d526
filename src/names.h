/*
 * names: what a target is called. "NAME=TARGET" on the command line, or a
 * service in libpq's service file (service=NAME). The name is the metrics'
 * target label and what /probe?target=NAME accepts; parsing here is pure.
 */
#ifndef PGPULSE_NAMES_H
#define PGPULSE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define NAMES_MAX_LEN 64

/* A growable list of owned strings, without duplicates. */
struct names_list {
	char **v;
	int n;
};

/*
 * "direct=postgresql://..." -> name "direct", *target points past the '='.
 * False for a plain target ("host=db port=5432": host is a libpq keyword;
 * URIs), and for a word that is no valid name (letters, digits, "_.-:",
 * at most NAMES_MAX_LEN - 1 characters, not starting with '-').
 */
bool names_split(const char *arg, char *name, size_t namelen, const char **target);

/* Adds a copy of s unless it is there already; returns true when added. */
bool names_list_add(struct names_list *l, const char *s);
void names_list_free(struct names_list *l);

/* Adds every [section] of a pg_service.conf text to l, in file order. */
void names_parse_service_file(const char *text, struct names_list *l);

/*
 * The service files libpq reads, in its order: PGSERVICEFILE, else
 * HOME/.pg_service.conf; then PGSYSCONFDIR/pg_service.conf, else
 * sysconfdir/pg_service.conf. Any argument may be NULL (not set). Fills
 * paths (each pathlen bytes) and returns how many (at most 2).
 */
int names_service_paths(const char *pgservicefile, const char *home, const char *pgsysconfdir,
			const char *sysconfdir, char paths[][4096], size_t pathlen);

/*
 * A "service=NAME" target for every service of the service files this
 * environment points at, user file first; files that do not exist are
 * skipped. err lists the files looked at (for a "no services" message).
 */
void names_service_targets(struct names_list *out, char *err, size_t errlen);

#endif
