/*
 * pooler: the pooler's side of an incident, as pure logic. Parses what
 * PgBouncer's admin console answers (SHOW VERSION/CONFIG/DATABASES/POOLS/
 * CLIENTS/SERVERS/USERS, handed over as plain string tables), joins its
 * clients to their server connections and those to PostgreSQL backends,
 * names the holders and the culprit as the pooler sees them, tells the
 * pooler's own server connections apart on the server side, and reads
 * Supavisor's limits from its messages. No libpq here: admin.c feeds it,
 * the unit tests and the fuzzer feed it too. Every value comes from a
 * server that may be hostile: numbers are range-checked, text is bounded
 * and stripped of control characters.
 */
#ifndef PGPULSE_POOLER_H
#define PGPULSE_POOLER_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* The application_name the reader connects with (its own row is dropped). */
#define POOLER_SELF_APPLICATION "pgpulse"

/* Rows kept per SHOW; more are counted, not stored (memory stays bounded). */
#define POOLER_MAX_ROWS	       4096
#define POOLER_MAX_TOP_CLIENTS 10
#define POOLER_NAME_LEN	       64
#define POOLER_ADDR_LEN	       48

enum pooler_kind { POOLER_KIND_NONE = 0, POOLER_KIND_PGBOUNCER, POOLER_KIND_SUPAVISOR };

/* What reading the admin console came to. */
enum pooler_admin {
	POOLER_ADMIN_NOT_READ = 0, /* never tried (--no-pooler-admin, not a pooler) */
	POOLER_ADMIN_OK,
	POOLER_ADMIN_DENIED,	  /* in, but not in admin_users/stats_users (or bad login) */
	POOLER_ADMIN_UNREACHABLE, /* refused, timed out, not a PgBouncer console */
};

/* The SHOW commands pgpulse reads, in the order admin.c sends them. */
enum pooler_show {
	POOLER_SHOW_VERSION = 0,
	POOLER_SHOW_CONFIG,
	POOLER_SHOW_DATABASES,
	POOLER_SHOW_POOLS,
	POOLER_SHOW_CLIENTS,
	POOLER_SHOW_SERVERS,
	POOLER_SHOW_USERS,
	POOLER_SHOW_COUNT
};

/* One result as plain strings: cells are row-major, NULL for SQL NULL. */
struct pooler_table {
	int nrows, ncols;
	const char *const *names;
	const char *const *cells;
	int rows_dropped; /* rows the reader did not keep (over POOLER_MAX_ROWS) */
};

/* Numbers are -1 (or NAN for seconds) when PgBouncer did not say. */
struct pooler_config {
	int max_client_conn;
	int default_pool_size;
	int reserve_pool_size;
	double query_wait_timeout_s;
	double server_idle_timeout_s;
	char pool_mode[16];
};

struct pooler_database {
	char name[POOLER_NAME_LEN];
	char database[POOLER_NAME_LEN]; /* the server-side dbname */
	int pool_size;
	int reserve_pool;
	char pool_mode[16]; /* "" when it inherits the global one */
	int max_connections;
	int current_connections;
	int paused, disabled;
};

struct pooler_user {
	char name[POOLER_NAME_LEN];
	int pool_size; /* newer PgBouncers only; -1 otherwise */
	char pool_mode[16];
	int max_user_connections;
	int current_connections;
};

struct pooler_pool {
	char database[POOLER_NAME_LEN];
	char user[POOLER_NAME_LEN];
	char mode[16];
	int pool_size; /* from SHOW USERS, else SHOW DATABASES, else default_pool_size */
	int cl_active, cl_waiting;
	int sv_active, sv_idle, sv_used, sv_tested, sv_login;
	double maxwait_ms;
};

/* A row of SHOW CLIENTS or SHOW SERVERS. */
struct pooler_socket {
	char user[POOLER_NAME_LEN];
	char database[POOLER_NAME_LEN];
	char state[24]; /* clients: active, waiting, ...; servers: active, idle, used, ... */
	char addr[POOLER_ADDR_LEN];
	int port;
	char local_addr[POOLER_ADDR_LEN];
	int local_port;
	double connect_time; /* seconds on the pooler's wall clock, as printed; NAN unknown */
	double request_time;
	double age_s;	      /* since connect_time; NAN when unknown */
	double request_age_s; /* since request_time */
	double wait_s;	      /* waiting for a server (clients), from wait + wait_us */
	char ptr[24];
	char link[24];	/* the ptr of the paired socket; "" when none */
	int remote_pid; /* servers: the backend pid (cancel key); 0 unknown */
	char application_name[POOLER_NAME_LEN];
};

struct pooler_view {
	enum pooler_kind kind;
	enum pooler_admin admin;
	char version[32]; /* "1.18.0"; "" unknown */
	/* Why admin is not ok, one line a person can act on; "" when ok. */
	char reason[240];
	bool have[POOLER_SHOW_COUNT]; /* which SHOWs answered */
	struct pooler_config config;
	int ndatabases, nusers, npools, nclients, nservers;
	struct pooler_database *databases;
	struct pooler_user *users;
	struct pooler_pool *pools;
	struct pooler_socket *clients;
	struct pooler_socket *servers;
	int clients_total; /* rows PgBouncer listed, kept or not, our own reader excluded */
	int servers_total;
	char time_zone[16]; /* the zone PgBouncer prints its times in ("UTC") */
	bool self_found;    /* our own reading connection was seen (ages are exact) */
};

/* A pg_stat_activity row as plain data, for the join (pid > 0). */
struct pooler_backend {
	int pid;
	char usename[POOLER_NAME_LEN];
	char datname[POOLER_NAME_LEN];
	char application_name[POOLER_NAME_LEN];
	char client_addr[POOLER_ADDR_LEN]; /* "" for Unix sockets or hidden */
	int client_port;		   /* -1 for Unix sockets, 0 unknown */
	char state[32];			   /* active, idle, idle in transaction, ... */
	double backend_age_s;		   /* now - backend_start; NAN unknown */
	double xact_age_s;		   /* now - xact_start; NAN when none */
};

/* One pooler client joined through its server connection to its backend. */
struct pooler_join {
	const struct pooler_socket *client;
	const struct pooler_socket *server;   /* NULL: no server linked (idle or waiting) */
	const struct pooler_backend *backend; /* NULL: not found in pg_stat_activity */
};

/* Backend states counted per holder group ("no server" when unlinked). */
enum pooler_backend_state {
	POOLER_BE_ACTIVE = 0,
	POOLER_BE_IDLE,
	POOLER_BE_IDLE_IN_XACT,
	POOLER_BE_OTHER,
	POOLER_BE_UNKNOWN,   /* a server, but its backend is not in the rows given */
	POOLER_BE_NO_SERVER, /* the client holds no server connection now */
	POOLER_BE_COUNT
};

/* Clients of the pooler grouped by application and address. */
struct pooler_holder {
	char application_name[POOLER_NAME_LEN];
	char addr[POOLER_ADDR_LEN];
	int count;
	int waiting;
	int with_server; /* holding a server connection now */
	double oldest_s; /* NAN when no age is known */
	int backend_states[POOLER_BE_COUNT];
};

/* The culprit as the pooler sees it, as data (text is built from it). */
struct pooler_culprit {
	bool found;
	const char *resource; /* "pgbouncer_pool" or "pgbouncer_max_client_conn" (static) */
	char database[POOLER_NAME_LEN];
	char user[POOLER_NAME_LEN];
	char application_name[POOLER_NAME_LEN];
	char addr[POOLER_ADDR_LEN];
	int count;   /* what the culprit holds */
	int of;	     /* of how many (pool_size or max_client_conn) */
	int idle;    /* of count: clients with no query running (session mode: idle in a pool) */
	int waiting; /* clients waiting on that resource, from anyone */
	double oldest_s;
	double maxwait_ms;
	char text[600];
};

/* A probe queued on an exhausted PgBouncer pool: what classify should say. */
struct pooler_queue {
	bool exhausted;
	const char *limit; /* "pgbouncer_pool" (static) when exhausted */
	int cl_waiting, sv_active, pool_size;
	double maxwait_ms;
	char message[320];
	char advice[400];
};

/* Who a server-side backend belongs to. */
enum pooler_backend_owner {
	POOLER_OWNER_CLIENT = 0, /* an ordinary client (or nobody we know) */
	POOLER_OWNER_PGBOUNCER,	 /* one of PgBouncer's server connections (SHOW SERVERS) */
	POOLER_OWNER_SUPAVISOR,	 /* Supavisor's (by application_name) */
};

void pooler_view_init(struct pooler_view *v);
void pooler_view_free(struct pooler_view *v);

/*
 * Reads one SHOW result into v by column name: missing columns leave
 * values unknown, extra ones are ignored. Returns false (with v->reason)
 * only when the result cannot be that SHOW at all (no key column).
 */
bool pooler_parse_show(struct pooler_view *v, enum pooler_show which, const struct pooler_table *t);
/* The startup ParameterStatus server_version: PgBouncer says "1.18.0/bouncer". */
bool pooler_parse_server_version(struct pooler_view *v, const char *server_version);
const char *pooler_show_sql(enum pooler_show which);

/*
 * Finishes a read: drops our own reading connection from the clients
 * (the one on local port self_port, or -1 to skip) and computes ages. The
 * pooler prints times on its own clock in its own zone; our own row's
 * connect_time, self_connected_s before now, gives that clock's "now" so
 * zones and skew cancel out. Without it, now_epoch (UTC) is used and the
 * printed zone is read as UTC or, failing that, as our local zone.
 */
void pooler_view_finish(struct pooler_view *v, int self_port, double self_connected_s,
			double now_epoch);

/* "1.18.0" style version and times: "2026-12-01 14:48:01 UTC" -> seconds, zone ignored. */
bool pooler_parse_time(const char *text, double *seconds, char *zone, size_t zonelen);

/*
 * Joins each client (up to max) to its server (client.link = server.ptr)
 * and the server to a backend (remote_pid =
 * pid, else server local_addr:local_port = client_addr:client_port).
 * Returns the number of joins written.
 */
int pooler_join_clients(const struct pooler_view *v, const struct pooler_backend *backends,
			int nbackends, struct pooler_join *out, int max);

/*
 * Top client holders by application and address, biggest first (ties:
 * oldest first); backends may be NULL. Returns how many were written.
 */
int pooler_top_clients(const struct pooler_view *v, const struct pooler_backend *backends,
		       int nbackends, struct pooler_holder *out, int max);

/* The pool serving database/user (NULL user: the first pool of database). */
const struct pooler_pool *pooler_find_pool(const struct pooler_view *v, const char *database,
					   const char *user);
/* Clients PgBouncer counts against max_client_conn (our reader excluded). */
int pooler_clients_in_use(const struct pooler_view *v);

/*
 * Is a probe to database/user queued behind an exhausted pool? True when
 * that pool has clients waiting and every server connection it may open is
 * busy; fills q with the class's limit, a message and advice.
 */
bool pooler_queue_verdict(const struct pooler_view *v, const char *database, const char *user,
			  struct pooler_queue *q);

/*
 * The same verdict without an admin view: the probe got a pooler's
 * ReadyForQuery and its check query then ran into the query deadline. Most
 * likely it sat queued for a server connection; fills q (exhausted false,
 * limit "pgbouncer_pool") with a message and how to confirm it.
 */
void pooler_queue_unconfirmed(double query_timeout_ms, struct pooler_queue *q);

/*
 * The culprit named from the pooler's view: the client group holding the
 * exhausted pool of database/user (or, failing that, the most client
 * slots). Only when incident is open or use crosses warn_pct (0..100) of
 * the pool or of max_client_conn; else c->found is false and text "".
 */
bool pooler_culprit(const struct pooler_view *v, const char *database, const char *user,
		    const struct pooler_backend *backends, int nbackends, bool incident,
		    double warn_pct, struct pooler_culprit *c);

/* Whose connection a backend is: PgBouncer's (via SHOW SERVERS), Supavisor's, a client's. */
enum pooler_backend_owner pooler_backend_owner(const struct pooler_view *v,
					       const struct pooler_backend *b);
/* Supavisor names its server connections "Supavisor" (and "Supavisor (auth_query)"). */
bool pooler_is_supavisor_application(const char *application_name);

/*
 * Supavisor's limit from its error text: "... limited to pool_size: 15"
 * (session mode) or "... limit: 200" (transaction/proxy). Returns the
 * limit, or -1 when the message carries none; *session tells the mode
 * when known (may be NULL).
 */
int pooler_supavisor_limit(const char *message, bool *session);

/*
 * One-line texts the dashboard's Pooler panel and the prompt's pooler and
 * clients print (every value already stripped of control characters):
 * "PgBouncer 1.18.0, session mode, clients 12/100 (max_client_conn)";
 * "pool appdb/app  size 10  cl active 10  waiting 2  sv active 10 idle 0  max wait 4.2 s";
 * "api (10.0.0.5)  10 clients, 10 with a server, oldest 295 s";
 * "api  10.0.0.5:51234  active  12 s  -> server :40022 pid 4242  -> backend active, xact 3.1 s".
 * For a console not read (denied, unreachable) the summary is its reason.
 */
void pooler_text_summary(const struct pooler_view *v, char *out, size_t len);
void pooler_text_pool(const struct pooler_pool *pool, char *out, size_t len);
void pooler_text_holder(const struct pooler_holder *h, char *out, size_t len);
void pooler_text_join(const struct pooler_join *j, char *out, size_t len);
/* Pools worth showing (the console's own "pgbouncer" database left out): index list. */
int pooler_shown_pools(const struct pooler_view *v, int *idx, int max);

const char *pooler_kind_name(enum pooler_kind k);
const char *pooler_admin_name(enum pooler_admin a);
const char *pooler_backend_state_name(enum pooler_backend_state s);

/*
 * The check --json "pooler" object: {"kind", "version", "admin",
 * "max_client_conn", "clients_in_use", "pools": [...], "top_clients":
 * [...]}; json null when v is NULL or kind is none. New reference.
 */
json_t *pooler_json(const struct pooler_view *v, const struct pooler_backend *backends,
		    int nbackends);
/* incident.culprit as data: {"text", "source", "resource", ...}; null when not found. */
json_t *pooler_culprit_json(const struct pooler_culprit *c);

#endif
