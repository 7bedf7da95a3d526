/*
 * inspect: the introspection query and its parser. Aggregation happens in
 * SQL so a server with thousands of connections still sends a few rows.
 */
#include "inspect.h"
#include "pooler.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_stat_activity.state values, in enum inspect_state order. */
static const char *const inspect_state_names[INSPECT_STATE_COUNT] = {
	"active",
	"idle",
	"idle in transaction",
	"idle in transaction (aborted)",
	"fastpath function call",
	"disabled",
	"unknown",
};

/*
 * Without pg_read_all_stats, other roles' sessions show NULL backend_type,
 * state and client_addr, but keep usesysid and datid: count those as client
 * backends in state "unknown", address "hidden". Background processes have
 * no user, or (the logical replication launcher) no database.
 */
#define INSPECT_CLIENT                                                                             \
	"coalesce(backend_type, CASE WHEN usesysid IS NOT NULL "                                   \
	"AND datid IS NOT NULL THEN 'client backend' END) = 'client backend'"

static const char inspect_query[] =
	/* 1: recovery and settings with their source */
	"SELECT 'pg_is_in_recovery', pg_is_in_recovery()::text, '' "
	/*
	 * Which server this is, for targets that reach it another way (the
	 * direct host while the pooler is full). Readable by every role, unlike
	 * pg_control_system() on some managed services; a restart changes it,
	 * which is right: the old holders are gone then.
	 */
	"UNION ALL "
	"SELECT 'pgpulse.server', extract(epoch FROM pg_postmaster_start_time())::text "
	"  || '/' || current_setting('port'), '' "
	"UNION ALL "
	"SELECT 'pgpulse.database', current_database(), '' "
	"UNION ALL "
	/* The real backend: a pooler answers the protocol's pid with a made-up key. */
	"SELECT 'pgpulse.backend_pid', pg_backend_pid()::text, '' "
	"UNION ALL "
	"SELECT name, current_setting(name), source FROM pg_settings WHERE name IN ("
	"'statement_timeout','idle_in_transaction_session_timeout','lock_timeout',"
	"'idle_session_timeout','tcp_keepalives_idle','tcp_keepalives_interval',"
	"'tcp_keepalives_count','max_connections','superuser_reserved_connections',"
	"'reserved_connections');"
	/* 2: client backends by state */
	"SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
	"WHERE " INSPECT_CLIENT " GROUP BY 1;"
	/* 3: who holds the slots */
	"SELECT coalesce(application_name, ''), coalesce(usename::text, ''), "
	"CASE WHEN backend_type IS NULL THEN 'hidden' ELSE coalesce(host(client_addr), 'local') "
	"END, count(*), "
	"count(*) FILTER (WHERE state = 'active'), "
	"count(*) FILTER (WHERE state = 'idle'), "
	"count(*) FILTER (WHERE state LIKE 'idle in transaction%'), "
	"count(*) FILTER (WHERE state = 'idle' AND now() - state_change > interval '10 minutes'), "
	"coalesce(extract(epoch FROM now() - min(backend_start)), 0), "
	"coalesce(extract(epoch FROM now() - min(state_change) "
	"  FILTER (WHERE state LIKE 'idle in transaction%')), 0) "
	"FROM pg_stat_activity WHERE " INSPECT_CLIENT " "
	"GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1 LIMIT 10";

/* 4 (only with inspect_sql_backends): the client backends one by one, oldest first */
static const char inspect_backends_query[] =
	"SELECT pid, coalesce(usename::text, ''), coalesce(datname::text, ''), "
	"coalesce(application_name, ''), coalesce(host(client_addr), ''), "
	"coalesce(client_port, 0), coalesce(state, ''), "
	"extract(epoch FROM now() - backend_start), extract(epoch FROM now() - xact_start) "
	"FROM pg_stat_activity WHERE " INSPECT_CLIENT " ORDER BY backend_start LIMIT 256";

const char *inspect_sql_backends(void)
{
	static char both[sizeof(inspect_query) + sizeof(inspect_backends_query) + 2];

	if (both[0] == '\0')
		snprintf(both, sizeof(both), "%s;%s", inspect_query, inspect_backends_query);
	return both;
}

const char *inspect_sql(void)
{
	return inspect_query;
}

const char *inspect_slots_left_text(const struct inspect_info *info, char *out, size_t outlen)
{
	int usable = inspect_usable_slots(info);

	if (usable < 0)
		snprintf(out, outlen, "%s", "");
	else if (info->in_use > usable)
		snprintf(out, outlen, "over by %d", info->in_use - usable);
	else
		snprintf(out, outlen, "%d left", usable - info->in_use);
	return out;
}

const char *inspect_state_name(enum inspect_state s)
{
	return s < INSPECT_STATE_COUNT ? inspect_state_names[s] : "unknown";
}

const struct inspect_setting *inspect_setting(const struct inspect_info *info, const char *name)
{
	for (int i = 0; i < info->nsettings; i++)
		if (strcmp(info->settings[i].name, name) == 0)
			return &info->settings[i];
	return NULL;
}

static bool inspect_result_ok(PGresult *res, int ncols, struct inspect_info *out)
{
	if (res == NULL) {
		snprintf(out->error, sizeof(out->error), "introspection returned too few results");
		return false;
	}
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char *msg = PQresultErrorMessage(res);

		snprintf(out->error, sizeof(out->error), "introspection failed: %.*s",
			 (int)strcspn(msg, "\n"), msg);
		return false;
	}
	if (PQnfields(res) != ncols) {
		snprintf(out->error, sizeof(out->error),
			 "introspection returned %d columns, expected %d", PQnfields(res), ncols);
		return false;
	}
	return true;
}

/*
 * Numbers from the server, range-checked: a count or a setting outside
 * [0, INSPECT_COUNT_MAX] (or not a number at all) reads as 0, a duration
 * outside [0, INSPECT_SECONDS_MAX] or NaN as 0, so no sum can overflow and
 * no NaN reaches a report. Real values are far below these bounds
 * (max_connections is at most 262143).
 */
#define INSPECT_COUNT_MAX   (1 << 24)
#define INSPECT_SECONDS_MAX 1e10

static int inspect_count(const char *s)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INSPECT_COUNT_MAX)
		return 0;
	return (int)v;
}

/* Seconds in [0, INSPECT_SECONDS_MAX]; else (empty, garbage, out of range) bad. */
static double inspect_seconds(const char *s, double bad)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return bad;
	v = strtod(s, &end);
	if (*end != '\0' || !(v >= 0 && v <= INSPECT_SECONDS_MAX))
		return bad;
	return v;
}

/* a + b, saturating at INT_MAX: many rows of large counts cannot overflow. */
static int inspect_add(int a, int b)
{
	return a > INT_MAX - b ? INT_MAX : a + b;
}

/* A backend's age in seconds: NAN for NULL, garbage or out of range. */
static double inspect_backend_seconds(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NAN : inspect_seconds(PQgetvalue(res, row, col), NAN);
}

int inspect_parse_backends(const PGresult *res, struct pooler_backend *out, int max)
{
	int n = 0;

	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 9)
		return 0;
	for (int i = 0; i < PQntuples(res) && n < max; i++) {
		struct pooler_backend *b = &out[n];

		memset(b, 0, sizeof(*b));
		/* numbers from the server are range-checked like every other count */
		b->pid = inspect_count(PQgetvalue(res, i, 0));
		if (b->pid <= 0)
			continue;
		text_copy(b->usename, PQgetvalue(res, i, 1), sizeof(b->usename));
		text_copy(b->datname, PQgetvalue(res, i, 2), sizeof(b->datname));
		text_copy(b->application_name, PQgetvalue(res, i, 3), sizeof(b->application_name));
		text_copy(b->client_addr, PQgetvalue(res, i, 4), sizeof(b->client_addr));
		b->client_port = inspect_count(PQgetvalue(res, i, 5));
		if (b->client_port > 65535)
			b->client_port = 0;
		text_copy(b->state, PQgetvalue(res, i, 6), sizeof(b->state));
		b->backend_age_s = inspect_backend_seconds(res, i, 7);
		b->xact_age_s = inspect_backend_seconds(res, i, 8);
		n++;
	}
	return n;
}

static void inspect_parse_settings(PGresult *res, struct inspect_info *out)
{
	int superuser_reserved = 0, reserved = 0;

	for (int row = 0; row < PQntuples(res) && out->nsettings < INSPECT_MAX_SETTINGS; row++) {
		const char *name = PQgetvalue(res, row, 0);
		struct inspect_setting *s;

		/* UNION ALL keeps no promised order, so the recovery row is named. */
		if (strcmp(name, "pg_is_in_recovery") == 0) {
			out->in_recovery = strcmp(PQgetvalue(res, row, 1), "true") == 0;
			continue;
		}
		if (strcmp(name, "pgpulse.server") == 0) {
			text_copy(out->server_key, PQgetvalue(res, row, 1),
				  sizeof(out->server_key));
			continue;
		}
		if (strcmp(name, "pgpulse.database") == 0) {
			text_copy(out->database, PQgetvalue(res, row, 1), sizeof(out->database));
			continue;
		}
		if (strcmp(name, "pgpulse.backend_pid") == 0) {
			out->backend_pid = inspect_count(PQgetvalue(res, row, 1));
			continue;
		}
		s = &out->settings[out->nsettings++];

		text_copy(s->name, name, sizeof(s->name));
		text_copy(s->value, PQgetvalue(res, row, 1), sizeof(s->value));
		text_copy(s->source, PQgetvalue(res, row, 2), sizeof(s->source));
		if (strcmp(name, "max_connections") == 0)
			out->max_connections = inspect_count(s->value);
		else if (strcmp(name, "superuser_reserved_connections") == 0)
			superuser_reserved = inspect_count(s->value);
		else if (strcmp(name, "reserved_connections") == 0)
			reserved = inspect_count(s->value);
	}
	out->reserved = superuser_reserved + reserved;
}

static void inspect_parse_states(PGresult *res, struct inspect_info *out)
{
	for (int row = 0; row < PQntuples(res); row++) {
		const char *state = PQgetvalue(res, row, 0);
		int n = inspect_count(PQgetvalue(res, row, 1));
		int s;

		for (s = 0; s < INSPECT_UNKNOWN; s++)
			if (strcmp(state, inspect_state_names[s]) == 0)
				break;
		out->by_state[s] = inspect_add(out->by_state[s], n);
		out->in_use = inspect_add(out->in_use, n);
	}
}

static void inspect_parse_holders(PGresult *res, struct inspect_info *out)
{
	for (int row = 0; row < PQntuples(res) && out->nholders < INSPECT_MAX_HOLDERS; row++) {
		struct inspect_holder *h = &out->holders[out->nholders++];

		text_copy(h->application_name, PQgetvalue(res, row, 0),
			  sizeof(h->application_name));
		text_copy(h->usename, PQgetvalue(res, row, 1), sizeof(h->usename));
		text_copy(h->client_addr, PQgetvalue(res, row, 2), sizeof(h->client_addr));
		h->count = inspect_count(PQgetvalue(res, row, 3));
		h->active = inspect_count(PQgetvalue(res, row, 4));
		h->idle = inspect_count(PQgetvalue(res, row, 5));
		h->idle_in_transaction = inspect_count(PQgetvalue(res, row, 6));
		h->idle_over_10min = inspect_count(PQgetvalue(res, row, 7));
		h->oldest_s = inspect_seconds(PQgetvalue(res, row, 8), 0);
		h->longest_idle_xact_s = inspect_seconds(PQgetvalue(res, row, 9), 0);
		out->idle_in_xact = inspect_add(out->idle_in_xact, h->idle_in_transaction);
		if (h->longest_idle_xact_s > out->longest_idle_xact_s)
			out->longest_idle_xact_s = h->longest_idle_xact_s;
		if (h->oldest_s > out->oldest_connection_s) {
			out->oldest_connection_s = h->oldest_s;
			text_copy(out->oldest_application, h->application_name,
				  sizeof(out->oldest_application));
		}
	}
}

bool inspect_parse(PGresult *const *results, int nresults, struct inspect_info *out)
{
	memset(out, 0, sizeof(*out));
	out->max_connections = -1;
	if (!inspect_result_ok(nresults > 0 ? results[0] : NULL, 3, out) ||
	    !inspect_result_ok(nresults > 1 ? results[1] : NULL, 2, out) ||
	    !inspect_result_ok(nresults > 2 ? results[2] : NULL, 10, out))
		return false;
	if (PQntuples(results[0]) < 1) {
		snprintf(out->error, sizeof(out->error), "introspection returned no settings");
		return false;
	}
	inspect_parse_settings(results[0], out);
	inspect_parse_states(results[1], out);
	inspect_parse_holders(results[2], out);
	out->valid = true;
	return true;
}
