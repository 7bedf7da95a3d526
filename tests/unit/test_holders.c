/*
 * Unit tests for holders: the culprit line over hand-made pg_stat_activity
 * summaries, and which target's view of the slots speaks for another.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "holders.h"
#include "util.h"

static void info_init(struct inspect_info *info, int max_connections, int reserved)
{
	memset(info, 0, sizeof(*info));
	info->valid = true;
	info->max_connections = max_connections;
	info->reserved = reserved;
}

/* Adds a group; the states must add up to count unless they are hidden. */
static struct inspect_holder *info_add(struct inspect_info *info, const char *app, const char *user,
				       const char *addr, int count, int active, int idle,
				       int idle_xact)
{
	struct inspect_holder *h = &info->holders[info->nholders++];

	memset(h, 0, sizeof(*h));
	util_strlcpy(h->application_name, app, sizeof(h->application_name));
	util_strlcpy(h->usename, user, sizeof(h->usename));
	util_strlcpy(h->client_addr, addr, sizeof(h->client_addr));
	h->count = count;
	h->active = active;
	h->idle = idle;
	h->idle_in_transaction = idle_xact;
	info->in_use += count;
	info->idle_in_xact += idle_xact;
	return h;
}

static void test_holders_idle_client_pool_is_named(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 60, 3);
	info_add(&info, "api", "app", "10.0.0.5", 48, 3, 45, 0)->idle_over_10min = 45;
	info_add(&info, "pgpulse", "app", "10.0.0.9", 1, 1, 0, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "api holds 48 of 57 usable slots, 45 idle for more than 10 minutes: "
			    "a client-side pool");
}

static void test_holders_recently_idle_pool_is_named(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "api", "app", "127.0.0.1", 15, 0, 15, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "api holds 15 of 17 usable slots, 15 of them idle: a client-side pool");
}

static void test_holders_groups_of_one_application_are_merged(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	/* one pool on three app servers is one culprit */
	info_init(&info, 60, 3);
	info_add(&info, "api", "app", "10.0.0.5", 16, 1, 15, 0)->idle_over_10min = 15;
	info_add(&info, "worker", "app", "10.0.0.8", 8, 8, 0, 0);
	info_add(&info, "api", "app", "10.0.0.6", 16, 0, 16, 0)->idle_over_10min = 16;
	info_add(&info, "api", "app", "10.0.0.7", 16, 2, 14, 0)->idle_over_10min = 14;
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "api holds 48 of 57 usable slots, 45 idle for more than 10 minutes: "
			    "a client-side pool");
}

static void test_holders_idle_in_transaction_is_a_missing_commit(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	/* nobody dominates 97 usable slots, but worker never commits */
	info_init(&info, 100, 3);
	info_add(&info, "api", "app", "10.0.0.5", 20, 5, 15, 0);
	info_add(&info, "worker", "jobs", "10.0.0.8", 12, 0, 0, 12)->longest_idle_xact_s =
		14 * 60 + 3;
	info_add(&info, "cron", "jobs", "10.0.0.9", 2, 0, 1, 1)->longest_idle_xact_s = 90;
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "worker holds 12 sessions idle in transaction, the longest for 14 min: "
			    "a missing commit/rollback");
}

static void test_holders_dominant_idle_in_transaction_wins(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "worker", "jobs", "10.0.0.8", 12, 1, 1, 10)->longest_idle_xact_s = 45;
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line, "worker holds 12 of 17 usable slots, 10 idle in transaction, the "
				  "longest for 45 s: a missing commit/rollback");
}

static void test_holders_single_session_idle_in_transaction(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 100, 3);
	info_add(&info, "psql", "alice", "10.1.2.3", 1, 0, 0, 1)->longest_idle_xact_s = 3 * 3600;
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "psql holds 1 session idle in transaction, the longest for 3.0 h: "
			    "a missing commit/rollback");
}

static void test_holders_short_idle_in_transaction_is_not_named(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	/* a transaction between two statements is normal */
	info_init(&info, 100, 3);
	info_add(&info, "api", "app", "10.0.0.5", 10, 5, 3, 2)->longest_idle_xact_s = 0.2;
	assert_false(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line, "");
}

static void test_holders_nothing_stands_out(void **state)
{
	struct inspect_info info;
	char line[200] = "junk";
	static const char *const apps[] = { "a", "b", "c", "d", "e" };

	(void)state;
	/* full, but spread over five applications */
	info_init(&info, 60, 3);
	for (int i = 0; i < 5; i++)
		info_add(&info, apps[i], "app", "10.0.0.5", 11, 5, 6, 0);
	assert_false(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line, "");
}

static void test_holders_active_majority_points_at_load(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "etl", "app", "10.0.0.5", 14, 12, 2, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "etl holds 14 of 17 usable slots, 12 of them active: long queries, "
			    "or more workers than slots");
}

static void test_holders_hidden_states_say_how_to_see_them(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	/* an ordinary role sees other roles' sessions without state */
	info_init(&info, 20, 3);
	info_add(&info, "api", "postgres", "hidden", 17, 0, 0, 0);
	info_add(&info, "pgpulse", "app", "127.0.0.1", 1, 1, 0, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line,
			    "api holds 17 of 17 usable slots; their state is hidden from this "
			    "role (pg_read_all_stats shows it)");
}

static void test_holders_mixed_states_are_listed(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "api", "app", "10.0.0.5", 10, 4, 4, 2);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line, "api holds 10 of 17 usable slots (4 active, 4 idle, 2 idle in "
				  "transaction)");
}

static void test_holders_without_limits_counts_connections(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, -1, 0);
	info_add(&info, "api", "app", "10.0.0.5", 8, 0, 8, 0);
	info_add(&info, "other", "app", "10.0.0.6", 2, 0, 2, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(
		line, "api holds 8 of the 10 connections, 8 of them idle: a client-side pool");

	/* too few to call anyone a culprit */
	info_init(&info, -1, 0);
	info_add(&info, "api", "app", "10.0.0.5", 3, 0, 3, 0);
	assert_false(holders_culprit(&info, line, sizeof(line)));
}

static void test_holders_unnamed_application_uses_the_user(void **state)
{
	struct inspect_info info;
	char line[200];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "", "app", "10.0.0.5", 9, 0, 9, 0);
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(
		line, "user app holds 9 of 17 usable slots, 9 of them idle: a client-side pool");
}

static void test_holders_invalid_or_empty_info_names_nobody(void **state)
{
	struct inspect_info info;
	char line[200] = "junk";

	(void)state;
	info_init(&info, 20, 3);
	assert_false(holders_culprit(&info, line, sizeof(line)));
	assert_string_equal(line, "");
	info_add(&info, "api", "app", "10.0.0.5", 17, 0, 17, 0);
	info.valid = false;
	assert_false(holders_culprit(&info, line, sizeof(line)));
	assert_false(holders_culprit(NULL, line, sizeof(line)));
}

static void test_holders_short_buffer_is_terminated(void **state)
{
	struct inspect_info info;
	char line[24];

	(void)state;
	info_init(&info, 60, 3);
	info_add(&info, "api", "app", "10.0.0.5", 48, 3, 45, 0)->idle_over_10min = 45;
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_int_equal(strlen(line), sizeof(line) - 1);
	assert_string_equal(line, "api holds 48 of 57 usab");
}

/* ------------------------------------------------------------ views */

static struct target *target_make(const char *host, const char *user, const char *key,
				  time_t inspected_at)
{
	struct target *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->dsn.host = (char *)host;
	t->dsn.user = (char *)user;
	if (key) {
		info_init(&t->inspect, 20, 3);
		util_strlcpy(t->inspect.server_key, key, sizeof(t->inspect.server_key));
		t->have_inspect = true;
		t->inspect_wall.tv_sec = inspected_at;
	}
	return t;
}

static void test_holders_same_server_by_identity(void **state)
{
	struct target *direct = target_make("10.0.0.1", "postgres", "1795715724.789015/5432", 100);
	struct target *pooler = target_make("10.0.0.2", "app", "1795715724.789015/5432", 90);
	struct target *other = target_make("10.0.0.3", "app", "1795715999.000001/5432", 95);
	struct target *never = target_make("10.0.0.4", "app", NULL, 0);

	(void)state;
	assert_true(holders_same_server(direct, pooler));
	assert_true(holders_same_server(pooler, direct));
	assert_false(holders_same_server(direct, other));
	/* never got in: only itself */
	assert_false(holders_same_server(never, direct));
	assert_true(holders_same_server(never, never));
	free(direct);
	free(pooler);
	free(other);
	free(never);
}

static void test_holders_same_server_by_supabase_project(void **state)
{
	struct target *direct = target_make("db.abcdefghijklmnop.supabase.co", "postgres", NULL, 0);
	struct target *session = target_make("aws-0-eu-central-1.pooler.supabase.com",
					     "postgres.abcdefghijklmnop", NULL, 0);
	struct target *elsewhere = target_make("aws-0-eu-central-1.pooler.supabase.com",
					       "postgres.zzzzzzzzzzzzzzzz", NULL, 0);

	(void)state;
	assert_true(holders_same_server(session, direct));
	assert_true(holders_same_server(direct, session));
	assert_false(holders_same_server(elsewhere, direct));
	free(direct);
	free(session);
	free(elsewhere);
}

static void test_holders_view_comes_from_the_freshest_sibling(void **state)
{
	struct target *pooler = target_make("10.0.0.2", "app", "k1", 100);
	struct target *direct = target_make("10.0.0.1", "postgres", "k1", 160);
	struct target *other = target_make("10.0.0.3", "app", "k2", 200);
	struct target *all[] = { pooler, direct, other };
	const struct target *best = NULL;

	(void)state;
	for (int i = 0; i < 3; i++)
		best = holders_fresher_view(pooler, best, all[i]);
	assert_ptr_equal(best, direct);

	/* its own view when it is the newest; on a tie too */
	pooler->inspect_wall.tv_sec = 160;
	best = NULL;
	for (int i = 2; i >= 0; i--)
		best = holders_fresher_view(pooler, best, all[i]);
	assert_ptr_equal(best, pooler);

	/* a view that failed to parse speaks for nobody */
	direct->inspect_wall.tv_sec = 300;
	direct->inspect.valid = false;
	best = NULL;
	for (int i = 0; i < 3; i++)
		best = holders_fresher_view(pooler, best, all[i]);
	assert_ptr_equal(best, pooler);
	free(pooler);
	free(direct);
	free(other);
}

static void test_holders_no_view_when_nobody_got_in(void **state)
{
	struct target *a = target_make("10.0.0.2", "app", NULL, 0);
	struct target *b = target_make("10.0.0.1", "app", NULL, 0);

	(void)state;
	assert_null(holders_fresher_view(a, NULL, a));
	assert_null(holders_fresher_view(a, NULL, b));
	free(a);
	free(b);
}

/* A pool holding most slots: a view whose culprit line is not empty. */
static void view_with_pool(struct target *t)
{
	info_init(&t->inspect, 60, 3);
	util_strlcpy(t->inspect.server_key, "k1", sizeof(t->inspect.server_key));
	info_add(&t->inspect, "api", "app", "10.0.0.5", 48, 3, 45, 0)->idle_over_10min = 45;
}

/* holders_servers answers what holders_view_for did, without the scan. */
static void test_holders_servers_freshest_view_by_identity(void **state)
{
	struct holders_servers *h = holders_servers_new();
	struct target *pooler = target_make("10.0.0.2", "app", "k1", 100);
	struct target *direct = target_make("10.0.0.1", "postgres", "k1", 160);
	struct target *other = target_make("10.0.0.3", "app", "k2", 200);
	struct target *never = target_make("10.0.0.4", "app", NULL, 0);
	struct timespec wall;
	char line[256];

	(void)state;
	assert_false(holders_servers_culprit(h, pooler, &wall, line, sizeof(line)));
	holders_servers_note(h, pooler, NULL);
	view_with_pool(direct);
	direct->inspect_wall.tv_sec = 160;
	holders_servers_note(h, direct, NULL);
	holders_servers_note(h, other, NULL);
	assert_true(holders_servers_culprit(h, pooler, &wall, line, sizeof(line)));
	assert_int_equal(wall.tv_sec, 160);
	assert_string_equal(line, "api holds 48 of 57 usable slots, 45 idle for more than 10 "
				  "minutes: a client-side pool");
	/* an older view noted later does not replace a fresher one */
	holders_servers_note(h, pooler, NULL);
	assert_true(holders_servers_culprit(h, pooler, &wall, line, sizeof(line)));
	assert_int_equal(wall.tv_sec, 160);
	/* another server's view is not ours; nobody's view for a target that never got in */
	assert_true(holders_servers_culprit(h, other, &wall, line, sizeof(line)));
	assert_int_equal(wall.tv_sec, 200);
	assert_string_equal(line, "");
	assert_false(holders_servers_culprit(h, never, &wall, line, sizeof(line)));
	/* a view that failed to parse speaks for nobody */
	direct->inspect_wall.tv_sec = 300;
	direct->inspect.valid = false;
	holders_servers_note(h, direct, NULL);
	assert_true(holders_servers_culprit(h, pooler, &wall, line, sizeof(line)));
	assert_int_equal(wall.tv_sec, 160);
	holders_servers_free(h);
	free(pooler);
	free(direct);
	free(other);
	free(never);
}

static void test_holders_servers_by_supabase_project(void **state)
{
	struct holders_servers *h = holders_servers_new();
	struct target *direct =
		target_make("db.abcdefghijklmnop.supabase.co", "postgres", "k9", 50);
	struct target *session = target_make("aws-0-eu-central-1.pooler.supabase.com",
					     "postgres.ABCDEFGHIJKLMNOP", NULL, 0);
	struct target *elsewhere = target_make("aws-0-eu-central-1.pooler.supabase.com",
					       "postgres.zzzzzzzzzzzzzzzz", NULL, 0);
	struct timespec wall;
	char line[256];

	(void)state;
	holders_servers_note(h, direct, NULL);
	/* never got in, but names the same project (case aside) */
	assert_true(holders_servers_culprit(h, session, &wall, line, sizeof(line)));
	assert_int_equal(wall.tv_sec, 50);
	assert_false(holders_servers_culprit(h, elsewhere, &wall, line, sizeof(line)));
	holders_servers_free(h);
	free(direct);
	free(session);
	free(elsewhere);
}

/* Many servers: the table grows and every view is still found. */
static void test_holders_servers_many(void **state)
{
	enum { N = 5000 };
	struct holders_servers *h = holders_servers_new();
	struct target *t = target_make("10.0.0.1", "app", "x", 0);
	struct timespec wall;
	char line[256];

	(void)state;
	for (int i = 0; i < N; i++) {
		snprintf(t->inspect.server_key, sizeof(t->inspect.server_key), "key-%d", i);
		t->inspect_wall.tv_sec = 1000 + i;
		holders_servers_note(h, t, NULL);
	}
	for (int i = 0; i < N; i++) {
		snprintf(t->inspect.server_key, sizeof(t->inspect.server_key), "key-%d", i);
		assert_true(holders_servers_culprit(h, t, &wall, line, sizeof(line)));
		assert_int_equal(wall.tv_sec, 1000 + i);
	}
	holders_servers_free(h);
	free(t);
}

/* PgBouncer's idle server connections (issue 9): not a client-side pool, no culprit at 65%. */
static void test_holders_pooler_connections_are_not_a_client_pool(void **state)
{
	struct inspect_info info;
	struct holders_poolers p = { .n = 1 };
	char line[300];

	(void)state;
	util_strlcpy(p.v[0].addr, "127.0.0.1", sizeof(p.v[0].addr));
	util_strlcpy(p.v[0].user, "app", sizeof(p.v[0].user));
	info_init(&info, 20, 3);
	info_add(&info, "", "app", "127.0.0.1", 10, 0, 10, 0);
	info_add(&info, "pgpulse", "postgres", "local", 1, 1, 0, 0);
	/* Without knowing the pooler: the old, wrong verdict. */
	assert_true(holders_culprit(&info, line, sizeof(line)));
	assert_non_null(strstr(line, "a client-side pool"));
	/* Knowing it, in an incident: nobody else dominates, no culprit from the server side. */
	assert_false(holders_culprit_with(&info, &p, true, 80, line, sizeof(line)));
	assert_string_equal(line, "");
	/* Another user's idle pool is still named, the pooler's group passed over. */
	info_add(&info, "api", "api", "10.0.0.5", 14, 0, 14, 0);
	info.max_connections = 30;
	assert_true(holders_culprit_with(&info, &p, true, 80, line, sizeof(line)));
	assert_true(strncmp(line, "api holds 14 of 27 usable slots", 31) == 0);
}

static void test_holders_culprit_only_above_the_warning_threshold(void **state)
{
	struct inspect_info info;
	char line[300];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "api", "app", "10.0.0.5", 11, 0, 11, 0); /* 11 of 17: 65 % */
	assert_false(holders_culprit_with(&info, NULL, false, 80, line, sizeof(line)));
	assert_true(holders_culprit_with(&info, NULL, true, 80, line, sizeof(line)));
	assert_true(holders_culprit_with(&info, NULL, false, 60, line, sizeof(line)));
	assert_true(holders_culprit_with(&info, NULL, false, -1, line, sizeof(line)));
	/* A missing commit is named whatever the pressure. */
	info_add(&info, "worker", "app", "10.0.0.6", 2, 0, 0, 2)->longest_idle_xact_s = 300;
	info.max_connections = 40;
	assert_true(holders_culprit_with(&info, NULL, false, 80, line, sizeof(line)));
	assert_non_null(strstr(line, "a missing commit/rollback"));
}

/* Supavisor's server connections (issue 9): never a client-side pool, counted per user. */
static void test_holders_supavisor_connections(void **state)
{
	struct inspect_info info;
	struct target *t = calloc(2, sizeof(*t)), *supa = &t[1];
	const struct target *targets[2] = { &t[0], &t[1] };
	struct holders_supavisor sv;
	char line[300];

	(void)state;
	info_init(&info, 20, 3);
	info_add(&info, "Supavisor", "postgres", "10.0.0.9", 15, 0, 15, 0);
	info_add(&info, "pgpulse", "postgres", "local", 1, 1, 0, 0);
	assert_false(holders_culprit_with(&info, NULL, true, 80, line, sizeof(line)));
	assert_string_equal(line, ""); /* no verdict at all, let alone "a client-side pool" */

	t[0].dsn.name = "direct";
	holders_supavisor_for(targets, 1, &t[0], &info, &sv);
	assert_int_equal(sv.n, 1);
	assert_string_equal(sv.v[0].user, "postgres");
	assert_int_equal(sv.v[0].count, 15);
	assert_int_equal(sv.v[0].pool_size, -1);
	holders_supavisor_text(&sv.v[0], line, sizeof(line));
	assert_string_equal(line, "Supavisor holds 15 server connections for user postgres, its "
				  "pool size unknown (no Supavisor refusal seen)");

	/* A refusal on a Supavisor target of the same user (user.<ref>) gives the pool size. */
	supa->dsn.name = "supa";
	supa->dsn.user = "postgres.abcdefgh";
	supa->have_last = true;
	supa->last.error.cls = CLASS_MAX_CLIENTS;
	util_strlcpy(supa->last.error.message,
		     "MaxClientsInSessionMode: max clients reached - in Session mode max clients "
		     "are limited to pool_size: 15",
		     sizeof(supa->last.error.message));
	holders_supavisor_for(targets, 2, &t[0], &info, &sv);
	assert_int_equal(sv.v[0].pool_size, 15);
	assert_true(sv.v[0].session);
	assert_string_equal(sv.v[0].source, "supa");
	holders_supavisor_text(&sv.v[0], line, sizeof(line));
	assert_string_equal(line, "Supavisor holds 15 server connections for user postgres, of "
				  "its pool_size 15 (from supa's refusal): the pool is full");

	/* "limit: N" is the client limit, not the pool; another user's refusal says nothing. */
	util_strlcpy(supa->last.error.message, "Max client connections reached, limit: 200",
		     sizeof(supa->last.error.message));
	holders_supavisor_for(targets, 2, &t[0], &info, &sv);
	assert_int_equal(sv.v[0].pool_size, -1);
	supa->dsn.user = "other";
	util_strlcpy(supa->last.error.message, "max clients are limited to pool_size: 15",
		     sizeof(supa->last.error.message));
	holders_supavisor_for(targets, 2, &t[0], &info, &sv);
	assert_int_equal(sv.v[0].pool_size, -1);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holders_idle_client_pool_is_named),
		cmocka_unit_test(test_holders_recently_idle_pool_is_named),
		cmocka_unit_test(test_holders_groups_of_one_application_are_merged),
		cmocka_unit_test(test_holders_idle_in_transaction_is_a_missing_commit),
		cmocka_unit_test(test_holders_dominant_idle_in_transaction_wins),
		cmocka_unit_test(test_holders_single_session_idle_in_transaction),
		cmocka_unit_test(test_holders_short_idle_in_transaction_is_not_named),
		cmocka_unit_test(test_holders_nothing_stands_out),
		cmocka_unit_test(test_holders_active_majority_points_at_load),
		cmocka_unit_test(test_holders_hidden_states_say_how_to_see_them),
		cmocka_unit_test(test_holders_mixed_states_are_listed),
		cmocka_unit_test(test_holders_without_limits_counts_connections),
		cmocka_unit_test(test_holders_unnamed_application_uses_the_user),
		cmocka_unit_test(test_holders_invalid_or_empty_info_names_nobody),
		cmocka_unit_test(test_holders_short_buffer_is_terminated),
		cmocka_unit_test(test_holders_same_server_by_identity),
		cmocka_unit_test(test_holders_same_server_by_supabase_project),
		cmocka_unit_test(test_holders_view_comes_from_the_freshest_sibling),
		cmocka_unit_test(test_holders_no_view_when_nobody_got_in),
		cmocka_unit_test(test_holders_servers_freshest_view_by_identity),
		cmocka_unit_test(test_holders_servers_by_supabase_project),
		cmocka_unit_test(test_holders_servers_many),
		cmocka_unit_test(test_holders_pooler_connections_are_not_a_client_pool),
		cmocka_unit_test(test_holders_culprit_only_above_the_warning_threshold),
		cmocka_unit_test(test_holders_supavisor_connections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
