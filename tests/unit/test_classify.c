/*
 * Unit tests for classify: every row of tests/corpus/connect-errors.tsv,
 * read at run time, plus the shapes libpq wraps messages in, pooler
 * wordings the corpus does not hold yet, names, advice and endpoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

#define CORPUS_DEFAULT_PATH TOP_SRCDIR "/tests/corpus/connect-errors.tsv"
#define CORPUS_MIN_ROWS	    20

struct corpus_row {
	char source[32];
	char sqlstate[8];  /* "-" when the client made the error */
	char severity[16]; /* "-", FATAL or ERROR */
	char message[512];
	char cls[32];
	char line[1024]; /* the row as written, for failure messages */
};

struct corpus {
	struct corpus_row *rows;
	size_t count;
};

static const char *corpus_path(void)
{
	const char *env = getenv("PGPULSE_CORPUS");

	return env != NULL && env[0] != '\0' ? env : CORPUS_DEFAULT_PATH;
}

/* Splits one tab-separated row into its five columns; false if malformed. */
static bool corpus_parse_line(char *line, struct corpus_row *row)
{
	char *fields[5];
	char *p = line;
	int i;

	for (i = 0; i < 5; i++) {
		fields[i] = p;
		p = strchr(p, '\t');
		if (i < 4) {
			if (p == NULL)
				return false;
			*p++ = '\0';
		} else if (p != NULL) {
			return false;
		}
	}
	util_strlcpy(row->source, fields[0], sizeof(row->source));
	util_strlcpy(row->sqlstate, fields[1], sizeof(row->sqlstate));
	util_strlcpy(row->severity, fields[2], sizeof(row->severity));
	util_strlcpy(row->message, fields[3], sizeof(row->message));
	util_strlcpy(row->cls, fields[4], sizeof(row->cls));
	return true;
}

static void corpus_free(struct corpus *corpus)
{
	free(corpus->rows);
	corpus->rows = NULL;
	corpus->count = 0;
}

static void corpus_load(struct corpus *corpus)
{
	const char *path = corpus_path();
	char line[2048];
	char copy[1024];
	size_t cap = 0, len;
	FILE *f;

	corpus->rows = NULL;
	corpus->count = 0;
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open corpus %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (strncmp(line, "source\t", 7) == 0)
			continue;
		if (corpus->count == cap) {
			cap = cap ? cap * 2 : 32;
			corpus->rows = util_xrealloc(corpus->rows, cap * sizeof(*corpus->rows));
		}
		util_strlcpy(copy, line, sizeof(copy));
		if (!corpus_parse_line(line, &corpus->rows[corpus->count])) {
			fclose(f);
			free(corpus->rows);
			fail_msg("malformed corpus row in %s: %s", path, copy);
		}
		util_strlcpy(corpus->rows[corpus->count].line, copy,
			     sizeof(corpus->rows[corpus->count].line));
		corpus->count++;
	}
	fclose(f);
	/* an empty or truncated read must fail, not pass vacuously */
	if (corpus->count <= CORPUS_MIN_ROWS) {
		len = corpus->count;
		corpus_free(corpus);
		fail_msg("corpus %s has %d rows, expected more than %d", path, (int)len,
			 CORPUS_MIN_ROWS);
	}
}

static const char *row_sqlstate(const struct corpus_row *row)
{
	return strcmp(row->sqlstate, "-") == 0 ? NULL : row->sqlstate;
}

/* Connection-time errors are FATAL; an ERROR comes from the check query. */
static enum classify_stage row_stage(const struct corpus_row *row)
{
	return strcmp(row->severity, "ERROR") == 0 ? STAGE_QUERY : STAGE_CONNECT;
}

static void test_classify_corpus_every_row(void **state)
{
	struct classify_result r;
	struct corpus corpus;
	size_t i, wrong = 0;

	(void)state;
	corpus_load(&corpus);
	for (i = 0; i < corpus.count; i++) {
		const struct corpus_row *row = &corpus.rows[i];

		classify_error(row_sqlstate(row), row->message, row_stage(row), ENDPOINT_UNKNOWN,
			       &r);
		if (strcmp(classify_class_name(r.cls), row->cls) != 0) {
			print_error("corpus row classified %s: %s\n", classify_class_name(r.cls),
				    row->line);
			wrong++;
		}
	}
	corpus_free(&corpus);
	assert_int_equal(wrong, 0);
}

/*
 * The same rows as libpq hands them over: verbose server errors behind
 * "connection to server ... failed: ", query errors with a LOCATION line,
 * client errors with their "Is the server running" lines.
 */
static void test_classify_corpus_in_libpq_form(void **state)
{
	struct classify_result r;
	struct corpus corpus;
	char text[1024], code[6];
	size_t i, wrong = 0;

	(void)state;
	corpus_load(&corpus);
	for (i = 0; i < corpus.count; i++) {
		const struct corpus_row *row = &corpus.rows[i];
		bool server = row_sqlstate(row) != NULL;

		if (!server)
			snprintf(text, sizeof(text),
				 "%s\n\tIs the server running on that host and accepting TCP/IP "
				 "connections?\n",
				 row->message);
		else if (row_stage(row) == STAGE_QUERY)
			snprintf(text, sizeof(text),
				 "%s:  %s: %s\nLOCATION:  parserOpenTable, parse_relation.c:1449\n",
				 row->severity, row->sqlstate, row->message);
		else
			snprintf(text, sizeof(text),
				 "connection to server at \"127.0.0.1\", port 5432 failed: %s:  "
				 "%s: %s\n",
				 row->severity, row->sqlstate, row->message);

		classify_error(NULL, text, row_stage(row), ENDPOINT_UNKNOWN, &r);
		if (strcmp(classify_class_name(r.cls), row->cls) != 0 ||
		    strcmp(r.message, row->message) != 0 ||
		    strcmp(r.sqlstate, server ? row->sqlstate : "") != 0) {
			print_error("libpq form gave %s [%s] \"%s\": %s\n",
				    classify_class_name(r.cls), r.sqlstate, r.message, row->line);
			wrong++;
		}
		if (classify_extract_sqlstate(text, code) != server ||
		    (server && strcmp(code, row->sqlstate) != 0)) {
			print_error("sqlstate extraction gave \"%s\": %s\n", code, row->line);
			wrong++;
		}
	}
	corpus_free(&corpus);
	assert_int_equal(wrong, 0);
}

static void test_classify_corpus_limits_only_for_max_clients(void **state)
{
	struct classify_result r;
	struct corpus corpus;
	size_t i, wrong = 0;

	(void)state;
	corpus_load(&corpus);
	for (i = 0; i < corpus.count; i++) {
		const struct corpus_row *row = &corpus.rows[i];
		bool max = strcmp(row->cls, "max_clients") == 0;

		classify_error(row_sqlstate(row), row->message, row_stage(row), ENDPOINT_UNKNOWN,
			       &r);
		if (max != (r.limit != LIMIT_NONE)) {
			print_error("limit %s: %s\n", classify_limit_name(r.limit), row->line);
			wrong++;
		}
	}
	corpus_free(&corpus);
	assert_int_equal(wrong, 0);
}

struct limit_case {
	const char *sqlstate;
	const char *message;
	enum classify_limit limit;
};

static void check_limit_cases(const struct limit_case *cases, size_t n)
{
	struct classify_result r;
	size_t i, wrong = 0;

	for (i = 0; i < n; i++) {
		classify_error(cases[i].sqlstate, cases[i].message, STAGE_CONNECT, ENDPOINT_UNKNOWN,
			       &r);
		if (r.cls != CLASS_MAX_CLIENTS || r.limit != cases[i].limit) {
			print_error("\"%s\" gave %s/%s, expected max_clients/%s\n",
				    cases[i].message, classify_class_name(r.cls),
				    classify_limit_name(r.limit) ? classify_limit_name(r.limit)
								 : "none",
				    classify_limit_name(cases[i].limit));
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void test_classify_max_clients_limits_of_corpus_rows(void **state)
{
	static const struct limit_case cases[] = {
		{ "53300", "sorry, too many clients already", LIMIT_MAX_CONNECTIONS },
		{ "53300",
		  "remaining connection slots are reserved for non-replication superuser "
		  "connections",
		  LIMIT_RESERVED_SLOTS },
		{ "53300", "too many connections for role \"app\"", LIMIT_ROLE },
		{ "53300", "too many connections for database \"postgres\"", LIMIT_DATABASE },
		{ "08P01", "no more connections allowed (max_client_conn)",
		  LIMIT_PGBOUNCER_MAX_CLIENT_CONN },
		{ "08P01", "client connections exceeded (max_db_client_connections)",
		  LIMIT_POOLER_OTHER },
		{ "08P01", "query_wait_timeout", LIMIT_PGBOUNCER_POOL },
		{ "08P01",
		  "server login has been failing, cached error: sorry, too many clients already "
		  "(server_login_retry)",
		  LIMIT_MAX_CONNECTIONS },
		{ "XX000", "Max client connections reached", LIMIT_SUPAVISOR_MAX_CLIENTS },
		{ "XX000",
		  "MaxClientsInSessionMode: max clients reached - in Session mode max clients are "
		  "limited to pool_size",
		  LIMIT_SUPAVISOR_SESSION_POOL },
		{ "XX000", "Unable to check out connection from the pool due to timeout",
		  LIMIT_SUPAVISOR_SESSION_POOL },
		/* Supavisor's current texts carry the limit (issue 9) */
		{ "XX000",
		  "(EMAXCONNSESSION) max clients reached in session mode - max clients are limited "
		  "to pool_size: 15",
		  LIMIT_SUPAVISOR_SESSION_POOL },
		{ "XX000", "(EMAXCONN) max client connections reached, limit: 200",
		  LIMIT_SUPAVISOR_MAX_CLIENTS },
		{ "53300", "too many tcp connections (global client_max 100)",
		  LIMIT_ODYSSEY_CLIENT_MAX },
	};

	(void)state;
	check_limit_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_classify_supavisor_session_limit(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error(
		NULL,
		"connection to server at \"aws-0-eu-central-1.pooler.supabase.com\" (3.65.1.2), "
		"port 5432 failed: FATAL:  XX000: MaxClientsInSessionMode: max clients reached - "
		"in Session mode max clients are limited to pool_size\n",
		STAGE_CONNECT, ENDPOINT_SUPAVISOR_SESSION, &r);
	assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
	assert_int_equal(r.limit, LIMIT_SUPAVISOR_SESSION_POOL);
	assert_string_equal(r.sqlstate, "XX000");
	assert_string_equal(r.message, "MaxClientsInSessionMode: max clients reached - "
				       "in Session mode max clients are limited to pool_size");
	assert_non_null(strstr(r.advice, "NullPool"));
	assert_non_null(strstr(r.advice, "6543"));
}

static void test_classify_postgres_limits_by_sqlstate_and_text(void **state)
{
	static const struct limit_case cases[] = {
		/* PostgreSQL 16 words the reserved slots differently */
		{ "53300",
		  "remaining connection slots are reserved for roles with the SUPERUSER attribute",
		  LIMIT_RESERVED_SLOTS },
		{ "53300",
		  "remaining connection slots are reserved for roles with privileges of the "
		  "\"pg_use_reserved_connections\" role",
		  LIMIT_RESERVED_SLOTS },
		{ "53300", "too many connections for role \"ssl_reader\"", LIMIT_ROLE },
		{ NULL, "FATAL:  sorry, too many clients already", LIMIT_MAX_CONNECTIONS },
		{ NULL, "FATAL:  too many connections for database \"app\"", LIMIT_DATABASE },
	};

	(void)state;
	check_limit_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_classify_unseen_pooler_variants(void **state)
{
	static const struct limit_case cases[] = {
		{ "08P01", "client connections exceeded (max_user_client_connections)",
		  LIMIT_POOLER_OTHER },
		{ "08P01", "no more connections allowed (max_client_conn=500)",
		  LIMIT_PGBOUNCER_MAX_CLIENT_CONN },
		{ "08P01", "query_wait_timeout (pool exhausted)", LIMIT_PGBOUNCER_POOL },
		{ "XX000",
		  "(EMAXCLIENTSESSION) max clients reached in session mode - limited to pool_size: "
		  "15",
		  LIMIT_SUPAVISOR_SESSION_POOL },
		{ "XX000", "Max client connections reached for tenant",
		  LIMIT_SUPAVISOR_MAX_CLIENTS },
		{ "XX000", "(ECHECKOUTTIMEOUT) unable to check out connection from the pool",
		  LIMIT_SUPAVISOR_SESSION_POOL },
		{ "53300",
		  "too many active clients for user (pool_size for user app.app reached 10)",
		  LIMIT_ODYSSEY_POOL },
		{ "53300", "too many client tcp connections (client_max for user app.app 50)",
		  LIMIT_ODYSSEY_CLIENT_MAX },
		{ "58000", "could not get connection from the pool", LIMIT_PGCAT_POOL },
		{ NULL, "ERROR: too many connections", LIMIT_MAX_CONNECTIONS },
		{ "08P01",
		  "server login has been failing, cached error: FATAL: too many connections for "
		  "role \"app\" (server_login_retry)",
		  LIMIT_ROLE },
	};
	static const struct {
		const char *sqlstate;
		const char *message;
		enum classify_class cls;
	} others[] = {
		{ "08P01", "client_login_timeout (server down)", CLASS_UPSTREAM_DOWN },
		{ "08P01", "pgbouncer cannot connect to server", CLASS_UPSTREAM_DOWN },
		{ "08P01", "server conn crashed?", CLASS_UPSTREAM_DOWN },
		{ "08P01",
		  "server login has been failing, cached error: connect failed "
		  "(server_login_retry)",
		  CLASS_UPSTREAM_DOWN },
		{ "08P01",
		  "server login has been failing, cached error: password authentication failed for "
		  "user \"app\" (server_login_retry)",
		  CLASS_AUTH_FAILED },
		{ "08006", "failed to connect to remote server s3f2a", CLASS_UPSTREAM_DOWN },
		{ "58000", "could not get connection from the pool - AllServersDown",
		  CLASS_UPSTREAM_DOWN },
		{ "XX000", "Tenant or user not found", CLASS_AUTH_FAILED },
		{ "08P01", "no such database: nosuch", CLASS_DB_MISSING },
		{ "08P01", "query_timeout", CLASS_QUERY_TIMEOUT },
		{ "08P01", "unsupported startup parameter: extra_float_digits", CLASS_OTHER },
	};
	struct classify_result r;
	size_t i, wrong = 0;

	(void)state;
	check_limit_cases(cases, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		classify_error(others[i].sqlstate, others[i].message, STAGE_CONNECT,
			       ENDPOINT_UNKNOWN, &r);
		if (r.cls != others[i].cls) {
			print_error("\"%s\" gave %s, expected %s\n", others[i].message,
				    classify_class_name(r.cls), classify_class_name(others[i].cls));
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void test_classify_translated_messages_follow_sqlstate(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error(NULL,
		       "connection to server at \"10.0.0.5\", port 5432 failed: "
		       "FATAL:  53300: Es gibt bereits zu viele Verbindungen\n",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
	assert_int_equal(r.limit, LIMIT_MAX_CONNECTIONS);
	assert_string_equal(r.sqlstate, "53300");
	assert_string_equal(r.message, "Es gibt bereits zu viele Verbindungen");

	/* a translated severity word too */
	classify_error(
		NULL,
		"ВАЖНО:  28P01: пользователь \"app\" не прошёл проверку подлинности (по паролю)",
		STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_string_equal(r.sqlstate, "28P01");
	assert_string_equal(r.message,
			    "пользователь \"app\" не прошёл проверку подлинности (по паролю)");

	classify_error("28P01",
		       "l'authentification par mot de passe a échoué pour l'utilisateur « app »",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);

	classify_error("3D000", "la base de données « nosuch » n'existe pas", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_DB_MISSING);

	/* an unknown 57P03 wording means the server is not up yet */
	classify_error("57P03", "das Datenbanksystem startet", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_SERVER_STARTING);
}

static void test_classify_57p03_starting_or_shutting_down(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error("57P03", "the database system is not yet accepting connections",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_SERVER_STARTING);
	classify_error("57P03", "the database system is in recovery mode", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_SERVER_STARTING);
	classify_error("57P03", "the database system is shutting down", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_SERVER_SHUTDOWN);
	classify_error("57P02", "terminating connection because of crash of another server process",
		       STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_SERVER_SHUTDOWN);
}

static void test_classify_query_stage_errors(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error("57014", "canceling statement due to lock timeout", STAGE_QUERY,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_TIMEOUT);
	classify_error("57014", "canceling statement due to user request", STAGE_QUERY,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_TIMEOUT);
	classify_error("55P03", "canceling statement due to lock timeout", STAGE_QUERY,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_TIMEOUT);
	classify_error("55P03", "could not obtain lock on row in relation \"t\"", STAGE_QUERY,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	classify_error("22012", "division by zero", STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	classify_error("25006", "cannot execute INSERT in a read-only transaction", STAGE_QUERY,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	classify_error("40P01", "deadlock detected", STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	assert_int_equal(r.limit, LIMIT_NONE);
}

static void test_classify_unknown_sqlstate_depends_on_stage(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error("ZZ999", "something nobody has seen", STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	classify_error("ZZ999", "something nobody has seen", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_OTHER);
	classify_error("XX000", "client routing failed", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_OTHER);
	/* no message at all is no PostgreSQL answer, and says so */
	classify_error(NULL, "", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_PROTOCOL);
	assert_string_equal(r.sqlstate, "");
	assert_string_equal(r.message, "(the server sent no message)");
	classify_error(NULL, NULL, STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_QUERY_ERROR);
	assert_non_null(r.advice);
}

static void test_classify_generic_sqlstate_falls_to_text(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error("08006", "server closed the connection unexpectedly", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_PROTOCOL);
	classify_error("08P01", "SSL required", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_TLS);
	classify_error("0A000", "unsupported frontend protocol 3.9: server supports 3.0 to 3.0",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_PROTOCOL);
	/* lower-case codes from sloppy callers still count */
	classify_error("28p01", "bad", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_string_equal(r.sqlstate, "28P01");
}

static void test_classify_client_side_texts(void **state)
{
	static const struct {
		const char *message;
		enum classify_class cls;
	} cases[] = {
		{ "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: No such file or "
		  "directory",
		  CLASS_REFUSED },
		{ "connection to server at \"db.example.com\" (10.1.2.3), port 5432 failed: "
		  "Connection refused",
		  CLASS_REFUSED },
		{ "could not connect to server: Connection refused\n\tIs the server running on "
		  "host \"localhost\" (127.0.0.1) and accepting\n\tTCP/IP connections on port "
		  "5432?",
		  CLASS_REFUSED },
		{ "could not translate host name \"db.example.com\" to address: Temporary failure "
		  "in name resolution",
		  CLASS_DNS },
		/* a host name that looks like other classes is not read as one */
		{ "could not translate host name \"ssl-timeout.refused.example\" to address: Name "
		  "or service not known",
		  CLASS_DNS },
		{ "connection to server at \"10.0.0.9\", port 5432 failed: No route to host",
		  CLASS_UNREACHABLE },
		{ "connection to server at \"10.0.0.9\", port 5432 failed: Host is unreachable",
		  CLASS_UNREACHABLE },
		{ "connection to server at \"10.0.0.9\", port 5432 failed: timeout expired",
		  CLASS_TIMEOUT },
		{ "connection to server at \"10.0.0.9\", port 5432 failed: Connection timed out",
		  CLASS_TIMEOUT },
		{ "SSL SYSCALL error: EOF detected", CLASS_TLS },
		{ "connection to server at \"10.0.0.9\", port 5432 failed: SSL error: certificate "
		  "verify failed",
		  CLASS_TLS },
		{ "server certificate for \"db.example.com\" does not match host name \"x\"",
		  CLASS_TLS },
		{ "server closed the connection unexpectedly\n\tThis probably means the server "
		  "terminated abnormally\n\tbefore or while processing the request.",
		  CLASS_PROTOCOL },
		{ "lost synchronization with server: got message type \"Z\", length 5",
		  CLASS_PROTOCOL },
		{ "received invalid response to SSL negotiation: H", CLASS_TLS },
		{ "expected authentication request from server, but received H", CLASS_PROTOCOL },
		{ "could not receive data from server: Connection reset by peer", CLASS_PROTOCOL },
		{ "fe_sendauth: no password supplied", CLASS_AUTH_FAILED },
		{ "FATAL:  password authentication failed for user \"app\"", CLASS_AUTH_FAILED },
		{ "FATAL:  role \"nosuch\" does not exist", CLASS_AUTH_FAILED },
		{ "FATAL:  database \"nosuch\" does not exist", CLASS_DB_MISSING },
		{ "FATAL:  the database system is starting up", CLASS_SERVER_STARTING },
		{ "FATAL:  the database system is shutting down", CLASS_SERVER_SHUTDOWN },
		{ "ERROR:  canceling statement due to statement timeout", CLASS_QUERY_TIMEOUT },
	};
	struct classify_result r;
	size_t i, wrong = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		classify_error(NULL, cases[i].message, STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
		if (r.cls != cases[i].cls) {
			print_error("\"%s\" gave %s, expected %s\n", cases[i].message,
				    classify_class_name(r.cls), classify_class_name(cases[i].cls));
			wrong++;
		}
	}
	assert_int_equal(wrong, 0);
}

static void test_classify_extract_sqlstate_from_verbose_text(void **state)
{
	char code[6];

	(void)state;
	assert_true(classify_extract_sqlstate(
		"connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  53300: sorry, "
		"too many clients already\n",
		code));
	assert_string_equal(code, "53300");
	assert_true(classify_extract_sqlstate(
		"connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  28P01: "
		"password authentication failed for user \"app\"\n",
		code));
	assert_string_equal(code, "28P01");
	assert_true(classify_extract_sqlstate(
		"ERROR:  57014: canceling statement due to statement timeout\nLOCATION:  "
		"ProcessInterrupts, postgres.c:3369\n",
		code));
	assert_string_equal(code, "57014");
	/* libpq 14+ lists every address it tried; the server's code may be on a later line */
	assert_true(classify_extract_sqlstate(
		"connection to server at \"db\" (::1), port 5432 failed: Connection refused\n"
		"\tIs the server running on that host and accepting TCP/IP connections?\n"
		"connection to server at \"db\" (127.0.0.1), port 5432 failed: FATAL:  3D000: "
		"database \"x\" does not exist\n",
		code));
	assert_string_equal(code, "3D000");
}

static void test_classify_extract_sqlstate_absent(void **state)
{
	char code[6] = "xxxxx";

	(void)state;
	assert_false(classify_extract_sqlstate(
		"connection to server at \"127.0.0.1\", port 5999 failed: Connection refused\n",
		code));
	assert_string_equal(code, "");
	/* terse mode: severity without a code */
	assert_false(classify_extract_sqlstate("FATAL:  sorry, too many clients already", code));
	assert_false(classify_extract_sqlstate("LOCATION:  InitProcess, proc.c:360", code));
	assert_false(classify_extract_sqlstate("", code));
	assert_false(classify_extract_sqlstate(NULL, code));
	assert_false(classify_extract_sqlstate("FATAL:  5330", code));
}

static void test_classify_primary_message_forms(void **state)
{
	static const struct {
		const char *text;
		const char *primary;
	} cases[] = {
		{ "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  53300: sorry, "
		  "too many clients already\n",
		  "sorry, too many clients already" },
		{ "connection to server on socket \"/tmp/.s.PGSQL.5432\" failed: FATAL:  57P03: "
		  "the database system is starting up\n",
		  "the database system is starting up" },
		{ "connection to server at \"db.x.supabase.co\" (2600:1f18::1), port 5432 failed: "
		  "FATAL:  28P01: password authentication failed for user \"postgres\"\n",
		  "password authentication failed for user \"postgres\"" },
		{ "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  sorry, too "
		  "many clients already\n",
		  "sorry, too many clients already" },
		{ "could not translate host name \"x\" to address: Name or service not known\n",
		  "could not translate host name \"x\" to address: Name or service not known" },
		{ "ERROR:  57014: canceling statement due to statement timeout\nLOCATION:  "
		  "ProcessInterrupts, postgres.c:3369\n",
		  "canceling statement due to statement timeout" },
		{ "connection to server at \"127.0.0.1\", port 5999 failed: Connection "
		  "refused\n\tIs the server running on that host and accepting TCP/IP "
		  "connections?\n",
		  "connection to server at \"127.0.0.1\", port 5999 failed: Connection refused" },
		{ "  sorry, too many clients already  \n", "sorry, too many clients already" },
		{ "FATAL:  53300: Es gibt bereits zu viele Verbindungen",
		  "Es gibt bereits zu viele Verbindungen" },
		{ "致命的エラー:  53300: 接続が多すぎます", "接続が多すぎます" },
		{ "SSL error: certificate verify failed", "SSL error: certificate verify failed" },
		{ "", "" },
	};
	char out[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		classify_primary_message(cases[i].text, out, sizeof(out));
		assert_string_equal(out, cases[i].primary);
	}
	classify_primary_message(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_classify_primary_message_truncates(void **state)
{
	char small[8];
	char big[2000];
	struct classify_result r;

	(void)state;
	classify_primary_message("FATAL:  53300: sorry, too many clients already", small,
				 sizeof(small));
	assert_string_equal(small, "sorry, ");
	classify_primary_message("anything", small, 0);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "FATAL:  53300: ", 15);
	classify_error(NULL, big, STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
	assert_int_equal(strlen(r.message), sizeof(r.message) - 1);
}

static void test_classify_raw_libpq_text_fills_result(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error(NULL,
		       "connection to server at \"127.0.0.1\", port 6432 failed: FATAL:  08P01: "
		       "no more connections allowed (max_client_conn)\n",
		       STAGE_CONNECT, ENDPOINT_PGBOUNCER, &r);
	assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
	assert_int_equal(r.limit, LIMIT_PGBOUNCER_MAX_CLIENT_CONN);
	assert_string_equal(r.sqlstate, "08P01");
	assert_string_equal(r.message, "no more connections allowed (max_client_conn)");
	assert_non_null(strstr(r.advice, "max_client_conn"));

	/* a given sqlstate wins over the one in the text */
	classify_error("53300", "FATAL:  08P01: sorry, too many clients already", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_string_equal(r.sqlstate, "53300");
	classify_error("", "FATAL:  53300: sorry, too many clients already", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_string_equal(r.sqlstate, "53300");
	assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
}

static void test_classify_class_names_round_trip(void **state)
{
	static const char *const expected[CLASS_COUNT] = {
		"ok",
		"max_clients",
		"upstream_down",
		"auth_failed",
		"db_missing",
		"server_starting",
		"server_shutdown",
		"timeout",
		"refused",
		"dns",
		"unreachable",
		"tls",
		"query_timeout",
		"query_error",
		"protocol",
		"other",
	};
	enum classify_class cls;
	int i;

	(void)state;
	for (i = 0; i < CLASS_COUNT; i++) {
		assert_string_equal(classify_class_name((enum classify_class)i), expected[i]);
		assert_true(classify_class_from_name(expected[i], &cls));
		assert_int_equal(cls, i);
	}
	assert_false(classify_class_from_name("max clients", &cls));
	assert_false(classify_class_from_name("", &cls));
	assert_false(classify_class_from_name(NULL, &cls));
}

/*
 * Other poolers (issue 9): named when their refusal tells them apart, with
 * advice naming their setting; PostgreSQL's words from an endpoint not known
 * to be the server itself may be a pooler's, and never get "restart".
 */
static void test_classify_other_poolers_named(void **state)
{
	static const struct {
		const char *sqlstate;
		const char *message;
		enum classify_limit limit;
		const char *advice_has;
	} cases[] = {
		/* pgpool-II: capital S, unlike PostgreSQL */
		{ "53300", "Sorry, too many clients already", LIMIT_PGPOOL_CHILDREN,
		  "num_init_children" },
		{ NULL, "FATAL:  Sorry, too many clients already", LIMIT_PGPOOL_CHILDREN,
		  "pgpool-II" },
		{ "53300", "too many tcp connections (global client_max 100)",
		  LIMIT_ODYSSEY_CLIENT_MAX, "client_max in odyssey.conf" },
		{ "53300",
		  "too many active clients for user (pool_size for user app.app reached 10)",
		  LIMIT_ODYSSEY_POOL, "Odyssey's route" },
		{ "58000", "could not get connection from the pool", LIMIT_PGCAT_POOL, "pgcat" },
		{ "08006", "Timed-out waiting to acquire database connection", LIMIT_RDS_PROXY_POOL,
		  "ConnectionBorrowTimeout" },
		{ NULL, "ERROR: Timed-out waiting to acquire database connection",
		  LIMIT_RDS_PROXY_POOL, "MaxConnectionsPercent" },
		/* PostgreSQL's own text: it or a pooler in front */
		{ "53300", "sorry, too many clients already", LIMIT_MAX_CONNECTIONS,
		  "PostgreSQL or a pooler in front of it" },
		{ NULL, "FATAL:  too many connections", LIMIT_MAX_CONNECTIONS,
		  "with a pooler check its client limit first" },
	};
	struct classify_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		classify_error(cases[i].sqlstate, cases[i].message, STAGE_CONNECT, ENDPOINT_UNKNOWN,
			       &r);
		if (r.cls != CLASS_MAX_CLIENTS || r.limit != cases[i].limit ||
		    strstr(r.advice, cases[i].advice_has) == NULL)
			print_error("\"%s\": %s/%s, advice \"%s\"\n", cases[i].message,
				    classify_class_name(r.cls),
				    classify_limit_name(r.limit) ? classify_limit_name(r.limit)
								 : "-",
				    r.advice);
		assert_int_equal(r.cls, CLASS_MAX_CLIENTS);
		assert_int_equal(r.limit, cases[i].limit);
		assert_non_null(strstr(r.advice, cases[i].advice_has));
		assert_null(strstr(r.advice, "restart"));
	}
	/* the server itself (Supabase's direct host): max_connections and its restart */
	classify_error("53300", "sorry, too many clients already", STAGE_CONNECT, ENDPOINT_POSTGRES,
		       &r);
	assert_non_null(strstr(r.advice, "raising max_connections needs a restart"));
	/* no endpoint known: no max_clients advice anywhere says restart, but for reserved slots */
	for (int l = LIMIT_NONE; l < LIMIT_COUNT; l++)
		if (l != LIMIT_RESERVED_SLOTS)
			assert_null(
				strstr(classify_advice(CLASS_MAX_CLIENTS, (enum classify_limit)l,
						       ENDPOINT_UNKNOWN),
				       "restart"));
}

static void test_classify_limit_names(void **state)
{
	static const char *const expected[LIMIT_COUNT] = {
		NULL,
		"max_connections",
		"reserved_slots",
		"role_limit",
		"database_limit",
		"pgbouncer_max_client_conn",
		"pgbouncer_pool",
		"supavisor_session_pool",
		"supavisor_max_clients",
		"pooler_other",
		"pgpool_num_init_children",
		"odyssey_client_max",
		"odyssey_pool_size",
		"pgcat_pool",
		"rds_proxy_pool",
	};
	int i;

	(void)state;
	assert_null(classify_limit_name(LIMIT_NONE));
	for (i = 1; i < LIMIT_COUNT; i++)
		assert_string_equal(classify_limit_name((enum classify_limit)i), expected[i]);
	assert_null(classify_limit_name(LIMIT_COUNT));
}

static void test_classify_advice_for_every_class(void **state)
{
	int cls, limit, endpoint;
	const char *advice;

	(void)state;
	assert_string_equal(classify_advice(CLASS_NONE, LIMIT_NONE, ENDPOINT_UNKNOWN), "");
	for (cls = CLASS_NONE + 1; cls < CLASS_COUNT; cls++) {
		for (limit = 0; limit < LIMIT_COUNT; limit++) {
			for (endpoint = ENDPOINT_UNKNOWN; endpoint <= ENDPOINT_PGBOUNCER;
			     endpoint++) {
				advice = classify_advice((enum classify_class)cls,
							 (enum classify_limit)limit,
							 (enum classify_endpoint)endpoint);
				assert_non_null(advice);
				assert_true(strlen(advice) > 20);
				assert_true(strlen(advice) <= 160);
				/* one style: no trailing period */
				assert_true(advice[strlen(advice) - 1] != '.');
			}
		}
	}
}

static void test_classify_advice_tailored_by_limit_and_endpoint(void **state)
{
	const char *a;

	(void)state;
	a = classify_advice(CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_POSTGRES);
	assert_non_null(strstr(a, "max_connections"));
	assert_non_null(strstr(a, "restart"));
	a = classify_advice(CLASS_MAX_CLIENTS, LIMIT_ROLE, ENDPOINT_UNKNOWN);
	assert_non_null(strstr(a, "ALTER ROLE"));
	a = classify_advice(CLASS_MAX_CLIENTS, LIMIT_DATABASE, ENDPOINT_UNKNOWN);
	assert_non_null(strstr(a, "ALTER DATABASE"));
	a = classify_advice(CLASS_MAX_CLIENTS, LIMIT_PGBOUNCER_POOL, ENDPOINT_PGBOUNCER);
	assert_non_null(strstr(a, "default_pool_size"));
	a = classify_advice(CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, ENDPOINT_SUPAVISOR_SESSION);
	assert_non_null(strstr(a, "transaction mode on port 6543"));
	a = classify_advice(CLASS_UNREACHABLE, LIMIT_NONE, ENDPOINT_POSTGRES);
	assert_non_null(strstr(a, "IPv6"));
	a = classify_advice(CLASS_AUTH_FAILED, LIMIT_NONE, ENDPOINT_UNKNOWN);
	assert_non_null(strstr(a, "pg_hba.conf"));
	a = classify_advice(CLASS_TIMEOUT, LIMIT_NONE, ENDPOINT_UNKNOWN);
	assert_non_null(strstr(a, "connect_timeout"));
	a = classify_advice(CLASS_DNS, LIMIT_NONE, ENDPOINT_UNKNOWN);
	assert_non_null(strstr(a, "host name"));
	/* an out-of-range class still gets a line */
	a = classify_advice(CLASS_COUNT, LIMIT_NONE, ENDPOINT_UNKNOWN);
	assert_true(strlen(a) > 0);
}

static void test_classify_endpoint_guess(void **state)
{
	(void)state;
	assert_int_equal(classify_endpoint_guess("aws-0-eu-central-1.pooler.supabase.com", "6543"),
			 ENDPOINT_SUPAVISOR_TRANSACTION);
	assert_int_equal(classify_endpoint_guess("aws-0-eu-central-1.pooler.supabase.com", "5432"),
			 ENDPOINT_SUPAVISOR_SESSION);
	assert_int_equal(classify_endpoint_guess("AWS-0-US-EAST-1.POOLER.SUPABASE.COM", NULL),
			 ENDPOINT_SUPAVISOR_SESSION);
	assert_int_equal(classify_endpoint_guess("aws-0-eu-central-1.pooler.supabase.com.", "6543"),
			 ENDPOINT_SUPAVISOR_TRANSACTION);
	assert_int_equal(classify_endpoint_guess("db.abcdefghijklmnop.supabase.co", "5432"),
			 ENDPOINT_POSTGRES);
	assert_int_equal(classify_endpoint_guess("db.supabase.co", "5432"), ENDPOINT_UNKNOWN);
	assert_int_equal(classify_endpoint_guess("pooler.supabase.com", "6543"), ENDPOINT_UNKNOWN);
	assert_int_equal(classify_endpoint_guess("bouncer.internal", "6432"), ENDPOINT_PGBOUNCER);
	assert_int_equal(classify_endpoint_guess(NULL, "6432"), ENDPOINT_PGBOUNCER);
	assert_int_equal(classify_endpoint_guess("db.example.com", "5432"), ENDPOINT_UNKNOWN);
	assert_int_equal(classify_endpoint_guess(NULL, NULL), ENDPOINT_UNKNOWN);
}

static void test_classify_endpoint_names(void **state)
{
	(void)state;
	assert_string_equal(classify_endpoint_name(ENDPOINT_UNKNOWN), "unknown");
	assert_string_equal(classify_endpoint_name(ENDPOINT_POSTGRES), "postgres");
	assert_string_equal(classify_endpoint_name(ENDPOINT_SUPAVISOR_SESSION),
			    "supavisor_session");
	assert_string_equal(classify_endpoint_name(ENDPOINT_SUPAVISOR_TRANSACTION),
			    "supavisor_transaction");
	assert_string_equal(classify_endpoint_name(ENDPOINT_PGBOUNCER), "pgbouncer");
	assert_string_equal(classify_endpoint_name((enum classify_endpoint)99), "unknown");
}

static int classify_hosted_tests(void);

/* kill -9 of the backend mid-query: the server's side ended it, TLS or not. */
static void test_classify_query_eof_is_server_side(void **state)
{
	static const char *const messages[] = {
		"SSL SYSCALL error: EOF detected\n",
		"SSL error: unexpected eof while reading\n",
		"server closed the connection unexpectedly\n\tThis probably means the server "
		"terminated abnormally\n\tbefore or while processing the request.\n",
	};
	struct classify_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++) {
		classify_error(NULL, messages[i], STAGE_QUERY, ENDPOINT_UNKNOWN, &r);
		assert_string_equal(classify_class_name(r.cls), "server_shutdown");
		assert_non_null(strstr(r.advice, "pg_terminate_backend"));
	}
	/* during the handshake an SSL error is still a TLS problem */
	classify_error(NULL, "SSL error: certificate verify failed", STAGE_CONNECT,
		       ENDPOINT_UNKNOWN, &r);
	assert_string_equal(classify_class_name(r.cls), "tls");
}

/* A hostile length field makes libpq read bytes as text: protocol, not other. */
static void test_classify_garbled_answer_is_protocol(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error(
		NULL,
		"connection to server at \"127.0.0.1\", port 5 failed: \x7f\xff\xff\xffSFATAL\n",
		STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_string_equal(classify_class_name(r.cls), "protocol");
	classify_error(NULL, "connection to server at \"127.0.0.1\", port 5 failed: \n",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_string_equal(classify_class_name(r.cls), "protocol");
	classify_error(NULL, "something new and readable", STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_string_equal(classify_class_name(r.cls), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_corpus_every_row),
		cmocka_unit_test(test_classify_corpus_in_libpq_form),
		cmocka_unit_test(test_classify_corpus_limits_only_for_max_clients),
		cmocka_unit_test(test_classify_max_clients_limits_of_corpus_rows),
		cmocka_unit_test(test_classify_supavisor_session_limit),
		cmocka_unit_test(test_classify_postgres_limits_by_sqlstate_and_text),
		cmocka_unit_test(test_classify_unseen_pooler_variants),
		cmocka_unit_test(test_classify_translated_messages_follow_sqlstate),
		cmocka_unit_test(test_classify_57p03_starting_or_shutting_down),
		cmocka_unit_test(test_classify_query_stage_errors),
		cmocka_unit_test(test_classify_unknown_sqlstate_depends_on_stage),
		cmocka_unit_test(test_classify_generic_sqlstate_falls_to_text),
		cmocka_unit_test(test_classify_client_side_texts),
		cmocka_unit_test(test_classify_extract_sqlstate_from_verbose_text),
		cmocka_unit_test(test_classify_extract_sqlstate_absent),
		cmocka_unit_test(test_classify_primary_message_forms),
		cmocka_unit_test(test_classify_primary_message_truncates),
		cmocka_unit_test(test_classify_raw_libpq_text_fills_result),
		cmocka_unit_test(test_classify_class_names_round_trip),
		cmocka_unit_test(test_classify_limit_names),
		cmocka_unit_test(test_classify_other_poolers_named),
		cmocka_unit_test(test_classify_advice_for_every_class),
		cmocka_unit_test(test_classify_advice_tailored_by_limit_and_endpoint),
		cmocka_unit_test(test_classify_endpoint_guess),
		cmocka_unit_test(test_classify_endpoint_names),
		cmocka_unit_test(test_classify_query_eof_is_server_side),
		cmocka_unit_test(test_classify_garbled_answer_is_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) | classify_hosted_tests();
}

/*
 * Advice that knows the host and the TLS step, and the server's (or
 * libpq's) DETAIL and HINT lines kept beside the one-line message.
 */
static const char *advice_for(const char *sqlstate, const char *message, const char *host,
			      const char *port, struct classify_result *r)
{
	classify_error(sqlstate, message, STAGE_CONNECT, classify_endpoint_guess(host, port), r);
	assert_true(strlen(r->advice) > 20 && strlen(r->advice) <= 160);
	return r->advice;
}

static void test_classify_hosted_endpoints_from_host_names(void **state)
{
	static const struct {
		const char *host;
		enum classify_endpoint endpoint;
	} cases[] = {
		{ "ep-cool-darkness-123456.us-east-2.aws.neon.tech", ENDPOINT_NEON },
		{ "ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech", ENDPOINT_NEON_POOLER },
		{ "mydb.c9akciq32.eu-west-1.rds.amazonaws.com", ENDPOINT_RDS },
		{ "app.cluster-c9akciq32.eu-west-1.rds.amazonaws.com", ENDPOINT_RDS },
		{ "app-proxy.proxy-c9akciq32.eu-west-1.rds.amazonaws.com", ENDPOINT_RDS_PROXY },
		{ "myserver.postgres.database.azure.com", ENDPOINT_AZURE },
		{ "a1b2c3.d4e5f6.us-central1.sql.goog", ENDPOINT_CLOUD_SQL },
		{ "db.abcdefghijklmnop.supabase.co", ENDPOINT_POSTGRES },
		{ "neon.tech.example.com", ENDPOINT_UNKNOWN },
		{ "rds.amazonaws.com.evil.example", ENDPOINT_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(classify_endpoint_guess(cases[i].host, "5432"), cases[i].endpoint);
		assert_string_not_equal(classify_endpoint_name(cases[i].endpoint), "");
	}
	/* Azure's built-in PgBouncer port is still Azure */
	assert_int_equal(classify_endpoint_guess("x.postgres.database.azure.com", "6432"),
			 ENDPOINT_AZURE);
}

static void test_classify_supabase_wrong_password(void **state)
{
	static const char msg[] = "connection to server at \"db.abcdefghijklmnop.supabase.co\" "
				  "(2a05:d014::1), port 5432 failed: FATAL:  28P01: password "
				  "authentication failed for user \"postgres\"";
	struct classify_result r;
	const char *a;

	(void)state;
	a = advice_for(NULL, msg, "db.abcdefghijklmnop.supabase.co", "5432", &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_non_null(strstr(a, "database password"));
	assert_non_null(strstr(a, "dashboard"));
	assert_null(strstr(a, "pg_hba.conf"));
	a = advice_for("XX000", "Tenant or user not found",
		       "aws-0-eu-central-1.pooler.supabase.com", "6543", &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_non_null(strstr(a, "postgres.<project-ref>"));
	assert_non_null(strstr(a, "database password"));
	/* elsewhere the generic advice stays */
	a = advice_for("28P01", "password authentication failed for user \"app\"", "db.example.com",
		       "5432", &r);
	assert_non_null(strstr(a, "pg_hba.conf"));
}

static void test_classify_hosted_pooler_on_wrong_port(void **state)
{
	struct classify_result r;
	const char *a;

	(void)state;
	a = advice_for(NULL,
		       "connection to server at \"aws-0-eu-central-1.pooler.supabase.com\" "
		       "(3.1.2.3), port 6433 failed: Connection refused",
		       "aws-0-eu-central-1.pooler.supabase.com", "6433", &r);
	assert_int_equal(r.cls, CLASS_REFUSED);
	assert_non_null(strstr(a, "5432"));
	assert_non_null(strstr(a, "6543"));
	assert_null(strstr(a, "listen_addresses"));
	a = advice_for(NULL, "timeout expired", "x.postgres.database.azure.com", "5432", &r);
	assert_int_equal(r.cls, CLASS_TIMEOUT);
	assert_non_null(strstr(a, "firewall"));
	assert_non_null(strstr(a, "6432"));
	a = advice_for(NULL, "timeout expired", "p.proxy-abc.us-east-1.rds.amazonaws.com", "5432",
		       &r);
	assert_non_null(strstr(a, "only from inside its VPC"));
	a = advice_for(NULL, "timeout expired", "db.abc.us-east-1.rds.amazonaws.com", "5432", &r);
	assert_non_null(strstr(a, "security group"));
	a = advice_for(NULL, "timeout expired", "ep-x-1.us-east-2.aws.neon.tech", "5432", &r);
	assert_non_null(strstr(a, "suspended compute"));
	a = advice_for(NULL, "Connection refused", "a.b.europe-west1.sql.goog", "5432", &r);
	assert_non_null(strstr(a, "Cloud SQL Auth Proxy"));
}

static void test_classify_hosted_limits(void **state)
{
	struct classify_result r;
	const char *a;

	(void)state;
	a = advice_for("53300", "sorry, too many clients already",
		       "db.abc.eu-west-1.rds.amazonaws.com", "5432", &r);
	assert_non_null(strstr(a, "DBInstanceClassMemory/9531392"));
	a = advice_for("53300", "sorry, too many clients already",
		       "ep-x-1-pooler.us-east-2.aws.neon.tech", "5432", &r);
	assert_non_null(strstr(a, "10,000"));
	/* a role's own limit is the role's advice, even on RDS */
	a = advice_for("53300", "too many connections for role \"app\"",
		       "db.abc.eu-west-1.rds.amazonaws.com", "5432", &r);
	assert_non_null(strstr(a, "ALTER ROLE"));
	a = advice_for("28P01", "password authentication failed for user \"app\"",
		       "db.abc.eu-west-1.rds.amazonaws.com", "5432", &r);
	assert_non_null(strstr(a, "15 minutes"));
	a = advice_for("28P01", "password authentication failed for user \"app\"",
		       "p.proxy-abc.eu-west-1.rds.amazonaws.com", "5432", &r);
	assert_non_null(strstr(a, "Secrets Manager"));
}

static void test_classify_tls_causes_and_libpq_hint(void **state)
{
	static const struct {
		const char *message, *advice, *hint;
	} cases[] = {
		{ "connection to server at \"db\" (10.0.0.5), port 5432 failed: root certificate "
		  "file "
		  "\"/home/u/.postgresql/root.crt\" does not exist\nEither provide the file or "
		  "change "
		  "sslmode to disable server certificate verification.\n",
		  "sslrootcert",
		  "Either provide the file or change sslmode to disable server "
		  "certificate verification." },
		{ "connection to server at \"db\" (10.0.0.5), port 5432 failed: server certificate "
		  "for "
		  "\"localhost\" does not match host name \"db\"\n",
		  "names another host", "" },
		{ "connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: "
		  "certificate "
		  "verify failed\n",
		  "does not verify", "" },
		{ "connection to server at \"db\" (10.0.0.5), port 6432 failed: server does not "
		  "support "
		  "SSL, but SSL was required\n",
		  "speaks no TLS", "" },
		{ "connection to server at \"db\" (10.0.0.5), port 5432 failed: could not load "
		  "private "
		  "key file \"/k\": No such file\n",
		  "sslkey", "" },
	};
	struct classify_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		advice_for(NULL, cases[i].message, "db", "5432", &r);
		assert_int_equal(r.cls, CLASS_TLS);
		assert_non_null(strstr(r.advice, cases[i].advice));
		assert_string_equal(r.hint, cases[i].hint);
		assert_null(strchr(r.message, '\n'));
	}
}

static void test_classify_server_detail_and_hint_kept(void **state)
{
	struct classify_result r;

	(void)state;
	classify_error(
		NULL,
		"connection to server at \"db\" (10.0.0.5), port 5432 failed: FATAL:  22023: "
		"invalid value for parameter \"statement_timeout\": \"1x\"\nDETAIL:  the "
		"detail\nHINT:  Valid units for this parameter are \"us\", \"ms\".\nLOCATION:  "
		"parse_and_validate_value, guc.c:7300\n",
		STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_string_equal(r.message, "invalid value for parameter \"statement_timeout\": \"1x\"");
	assert_string_equal(r.detail, "the detail");
	assert_string_equal(r.hint, "Valid units for this parameter are \"us\", \"ms\".");
	/* a server error's other lines (LOCATION, a second host) are no hint */
	classify_error(NULL,
		       "connection to server at \"a\" (10.0.0.5), port 5432 failed: FATAL:  53300: "
		       "sorry, too many clients already\nconnection to server at \"b\" (10.0.0.6), "
		       "port 5432 failed: Connection refused\n",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_string_equal(r.detail, "");
	assert_string_equal(r.hint, "");
	/* a server that requires TLS from here */
	classify_error("28000",
		       "no pg_hba.conf entry for host \"10.0.0.9\", user \"app\", database "
		       "\"app\", no encryption",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_non_null(strstr(r.advice, "sslmode=require"));
	/* libpq's own: the server wanted a password, none was at hand */
	classify_error(NULL,
		       "connection to server at \"db\" (10.0.0.5), port 5432 failed: fe_sendauth: "
		       "no password supplied\n",
		       STAGE_CONNECT, ENDPOINT_UNKNOWN, &r);
	assert_int_equal(r.cls, CLASS_AUTH_FAILED);
	assert_non_null(strstr(r.advice, "~/.pgpass"));
	assert_null(strstr(r.advice, "pg_hba.conf"));
}

static int classify_hosted_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_hosted_endpoints_from_host_names),
		cmocka_unit_test(test_classify_supabase_wrong_password),
		cmocka_unit_test(test_classify_hosted_pooler_on_wrong_port),
		cmocka_unit_test(test_classify_hosted_limits),
		cmocka_unit_test(test_classify_tls_causes_and_libpq_hint),
		cmocka_unit_test(test_classify_server_detail_and_hint_kept),
	};

	return cmocka_run_group_tests_name("classify hosted", tests, NULL, NULL);
}
