/*
 * classify: maps a failed probe's SQLSTATE and message text to one class of
 * DESIGN.md's vocabulary, the limit a max_clients error hit, and advice.
 * Everything it knows is in the four tables below; the code only walks them.
 */
#include "classify.h"

#include <string.h>
#include <strings.h>

#include "text.h"
#include "util.h"

/* Room for the text we match on; longer texts are matched on their start. */
#define CLASSIFY_MATCH_MAX 2048
/* Longest severity word we accept in front of ":  " (translations included). */
#define CLASSIFY_SEVERITY_MAX 32

/*
 * SQLSTATE rules. An exact code wins over a two-character class.
 * cls CLASS_NONE marks a generic code that poolers and libpq use for many
 * different failures (08P01, XX000, 58000, 08006): the message decides.
 * alt is the one other class the message may move a code to (57P03 is sent
 * both while starting and while shutting down).
 */
struct classify_sqlstate_rule {
	const char *code;
	enum classify_class cls;
	enum classify_class alt;
	enum classify_limit limit;
};

static const struct classify_sqlstate_rule classify_sqlstate_rules[] = {
	{ "53300", CLASS_MAX_CLIENTS, CLASS_NONE, LIMIT_MAX_CONNECTIONS },
	{ "28P01", CLASS_AUTH_FAILED, CLASS_NONE, LIMIT_NONE },
	{ "28000", CLASS_AUTH_FAILED, CLASS_NONE, LIMIT_NONE },
	{ "3D000", CLASS_DB_MISSING, CLASS_NONE, LIMIT_NONE },
	{ "57P03", CLASS_SERVER_STARTING, CLASS_SERVER_SHUTDOWN, LIMIT_NONE },
	{ "57P01", CLASS_SERVER_SHUTDOWN, CLASS_NONE, LIMIT_NONE },
	{ "57P02", CLASS_SERVER_SHUTDOWN, CLASS_NONE, LIMIT_NONE },
	{ "57P04", CLASS_DB_MISSING, CLASS_NONE, LIMIT_NONE },
	{ "57014", CLASS_QUERY_TIMEOUT, CLASS_NONE, LIMIT_NONE },
	/* lock_timeout sends 55P03, and so does a NOWAIT that lost */
	{ "55P03", CLASS_QUERY_ERROR, CLASS_QUERY_TIMEOUT, LIMIT_NONE },
	/* at connect time this is "permission denied for database" */
	{ "42501", CLASS_QUERY_ERROR, CLASS_AUTH_FAILED, LIMIT_NONE },
	{ "28", CLASS_AUTH_FAILED, CLASS_NONE, LIMIT_NONE },

	/* generic: the text decides */
	{ "08", CLASS_NONE, CLASS_NONE, LIMIT_NONE },
	{ "XX", CLASS_NONE, CLASS_NONE, LIMIT_NONE },
	{ "58", CLASS_NONE, CLASS_NONE, LIMIT_NONE },
	{ "53", CLASS_NONE, CLASS_NONE, LIMIT_NONE },
	{ "57", CLASS_NONE, CLASS_NONE, LIMIT_NONE },
	{ "0A", CLASS_NONE, CLASS_NONE, LIMIT_NONE },

	/* classes only a statement can raise */
	{ "0B", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "0F", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "0L", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "0P", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "0Z", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "20", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "21", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "22", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "23", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "24", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "25", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "26", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "27", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "2B", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "2D", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "2F", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "34", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "38", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "39", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "3B", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "3F", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "40", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "42", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "44", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "54", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "55", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "72", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "HV", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
	{ "P0", CLASS_QUERY_ERROR, CLASS_NONE, LIMIT_NONE },
};

/*
 * Message rules, read top to bottom, first match wins. A rule matches when
 * any one of its fragments appears (case-insensitive) and, if set, "also"
 * appears too. Fragments carry the meaning rather than one exact sentence,
 * so new wordings from poolers land in the right place. Quoted names (hosts,
 * roles, databases) are blanked before matching: a host called
 * "ssl-db.example.com" must not look like a TLS error.
 */
#define CLASSIFY_FRAGMENTS_MAX 8

struct classify_text_rule {
	const char *any[CLASSIFY_FRAGMENTS_MAX];
	const char *also;
	enum classify_class cls;
	enum classify_limit limit;
};

/*
 * Rules whose fragments match case and all, read before the others: some
 * poolers tell themselves from PostgreSQL only by the case of a word.
 */
/* clang-format off */
static const struct classify_text_rule classify_case_rules[] = {
	/* pgpool-II past num_init_children - reserved_connections; PostgreSQL's own
	 * text is lower case (and pgpool passes that one on as it is) */
	{ { "Sorry, too many clients already" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_PGPOOL_CHILDREN },
};
/* clang-format on */

/* One rule a line reads best: */
/* clang-format off */
static const struct classify_text_rule classify_text_rules[] = {
	/* a pooler answers but cannot reach its database; these also mention
	 * pools and timeouts, so they go before max_clients and timeout */
	{ { "allserversdown", "all servers down", "(server down)",
	    "cannot connect to server", "server conn crashed",
	    "server dns lookup failed", "failed to connect to remote server",
	    "failed to get remote server connection" },
	  NULL, CLASS_UPSTREAM_DOWN, LIMIT_NONE },
	{ { "remote server read/write error", "no server available" },
	  NULL, CLASS_UPSTREAM_DOWN, LIMIT_NONE },

	/* max_clients, the most specific limit first */
	{ { "too many connections for role", "connections for role" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_ROLE },
	{ { "too many connections for database", "connections for database" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_DATABASE },
	{ { "slots are reserved", "remaining connection slots",
	    "limit exceeded for non-superusers" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_RESERVED_SLOTS },
	{ { "max_db_client_connections", "max_user_client_connections",
	    "client connections exceeded" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_POOLER_OTHER },
	{ { "max_client_conn", "no more connections allowed" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_PGBOUNCER_MAX_CLIENT_CONN },
	{ { "query_wait_timeout" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_PGBOUNCER_POOL },
	/* Odyssey: its route's pool_size ("too many active clients for user (pool_size
	 * ...)"), then client_max, global or per route */
	{ { "too many active clients" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_ODYSSEY_POOL },
	{ { "client_max", "too many tcp connections",
	    "too many client tcp connections" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_ODYSSEY_CLIENT_MAX },
	/* RDS Proxy: no database connection within ConnectionBorrowTimeout */
	{ { "waiting to acquire database connection" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_RDS_PROXY_POOL },
	{ { "maxclientsinsessionmode", "session mode", "pool_size" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_SESSION_POOL },
	/* Supavisor's pool checkout waited in vain: the session pool is full */
	{ { "check out connection", "checkout timeout", "checkout_timeout" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_SESSION_POOL },
	{ { "max client", "maxclients" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_MAX_CLIENTS },
	/* pgcat's checkout ran out of connect_timeout (AllServersDown is upstream_down) */
	{ { "could not get connection from the pool" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_PGCAT_POOL },
	{ { "pool exhausted", "pool is full", "max_client" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_POOLER_OTHER },
	/* PostgreSQL itself, also when a pooler passes it on as cached error */
	{ { "too many clients", "too many connections", "connection limit",
	    "out of connection slots" },
	  NULL, CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS },

	/* authentication and authorization */
	{ { "authentication failed", "no pg_hba.conf entry",
	    "pg_hba.conf rejects", "not permitted to log in",
	    "tenant or user not found", "authentication error",
	    "host based authentication rejected", "permission denied for database" },
	  NULL, CLASS_AUTH_FAILED, LIMIT_NONE },
	{ { "no password supplied", "password is required", "fe_sendauth",
	    "no such user", "password authentication" },
	  NULL, CLASS_AUTH_FAILED, LIMIT_NONE },
	{ { "role \"", "user \"" }, "does not exist",
	  CLASS_AUTH_FAILED, LIMIT_NONE },

	{ { "database \"" }, "does not exist", CLASS_DB_MISSING, LIMIT_NONE },
	{ { "no such database", "unknown database" },
	  NULL, CLASS_DB_MISSING, LIMIT_NONE },

	/* server life cycle */
	{ { "starting up", "not yet accepting", "in recovery", "recovery mode" },
	  NULL, CLASS_SERVER_STARTING, LIMIT_NONE },
	{ { "shutting down", "shut down", "administrator command",
	    "crash of another server process" },
	  NULL, CLASS_SERVER_SHUTDOWN, LIMIT_NONE },

	/* PgBouncer's login retry with a cause not matched above */
	{ { "server login has been failing", "server_login_retry",
	    "server login failed" },
	  NULL, CLASS_UPSTREAM_DOWN, LIMIT_NONE },

	{ { "canceling statement due to", "statement timeout", "lock timeout",
	    "query timeout", "query_timeout" },
	  NULL, CLASS_QUERY_TIMEOUT, LIMIT_NONE },

	/* client side, as libpq words it */
	{ { "ssl", "tls", "certificate", "x509", "private key" },
	  NULL, CLASS_TLS, LIMIT_NONE },
	{ { "could not translate host name", "name or service not known",
	    "temporary failure in name resolution", "nodename nor servname",
	    "no address associated", "could not resolve", "unknown host",
	    "name resolution" },
	  NULL, CLASS_DNS, LIMIT_NONE },
	/* on a Unix socket, a missing socket file is what refused is on TCP */
	{ { "connection refused", "econnrefused", "no such file or directory" },
	  NULL, CLASS_REFUSED, LIMIT_NONE },
	{ { "network is unreachable", "no route to host", "host is unreachable",
	    "network unreachable", "host unreachable",
	    "cannot assign requested address" },
	  NULL, CLASS_UNREACHABLE, LIMIT_NONE },
	{ { "timeout expired", "timed out", "etimedout", "deadline", "timeout" },
	  NULL, CLASS_TIMEOUT, LIMIT_NONE },
	{ { "server closed the connection", "unexpected message",
	    "received invalid response", "lost synchronization",
	    "connection reset", "broken pipe", "no connection to the server",
	    "terminated abnormally" },
	  NULL, CLASS_PROTOCOL, LIMIT_NONE },
	{ { "protocol", "invalid response", "unexpected eof",
	    "expected authentication request" },
	  NULL, CLASS_PROTOCOL, LIMIT_NONE },
};
/* clang-format on */

/*
 * Advice, first matching row wins: LIMIT_NONE and ENDPOINT_UNKNOWN in a row
 * mean "any", so tailored rows come before the class's fallback row.
 */
struct classify_advice_rule {
	enum classify_class cls;
	enum classify_limit limit;
	enum classify_endpoint endpoint;
	const char *text;
};

static const char classify_advice_session_pool[] =
	"each client holds a server connection for its whole session: close idle pools, "
	"use NullPool, or move to transaction mode on port 6543";
static const char classify_advice_ipv6[] =
	"this host has no IPv6 route: use the IPv4 pooler (Supavisor) address or enable IPv6";
static const char classify_advice_no_target[] = "nothing listens where libpq's defaults point (no "
						"target given): give a target, set DATABASE_URL "
						"or PGHOST/PGPORT, or start the local server";

static const char classify_advice_max_connections[] =
	"the server is out of connection slots: find who holds them (slots) and close idle pools, "
	"use NullPool or a pooler; raising max_connections needs a restart";
/*
 * PostgreSQL's words, but nothing says the endpoint is the server itself: a
 * pooler in front may have said them. Never "restart the server" for that.
 */
static const char classify_advice_max_connections_or_pooler[] =
	"PostgreSQL or a pooler in front of it is out of connection slots: with a pooler check "
	"its client limit first; see who holds the slots (slots), close idle pools";

static const char classify_advice_supavisor_auth[] =
	"user postgres.<project-ref> (the ref of db.<ref>.supabase.co), password: the database "
	"password (dashboard: Project Settings > Database); region as the project's";
static const char classify_advice_supavisor_ports[] =
	"Supabase's pooler (Supavisor) listens on 5432 (session mode) and 6543 (transaction "
	"mode) only, and the host's region must be the project's";
static const char classify_advice_neon_network[] =
	"Neon listens on 5432 and needs TLS (sslmode=require); a suspended compute wakes on the "
	"first connection: allow connect_timeout a few seconds";
static const char classify_advice_rds_network[] =
	"the instance's security group must allow inbound TCP on its port (5432 by default) from "
	"here; from outside its VPC it must be publicly accessible";
static const char classify_advice_rds_proxy_network[] =
	"RDS Proxy is reachable only from inside its VPC, on the database's port (5432 by "
	"default): connect from there, and check the proxy's security group";
static const char classify_advice_azure_network[] =
	"the server's firewall rules (Networking) must allow this client's IP, unless it has "
	"private access only; it listens on 5432, its built-in PgBouncer on 6432";
static const char classify_advice_cloud_sql_network[] =
	"a private IP is reachable only from its VPC; a public IP needs this address in the "
	"authorized networks, or use the Cloud SQL Auth Proxy";

/* One rule a line reads best: */
/* clang-format off */
static const struct classify_advice_rule classify_advice_rules[] = {
	/* hosted services first: their limits, ports and where the password lives */
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_RDS,
	  "RDS sets max_connections from instance memory (LEAST(DBInstanceClassMemory/9531392, "
	  "5000) by default) in the parameter group; close idle pools or use RDS Proxy" },
	{ CLASS_MAX_CLIENTS, LIMIT_NONE, ENDPOINT_RDS_PROXY,
	  "RDS Proxy's pool is full: it may use MaxConnectionsPercent of the database's "
	  "max_connections; raise that or close idle clients (long sessions pin connections)" },
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_NEON,
	  "Neon's max_connections follows the compute size: connect many clients through the "
	  "pooled host (-pooler in the endpoint name) or raise the compute size" },
	{ CLASS_MAX_CLIENTS, LIMIT_NONE, ENDPOINT_NEON_POOLER,
	  "Neon's pooler takes up to 10,000 clients but its pool to Postgres follows the "
	  "compute size: close idle clients or raise the compute size" },
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_AZURE,
	  "Azure's max_connections follows the compute size: close idle pools, or pool through "
	  "the built-in PgBouncer on port 6432" },
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_CLOUD_SQL,
	  "Cloud SQL's max_connections defaults from the machine's memory and is set as a "
	  "database flag: close idle pools or raise the flag" },

	/* Supabase's direct host: the password is the project's database password */
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_POSTGRES,
	  "on Supabase the password is the project's database password (dashboard: Project "
	  "Settings > Database, where it can be reset); the user is postgres"},
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_NEON,
	  "check the role's password in the Neon Console (Roles, where it can be reset) and that "
	  "the role exists on this branch" },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_NEON_POOLER,
	  "check the role's password in the Neon Console (Roles, where it can be reset) and that "
	  "the role exists on this branch" },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_RDS,
	  "check the password (the master user's is reset with Modify in the RDS console); an IAM "
	  "auth token is the password and is valid for 15 minutes" },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_RDS_PROXY,
	  "RDS Proxy checks logins against its Secrets Manager secrets (or IAM): the secret must "
	  "hold this user's current database password" },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_AZURE,
	  "check user and password (the admin's is reset in the Azure portal); a Microsoft Entra "
	  "ID user logs in with an access token as password" },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_CLOUD_SQL,
	  "check user and password (Cloud SQL > Users); an IAM database user logs in with an "
	  "OAuth token as password, or through the Cloud SQL Auth Proxy" },

	/* a hosted endpoint that refuses or stays silent: its documented ports and firewall */
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_SUPAVISOR_SESSION, classify_advice_supavisor_ports },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_SUPAVISOR_TRANSACTION,
	  classify_advice_supavisor_ports },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_SUPAVISOR_SESSION, classify_advice_supavisor_ports },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_SUPAVISOR_TRANSACTION,
	  classify_advice_supavisor_ports },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_NEON, classify_advice_neon_network },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_NEON_POOLER, classify_advice_neon_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_NEON, classify_advice_neon_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_NEON_POOLER, classify_advice_neon_network },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_RDS, classify_advice_rds_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_RDS, classify_advice_rds_network },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_RDS_PROXY, classify_advice_rds_proxy_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_RDS_PROXY, classify_advice_rds_proxy_network },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_AZURE, classify_advice_azure_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_AZURE, classify_advice_azure_network },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_CLOUD_SQL, classify_advice_cloud_sql_network },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_CLOUD_SQL, classify_advice_cloud_sql_network },

	{ CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_SESSION_POOL, ENDPOINT_UNKNOWN,
	  classify_advice_session_pool },
	{ CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_MAX_CLIENTS, ENDPOINT_SUPAVISOR_SESSION,
	  "the pooler's client limit is reached: close idle pools, use NullPool, or move to "
	  "transaction mode on port 6543; a larger compute size allows more clients" },
	{ CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_MAX_CLIENTS, ENDPOINT_UNKNOWN,
	  "the pooler's client limit is reached: close idle clients and pools (NullPool); "
	  "a larger compute size allows more clients" },
	{ CLASS_MAX_CLIENTS, LIMIT_ROLE, ENDPOINT_UNKNOWN,
	  "this role hit its connection limit: close its idle connections or raise it with "
	  "ALTER ROLE ... CONNECTION LIMIT" },
	{ CLASS_MAX_CLIENTS, LIMIT_DATABASE, ENDPOINT_UNKNOWN,
	  "this database hit its connection limit: close idle connections or raise it with "
	  "ALTER DATABASE ... CONNECTION LIMIT" },
	{ CLASS_MAX_CLIENTS, LIMIT_RESERVED_SLOTS, ENDPOINT_UNKNOWN,
	  "only reserved (superuser) slots are left: find who holds the others (slots) and "
	  "close idle pools; raising max_connections needs a restart" },
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_PGBOUNCER,
	  "the server behind PgBouncer is out of slots: lower default_pool_size/max_db_connections "
	  "or raise max_connections (needs a restart)" },
	/* behind a session pooler the pool is the usual culprit, whatever it says */
	{ CLASS_MAX_CLIENTS, LIMIT_NONE, ENDPOINT_SUPAVISOR_SESSION,
	  classify_advice_session_pool },
	/* other poolers, by the setting that limits them */
	{ CLASS_MAX_CLIENTS, LIMIT_PGPOOL_CHILDREN, ENDPOINT_UNKNOWN,
	  "pgpool-II refuses more clients (num_init_children minus reserved_connections in use): "
	  "close idle clients or raise num_init_children" },
	{ CLASS_MAX_CLIENTS, LIMIT_ODYSSEY_CLIENT_MAX, ENDPOINT_UNKNOWN,
	  "Odyssey refuses more clients (client_max, global or the route's): close idle clients "
	  "or raise client_max in odyssey.conf" },
	{ CLASS_MAX_CLIENTS, LIMIT_ODYSSEY_POOL, ENDPOINT_UNKNOWN,
	  "Odyssey's route for this user and database is full (pool_size): close idle clients, "
	  "raise pool_size or use pool \"transaction\"" },
	{ CLASS_MAX_CLIENTS, LIMIT_PGCAT_POOL, ENDPOINT_UNKNOWN,
	  "pgcat got no server connection from the pool in time: raise the user's pool_size or "
	  "connect_timeout, or look for long transactions" },
	{ CLASS_MAX_CLIENTS, LIMIT_RDS_PROXY_POOL, ENDPOINT_UNKNOWN,
	  "RDS Proxy got no database connection within ConnectionBorrowTimeout: raise "
	  "MaxConnectionsPercent or look for pinned sessions" },
	/* the server itself: the hosted rows above, and Supabase's direct host */
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_POSTGRES,
	  classify_advice_max_connections },
	{ CLASS_MAX_CLIENTS, LIMIT_NONE, ENDPOINT_POSTGRES,
	  classify_advice_max_connections },
	{ CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_UNKNOWN,
	  classify_advice_max_connections_or_pooler },
	{ CLASS_MAX_CLIENTS, LIMIT_PGBOUNCER_MAX_CLIENT_CONN, ENDPOINT_UNKNOWN,
	  "PgBouncer refuses more clients: raise max_client_conn (and the fd ulimit with it) "
	  "or run fewer clients" },
	{ CLASS_MAX_CLIENTS, LIMIT_PGBOUNCER_POOL, ENDPOINT_UNKNOWN,
	  "no pooled server connection came free in time: the pool is full (raise "
	  "default_pool_size, look for idle in transaction) or its database is down" },
	{ CLASS_MAX_CLIENTS, LIMIT_POOLER_OTHER, ENDPOINT_UNKNOWN,
	  "the pooler's own client limit is reached: check its per-user and per-database "
	  "client limits, close idle clients or raise the limit" },
	{ CLASS_MAX_CLIENTS, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  classify_advice_max_connections_or_pooler },

	{ CLASS_UPSTREAM_DOWN, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the pooler answers but cannot reach its database: check that the database is up "
	  "and the pooler's server address and credentials" },

	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_SUPAVISOR_SESSION,
	  classify_advice_supavisor_auth },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_SUPAVISOR_TRANSACTION,
	  classify_advice_supavisor_auth },
	{ CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "check user and password (.pgpass, PGPASSWORD) and that pg_hba.conf allows this "
	  "user, database and address" },

	{ CLASS_DB_MISSING, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "no such database here: check dbname and that this is the right server or pooler" },
	{ CLASS_SERVER_STARTING, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the server is starting up or recovering: wait and retry; if it lasts, read the "
	  "server log for recovery progress" },
	{ CLASS_SERVER_SHUTDOWN, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the server is shutting down or restarting, or an admin ended the session: wait and "
	  "retry; read the server log if unplanned" },
	{ CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "no answer before the deadline: check firewalls/security groups, that the server "
	  "listens on this address, and connect_timeout" },
	{ CLASS_REFUSED, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "nothing listens on this address and port: check host and port, that the server or "
	  "pooler runs, and listen_addresses" },
	{ CLASS_DNS, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the host name does not resolve: check it for typos and that this machine's DNS works" },
	/* Supabase's direct db.<ref>.supabase.co host has IPv6 addresses only */
	{ CLASS_UNREACHABLE, LIMIT_NONE, ENDPOINT_POSTGRES,
	  classify_advice_ipv6 },
	{ CLASS_UNREACHABLE, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "no route to the server: check VPN and routing; for an IPv6-only host without IPv6 "
	  "here, use an IPv4 address or pooler" },
	{ CLASS_TLS, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the TLS setup failed: check sslmode, sslrootcert and the server's certificate "
	  "(name, expiry, chain)" },
	{ CLASS_QUERY_TIMEOUT, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the query was cancelled by a server timeout: check statement_timeout and "
	  "lock_timeout and what the server is busy with" },
	{ CLASS_QUERY_ERROR, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the server rejected the query: read the message; check the query text, "
	  "permissions and search_path" },
	{ CLASS_PROTOCOL, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "the connection broke mid-conversation: check for a proxy or load balancer in the "
	  "way, the port (pooler or server), and the server log" },
	{ CLASS_OTHER, LIMIT_NONE, ENDPOINT_UNKNOWN,
	  "unexpected error: read the message, then the server's or pooler's log" },
};
/* clang-format on */

/*
 * Causes within a class that the message text tells apart, whatever the
 * endpoint: which TLS step failed, a server that wants TLS. First match wins.
 */
struct classify_cause_rule {
	enum classify_class cls;
	const char *fragment;
	const char *text;
};

static const struct classify_cause_rule classify_cause_rules[] = {
	{ CLASS_TLS, "root certificate file",
	  "verify-ca/verify-full needs the CA certificate: set sslrootcert=/path/ca.pem "
	  "(libpq 16+: sslrootcert=system), or sslmode=require to encrypt unverified" },
	{ CLASS_TLS, "does not match host name",
	  "the server's certificate names another host (CN/SAN): connect by a name in the "
	  "certificate, or use sslmode=verify-ca to check only the chain" },
	{ CLASS_TLS, "certificate verify failed",
	  "the server's certificate does not verify against sslrootcert: give the CA that signed "
	  "it (with intermediates) and check that it has not expired" },
	{ CLASS_TLS, "server does not support ssl",
	  "the server or pooler speaks no TLS but sslmode requires it: enable TLS there (ssl=on, "
	  "PgBouncer client_tls_sslmode) or use sslmode=prefer" },
	{ CLASS_TLS, "private key",
	  "the client certificate or key (sslcert, sslkey) cannot be used: check the paths, that "
	  "the key matches the certificate and is not readable by others (0600)" },
	{ CLASS_TLS, "alert unknown ca",
	  "the server does not trust this client's certificate: use one signed by the server's "
	  "ssl_ca_file" },
	{ CLASS_AUTH_FAILED, "no password supplied",
	  "the server asks for a password and none was given: pass -W to be asked for it, or put "
	  "it in ~/.pgpass (host:port:db:user:password, mode 0600) or PGPASSWORD" },
	{ CLASS_AUTH_FAILED, "no encryption",
	  "the server takes only TLS connections from here (pg_hba.conf hostssl; RDS "
	  "rds.force_ssl): use sslmode=require or verify-full" },
};

/*
 * Words only one kind of endpoint says. When the caller cannot tell the
 * endpoint from host and port (PgBouncer on 5432, a pooler behind a custom
 * name), the error text still can, and the advice follows it.
 */
struct classify_endpoint_tell {
	const char *fragment;
	enum classify_endpoint endpoint;
};

static const struct classify_endpoint_tell classify_endpoint_tells[] = {
	{ "server_login_retry", ENDPOINT_PGBOUNCER },
	{ "server login has been failing", ENDPOINT_PGBOUNCER },
	{ "max_client_conn", ENDPOINT_PGBOUNCER },
	{ "query_wait_timeout", ENDPOINT_PGBOUNCER },
	{ "maxclientsinsessionmode", ENDPOINT_SUPAVISOR_SESSION },
	{ "in session mode max clients", ENDPOINT_SUPAVISOR_SESSION },
};

static const char *const classify_class_names[CLASS_COUNT] = {
	[CLASS_NONE] = "ok",
	[CLASS_MAX_CLIENTS] = "max_clients",
	[CLASS_UPSTREAM_DOWN] = "upstream_down",
	[CLASS_AUTH_FAILED] = "auth_failed",
	[CLASS_DB_MISSING] = "db_missing",
	[CLASS_SERVER_STARTING] = "server_starting",
	[CLASS_SERVER_SHUTDOWN] = "server_shutdown",
	[CLASS_TIMEOUT] = "timeout",
	[CLASS_REFUSED] = "refused",
	[CLASS_DNS] = "dns",
	[CLASS_UNREACHABLE] = "unreachable",
	[CLASS_TLS] = "tls",
	[CLASS_QUERY_TIMEOUT] = "query_timeout",
	[CLASS_QUERY_ERROR] = "query_error",
	[CLASS_PROTOCOL] = "protocol",
	[CLASS_OTHER] = "other",
};

static const char *const classify_limit_names[LIMIT_COUNT] = {
	[LIMIT_NONE] = NULL,
	[LIMIT_MAX_CONNECTIONS] = "max_connections",
	[LIMIT_RESERVED_SLOTS] = "reserved_slots",
	[LIMIT_ROLE] = "role_limit",
	[LIMIT_DATABASE] = "database_limit",
	[LIMIT_PGBOUNCER_MAX_CLIENT_CONN] = "pgbouncer_max_client_conn",
	[LIMIT_PGBOUNCER_POOL] = "pgbouncer_pool",
	[LIMIT_SUPAVISOR_SESSION_POOL] = "supavisor_session_pool",
	[LIMIT_SUPAVISOR_MAX_CLIENTS] = "supavisor_max_clients",
	[LIMIT_POOLER_OTHER] = "pooler_other",
	[LIMIT_PGPOOL_CHILDREN] = "pgpool_num_init_children",
	[LIMIT_ODYSSEY_CLIENT_MAX] = "odyssey_client_max",
	[LIMIT_ODYSSEY_POOL] = "odyssey_pool_size",
	[LIMIT_PGCAT_POOL] = "pgcat_pool",
	[LIMIT_RDS_PROXY_POOL] = "rds_proxy_pool",
};

static const char *const classify_endpoint_names[] = {
	[ENDPOINT_UNKNOWN] = "unknown",
	[ENDPOINT_POSTGRES] = "postgres",
	[ENDPOINT_SUPAVISOR_SESSION] = "supavisor_session",
	[ENDPOINT_SUPAVISOR_TRANSACTION] = "supavisor_transaction",
	[ENDPOINT_PGBOUNCER] = "pgbouncer",
	[ENDPOINT_NEON] = "neon",
	[ENDPOINT_NEON_POOLER] = "neon_pooler",
	[ENDPOINT_RDS] = "rds",
	[ENDPOINT_RDS_PROXY] = "rds_proxy",
	[ENDPOINT_AZURE] = "azure",
	[ENDPOINT_CLOUD_SQL] = "cloud_sql",
};

#define CLASSIFY_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool classify_is_sqlstate_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* Five SQLSTATE characters at p (what follows is the caller's business). */
static bool classify_is_sqlstate(const char *p)
{
	int i;

	for (i = 0; i < 5; i++) {
		if (!classify_is_sqlstate_char(p[i]))
			return false;
	}
	return true;
}

/* Severity words are upper case, or not ASCII at all when translated. */
static bool classify_is_severity_char(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= 'A' && u <= 'Z') || u >= 0x80;
}

/*
 * Length of a leading "FATAL:  " (libpq writes "%s:  " with the severity
 * in the server's language), or 0 when p does not start with one.
 */
static size_t classify_severity_len(const char *p)
{
	size_t i = 0;

	while (i < CLASSIFY_SEVERITY_MAX && p[i] != '\0' && p[i] != ':') {
		if (!classify_is_severity_char(p[i]) && !(p[i] == ' ' && i > 0))
			return 0;
		i++;
	}
	if (i == 0 || p[i - 1] == ' ')
		return 0;
	if (p[i] != ':' || p[i + 1] != ' ' || p[i + 2] != ' ')
		return 0;
	return i + 3;
}

/* Length of a "53300: " code after the severity, or 0. */
static size_t classify_code_len(const char *p)
{
	if (classify_is_sqlstate(p) && p[5] == ':' && (p[6] == ' ' || p[6] == '\0'))
		return p[6] == ' ' ? 7 : 6;
	return 0;
}

bool classify_extract_sqlstate(const char *text, char out[6])
{
	const char *p;

	out[0] = '\0';
	if (text == NULL)
		return false;
	/* the code sits right after a severity's ":  ", on whichever line */
	for (p = strstr(text, ":  "); p != NULL; p = strstr(p + 1, ":  ")) {
		if (p == text || !classify_is_severity_char(p[-1]))
			continue;
		if (classify_code_len(p + 3) > 0) {
			memcpy(out, p + 3, 5);
			out[5] = '\0';
			return true;
		}
	}
	return false;
}

static bool classify_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void classify_primary_message(const char *text, char *out, size_t outlen)
{
	static const char server_prefix[] = "connection to server ";
	const char *p = text != NULL ? text : "";
	const char *end, *failed;
	size_t n;

	if (outlen == 0)
		return;
	while (classify_is_space(*p))
		p++;
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);

	/*
	 * Drop libpq's "connection to server ... failed: " only when the server
	 * spoke after it; a client-side reason reads better with its address.
	 */
	if (strncmp(p, server_prefix, sizeof(server_prefix) - 1) == 0) {
		failed = strstr(p, " failed: ");
		if (failed != NULL && failed < end && classify_severity_len(failed + 9) > 0)
			p = failed + 9;
	}
	n = classify_severity_len(p);
	if (n > 0) {
		p += n;
		p += classify_code_len(p);
	}

	while (p < end && classify_is_space(*p))
		p++;
	while (end > p && classify_is_space(end[-1]))
		end--;
	n = (size_t)(end - p);
	if (n >= outlen)
		n = text_boundary(p, n, outlen - 1);
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Copies text with the insides of "..." blanked, so names never match. */
static void classify_mask_quoted(const char *text, char *out, size_t outlen)
{
	bool quoted = false;
	size_t n = 0;

	for (; *text != '\0' && n + 1 < outlen; text++) {
		if (*text == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		out[n++] = *text;
	}
	out[n] = '\0';
}

static const struct classify_text_rule *classify_match_rules(const char *text,
							     const struct classify_text_rule *rules,
							     size_t n, bool match_case)
{
	const struct classify_text_rule *rule;
	size_t i, j;

	for (i = 0; i < n; i++) {
		rule = &rules[i];
		if (rule->also != NULL && !util_contains_ci(text, rule->also))
			continue;
		for (j = 0; j < CLASSIFY_FRAGMENTS_MAX && rule->any[j] != NULL; j++) {
			if (match_case ? strstr(text, rule->any[j]) != NULL
				       : util_contains_ci(text, rule->any[j]))
				return rule;
		}
	}
	return NULL;
}

static const struct classify_text_rule *classify_match_text(const char *text)
{
	const struct classify_text_rule *rule = classify_match_rules(
		text, classify_case_rules, CLASSIFY_ARRAY_LEN(classify_case_rules), true);

	if (rule == NULL)
		rule = classify_match_rules(text, classify_text_rules,
					    CLASSIFY_ARRAY_LEN(classify_text_rules), false);
	return rule;
}

static const struct classify_sqlstate_rule *classify_match_sqlstate(const char *code)
{
	const struct classify_sqlstate_rule *rule;
	size_t i;

	if (code[0] == '\0')
		return NULL;
	for (i = 0; i < CLASSIFY_ARRAY_LEN(classify_sqlstate_rules); i++) {
		rule = &classify_sqlstate_rules[i];
		if (strlen(rule->code) == 5 && strcmp(rule->code, code) == 0)
			return rule;
	}
	for (i = 0; i < CLASSIFY_ARRAY_LEN(classify_sqlstate_rules); i++) {
		rule = &classify_sqlstate_rules[i];
		if (strlen(rule->code) == 2 && strncmp(rule->code, code, 2) == 0)
			return rule;
	}
	return NULL;
}

/* The advice of the first cause rule whose fragment the text holds, or NULL. */
static const char *classify_cause_advice(enum classify_class cls, const char *text)
{
	for (size_t i = 0; i < CLASSIFY_ARRAY_LEN(classify_cause_rules); i++)
		if (classify_cause_rules[i].cls == cls &&
		    util_contains_ci(text, classify_cause_rules[i].fragment))
			return classify_cause_rules[i].text;
	return NULL;
}

/* Copies line [p, end) trimmed into out, unless out already holds one. */
static void classify_copy_line(const char *p, const char *end, char *out, size_t outlen)
{
	size_t n;

	while (p < end && classify_is_space(*p))
		p++;
	while (end > p && classify_is_space(end[-1]))
		end--;
	n = (size_t)(end - p);
	if (out[0] != '\0' || n == 0)
		return;
	if (n >= outlen)
		n = text_boundary(p, n, outlen - 1); /* not in the middle of a character */
	memcpy(out, p, n);
	out[n] = '\0';
}

/*
 * The lines after the first: the server's "DETAIL:  " and "HINT:  ", and,
 * when the client made the error, libpq's own advice on the next line
 * ("Either provide the file or change sslmode..."), as psql shows them.
 */
static void classify_detail_and_hint(const char *text, struct classify_result *out)
{
	static const char detail[] = "DETAIL:  ", hint[] = "HINT:  ";
	const char *p = strchr(text, '\n'), *end;
	bool from_server = out->sqlstate[0] != '\0';

	while (p != NULL && *++p != '\0') {
		end = strchr(p, '\n');
		if (end == NULL)
			end = p + strlen(p);
		if (strncmp(p, detail, sizeof(detail) - 1) == 0)
			classify_copy_line(p + sizeof(detail) - 1, end, out->detail,
					   sizeof(out->detail));
		else if (strncmp(p, hint, sizeof(hint) - 1) == 0)
			classify_copy_line(p + sizeof(hint) - 1, end, out->hint, sizeof(out->hint));
		/* a multi-host attempt, LOCATION: and the like are no hint */
		else if (!from_server && strncmp(p, "connection to server ", 21) != 0 &&
			 classify_severity_len(p) == 0)
			classify_copy_line(p, end, out->hint, sizeof(out->hint));
		p = *end ? end : NULL;
	}
}

/*
 * The connection ended under a running query with no message from the
 * server: the backend died (crash, kill -9, OOM killer), the server
 * restarted, or something ended it without a word. Over TLS libpq words
 * the same EOF as an SSL error, which is no TLS problem: both are the
 * server's side ending the connection (server_shutdown, the class for
 * "the server ended it"; protocol would send people after a proxy).
 */
static const char *const classify_query_eof[] = {
	"server closed the connection unexpectedly",   "ssl syscall error: eof detected",
	"ssl connection has been closed unexpectedly", "unexpected eof while reading",
	"ssl syscall error: connection reset",
};

static const char classify_query_eof_advice[] =
	"the server ended the connection during the query: its backend crashed or was killed "
	"(read the server log, look for the OOM killer), the server restarted, someone ran "
	"pg_terminate_backend, or an idle or proxy timeout cut it";

/*
 * Whether what the server said is no message at all: nothing after libpq's
 * "connection to server ... failed:", or bytes no server writes (control
 * characters, invalid UTF-8). libpq reads an oversized ErrorResponse as a
 * pre-3.0 server's text, so a hostile length field lands here.
 */
static bool classify_is_garbled(const char *message)
{
	const char *failed = strstr(message, "failed:");
	const char *p = failed ? failed + strlen("failed:") : message;

	while (classify_is_space(*p))
		p++;
	if (*p == '\0')
		return true;
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\n')
			return true;
	return !text_utf8_valid(p, strlen(p));
}

void classify_error(const char *sqlstate, const char *message, enum classify_stage stage,
		    enum classify_endpoint endpoint, struct classify_result *out)
{
	const struct classify_sqlstate_rule *code_rule;
	const struct classify_text_rule *text_rule;
	char match[CLASSIFY_MATCH_MAX];
	int i;

	memset(out, 0, sizeof(*out));
	if (message == NULL)
		message = "";
	classify_primary_message(message, out->message, sizeof(out->message));

	if (sqlstate != NULL && strlen(sqlstate) == 5) {
		for (i = 0; i < 5; i++)
			out->sqlstate[i] = (sqlstate[i] >= 'a' && sqlstate[i] <= 'z')
						   ? (char)(sqlstate[i] - 'a' + 'A')
						   : sqlstate[i];
		if (!classify_is_sqlstate(out->sqlstate))
			out->sqlstate[0] = '\0';
	}
	if (out->sqlstate[0] == '\0')
		classify_extract_sqlstate(message, out->sqlstate);

	/* the primary message first; DETAIL/HINT lines only when it says nothing */
	classify_mask_quoted(out->message, match, sizeof(match));
	text_rule = classify_match_text(match);
	if (text_rule == NULL) {
		classify_mask_quoted(message, match, sizeof(match));
		text_rule = classify_match_text(match);
	}
	code_rule = classify_match_sqlstate(out->sqlstate);

	if (code_rule != NULL && code_rule->cls != CLASS_NONE) {
		out->cls = code_rule->cls;
		out->limit = code_rule->limit;
		if (text_rule != NULL && code_rule->alt != CLASS_NONE &&
		    text_rule->cls == code_rule->alt)
			out->cls = code_rule->alt;
		/* the code says max_clients; the words say which limit */
		if (out->cls == CLASS_MAX_CLIENTS && text_rule != NULL &&
		    text_rule->cls == CLASS_MAX_CLIENTS)
			out->limit = text_rule->limit;
	} else if (text_rule != NULL) {
		out->cls = text_rule->cls;
		out->limit = text_rule->limit;
	} else {
		out->cls = stage == STAGE_QUERY		       ? CLASS_QUERY_ERROR
			   : classify_is_garbled(out->message) ? CLASS_PROTOCOL
							       : CLASS_OTHER;
	}
	if (out->message[0] == '\0')
		text_copy(out->message, "(the server sent no message)", sizeof(out->message));

	if (out->cls != CLASS_MAX_CLIENTS)
		out->limit = LIMIT_NONE;
	else if (out->limit == LIMIT_NONE)
		out->limit = LIMIT_MAX_CONNECTIONS;
	for (i = 0; stage == STAGE_QUERY && out->sqlstate[0] == '\0' &&
		    i < (int)CLASSIFY_ARRAY_LEN(classify_query_eof);
	     i++) {
		if (util_contains_ci(message, classify_query_eof[i])) {
			out->cls = CLASS_SERVER_SHUTDOWN;
			out->limit = LIMIT_NONE;
			out->advice = classify_query_eof_advice;
			return;
		}
	}
	for (i = 0;
	     endpoint == ENDPOINT_UNKNOWN && i < (int)CLASSIFY_ARRAY_LEN(classify_endpoint_tells);
	     i++)
		if (util_contains_ci(message, classify_endpoint_tells[i].fragment))
			endpoint = classify_endpoint_tells[i].endpoint;
	out->advice = classify_cause_advice(out->cls, match);
	if (out->advice == NULL)
		out->advice = classify_advice(out->cls, out->limit, endpoint);
	classify_detail_and_hint(message, out);
}

const char *classify_class_name(enum classify_class cls)
{
	if ((int)cls < 0 || cls >= CLASS_COUNT)
		return classify_class_names[CLASS_OTHER];
	return classify_class_names[cls];
}

bool classify_class_from_name(const char *name, enum classify_class *out)
{
	int i;

	if (name == NULL)
		return false;
	for (i = 0; i < CLASS_COUNT; i++) {
		if (strcasecmp(name, classify_class_names[i]) == 0) {
			*out = (enum classify_class)i;
			return true;
		}
	}
	return false;
}

const char *classify_limit_name(enum classify_limit limit)
{
	if ((int)limit < 0 || limit >= LIMIT_COUNT)
		return NULL;
	return classify_limit_names[limit];
}

const char *classify_advice_ipv6_only(void)
{
	return classify_advice_ipv6;
}

const char *classify_advice_no_target_refused(void)
{
	return classify_advice_no_target;
}

const char *classify_advice(enum classify_class cls, enum classify_limit limit,
			    enum classify_endpoint endpoint)
{
	const struct classify_advice_rule *rule;
	size_t i;

	if (cls == CLASS_NONE)
		return "";
	if ((int)cls < 0 || cls >= CLASS_COUNT)
		cls = CLASS_OTHER;
	for (i = 0; i < CLASSIFY_ARRAY_LEN(classify_advice_rules); i++) {
		rule = &classify_advice_rules[i];
		if (rule->cls != cls)
			continue;
		if (rule->limit != LIMIT_NONE && rule->limit != limit)
			continue;
		if (rule->endpoint != ENDPOINT_UNKNOWN && rule->endpoint != endpoint)
			continue;
		return rule->text;
	}
	return "";
}

/* Hosted services by the host names they document (suffix, then a word in it). */
static const struct classify_hosted_name {
	const char *suffix;
	const char *infix; /* NULL: any host with the suffix */
	enum classify_endpoint endpoint;
} classify_hosted_names[] = {
	{ ".neon.tech", "-pooler.", ENDPOINT_NEON_POOLER },
	{ ".neon.tech", NULL, ENDPOINT_NEON },
	{ ".rds.amazonaws.com", ".proxy-", ENDPOINT_RDS_PROXY },
	{ ".rds.amazonaws.com", NULL, ENDPOINT_RDS },
	{ ".postgres.database.azure.com", NULL, ENDPOINT_AZURE },
	{ ".sql.goog", NULL, ENDPOINT_CLOUD_SQL },
};

static enum classify_endpoint classify_hosted_guess(const char *host)
{
	for (size_t i = 0; i < CLASSIFY_ARRAY_LEN(classify_hosted_names); i++) {
		const struct classify_hosted_name *n = &classify_hosted_names[i];

		if (util_ends_with_ci(host, n->suffix) &&
		    (n->infix == NULL || util_contains_ci(host, n->infix)))
			return n->endpoint;
	}
	return ENDPOINT_UNKNOWN;
}

enum classify_endpoint classify_endpoint_guess(const char *host, const char *port)
{
	if (host != NULL && util_ends_with_ci(host, ".pooler.supabase.com")) {
		if (port != NULL && strcmp(port, "6543") == 0)
			return ENDPOINT_SUPAVISOR_TRANSACTION;
		return ENDPOINT_SUPAVISOR_SESSION;
	}
	/* "db." + project ref + ".supabase.co" */
	if (host != NULL && strncasecmp(host, "db.", 3) == 0 &&
	    util_ends_with_ci(host + 2, ".supabase.co"))
		return ENDPOINT_POSTGRES;
	if (host != NULL) {
		enum classify_endpoint hosted = classify_hosted_guess(host);

		if (hosted != ENDPOINT_UNKNOWN)
			return hosted;
	}
	if (port != NULL && strcmp(port, "6432") == 0)
		return ENDPOINT_PGBOUNCER;
	return ENDPOINT_UNKNOWN;
}

const char *classify_endpoint_name(enum classify_endpoint endpoint)
{
	if ((int)endpoint < 0 || (size_t)endpoint >= CLASSIFY_ARRAY_LEN(classify_endpoint_names))
		return classify_endpoint_names[ENDPOINT_UNKNOWN];
	return classify_endpoint_names[endpoint];
}
