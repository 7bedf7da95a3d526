/*
 * Unit tests for dsn: every input form users paste, the environment
 * fallbacks, the display form, and that no password ever leaks into a
 * display, a name or an error message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsn.h"

static const char *const env_vars[] = {
	"DATABASE_URL", "PGHOST",    "PGHOSTADDR",	  "PGPORT",    "PGUSER",
	"PGDATABASE",	"PGSSLMODE", "PGCONNECT_TIMEOUT", "PGAPPNAME", "PGSERVICE",
};

/* Every test starts from a clean environment, whatever the shell had. */
static int clear_env(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	return 0;
}

static const char *os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());

	return pw ? pw->pw_name : NULL;
}

static const char *default_socket_dir(void)
{
	struct stat st;

	if (stat("/var/run/postgresql", &st) == 0 && S_ISDIR(st.st_mode))
		return "/var/run/postgresql";
	return "/tmp";
}

static void parse_ok(const char *input, const struct dsn_overrides *ov, struct dsn_target *t)
{
	char err[512];
	bool ok = dsn_parse(input, ov, t, err, sizeof(err));

	if (!ok)
		fail_msg("dsn_parse(%s) failed: %s", input ? input : "NULL", err);
}

static void assert_arrays_terminated(const struct dsn_target *t)
{
	int i, j;

	assert_non_null(t->keywords);
	assert_non_null(t->values);
	assert_null(t->keywords[t->nparams]);
	assert_null(t->values[t->nparams]);
	for (i = 0; i < t->nparams; i++) {
		assert_non_null(t->keywords[i]);
		assert_non_null(t->values[i]);
		assert_true(t->values[i][0] != '\0');
		for (j = i + 1; j < t->nparams; j++)
			assert_string_not_equal(t->keywords[i], t->keywords[j]);
	}
}

static void test_dsn_conninfo_is_parsed(void **state)
{
	struct dsn_target t;

	parse_ok("host=db.example.com port=6543 user=app password=secret dbname=postgres "
		 "sslmode=require",
		 NULL, &t);
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(t.port, "6543");
	assert_string_equal(t.user, "app");
	assert_string_equal(t.dbname, "postgres");
	assert_string_equal(t.sslmode, "require");
	assert_false(t.host_is_socket);
	assert_false(t.host_is_literal);
	assert_false(t.multi_host);
	assert_false(t.has_hostaddr);
	assert_true(t.connect_timeout_s == 0);
	assert_string_equal(t.name, "db.example.com:6543");
	assert_string_equal(t.display,
			    "postgresql://app:***@db.example.com:6543/postgres?sslmode=require");
	assert_int_equal(t.nparams, 7);
	assert_arrays_terminated(&t);
	assert_string_equal(dsn_get(&t, "password"), "secret");
	assert_string_equal(dsn_get(&t, "fallback_application_name"), "pgpulse");
	assert_null(dsn_get(&t, "hostaddr"));
	assert_null(dsn_get(&t, "dbname=host"));
	dsn_free(&t);
}

static void test_dsn_uri_is_parsed(void **state)
{
	struct dsn_target t;

	parse_ok("postgres://app:secret@db.example.com/"
		 "postgres?connect_timeout=10&application_name=api",
		 NULL, &t);
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(t.port, "5432");
	assert_string_equal(t.user, "app");
	assert_string_equal(t.dbname, "postgres");
	assert_null(t.sslmode);
	assert_true(t.connect_timeout_s == 10);
	assert_string_equal(t.name, "db.example.com:5432");
	/* parameters follow libpq's option order */
	assert_string_equal(t.display, "postgresql://app:***@db.example.com:5432/postgres"
				       "?connect_timeout=10&application_name=api");
	/* the target names an application: no fallback added */
	assert_null(dsn_get(&t, "fallback_application_name"));
	assert_string_equal(dsn_get(&t, "application_name"), "api");
	assert_arrays_terminated(&t);
	dsn_free(&t);
}

static void test_dsn_asyncpg_ssl_param_becomes_sslmode(void **state)
{
	static const struct {
		const char *url, *sslmode;
	} cases[] = {
		{ "postgresql+asyncpg://app@db:5432/postgres?ssl=require", "require" },
		{ "postgresql+asyncpg://app@db:5432/postgres?ssl=true&connect_timeout=3",
		  "require" },
		{ "postgresql://app@db/postgres?connect_timeout=3&ssl=false", "disable" },
		{ "postgresql://app@db/postgres?ssl=verify-full", "verify-full" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dsn_target t;

		parse_ok(cases[i].url, NULL, &t);
		assert_string_equal(dsn_get(&t, "sslmode"), cases[i].sslmode);
		dsn_free(&t);
	}
}

static void test_dsn_invalid_choice_is_a_usage_error(void **state)
{
	struct dsn_target t;
	char err[512];

	(void)state;
	assert_false(
		dsn_parse("host=db sslmode=requird password=Hunter2", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid sslmode=requird"));
	assert_non_null(strstr(err, "verify-full"));
	assert_null(strstr(err, "Hunter2"));
	assert_false(dsn_parse("postgresql://db/x?target_session_attrs=writable", NULL, &t, err,
			       sizeof(err)));
	assert_non_null(strstr(err, "target_session_attrs"));
	parse_ok("host=db sslmode=verify-ca gssencmode=disable channel_binding=prefer", NULL, &t);
	dsn_free(&t);
}

static void test_dsn_sqlalchemy_url_is_accepted(void **state)
{
	static const char *const urls[] = {
		"postgresql+psycopg2://app:s3cret@db.example.com:5432/postgres?sslmode=require",
		"postgresql+asyncpg://app:s3cret@db.example.com:5432/postgres?sslmode=require",
		"postgresql+psycopg://app:s3cret@db.example.com:5432/postgres?sslmode=require",
		"postgres+pg8000://app:s3cret@db.example.com:5432/postgres?sslmode=require",
		"PostgreSQL+Psycopg2://app:s3cret@db.example.com:5432/postgres?sslmode=require",
		"  postgresql+psycopg2://app:s3cret@db.example.com:5432/postgres?sslmode=require\n",
	};
	size_t i;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct dsn_target t;

		parse_ok(urls[i], NULL, &t);
		assert_string_equal(t.host, "db.example.com");
		assert_string_equal(t.user, "app");
		assert_string_equal(dsn_get(&t, "password"), "s3cret");
		assert_string_equal(
			t.display,
			"postgresql://app:***@db.example.com:5432/postgres?sslmode=require");
		dsn_free(&t);
	}
}

static void test_dsn_raw_at_in_password_is_accepted(void **state)
{
	struct dsn_target t;

	/* libpq alone would take host "ss@db.example.com" */
	parse_ok("postgresql+psycopg2://app:p@ss@db.example.com/postgres", NULL, &t);
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(dsn_get(&t, "password"), "p@ss");
	assert_string_equal(t.display, "postgresql://app:***@db.example.com:5432/postgres");
	dsn_free(&t);
}

static void test_dsn_password_never_in_display(void **state)
{
	static const char *const inputs[] = {
		"host=db password=hunter2 user=app",
		"host=db password='hunter2' sslpassword=hunter2",
		"postgresql://app:hunter2@db/postgres",
		"postgresql://app@db/postgres?password=hunter2",
		"postgresql+asyncpg://app:hunter2@db/postgres?sslpassword=hunter2",
		"host=/tmp user=app password=hunter2",
		"postgresql://:hunter2@db",
		/* Raw '/', '?', '#', '@' in a pasted password: userinfo ends at the last '@'. */
		"postgresql://app:p/hunter2@db/x",
		"postgresql://app:123/hunter2@db/postgres",
		"postgresql://app:a@b/c@hunter2@db/postgres",
		"postgresql+psycopg2://app:hunter2/x?y#z@db/postgres?sslmode=require",
	};
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct dsn_target t;

		parse_ok(inputs[i], NULL, &t);
		assert_null(strstr(t.display, "hunter2"));
		assert_null(strstr(t.name, "hunter2"));
		assert_non_null(strstr(t.display, ":***@"));
		if (strstr(inputs[i], "@db/"))
			assert_string_equal(t.host, "db");
		dsn_free(&t);
	}
	/* PGPASSWORD is libpq's business, not part of the target */
	setenv("PGPASSWORD", "hunter2", 1);
	{
		struct dsn_target t;

		parse_ok("host=db user=app", NULL, &t);
		assert_string_equal(t.display, "postgresql://app@db:5432/app");
		assert_null(dsn_get(&t, "password"));
		dsn_free(&t);
	}
	unsetenv("PGPASSWORD");
}

static void test_dsn_overrides_win(void **state)
{
	struct dsn_overrides ov = {
		.host = "other.example.com", .port = "6543", .user = "admin", .dbname = "app"
	};
	struct dsn_overrides partial = { .port = "6432", .host = "" };
	struct dsn_target t;

	parse_ok("postgresql://app:pw@db.example.com:5432/postgres?sslmode=require", &ov, &t);
	assert_string_equal(t.host, "other.example.com");
	assert_string_equal(t.port, "6543");
	assert_string_equal(t.user, "admin");
	assert_string_equal(t.dbname, "app");
	assert_string_equal(dsn_get(&t, "host"), "other.example.com");
	assert_string_equal(dsn_get(&t, "port"), "6543");
	assert_string_equal(dsn_get(&t, "user"), "admin");
	assert_string_equal(dsn_get(&t, "dbname"), "app");
	assert_string_equal(dsn_get(&t, "password"), "pw");
	assert_string_equal(t.display,
			    "postgresql://admin:***@other.example.com:6543/app?sslmode=require");
	assert_arrays_terminated(&t);
	dsn_free(&t);

	/* unset and empty overrides leave the target alone; env loses to them */
	setenv("PGPORT", "7777", 1);
	parse_ok("host=db.example.com", &partial, &t);
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(t.port, "6432");
	dsn_free(&t);
	unsetenv("PGPORT");
}

static void test_dsn_env_defaults_when_no_target(void **state)
{
	struct dsn_target t;

	setenv("PGHOST", "env.example.com", 1);
	setenv("PGPORT", "6432", 1);
	setenv("PGUSER", "envuser", 1);
	setenv("PGDATABASE", "envdb", 1);
	setenv("PGSSLMODE", "verify-full", 1);
	setenv("PGCONNECT_TIMEOUT", "7", 1);
	parse_ok(NULL, NULL, &t);
	assert_string_equal(t.host, "env.example.com");
	assert_string_equal(t.port, "6432");
	assert_string_equal(t.user, "envuser");
	assert_string_equal(t.dbname, "envdb");
	assert_string_equal(t.sslmode, "verify-full");
	assert_true(t.connect_timeout_s == 7);
	assert_string_equal(t.name, "env.example.com:6432");
	assert_string_equal(t.display, "postgresql://envuser@env.example.com:6432/envdb");
	/* libpq reads the environment itself: only our fallback name is passed */
	assert_int_equal(t.nparams, 1);
	assert_string_equal(t.keywords[0], "fallback_application_name");
	assert_arrays_terminated(&t);
	dsn_free(&t);

	/* the target wins over the environment */
	parse_ok("host=db user=app", NULL, &t);
	assert_string_equal(t.host, "db");
	assert_string_equal(t.port, "6432");
	assert_string_equal(t.user, "app");
	assert_string_equal(t.dbname, "envdb");
	dsn_free(&t);
}

static void test_dsn_builtin_defaults_without_env(void **state)
{
	struct dsn_target t;

	parse_ok(NULL, NULL, &t);
	assert_string_equal(t.host, default_socket_dir());
	assert_true(t.host_is_socket);
	assert_false(t.host_is_literal);
	assert_string_equal(t.port, "5432");
	if (os_user() != NULL) {
		assert_string_equal(t.user, os_user());
		assert_string_equal(t.dbname, os_user());
	}
	assert_null(t.sslmode);
	assert_true(t.connect_timeout_s == 0);
	assert_int_equal(t.nparams, 1);
	dsn_free(&t);

	/* an empty target is the same as none */
	parse_ok("", NULL, &t);
	assert_string_equal(t.host, default_socket_dir());
	dsn_free(&t);
}

static void test_dsn_database_url_used_when_no_target(void **state)
{
	struct dsn_target t;

	setenv("PGHOST", "ignored.example.com", 1);
	setenv("DATABASE_URL", "postgresql+psycopg2://app:pw@url.example.com:6543/postgres", 1);
	parse_ok(NULL, NULL, &t);
	assert_string_equal(t.host, "url.example.com");
	assert_string_equal(t.port, "6543");
	assert_string_equal(t.user, "app");
	assert_string_equal(t.display, "postgresql://app:***@url.example.com:6543/postgres");
	dsn_free(&t);

	/* an explicit target beats $DATABASE_URL */
	parse_ok("host=explicit.example.com", NULL, &t);
	assert_string_equal(t.host, "explicit.example.com");
	dsn_free(&t);

	/* an empty $DATABASE_URL falls through to libpq's environment */
	setenv("DATABASE_URL", "", 1);
	parse_ok(NULL, NULL, &t);
	assert_string_equal(t.host, "ignored.example.com");
	dsn_free(&t);
}

static void test_dsn_ipv6_literal(void **state)
{
	struct dsn_target t;

	parse_ok("postgresql://app@[::1]:5433/db", NULL, &t);
	assert_string_equal(t.host, "::1");
	assert_true(t.host_is_literal);
	assert_false(t.host_is_socket);
	assert_string_equal(t.name, "[::1]:5433");
	assert_string_equal(t.display, "postgresql://app@[::1]:5433/db");
	dsn_free(&t);

	/* conninfo with brackets: stripped, as getaddrinfo would not take them */
	parse_ok("host=[2001:db8::5] user=app dbname=db", NULL, &t);
	assert_string_equal(t.host, "2001:db8::5");
	assert_string_equal(dsn_get(&t, "host"), "2001:db8::5");
	assert_true(t.host_is_literal);
	assert_string_equal(t.display, "postgresql://app@[2001:db8::5]:5432/db");
	dsn_free(&t);

	parse_ok("host=::1 user=app", NULL, &t);
	assert_true(t.host_is_literal);
	assert_string_equal(t.name, "[::1]:5432");
	dsn_free(&t);
}

static void test_dsn_ipv4_literal_and_hostname(void **state)
{
	struct dsn_target t;

	parse_ok("host=127.0.0.1 user=app", NULL, &t);
	assert_true(t.host_is_literal);
	assert_string_equal(t.name, "127.0.0.1:5432");
	dsn_free(&t);

	parse_ok("host=localhost user=app", NULL, &t);
	assert_false(t.host_is_literal);
	assert_false(t.host_is_socket);
	dsn_free(&t);

	/* not quite an address: must be resolved */
	parse_ok("host=127.0.0.256 user=app", NULL, &t);
	assert_false(t.host_is_literal);
	dsn_free(&t);
}

static void test_dsn_unix_socket(void **state)
{
	struct dsn_target t;

	parse_ok("host=/tmp port=6432 user=app dbname=pgbouncer", NULL, &t);
	assert_true(t.host_is_socket);
	assert_false(t.host_is_literal);
	assert_string_equal(t.host, "/tmp");
	assert_string_equal(t.name, "socket:/tmp:6432");
	assert_string_equal(t.display, "postgresql://app@/pgbouncer?host=%2Ftmp&port=6432");
	dsn_free(&t);

	parse_ok("postgresql:///postgres?host=/var/run/postgresql&user=app", NULL, &t);
	assert_true(t.host_is_socket);
	assert_string_equal(t.name, "socket:/var/run/postgresql");
	assert_string_equal(t.display,
			    "postgresql://app@/postgres?host=%2Fvar%2Frun%2Fpostgresql&port=5432");
	dsn_free(&t);

	/* abstract namespace sockets start with '@' */
	parse_ok("host=@pgsock user=app", NULL, &t);
	assert_true(t.host_is_socket);
	assert_string_equal(t.display, "postgresql://app@/app?host=%40pgsock&port=5432");
	dsn_free(&t);
}

static void test_dsn_multi_host(void **state)
{
	struct dsn_target t;

	parse_ok("postgresql://app@h1.example.com:5432,h2.example.com:5433/"
		 "db?target_session_attrs=read-write",
		 NULL, &t);
	assert_true(t.multi_host);
	assert_string_equal(t.host, "h1.example.com");
	assert_string_equal(t.port, "5432");
	assert_string_equal(t.name, "h1.example.com:5432 +1");
	assert_string_equal(t.display, "postgresql://app@h1.example.com:5432,h2.example.com:5433/db"
				       "?target_session_attrs=read-write");
	dsn_free(&t);

	/* one port for every host */
	parse_ok("host=a,b,c port=6543 user=app", NULL, &t);
	assert_true(t.multi_host);
	assert_string_equal(t.display, "postgresql://app@a:6543,b:6543,c:6543/app");
	assert_string_equal(t.name, "a:6543 +2");
	dsn_free(&t);
}

static void test_dsn_hostaddr_is_kept(void **state)
{
	struct dsn_target t;

	parse_ok("host=db.example.com hostaddr=192.0.2.10 user=app", NULL, &t);
	assert_true(t.has_hostaddr);
	assert_string_equal(dsn_get(&t, "hostaddr"), "192.0.2.10");
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(t.display,
			    "postgresql://app@db.example.com:5432/app?hostaddr=192.0.2.10");
	dsn_free(&t);

	/* hostaddr alone: libpq connects over TCP to it */
	parse_ok("hostaddr=192.0.2.10 user=app", NULL, &t);
	assert_true(t.has_hostaddr);
	assert_string_equal(t.host, "192.0.2.10");
	assert_true(t.host_is_literal);
	assert_false(t.host_is_socket);
	dsn_free(&t);

	parse_ok("host=db user=app", NULL, &t);
	assert_false(t.has_hostaddr);
	dsn_free(&t);
}

static void test_dsn_connect_timeout(void **state)
{
	static const struct {
		const char *input;
		double want;
	} cases[] = {
		{ "host=db connect_timeout=10", 10 },
		{ "host=db connect_timeout=1", 1 },
		{ "host=db connect_timeout=0", 0 },
		{ "host=db connect_timeout=abc", 0 },
		{ "host=db connect_timeout=-3", 0 },
		{ "postgresql://db/x?connect_timeout=5", 5 },
		{ "host=db", 0 },
	};
	size_t i;
	struct dsn_target t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_ok(cases[i].input, NULL, &t);
		assert_true(t.connect_timeout_s == cases[i].want);
		dsn_free(&t);
	}
	setenv("PGCONNECT_TIMEOUT", "12", 1);
	parse_ok("host=db", NULL, &t);
	assert_true(t.connect_timeout_s == 12);
	dsn_free(&t);
	parse_ok("host=db connect_timeout=3", NULL, &t);
	assert_true(t.connect_timeout_s == 3);
	dsn_free(&t);
}

static void test_dsn_display_parses_back(void **state)
{
	static const char *const inputs[] = {
		"host=db.example.com port=6543 user=app password=x dbname=postgres sslmode=require",
		"host=/var/run/postgresql user=app dbname='my db'",
		"postgresql://app@[::1]:5433/db",
		"host=a,b port=1,2 user=u@corp dbname=d&x options='-c statement_timeout=5s'",
	};
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct dsn_target t;
		PQconninfoOption *opts, *o;
		char *err = NULL;

		parse_ok(inputs[i], NULL, &t);
		opts = PQconninfoParse(t.display, &err);
		if (opts == NULL)
			fail_msg("display %s does not parse: %s", t.display, err);
		for (o = opts; o->keyword; o++) {
			const char *want = dsn_get(&t, o->keyword);

			if (strcmp(o->keyword, "password") == 0 && want != NULL)
				assert_string_equal(o->val, "***");
			else if (want != NULL &&
				 strcmp(o->keyword, "fallback_application_name") != 0)
				assert_string_equal(o->val, want);
		}
		PQconninfoFree(opts);
		dsn_free(&t);
	}
}

static void test_dsn_parse_error_hides_password(void **state)
{
	static const struct {
		const char *input;
		const char *secret;
	} cases[] = {
		{ "host=db password=hunter2 bogus", "hunter2" },
		{ "password=sec ret host=db", "ret" },
		{ "password=sec ret host=db", "sec" },
		{ "postgresql://app:hunter2@[::1", "hunter2" },
		{ "postgresql://app:hun@ter2@[::1", "ter2" },
		{ "postgresql://app:hunter2%zz@db/x", "hunter2" },
		{ "postgresql://app:hunter2@db/x?sslmdoe=require", "hunter2" },
		{ "postgresql://app@db/x?password=hunter2&bad", "hunter2" },
		{ "jdbc:mysql://app:hunter2@db/x", "hunter2" },
		{ "mysql://app:hunter2@db/x", "hunter2" },
		{ "host='db password=hunter2", "hunter2" },
		{ "host=db password='hunter2", "hunter2" },
		{ "host=db port=hunter2 password=hunter2", "hunter2" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dsn_target t;
		char err[512];

		if (dsn_parse(cases[i].input, NULL, &t, err, sizeof(err)))
			fail_msg("%s parsed, expected an error", cases[i].input);
		if (strstr(err, cases[i].secret) != NULL)
			fail_msg("error for %s shows %s: %s", cases[i].input, cases[i].secret, err);
		assert_non_null(strstr(err, "cannot parse target: "));
		assert_null(t.keywords);
		assert_null(t.display);
		dsn_free(&t);
	}
}

static void test_dsn_parse_error_is_helpful(void **state)
{
	struct dsn_target t;
	char err[512];

	assert_false(dsn_parse("host=db bogus", NULL, &t, err, sizeof(err)));
	assert_string_equal(
		err, "cannot parse target: missing \"=\" after \"bogus\" in connection info "
		     "string; expected a conninfo string like 'host=db port=5432 dbname=app' "
		     "or a URI like 'postgresql://user@host:5432/db'");
	assert_false(dsn_parse("mysql://u:pw@db/x", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "unsupported URI scheme \"mysql\""));
	assert_false(dsn_parse("host=db port=54x32", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid port \"54x32\""));
	/* a typo next to a password: the key is no secret */
	assert_false(
		dsn_parse("postgresql://app:pw@db/x?sslmdoe=require", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown parameter \"sslmdoe\" (did you mean sslmode?)"));
	assert_false(dsn_parse("host=db nosuchoption=1", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "invalid connection option \"nosuchoption\""));
	/* a tiny buffer is truncated, not overrun */
	assert_false(dsn_parse("host=db bogus", NULL, &t, err, 8));
	assert_string_equal(err, "cannot ");
	assert_false(dsn_parse("host=db bogus", NULL, &t, NULL, 0));
}

static void test_dsn_params_with_replaces_and_appends(void **state)
{
	static const char *const kw[] = { "hostaddr", "host", "connect_timeout", NULL };
	static const char *const val[] = { "192.0.2.7", "db.example.com", NULL, NULL };
	const char **okw, **oval;
	struct dsn_target t;
	int n, i, hosts = 0;

	parse_ok("host=db.example.com port=5432 user=app connect_timeout=5", NULL, &t);
	n = dsn_params_with(&t, kw, val, &okw, &oval);
	/* host port user connect_timeout fallback, minus connect_timeout, plus hostaddr */
	assert_int_equal(n, 5);
	assert_null(okw[n]);
	assert_null(oval[n]);
	for (i = 0; i < n; i++) {
		assert_string_not_equal(okw[i], "connect_timeout");
		if (strcmp(okw[i], "host") == 0)
			hosts++;
		if (strcmp(okw[i], "hostaddr") == 0)
			assert_string_equal(oval[i], "192.0.2.7");
	}
	assert_int_equal(hosts, 1);
	free(okw);
	free(oval);

	/* no extras: a plain copy */
	n = dsn_params_with(&t, NULL, NULL, &okw, &oval);
	assert_int_equal(n, t.nparams);
	for (i = 0; i < n; i++)
		assert_ptr_equal(okw[i], t.keywords[i]);
	free(okw);
	free(oval);
	dsn_free(&t);
}

/*
 * Pins the libpq behaviour dsn.h documents: a repeated keyword keeps its
 * last non-empty value. The hosts are missing socket dirs: nothing connects.
 */
static void test_dsn_libpq_later_duplicate_keyword_wins(void **state)
{
	static const char *const kw[] = { "host", "port", "host", "port", NULL };
	static const char *const val[] = { "/nonexistent-pgpulse-a", "1111",
					   "/nonexistent-pgpulse-b", "2222", NULL };
	static const char *const kw2[] = { "host", "host", NULL };
	static const char *const val2[] = { "/nonexistent-pgpulse-a", "", NULL };
	PGconn *conn;

	conn = PQconnectStartParams(kw, val, 0);
	assert_non_null(conn);
	assert_string_equal(PQhost(conn), "/nonexistent-pgpulse-b");
	assert_string_equal(PQport(conn), "2222");
	PQfinish(conn);
	conn = PQconnectStartParams(kw2, val2, 0);
	assert_string_equal(PQhost(conn), "/nonexistent-pgpulse-a");
	PQfinish(conn);
}

static void test_dsn_mask_password_table(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "host=h password=secret dbname=d", "host=h password=*** dbname=d" },
		{ "password=secret", "password=***" },
		{ "password='a b' host=h", "password='***' host=h" },
		{ "password='it\\'s' host=h", "password='***' host=h" },
		{ "password='back\\\\' host=h", "password='***' host=h" },
		{ "password=a\\ b host=h", "password=*** host=h" },
		{ "password = spaced host=h", "password = *** host=h" },
		{ "PASSWORD=x host=h", "PASSWORD=*** host=h" },
		{ "sslpassword=keypass host=h", "sslpassword=*** host=h" },
		{ "password='unterminated host=h", "password='***" },
		{ "host=h password", "host=h ***" },
		{ "host=h passwordx=1", "host=h passwordx=1" },
		{ "dbname='postgresql://u:pw@h/db'", "dbname='postgresql://u:***@h/db'" },
		{ "postgresql://u:secret@h:5432/db", "postgresql://u:***@h:5432/db" },
		{ "postgresql://u@h/db", "postgresql://u@h/db" },
		{ "postgresql://h:5432/db", "postgresql://h:5432/db" },
		{ "postgres://u:p@ss@h/db", "postgres://u:***@h/db" },
		{ "postgres://u:p@s@s@h/db", "postgres://u:***@h/db" },
		{ "postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db" },
		/* a value that reads "password=" is masked whole (found by fuzz_shell) */
		{ "yz= password=secret98", "yz= ***" },
		{ "a;b=h password=x://k1", "***" },
		{ "chql://\n\npassword=secret", "chql://\n\npassword=***" },
		{ "postgresql://u:pa ss@h/db password=x", "postgresql://u:***" },
		{ "jdbc:postgresql://u:pw@h/db password=k",
		  "jdbc:postgresql://u:***@h/db password=***" },
		{ "x#y://a k postgresql://u:pw@h/db", "***" },
		/* only a scheme makes a token a URI: here a later "://" hid a password */
		{ "host=h ;password=pw@s//esql://&x k", "host=h ***" },
		{ "jdbc:pg://u:pw@h password=z", "jdbc:pg://u:***@h password=***" },
		/* a userinfo running past a space to a later '@' took "?password=" in */
		{ "postgresql://u&x?password=pw9 'h=x/&y@z", "postgresql://u&x?password=*** ***" },
		{ "h='x postgresql://u:pw@h/db'", "h='***'" },
		{ "dbname='x password=y' host=h", "dbname='***' host=h" },
		/* a JDBC URL is masked as the URI dsn_parse reads after "jdbc:" (fuzz_dsn) */
		{ "jdbc:postgresql://\t\ttgresql://\tu=xpw@h/d",
		  "jdbc:postgresql://\t\ttgresql:***@h/d" },
		{ "JDBC:postgresql://u:pw@h/d?x=1", "JDBC:postgresql://u:***@h/d?x=1" },
		/* '&key=' or '?key=' in a password does not start a query */
		{ "postgresql://postgres:Sekr&x=3tPW@127.0.0.1:5432/postgres",
		  "postgresql://postgres:***@127.0.0.1:5432/postgres" },
		{ "postgresql://postgres:Sekr?x=3tPW@127.0.0.1:5432/postgres",
		  "postgresql://postgres:***@127.0.0.1:5432/postgres" },
		{ "postgresql://u:a?b=c&d=e@h/db?application_name=x@y",
		  "postgresql://u:***@h/db?application_name=x@y" },
		{ "postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:p:w@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://u:@h/db", "postgresql://u:***@h/db" },
		{ "postgresql://:pw@h", "postgresql://:***@h" },
		{ "postgresql+psycopg2://u:pw@h/db", "postgresql+psycopg2://u:***@h/db" },
		{ "postgresql+asyncpg://u:pw@h/db?ssl=require",
		  "postgresql+asyncpg://u:***@h/db?ssl=require" },
		{ "postgres+pg8000://u:pw@h/db", "postgres+pg8000://u:***@h/db" },
		{ "postgresql://u:pw@h/db?application_name=me@x",
		  "postgresql://u:***@h/db?application_name=me@x" },
		{ "postgresql://h:5432/db?application_name=a@b",
		  "postgresql://h:5432/db?application_name=a@b" },
		{ "postgresql://u@h/db?password=pw&sslmode=require",
		  "postgresql://u@h/db?password=***&sslmode=require" },
		{ "postgresql://u@h/db?sslmode=require&password=pw",
		  "postgresql://u@h/db?sslmode=require&password=***" },
		{ "postgresql://u@h/db?pass%77ord=pw", "postgresql://u@h/db?pass%77ord=***" },
		{ "postgresql://u:a@h/db?sslpassword=k",
		  "postgresql://u:***@h/db?sslpassword=***" },
		{ "  postgresql://u:pw@h/db", "  postgresql://u:***@h/db" },
		{ "jdbc:postgresql://u:pw@h/db", "jdbc:postgresql://u:***@h/db" },
		{ "mysql://u:pw@h/db", "mysql://u:***@h/db" },
		{ "postgresql://", "postgresql://" },
		{ "", "" },
		{ "host=db", "host=db" },
		/* a shell-quoted pair is no conninfo key: unsure, so all of it */
		{ "host=h 'password=secret'", "host=h ***" },
		{ "'password=secret'", "***" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = dsn_mask_password(cases[i].in);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("mask(%s) = %s, want %s", cases[i].in, got, cases[i].want);
		free(got);
	}
}

static void test_dsn_mask_password_survives_garbage(void **state)
{
	static const char *const junk[] = {
		"'",
		"\\",
		"=",
		"==",
		"password=",
		"password='",
		"password='\\",
		"password=\\",
		"://",
		"://@",
		"a://:@",
		"postgresql://@@@",
		"?&=",
		"postgresql://u:p@h/db?",
		"postgresql://u:p@h/db?&&=&password",
		"postgresql://u:p@h/db?password=",
		"host= password= dbname=",
	};
	char buf[24];
	unsigned seed = 12345;
	size_t i, j;
	char *got;

	got = dsn_mask_password(NULL);
	assert_string_equal(got, "");
	free(got);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		free(dsn_mask_password(junk[i]));
	/* random strings over the characters the scanner cares about */
	for (i = 0; i < 20000; i++) {
		static const char alphabet[] = "pw:@/?&='\\ %+ax";

		for (j = 0; j < sizeof(buf) - 1; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		buf[(seed >> 8) % sizeof(buf)] = '\0';
		buf[sizeof(buf) - 1] = '\0';
		free(dsn_mask_password(buf));
	}
}

static void test_dsn_strip_driver_table(void **state)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "postgresql+psycopg2://u@h/db", "postgresql://u@h/db" },
		{ "postgresql+asyncpg://u@h/db", "postgresql://u@h/db" },
		{ "postgres+pg8000://u@h/db", "postgres://u@h/db" },
		{ "POSTGRESQL://u@h/db", "postgresql://u@h/db" },
		{ "postgresql://u@h/db", "postgresql://u@h/db" },
		{ "postgresqlx://u@h/db", "postgresqlx://u@h/db" },
		{ "mysql+pymysql://u@h/db", "mysql+pymysql://u@h/db" },
		{ "host=h dbname=postgresql+x://", "host=h dbname=postgresql+x://" },
		{ "", "" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = dsn_strip_driver(cases[i].in);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
	got = dsn_strip_driver(NULL);
	assert_string_equal(got, "");
	free(got);
}

static void test_dsn_free_twice_is_safe(void **state)
{
	struct dsn_target t;

	parse_ok("host=db", NULL, &t);
	dsn_free(&t);
	dsn_free(&t);
	dsn_free(NULL);
	assert_null(t.keywords);
	assert_int_equal(t.nparams, 0);
}

/* A password holding "&key=" or "?key=" is the password, not a query. */
static void test_dsn_query_shaped_password_is_userinfo(void **state)
{
	static const char *const inputs[] = {
		"postgresql://postgres:Sekr&x=3tPW@127.0.0.1:5432/postgres",
		"postgresql://postgres:Sekr?x=3tPW@127.0.0.1:5432/postgres",
	};

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct dsn_target t;

		parse_ok(inputs[i], NULL, &t);
		assert_string_equal(t.host, "127.0.0.1");
		assert_string_equal(dsn_get(&t, "user"), "postgres");
		assert_string_equal(dsn_get(&t, "password"),
				    inputs[i] == inputs[0] ? "Sekr&x=3tPW" : "Sekr?x=3tPW");
		assert_null(strstr(t.display, "3tPW"));
		dsn_free(&t);
	}
}

/*
 * libpq's message is scrubbed in time linear in it: a secret "*" once made
 * each "***" put in match again (20 s and 2 GB for this input).
 */
static void test_dsn_scrub_is_linear(void **state)
{
	char input[4096], err[512];
	struct dsn_target t;
	size_t n = 0;

	for (int i = 0; i < 30; i++)
		n += (size_t)snprintf(input + n, sizeof(input) - n, "password=* sslpassword=** ");
	snprintf(input + n, sizeof(input) - n, "x**************************************");
	alarm(10);
	assert_false(dsn_parse("password=* sslpassword=* x**********", NULL, &t, err, sizeof(err)));
	assert_non_null(strstr(err, "missing"));
	assert_false(dsn_parse(input, NULL, &t, err, sizeof(err)));
	assert_null(strstr(err, "x*"));
	alarm(0);
}

/* argv cannot grow: a password shorter than "***" is blanked all the same. */
static void test_dsn_blank_in_place_any_length(void **state)
{
	static const char *const inputs[] = {
		"host=h password=ab dbname=d",
		"password=a",
		"postgresql://u:p@h/db",
		"postgresql://u:x@h/db?password=y",
		"host=h password=longer-secret",
		"postgresql://postgres:Sekr&x=3tPW@127.0.0.1:5432/postgres",
	};
	static const char *const secrets[] = { "ab", "=a", ":p@", "=y", "longer-secret", "3tPW" };

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char *arg = strdup(inputs[i]);
		char *masked = dsn_mask_password(arg);

		dsn_blank_in_place(arg, masked);
		if (strstr(arg, secrets[i]) != NULL)
			fail_msg("blank(%s) = %s still shows %s", inputs[i], arg, secrets[i]);
		free(masked);
		free(arg);
	}
}

#define DSN_TEST(f) cmocka_unit_test_setup(f, clear_env)

static int dsn_driver_url_tests(void);

int main(void)
{
	const struct CMUnitTest tests[] = {
		DSN_TEST(test_dsn_conninfo_is_parsed),
		DSN_TEST(test_dsn_uri_is_parsed),
		DSN_TEST(test_dsn_sqlalchemy_url_is_accepted),
		DSN_TEST(test_dsn_asyncpg_ssl_param_becomes_sslmode),
		DSN_TEST(test_dsn_invalid_choice_is_a_usage_error),
		DSN_TEST(test_dsn_raw_at_in_password_is_accepted),
		DSN_TEST(test_dsn_password_never_in_display),
		DSN_TEST(test_dsn_overrides_win),
		DSN_TEST(test_dsn_env_defaults_when_no_target),
		DSN_TEST(test_dsn_builtin_defaults_without_env),
		DSN_TEST(test_dsn_database_url_used_when_no_target),
		DSN_TEST(test_dsn_ipv6_literal),
		DSN_TEST(test_dsn_ipv4_literal_and_hostname),
		DSN_TEST(test_dsn_unix_socket),
		DSN_TEST(test_dsn_multi_host),
		DSN_TEST(test_dsn_hostaddr_is_kept),
		DSN_TEST(test_dsn_connect_timeout),
		DSN_TEST(test_dsn_display_parses_back),
		DSN_TEST(test_dsn_parse_error_hides_password),
		DSN_TEST(test_dsn_parse_error_is_helpful),
		DSN_TEST(test_dsn_params_with_replaces_and_appends),
		DSN_TEST(test_dsn_libpq_later_duplicate_keyword_wins),
		DSN_TEST(test_dsn_mask_password_table),
		DSN_TEST(test_dsn_mask_password_survives_garbage),
		DSN_TEST(test_dsn_strip_driver_table),
		DSN_TEST(test_dsn_free_twice_is_safe),
		DSN_TEST(test_dsn_query_shaped_password_is_userinfo),
		DSN_TEST(test_dsn_scrub_is_linear),
		DSN_TEST(test_dsn_blank_in_place_any_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL) | dsn_driver_url_tests();
}

/*
 * Driver URLs as pasted from each driver's documentation: libpq's own
 * parameters are kept, the driver's are dropped with one note naming them,
 * a typo of a libpq keyword stays an error.
 */
static void assert_dropped(const struct dsn_target *t, const char *const *names)
{
	assert_non_null(t->note);
	for (; *names; names++) {
		assert_non_null(strstr(t->note, *names));
		assert_null(dsn_get(t, *names));
		assert_null(strstr(t->display, *names));
	}
}

static void test_dsn_prisma_supabase_pooler_params_are_dropped(void **state)
{
	static const char *const dropped[] = { "pgbouncer", "connection_limit", NULL };
	struct dsn_target t;

	parse_ok("postgresql://postgres.abcdefghijklmnop:hunter2@aws-0-eu-central-1.pooler.supabase"
		 ".com:6543/postgres?pgbouncer=true&connection_limit=1",
		 NULL, &t);
	assert_dropped(&t, dropped);
	assert_non_null(strstr(t.note, "Prisma"));
	assert_null(strstr(t.note, "hunter2"));
	assert_string_equal(t.port, "6543");
	assert_string_equal(t.user, "postgres.abcdefghijklmnop");
	assert_string_equal(dsn_get(&t, "password"), "hunter2");
	dsn_free(&t);
}

static void test_dsn_asyncpg_cache_params_are_dropped(void **state)
{
	static const char *const sqlalchemy[] = { "prepared_statement_cache_size", NULL };
	static const char *const asyncpg[] = { "statement_cache_size", NULL };
	struct dsn_target t;

	parse_ok("postgresql+asyncpg://app:pw@db.example.com/app?prepared_statement_cache_size=0",
		 NULL, &t);
	assert_dropped(&t, sqlalchemy);
	dsn_free(&t);
	parse_ok("postgresql://app@db.example.com/app?statement_cache_size=0&ssl=require", NULL,
		 &t);
	assert_dropped(&t, asyncpg);
	assert_string_equal(t.sslmode, "require");
	dsn_free(&t);
}

static void test_dsn_psycopg_url_has_no_note(void **state)
{
	struct dsn_target t;

	parse_ok("postgresql+psycopg2://app:pw@db/app?sslmode=require&application_name=web"
		 "&connect_timeout=5",
		 NULL, &t);
	assert_null(t.note);
	assert_string_equal(t.sslmode, "require");
	assert_string_equal(dsn_get(&t, "application_name"), "web");
	dsn_free(&t);
	parse_ok("postgresql+psycopg://app@db/app", NULL, &t);
	assert_null(t.note);
	dsn_free(&t);
}

static void test_dsn_pg8000_timeout_is_dropped(void **state)
{
	static const char *const dropped[] = { "timeout", "tcp_keepalive", NULL };
	struct dsn_target t;

	parse_ok("postgresql+pg8000://app:pw@db/app?timeout=10&tcp_keepalive=true", NULL, &t);
	assert_dropped(&t, dropped);
	assert_null(dsn_get(&t, "connect_timeout"));
	dsn_free(&t);
}

static void test_dsn_node_postgres_ssl_true(void **state)
{
	static const char *const dropped[] = { "uselibpqcompat", NULL };
	struct dsn_target t;

	parse_ok("postgres://app:pw@db:5432/app?ssl=true&uselibpqcompat=true", NULL, &t);
	assert_dropped(&t, dropped);
	assert_string_equal(t.sslmode, "require");
	dsn_free(&t);
}

static void test_dsn_jdbc_url_with_user_and_password_params(void **state)
{
	static const char *const dropped[] = { "ApplicationName", "prepareThreshold", NULL };
	struct dsn_target t;
	char err[512];

	parse_ok("jdbc:postgresql://db.example.com:5433/app?user=bob&password=s3cr%40t&ssl=true"
		 "&ApplicationName=billing&prepareThreshold=0",
		 NULL, &t);
	assert_dropped(&t, dropped);
	assert_non_null(strstr(t.note, "JDBC"));
	assert_string_equal(t.host, "db.example.com");
	assert_string_equal(t.port, "5433");
	assert_string_equal(t.user, "bob");
	assert_string_equal(t.dbname, "app");
	assert_string_equal(dsn_get(&t, "password"), "s3cr@t");
	assert_string_equal(t.sslmode, "require");
	assert_non_null(strstr(t.display, "bob:***@db.example.com:5433/app"));
	assert_null(strstr(t.display, "s3cr"));
	assert_null(strstr(t.note, "s3cr"));
	dsn_free(&t);
	/* any case of the prefix; a typo in it still errs without the password */
	parse_ok("JDBC:postgresql://db/app?user=bob", NULL, &t);
	assert_string_equal(t.user, "bob");
	dsn_free(&t);
	assert_false(dsn_parse("jdbc:postgresql://db/app?user=bob&password=s3cret&sslmdoe=require",
			       NULL, &t, err, sizeof(err)));
	assert_null(strstr(err, "s3cret"));
	assert_non_null(strstr(err, "sslmode"));
}

static void test_dsn_pgx_pool_params_are_dropped(void **state)
{
	static const char *const dropped[] = { "pool_max_conns", "pool_max_conn_lifetime",
					       "search_path", NULL };
	struct dsn_target t;

	parse_ok("postgres://app:pw@db:5432/app?sslmode=verify-full&pool_max_conns=10"
		 "&pool_max_conn_lifetime=1h&search_path=app",
		 NULL, &t);
	assert_dropped(&t, dropped);
	assert_non_null(strstr(t.note, "pgx"));
	assert_string_equal(t.sslmode, "verify-full");
	dsn_free(&t);
}

static void test_dsn_rails_database_url_params_are_dropped(void **state)
{
	static const char *const dropped[] = { "pool", "prepared_statements", "encoding", NULL };
	struct dsn_target t;

	parse_ok("postgres://app:pw@db/app_production?pool=5&prepared_statements=false"
		 "&encoding=unicode",
		 NULL, &t);
	assert_dropped(&t, dropped);
	assert_non_null(strstr(t.note, "Rails"));
	assert_string_equal(t.dbname, "app_production");
	dsn_free(&t);
}

/* One note for all of them, naming each; libpq's own parameters stay. */
static void test_dsn_one_note_for_several_drivers(void **state)
{
	struct dsn_target t;

	parse_ok("postgresql://u@h/db?pgbouncer=true&sslmode=require&statement_cache_size=0"
		 "&frobnicate=1",
		 NULL, &t);
	assert_string_equal(t.note, "ignored driver parameters libpq does not use: pgbouncer "
				    "(Prisma), statement_cache_size (asyncpg/Prisma), frobnicate "
				    "(unknown to libpq)");
	assert_string_equal(t.sslmode, "require");
	assert_null(strchr(strchr(t.display, '?'), '&'));
	dsn_free(&t);
}

static void test_dsn_typo_of_libpq_keyword_is_an_error(void **state)
{
	static const struct {
		const char *url, *suggestion;
	} cases[] = {
		{ "postgresql://u:hunter2@h/db?sslmdoe=require", "did you mean sslmode?" },
		{ "postgres://u:hunter2@h/db?connect_timout=5", "did you mean connect_timeout?" },
		{ "postgresql+asyncpg://u:hunter2@h/db?aplication_name=x",
		  "did you mean application_name?" },
	};
	struct dsn_target t;
	char err[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_false(dsn_parse(cases[i].url, NULL, &t, err, sizeof(err)));
		assert_non_null(strstr(err, cases[i].suggestion));
		assert_null(strstr(err, "hunter2"));
		assert_null(t.note);
	}
}

/* A raw '?' in the password is userinfo, not the start of the query. */
static void test_dsn_driver_params_after_raw_question_mark_password(void **state)
{
	struct dsn_target t;

	parse_ok("postgresql://u:p?w@h/db?pgbouncer=true", NULL, &t);
	assert_string_equal(dsn_get(&t, "password"), "p?w");
	assert_non_null(t.note);
	assert_null(strstr(t.note, "p?w"));
	dsn_free(&t);
	parse_ok("postgresql://u@h/db", NULL, &t);
	assert_null(t.note);
	dsn_free(&t);
}

static int dsn_driver_url_tests(void)
{
	const struct CMUnitTest tests[] = {
		DSN_TEST(test_dsn_prisma_supabase_pooler_params_are_dropped),
		DSN_TEST(test_dsn_asyncpg_cache_params_are_dropped),
		DSN_TEST(test_dsn_psycopg_url_has_no_note),
		DSN_TEST(test_dsn_pg8000_timeout_is_dropped),
		DSN_TEST(test_dsn_node_postgres_ssl_true),
		DSN_TEST(test_dsn_jdbc_url_with_user_and_password_params),
		DSN_TEST(test_dsn_pgx_pool_params_are_dropped),
		DSN_TEST(test_dsn_rails_database_url_params_are_dropped),
		DSN_TEST(test_dsn_one_note_for_several_drivers),
		DSN_TEST(test_dsn_typo_of_libpq_keyword_is_an_error),
		DSN_TEST(test_dsn_driver_params_after_raw_question_mark_password),
	};

	return cmocka_run_group_tests_name("dsn driver URLs", tests, NULL, NULL);
}
