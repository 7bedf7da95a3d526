/*
 * dsn: turns what a user pastes (conninfo, URI, SQLAlchemy-style
 * postgresql+driver:// URL, $DATABASE_URL, PG* environment, psql-style
 * -h/-p/-U/-d) into a target: libpq keyword/value pairs plus the facts the
 * probe needs (host to resolve, port, connect_timeout) and a display form
 * with the password masked.
 */
#ifndef PGPULSE_DSN_H
#define PGPULSE_DSN_H

#include <stdbool.h>
#include <stddef.h>

/* psql-style overrides from the command line; NULL when not given. */
struct dsn_overrides {
	const char *host;
	const char *port;
	const char *user;
	const char *dbname;
	const char *password; /* -W's answer: for the targets that carry none */
};

struct dsn_target {
	/*
	 * short label: given name, else what dsn_parse sets: "host:port",
	 * "[::1]:5432", "socket:/dir" (":port" unless 5432), " +N" more hosts
	 */
	char *name;
	char *display; /* URI form with the password as ***; safe to print */
	/*
	 * libpq connection parameters, NULL-terminated parallel arrays, in the
	 * order to pass to PQconnectStartParams(expand_dbname = 0): every
	 * non-empty option of the target, overrides applied, no keyword twice.
	 * Includes fallback_application_name=pgpulse unless the target names
	 * an application. Includes hostaddr only when the user gave one
	 * (has_hostaddr); otherwise the probe adds it after its own
	 * resolution, best with dsn_params_with(). May include password.
	 */
	char **keywords;
	char **values;
	int nparams;
	/* Effective values (after environment defaults), owned strings. */
	char *host;		  /* first host; a path (starts with '/') for a Unix socket dir */
	char *port;		  /* "5432" when not set anywhere */
	char *user;		  /* may be NULL when unknown */
	char *dbname;		  /* may be NULL when unknown */
	char *sslmode;		  /* may be NULL: libpq default (prefer) */
	bool host_is_socket;	  /* host is a Unix-socket directory */
	bool host_is_literal;	  /* host is an IPv4/IPv6 literal: no DNS needed */
	bool multi_host;	  /* "h1,h2": libpq handles it, the probe does not pre-resolve */
	bool has_hostaddr;	  /* user gave hostaddr (target or PGHOSTADDR): no DNS by us */
	double connect_timeout_s; /* target, else PGCONNECT_TIMEOUT; 0 when unset */
	/* what parsing dropped (driver parameters), for the caller to show; may be NULL */
	char *note;
};

/*
 * Parses input (NULL: $DATABASE_URL, else libpq's environment) plus the
 * overrides (may be NULL) into out. On failure returns false and leaves a
 * message in err that never contains the password.
 */
bool dsn_parse(const char *input, const struct dsn_overrides *ov, struct dsn_target *out, char *err,
	       size_t errlen);

void dsn_free(struct dsn_target *t);

/*
 * Returns a malloc'd copy of a conninfo string or URI with any password
 * replaced by "***" (also "postgresql+psycopg2://" forms). Never fails on
 * garbage: unparseable input yields a copy with everything between "://"
 * and "@" after the first ':' masked, or "***" when unsure.
 */
char *dsn_mask_password(const char *conninfo);

/*
 * Overwrites arg in place (it cannot grow: argv) so that it shows no more
 * than masked, dsn_mask_password's or shell_mask_line's form of it: masked
 * itself when it fits, else the part where the two differ blanked with '*'
 * (a one-character password masks to the longer "***"). For ps and
 * /proc/PID/cmdline.
 */
void dsn_blank_in_place(char *arg, const char *masked);

/* "postgresql+psycopg2://..." -> malloc'd "postgresql://...". Other input copied. */
char *dsn_strip_driver(const char *url);

/* Looks up the value of a keyword in a target's parameter arrays, or NULL. */
const char *dsn_get(const struct dsn_target *t, const char *keyword);

/*
 * The target's parameters with extra_kw/extra_val (NULL-terminated
 * keywords; a NULL value removes that keyword) replacing existing keys and
 * appended otherwise, e.g. {"host", "hostaddr"} after resolution. Returns
 * the count; *kw_out and *val_out are NULL-terminated arrays the caller
 * frees (only the arrays: the strings stay owned by t and the caller).
 *
 * Appending a duplicate keyword would also work: PQconnectStartParams
 * keeps the last non-empty value of a repeated keyword (checked with
 * libpq 15: host=a ... host=b gives PQhost() "b"), but an empty later
 * value does not clear an earlier one. Replacing keeps it unambiguous.
 */
int dsn_params_with(const struct dsn_target *t, const char *const *extra_kw,
		    const char *const *extra_val, const char ***kw_out, const char ***val_out);

#endif
