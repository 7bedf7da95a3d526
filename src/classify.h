/*
 * classify: turns a libpq/server error into one class of DESIGN.md's fixed
 * vocabulary, a limit kind for max_clients, and one line of advice.
 * Pure logic (no libpq calls), so it is unit-tested over the corpus.
 */
#ifndef PGPULSE_CLASSIFY_H
#define PGPULSE_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

enum classify_class {
	CLASS_NONE = 0, /* success */
	CLASS_MAX_CLIENTS,
	CLASS_UPSTREAM_DOWN,
	CLASS_AUTH_FAILED,
	CLASS_DB_MISSING,
	CLASS_SERVER_STARTING,
	CLASS_SERVER_SHUTDOWN,
	CLASS_TIMEOUT,
	CLASS_REFUSED,
	CLASS_DNS,
	CLASS_UNREACHABLE,
	CLASS_TLS,
	CLASS_QUERY_TIMEOUT,
	CLASS_QUERY_ERROR,
	CLASS_PROTOCOL,
	CLASS_OTHER,
	CLASS_COUNT
};

/* Which limit a max_clients error hit (issue 5: error.limit). */
enum classify_limit {
	LIMIT_NONE = 0,
	LIMIT_MAX_CONNECTIONS,
	LIMIT_RESERVED_SLOTS,
	LIMIT_ROLE,
	LIMIT_DATABASE,
	LIMIT_PGBOUNCER_MAX_CLIENT_CONN,
	LIMIT_PGBOUNCER_POOL,
	LIMIT_SUPAVISOR_SESSION_POOL,
	LIMIT_SUPAVISOR_MAX_CLIENTS,
	LIMIT_POOLER_OTHER,
	/* other poolers, named when their refusal tells them apart (issue 9) */
	LIMIT_PGPOOL_CHILDREN,	  /* pgpool-II: num_init_children - reserved_connections */
	LIMIT_ODYSSEY_CLIENT_MAX, /* Odyssey: client_max, global or per route */
	LIMIT_ODYSSEY_POOL,	  /* Odyssey: the route's pool_size */
	LIMIT_PGCAT_POOL,	  /* pgcat: no server connection from the pool in time */
	LIMIT_RDS_PROXY_POOL,	  /* RDS Proxy: none within ConnectionBorrowTimeout */
	LIMIT_COUNT
};

/* What kind of endpoint a target is; tailors the advice. */
enum classify_endpoint {
	ENDPOINT_UNKNOWN = 0,
	ENDPOINT_POSTGRES,		/* plain server, e.g. db.<ref>.supabase.co */
	ENDPOINT_SUPAVISOR_SESSION,	/* *.pooler.supabase.com:5432 */
	ENDPOINT_SUPAVISOR_TRANSACTION, /* *.pooler.supabase.com:6543 */
	ENDPOINT_PGBOUNCER,
	/* hosted services, told apart by their documented host names */
	ENDPOINT_NEON,	      /* ep-*.neon.tech */
	ENDPOINT_NEON_POOLER, /* ep-*-pooler.*.neon.tech */
	ENDPOINT_RDS,	      /* *.rds.amazonaws.com, Aurora cluster endpoints too */
	ENDPOINT_RDS_PROXY,   /* *.proxy-*.rds.amazonaws.com */
	ENDPOINT_AZURE,	      /* *.postgres.database.azure.com */
	ENDPOINT_CLOUD_SQL,   /* *.sql.goog (Private Service Connect names) */
};

/* Where in a probe the error happened: connect-time or query-time. */
enum classify_stage {
	STAGE_CONNECT = 0,
	STAGE_QUERY,
};

struct classify_result {
	enum classify_class cls;
	enum classify_limit limit; /* LIMIT_NONE unless cls == CLASS_MAX_CLIENTS */
	char sqlstate[6];	   /* "" when none was sent */
	char message[512];	   /* primary message, without "FATAL:  53300: " */
	char detail[256];	   /* the server's DETAIL line, "" when none */
	char hint[256];		   /* the server's HINT line, or libpq's own (2nd line) */
	const char *advice;	   /* static string, never NULL */
};

/*
 * Finds the SQLSTATE in a verbose libpq error text such as
 * 'connection to server at "x", port 5432 failed: FATAL:  53300: sorry, ...'.
 * Writes 5 chars + NUL into out and returns true when one is found.
 */
bool classify_extract_sqlstate(const char *text, char out[6]);

/*
 * Copies the human part of a libpq error text into out: the server's
 * message without "connection to server ... failed:", severity and code,
 * trimmed, first line only; client-side texts are kept as they are.
 */
void classify_primary_message(const char *text, char *out, size_t outlen);

/*
 * Classifies an error. sqlstate may be NULL or "" (client-side error);
 * message is the raw libpq text or the bare server message.
 * SQLSTATE decides first; message text second.
 */
void classify_error(const char *sqlstate, const char *message, enum classify_stage stage,
		    enum classify_endpoint endpoint, struct classify_result *out);

const char *classify_class_name(enum classify_class cls); /* "max_clients" */
bool classify_class_from_name(const char *name, enum classify_class *out);
const char *classify_limit_name(enum classify_limit limit); /* "max_connections", NULL for NONE */
/* For an unreachable host that has IPv6 addresses only (no IPv6 route here). */
const char *classify_advice_ipv6_only(void);
/* For a refused probe of libpq's defaults: no target was given at all. */
const char *classify_advice_no_target_refused(void);
const char *classify_advice(enum classify_class cls, enum classify_limit limit,
			    enum classify_endpoint endpoint);

/* Guesses the endpoint kind from host name and port (Supabase naming). */
enum classify_endpoint classify_endpoint_guess(const char *host, const char *port);
const char *classify_endpoint_name(enum classify_endpoint endpoint);

#endif
