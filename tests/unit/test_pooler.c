/*
 * Unit tests for pooler: PgBouncer's SHOW results (as 1.18 and newer
 * versions print them, and as a hostile server might) parsed by column
 * name, the client -> server -> backend join, holders, the culprit, the
 * queued-probe verdict, Supavisor's limits and the JSON object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pooler.h"
#include "util.h"

/* A table from a column list "a,b,c" and rows given as NULL-terminated cells. */
struct table_buf {
	const char *names[32];
	const char *cells[32 * 32];
	struct pooler_table t;
	char namebuf[512];
};

static struct pooler_table *table(struct table_buf *b, const char *cols, int nrows, ...)
{
	va_list ap;
	int nc = 0;
	char *p;

	memset(b, 0, sizeof(*b));
	util_strlcpy(b->namebuf, cols, sizeof(b->namebuf));
	for (p = strtok(b->namebuf, ","); p; p = strtok(NULL, ","))
		b->names[nc++] = p;
	va_start(ap, nrows);
	for (int i = 0; i < nrows * nc; i++)
		b->cells[i] = va_arg(ap, const char *);
	va_end(ap);
	b->t.nrows = nrows;
	b->t.ncols = nc;
	b->t.names = b->names;
	b->t.cells = b->cells;
	return &b->t;
}

#define SOCKET_COLS                                                                                \
	"type,user,database,state,addr,port,local_addr,local_port,connect_time,request_time,wait," \
	"wait_us,close_needed,ptr,link,remote_pid,tls,application_name"

/* The harness's setup as PgBouncer 1.18 shows it: appdb/app pool of 2, full, one waiting. */
static void view_full_pool(struct pooler_view *v)
{
	struct table_buf b;

	pooler_view_init(v);
	v->admin = POOLER_ADMIN_OK;
	assert_true(pooler_parse_server_version(v, "1.18.0/bouncer"));
	assert_true(pooler_parse_show(v, POOLER_SHOW_VERSION,
				      table(&b, "version", 1, "PgBouncer 1.18.0")));
	assert_true(pooler_parse_show(
		v, POOLER_SHOW_CONFIG,
		table(&b, "key,value,default,changeable", 5, "max_client_conn", "6", "100", "yes",
		      "default_pool_size", "2", "20", "yes", "query_wait_timeout", "3", "120",
		      "yes", "pool_mode", "session", "session", "yes", "server_idle_timeout", "600",
		      "600", "yes")));
	assert_true(pooler_parse_show(
		v, POOLER_SHOW_DATABASES,
		table(&b,
		      "name,host,port,database,force_user,pool_size,min_pool_size,reserve_pool,"
		      "pool_mode,max_connections,current_connections,paused,disabled",
		      2, "appdb", "127.0.0.1", "5432", "appdb", NULL, "2", "0", "0", NULL, "0", "2",
		      "0", "0", "pgbouncer", NULL, "6432", "pgbouncer", "pgbouncer", "2", "0", "0",
		      "statement", "0", "0", "0", "0")));
	assert_true(pooler_parse_show(
		v, POOLER_SHOW_POOLS,
		table(&b,
		      "database,user,cl_active,cl_waiting,cl_active_cancel_req,cl_waiting_cancel_"
		      "req,"
		      "sv_active,sv_active_cancel,sv_being_canceled,sv_idle,sv_used,sv_tested,"
		      "sv_login,maxwait,maxwait_us,pool_mode",
		      2, "appdb", "app", "2", "1", "0", "0", "2", "0", "0", "0", "0", "0", "0", "2",
		      "500000", "session", "pgbouncer", "pgbouncer", "1", "0", "0", "0", "0", "0",
		      "0", "0", "0", "0", "0", "0", "0", "statement")));
	assert_true(pooler_parse_show(
		v, POOLER_SHOW_CLIENTS,
		table(&b, SOCKET_COLS, 4,
		      /* two busy clients holding the two servers */
		      "C", "app", "appdb", "active", "127.0.0.1", "40001", "127.0.0.1", "6432",
		      "2026-12-01 14:00:00 UTC", "2026-12-01 14:00:01 UTC", "0", "0", "0", "0xc1",
		      "0xs1", "0", "", "busy", "C", "app", "appdb", "active", "127.0.0.1", "40002",
		      "127.0.0.1", "6432", "2026-12-01 14:05:00 UTC", "2026-12-01 14:05:01 UTC",
		      "0", "0", "0", "0xc2", "0xs2", "0", "", "busy",
		      /* a probe waiting for a server */
		      "C", "app", "appdb", "waiting", "127.0.0.1", "40003", "127.0.0.1", "6432",
		      "2026-12-01 14:09:58 UTC", "2026-12-01 14:09:58 UTC", "2", "500000", "0",
		      "0xc3", "", "0", "", "pgpulse",
		      /* our own reader on the console */
		      "C", "postgres", "pgbouncer", "active", "127.0.0.1", "40004", "127.0.0.1",
		      "6432", "2026-12-01 14:09:59 UTC", "2026-12-01 14:10:00 UTC", "0", "0", "0",
		      "0xc4", "", "0", "", "pgpulse")));
	assert_true(pooler_parse_show(
		v, POOLER_SHOW_SERVERS,
		table(&b, SOCKET_COLS, 2, "S", "app", "appdb", "active", "127.0.0.1", "5432",
		      "127.0.0.1", "50001", "2026-12-01 13:55:00 UTC", "2026-12-01 14:00:01 UTC",
		      "0", "0", "0", "0xs1", "0xc1", "4101", "", "busy", "S", "app", "appdb",
		      "active", "127.0.0.1", "5432", "127.0.0.1", "50002",
		      "2026-12-01 14:05:00 UTC", "2026-12-01 14:05:01 UTC", "0", "0", "0", "0xs2",
		      "0xc2", "0", "", "busy")));
	assert_true(pooler_parse_show(v, POOLER_SHOW_USERS,
				      table(&b, "name,pool_mode", 1, "app", NULL)));
	/* Our reader connected on port 40004 one second ago. */
	pooler_view_finish(v, 40004, 1.0, 0);
}

static void backends_init(struct pooler_backend *b)
{
	memset(b, 0, 3 * sizeof(*b));
	b[0].pid = 4101;
	util_strlcpy(b[0].application_name, "busy", sizeof(b[0].application_name));
	util_strlcpy(b[0].client_addr, "127.0.0.1", sizeof(b[0].client_addr));
	b[0].client_port = 50001;
	util_strlcpy(b[0].state, "idle", sizeof(b[0].state));
	/* remote_pid 0 (unknown): found by its address and port instead */
	b[1].pid = 4102;
	util_strlcpy(b[1].application_name, "busy", sizeof(b[1].application_name));
	util_strlcpy(b[1].client_addr, "127.0.0.1", sizeof(b[1].client_addr));
	b[1].client_port = 50002;
	util_strlcpy(b[1].state, "active", sizeof(b[1].state));
	b[2].pid = 4200;
	util_strlcpy(b[2].application_name, "psql", sizeof(b[2].application_name));
	util_strlcpy(b[2].client_addr, "127.0.0.1", sizeof(b[2].client_addr));
	b[2].client_port = 50003;
	util_strlcpy(b[2].state, "idle", sizeof(b[2].state));
}

static void test_pooler_parses_118_by_column_name(void **state)
{
	struct pooler_view v;
	const struct pooler_pool *p;

	(void)state;
	view_full_pool(&v);
	assert_int_equal(v.kind, POOLER_KIND_PGBOUNCER);
	assert_string_equal(v.version, "1.18.0");
	assert_int_equal(v.config.max_client_conn, 6);
	assert_int_equal(v.config.default_pool_size, 2);
	assert_true(v.config.query_wait_timeout_s == 3.0);
	assert_true(v.config.server_idle_timeout_s == 600.0);
	assert_string_equal(v.config.pool_mode, "session");
	p = pooler_find_pool(&v, "appdb", "app");
	assert_non_null(p);
	assert_int_equal(p->pool_size, 2); /* from SHOW DATABASES */
	assert_int_equal(p->cl_active, 2);
	assert_int_equal(p->cl_waiting, 1);
	assert_int_equal(p->sv_active, 2);
	assert_true(fabs(p->maxwait_ms - 2500.0) < 1e-9);
	assert_string_equal(p->mode, "session");
	/* our own console connection is not a client of the pool */
	assert_int_equal(v.nclients, 3);
	assert_int_equal(pooler_clients_in_use(&v), 3);
	assert_true(v.self_found);
	pooler_view_free(&v);
}

static void test_pooler_ages_come_from_the_poolers_clock(void **state)
{
	struct pooler_view v;

	(void)state;
	view_full_pool(&v);
	/* "now" = our connect time 14:09:59 + 1 s = 14:10:00 on the pooler's clock */
	assert_true(fabs(v.clients[0].age_s - 600.0) < 1e-9);
	assert_true(fabs(v.clients[1].age_s - 300.0) < 1e-9);
	assert_true(fabs(v.servers[0].age_s - 900.0) < 1e-9);
	assert_true(fabs(v.clients[2].wait_s - 2.5) < 1e-9);
	pooler_view_free(&v);
}

static void test_pooler_own_row_found_by_name_when_the_port_differs(void **state)
{
	struct pooler_view v;
	struct table_buf b;

	(void)state;
	pooler_view_init(&v);
	/* Behind NAT the pooler sees another port; the pgpulse probe in appdb is not us. */
	assert_true(pooler_parse_show(
		&v, POOLER_SHOW_CLIENTS,
		table(&b, "database,state,port,ptr,connect_time,application_name", 3, "appdb",
		      "waiting", "1", "0x1", "2026-12-01 14:00:00 UTC", "pgpulse", "pgbouncer",
		      "active", "2", "0x2", "2026-12-01 14:00:10 UTC", "pgpulse", "pgbouncer",
		      "active", "3", "0x3", "2026-12-01 13:00:00 UTC", "pgpulse")));
	pooler_view_finish(&v, 9999, 0.5, NAN);
	assert_true(v.self_found);
	assert_int_equal(v.nclients, 2);
	assert_string_equal(v.clients[0].ptr, "0x1");
	assert_string_equal(v.clients[1].ptr, "0x3"); /* an older console client stays */
	assert_true(fabs(v.clients[0].age_s - 10.5) < 1e-9);
	pooler_view_free(&v);
}

static void test_pooler_ages_without_own_row_read_utc(void **state)
{
	struct pooler_view v;
	struct table_buf b;
	double t;

	(void)state;
	pooler_view_init(&v);
	assert_true(pooler_parse_show(&v, POOLER_SHOW_CLIENTS,
				      table(&b, "state,ptr,connect_time,database", 1, "active",
					    "0x1", "2026-12-01 14:00:00 UTC", "appdb")));
	assert_true(pooler_parse_time("2026-12-01 14:00:30 UTC", &t, NULL, 0));
	pooler_view_finish(&v, 1, 0, t);
	assert_false(v.self_found);
	assert_string_equal(v.time_zone, "UTC");
	assert_true(fabs(v.clients[0].age_s - 30.0) < 1e-9);
	pooler_view_free(&v);
}

static void test_pooler_parse_time_rejects_garbage(void **state)
{
	double t;
	char zone[16];

	(void)state;
	assert_true(pooler_parse_time("1970-01-02 00:00:01 CET", &t, zone, sizeof(zone)));
	assert_true(t == 86401.0);
	assert_string_equal(zone, "CET");
	assert_false(pooler_parse_time("2026-02-30 00:00:00 UTC", &t, NULL, 0));
	assert_false(pooler_parse_time("2026-12-01 25:00:00", &t, NULL, 0));
	assert_false(pooler_parse_time("yesterday", &t, NULL, 0));
	assert_false(pooler_parse_time(NULL, &t, NULL, 0));
	assert_true(isnan(t));
}

static void test_pooler_newer_columns_and_user_pool_size(void **state)
{
	struct pooler_view v;
	struct table_buf b;
	const struct pooler_pool *p;

	(void)state;
	pooler_view_init(&v);
	/* 1.22+: reserve_pool_size, load_balance_hosts, extra client columns */
	assert_true(pooler_parse_show(
		&v, POOLER_SHOW_DATABASES,
		table(&b, "name,pool_size,reserve_pool_size,server_lifetime,max_client_connections",
		      1, "appdb", "20", "5", "3600", "0")));
	assert_int_equal(v.databases[0].reserve_pool, 5);
	/* SHOW USERS pads per-user pool sizes ("%9d") and leaves them "" when unset */
	assert_true(
		pooler_parse_show(&v, POOLER_SHOW_USERS,
				  table(&b, "name,pool_size,reserve_pool_size,pool_mode", 2, "app",
					"        7", "", "transaction", "other", "", "", NULL)));
	assert_int_equal(v.users[0].pool_size, 7);
	assert_int_equal(v.users[1].pool_size, -1);
	assert_true(pooler_parse_show(
		&v, POOLER_SHOW_POOLS,
		table(&b, "database,user,cl_active,sv_active,load_balance_hosts", 2, "appdb", "app",
		      "1", "1", NULL, "appdb", "other", "0", "0", NULL)));
	pooler_view_finish(&v, -1, NAN, NAN);
	p = pooler_find_pool(&v, "appdb", "app");
	assert_int_equal(p->pool_size, 7);   /* the user's own size wins */
	assert_int_equal(p->cl_waiting, -1); /* column missing: unknown, not 0 */
	assert_true(isnan(p->maxwait_ms));
	assert_int_equal(pooler_find_pool(&v, "appdb", "other")->pool_size, 20);
	pooler_view_free(&v);
}

static void test_pooler_hostile_values_are_bounded(void **state)
{
	struct pooler_view v;
	struct table_buf b;

	(void)state;
	pooler_view_init(&v);
	assert_true(pooler_parse_show(
		&v, POOLER_SHOW_POOLS,
		table(&b, "database,user,cl_active,cl_waiting,sv_active,maxwait,maxwait_us", 1,
		      "db\x1b[2J\xff", "u", "-5", "99999999999999999999", "12abc", "2147483647",
		      "5000000")));
	assert_string_equal(v.pools[0].database, "db?[2J?");
	assert_int_equal(v.pools[0].cl_active, -1);
	assert_int_equal(v.pools[0].cl_waiting, -1);
	assert_int_equal(v.pools[0].sv_active, -1);
	assert_true(isnan(v.pools[0].maxwait_ms)); /* 68 years: past POOLER_MAX_SECONDS */
	assert_true(
		pooler_parse_show(&v, POOLER_SHOW_CONFIG,
				  table(&b, "key,value", 3, "max_client_conn", "0",
					"query_wait_timeout", "-1", "default_pool_size", "1e9")));
	assert_int_equal(v.config.max_client_conn, -1);
	assert_true(isnan(v.config.query_wait_timeout_s));
	assert_int_equal(v.config.default_pool_size, -1);
	/* Cut multibyte text stays valid UTF-8 */
	char longname[200];
	memset(longname, 'a', sizeof(longname));
	memcpy(longname + 62, "\xc3\xa9", 2);
	longname[199] = '\0';
	assert_true(pooler_parse_show(&v, POOLER_SHOW_CLIENTS,
				      table(&b, "state,ptr,application_name,port", 1, "active",
					    "0x1", longname, "70000")));
	assert_int_equal(strlen(v.clients[0].application_name), 62);
	assert_int_equal(v.clients[0].port, -1);
	pooler_view_free(&v);
}

static void test_pooler_not_a_console_is_refused(void **state)
{
	struct pooler_view v;
	struct table_buf b;

	(void)state;
	pooler_view_init(&v);
	assert_false(pooler_parse_show(&v, POOLER_SHOW_POOLS, table(&b, "?column?", 1, "1")));
	assert_string_equal(v.reason,
			    "SHOW POOLS has no column \"database\": not a PgBouncer console");
	assert_false(v.have[POOLER_SHOW_POOLS]);
	assert_false(pooler_parse_server_version(&v, "15.18"));
	pooler_view_free(&v);
}

static void test_pooler_join_names_the_backend(void **state)
{
	struct pooler_view v;
	struct pooler_backend be[3];
	struct pooler_join j[8];
	int n;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	n = pooler_join_clients(&v, be, 3, j, 8);
	assert_int_equal(n, 3);
	assert_string_equal(j[0].server->ptr, "0xs1");
	assert_int_equal(j[0].backend->pid, 4101); /* by remote_pid */
	assert_int_equal(j[1].backend->pid, 4102); /* by local_addr:local_port */
	assert_null(j[2].server);		   /* the waiting probe has none */
	assert_null(j[2].backend);
	pooler_view_free(&v);
}

static void test_pooler_top_clients_group_by_application(void **state)
{
	struct pooler_view v;
	struct pooler_backend be[3];
	struct pooler_holder h[4];
	int n;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	n = pooler_top_clients(&v, be, 3, h, 4);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].application_name, "busy");
	assert_int_equal(h[0].count, 2);
	assert_int_equal(h[0].with_server, 2);
	assert_true(fabs(h[0].oldest_s - 600.0) < 1e-9);
	assert_int_equal(h[0].backend_states[POOLER_BE_IDLE], 1);
	assert_int_equal(h[0].backend_states[POOLER_BE_ACTIVE], 1);
	assert_string_equal(h[1].application_name, "pgpulse");
	assert_int_equal(h[1].waiting, 1);
	assert_int_equal(h[1].backend_states[POOLER_BE_NO_SERVER], 1);
	pooler_view_free(&v);
}

static void test_pooler_queued_probe_is_max_clients_pool(void **state)
{
	struct pooler_view v;
	struct pooler_queue q;

	(void)state;
	view_full_pool(&v);
	assert_true(pooler_queue_verdict(&v, "appdb", "app", &q));
	assert_string_equal(q.limit, "pgbouncer_pool");
	assert_string_equal(q.message,
			    "waiting for a server connection: PgBouncer's pool appdb/app "
			    "has 2 of 2 in use, 1 client waiting (longest 2.5 s)");
	assert_non_null(strstr(q.advice, "query_wait_timeout (query_wait_timeout = 3 s)"));
	assert_non_null(strstr(q.advice, "session mode"));
	/* another pool, or nobody waiting: not queued */
	assert_false(pooler_queue_verdict(&v, "postgres", "app", &q));
	v.pools[0].cl_waiting = 0;
	assert_false(pooler_queue_verdict(&v, "appdb", "app", &q));
	/* a free server slot: the wait is something else */
	v.pools[0].cl_waiting = 1;
	v.pools[0].sv_active = 1;
	assert_false(pooler_queue_verdict(&v, "appdb", "app", &q));
	pooler_view_free(&v);
}

static void test_pooler_queue_without_admin_view_says_how_to_confirm(void **state)
{
	struct pooler_queue q;

	(void)state;
	pooler_queue_unconfirmed(5000, &q);
	assert_false(q.exhausted);
	assert_string_equal(q.limit, "pgbouncer_pool");
	assert_non_null(strstr(q.message, "within 5000 ms: most likely it waited for a server "
					  "connection"));
	assert_non_null(strstr(q.advice, "--pooler-admin"));
	assert_non_null(strstr(q.advice, "stats_users"));
}

static void test_pooler_culprit_holds_the_pool(void **state)
{
	struct pooler_view v;
	struct pooler_backend be[3];
	struct pooler_culprit c;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	assert_true(pooler_culprit(&v, "appdb", "app", be, 3, false, 80, &c));
	assert_string_equal(c.resource, "pgbouncer_pool");
	assert_string_equal(c.application_name, "busy");
	assert_int_equal(c.count, 2);
	assert_int_equal(c.of, 2);
	assert_int_equal(c.idle, 1);
	assert_string_equal(c.text,
			    "busy (127.0.0.1) holds 2 of 2 server connections of PgBouncer's pool "
			    "appdb/app (session mode), the oldest for 600 s; 1 waiting, the "
			    "longest 2.5 s");
	pooler_view_free(&v);
}

static void test_pooler_no_culprit_at_moderate_use(void **state)
{
	struct pooler_view v;
	struct pooler_culprit c;

	(void)state;
	view_full_pool(&v);
	/* one of two servers busy, the other idle; nobody waiting; 2 of 6 clients */
	v.pools[0].cl_waiting = 0;
	v.pools[0].sv_active = 1;
	v.pools[0].sv_idle = 1;
	v.nclients = 2;
	v.clients_total = 2;
	assert_false(pooler_culprit(&v, "appdb", "app", NULL, 0, false, 80, &c));
	assert_false(c.found);
	assert_string_equal(c.text, "");
	assert_true(json_is_null(pooler_culprit_json(&c)));
	/* the same view during an open incident names the top holder */
	assert_true(pooler_culprit(&v, "appdb", "app", NULL, 0, true, 80, &c));
	assert_string_equal(c.application_name, "busy");
	pooler_view_free(&v);
}

static void test_pooler_culprit_max_client_conn(void **state)
{
	struct pooler_view v;
	struct table_buf b;
	struct pooler_culprit c;

	(void)state;
	pooler_view_init(&v);
	v.kind = POOLER_KIND_PGBOUNCER;
	v.admin = POOLER_ADMIN_OK;
	assert_true(pooler_parse_show(&v, POOLER_SHOW_CONFIG,
				      table(&b, "key,value", 1, "max_client_conn", "3")));
	assert_true(
		pooler_parse_show(&v, POOLER_SHOW_CLIENTS,
				  table(&b, "database,user,state,addr,ptr,link,application_name", 3,
					"appdb", "app", "active", "10.0.0.7", "0x1", "", "idler",
					"appdb", "app", "active", "10.0.0.7", "0x2", "", "idler",
					"appdb", "app", "active", "10.0.0.8", "0x3", "", "")));
	pooler_view_finish(&v, -1, NAN, NAN);
	assert_true(pooler_culprit(&v, "appdb", "app", NULL, 0, false, 80, &c));
	assert_string_equal(c.resource, "pgbouncer_max_client_conn");
	assert_string_equal(c.text, "idler (10.0.0.7) holds 2 of 3 PgBouncer client connections "
				    "(max_client_conn), 2 of them without a server connection, the "
				    "oldest for ?");
	pooler_view_free(&v);
}

static void test_pooler_server_connections_are_not_client_pools(void **state)
{
	struct pooler_view v;
	struct pooler_backend be[3], supa;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	assert_int_equal(pooler_backend_owner(&v, &be[0]), POOLER_OWNER_PGBOUNCER);
	assert_int_equal(pooler_backend_owner(&v, &be[1]), POOLER_OWNER_PGBOUNCER);
	assert_int_equal(pooler_backend_owner(&v, &be[2]), POOLER_OWNER_CLIENT);
	memset(&supa, 0, sizeof(supa));
	supa.pid = 77;
	util_strlcpy(supa.application_name, "Supavisor", sizeof(supa.application_name));
	assert_int_equal(pooler_backend_owner(NULL, &supa), POOLER_OWNER_SUPAVISOR);
	assert_true(pooler_is_supavisor_application("Supavisor (auth_query)"));
	assert_false(pooler_is_supavisor_application("api"));
	pooler_view_free(&v);
}

static void test_pooler_supavisor_limits_from_messages(void **state)
{
	bool session = false;

	(void)state;
	assert_int_equal(pooler_supavisor_limit("(EMAXCONNSESSION) max clients reached in session "
						"mode - max clients are limited to pool_size: 15",
						&session),
			 15);
	assert_true(session);
	assert_int_equal(pooler_supavisor_limit("(EMAXCONN) max client connections reached, limit: "
						"200",
						&session),
			 200);
	assert_false(session);
	/* The older texts (the corpus) carry no number. */
	assert_int_equal(pooler_supavisor_limit("MaxClientsInSessionMode: max clients reached - in "
						"Session mode max clients are limited to pool_size",
						&session),
			 -1);
	assert_true(session);
	assert_int_equal(pooler_supavisor_limit("Max client connections reached", NULL), -1);
	assert_int_equal(pooler_supavisor_limit("limit: 99999999999999", NULL), -1);
	assert_int_equal(pooler_supavisor_limit(NULL, NULL), -1);
}

static void test_pooler_json_object(void **state)
{
	struct pooler_view v;
	struct pooler_backend be[3];
	json_t *j, *pool, *top;
	const char *key;
	json_t *val;
	int nkeys = 0;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	j = pooler_json(&v, be, 3);
	json_object_foreach(j, key, val)
	{
		(void)val;
		nkeys++;
	}
	assert_int_equal(nkeys, 7);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "pgbouncer");
	assert_string_equal(json_string_value(json_object_get(j, "version")), "1.18.0");
	assert_string_equal(json_string_value(json_object_get(j, "admin")), "ok");
	assert_int_equal(json_integer_value(json_object_get(j, "max_client_conn")), 6);
	assert_int_equal(json_integer_value(json_object_get(j, "clients_in_use")), 3);
	/* the console's own pseudo-pool is left out */
	assert_int_equal(json_array_size(json_object_get(j, "pools")), 1);
	pool = json_array_get(json_object_get(j, "pools"), 0);
	assert_int_equal(json_object_size(pool), 9);
	assert_int_equal(json_integer_value(json_object_get(pool, "pool_size")), 2);
	assert_true(json_real_value(json_object_get(pool, "maxwait_ms")) == 2500.0);
	top = json_array_get(json_object_get(j, "top_clients"), 0);
	assert_string_equal(json_string_value(json_object_get(top, "application_name")), "busy");
	assert_int_equal(json_integer_value(json_object_get(top, "count")), 2);
	assert_true(json_real_value(json_object_get(top, "oldest_s")) == 600.0);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(top, "backend_states"), "idle")),
		1);
	json_decref(j);

	/* denied: the kind is known, nothing else */
	v.admin = POOLER_ADMIN_DENIED;
	j = pooler_json(&v, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(j, "admin")), "denied");
	assert_true(json_is_null(json_object_get(j, "max_client_conn")));
	assert_int_equal(json_array_size(json_object_get(j, "pools")), 0);
	json_decref(j);
	v.kind = POOLER_KIND_NONE;
	assert_true(json_is_null(pooler_json(&v, NULL, 0)));
	assert_true(json_is_null(pooler_json(NULL, NULL, 0)));
	pooler_view_free(&v);
}

static void test_pooler_culprit_json_as_data(void **state)
{
	struct pooler_view v;
	struct pooler_culprit c;
	json_t *j;

	(void)state;
	view_full_pool(&v);
	assert_true(pooler_culprit(&v, "appdb", "app", NULL, 0, true, 80, &c));
	j = pooler_culprit_json(&c);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "pgbouncer_admin");
	assert_string_equal(json_string_value(json_object_get(j, "resource")), "pgbouncer_pool");
	assert_string_equal(json_string_value(json_object_get(j, "application_name")), "busy");
	assert_int_equal(json_integer_value(json_object_get(j, "waiting")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "text")), c.text);
	json_decref(j);
	pooler_view_free(&v);
}

/* The one-line texts of the dashboard's Pooler panel and the prompt (issue 9). */
static void test_pooler_texts(void **state)
{
	struct pooler_view v;
	struct pooler_holder top[4];
	struct pooler_join j[8];
	struct pooler_backend be[3];
	char line[600];
	int idx[4], n;

	(void)state;
	view_full_pool(&v);
	backends_init(be);
	pooler_text_summary(&v, line, sizeof(line));
	assert_string_equal(line, "PgBouncer 1.18.0, session mode, clients 3/6 (max_client_conn)");
	/* the console's own pool is left out */
	n = pooler_shown_pools(&v, idx, 4);
	assert_int_equal(n, 1);
	pooler_text_pool(&v.pools[idx[0]], line, sizeof(line));
	assert_string_equal(line,
			    "pool appdb/app  size 2  cl active 2  waiting 1  sv active 2 idle 0"
			    "  max wait 2.5 s");
	/* what the console did not give is "?", never -1 */
	v.pools[idx[0]].cl_waiting = -1;
	pooler_text_pool(&v.pools[idx[0]], line, sizeof(line));
	assert_non_null(strstr(line, "  waiting ?  "));
	v.pools[idx[0]].cl_waiting = 1;
	n = pooler_top_clients(&v, NULL, 0, top, 4);
	assert_true(n >= 2);
	pooler_text_holder(&top[0], line, sizeof(line));
	assert_true(strncmp(line, "busy (127.0.0.1)  2 clients, 2 with a server, oldest ", 53) ==
		    0);
	pooler_text_holder(&top[1], line, sizeof(line));
	assert_true(strncmp(line, "pgpulse (127.0.0.1)  1 client, 0 with a server, 1 waiting",
			    57) == 0);
	n = pooler_join_clients(&v, be, 3, j, 8);
	assert_int_equal(n, 3);
	pooler_text_join(&j[0], line, sizeof(line));
	assert_non_null(strstr(line, "-> server :50001 pid 4101  -> backend idle"));
	pooler_text_join(&j[2], line, sizeof(line));
	assert_non_null(strstr(line, "waiting"));
	assert_non_null(strstr(line, "-> no server"));
	/* Not readable: the summary is the reason. */
	v.admin = POOLER_ADMIN_DENIED;
	util_strlcpy(v.reason, "user \"app\" may not read", sizeof(v.reason));
	pooler_text_summary(&v, line, sizeof(line));
	assert_string_equal(line, "user \"app\" may not read");
	pooler_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooler_parses_118_by_column_name),
		cmocka_unit_test(test_pooler_ages_come_from_the_poolers_clock),
		cmocka_unit_test(test_pooler_own_row_found_by_name_when_the_port_differs),
		cmocka_unit_test(test_pooler_ages_without_own_row_read_utc),
		cmocka_unit_test(test_pooler_parse_time_rejects_garbage),
		cmocka_unit_test(test_pooler_newer_columns_and_user_pool_size),
		cmocka_unit_test(test_pooler_hostile_values_are_bounded),
		cmocka_unit_test(test_pooler_not_a_console_is_refused),
		cmocka_unit_test(test_pooler_join_names_the_backend),
		cmocka_unit_test(test_pooler_top_clients_group_by_application),
		cmocka_unit_test(test_pooler_queued_probe_is_max_clients_pool),
		cmocka_unit_test(test_pooler_queue_without_admin_view_says_how_to_confirm),
		cmocka_unit_test(test_pooler_culprit_holds_the_pool),
		cmocka_unit_test(test_pooler_no_culprit_at_moderate_use),
		cmocka_unit_test(test_pooler_culprit_max_client_conn),
		cmocka_unit_test(test_pooler_server_connections_are_not_client_pools),
		cmocka_unit_test(test_pooler_supavisor_limits_from_messages),
		cmocka_unit_test(test_pooler_json_object),
		cmocka_unit_test(test_pooler_culprit_json_as_data),
		cmocka_unit_test(test_pooler_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
