/*
 * pooler: PgBouncer's admin view parsed, joined to pg_stat_activity, and
 * read like a person would during an incident (see pooler.h). Pure: no
 * I/O, no libpq, so it is unit-tested and fuzzed on plain string tables.
 */
#include "pooler.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util.h"

/* Bounds for what a sane PgBouncer can report; anything else is "unknown". */
#define POOLER_MAX_COUNT   10000000
#define POOLER_MAX_SECONDS (10.0 * 365 * 86400)

/* ---------------------------------------------------------------- text */

/*
 * Copies a server's text for display and JSON: bounded, valid UTF-8 (a
 * sequence cut by the bound or broken is replaced), no control characters
 * (a hostile pooler must not drive the terminal). NULL gives "".
 */
static void pooler_copy_text(char *out, size_t outlen, const char *src)
{
	size_t o = 0, n, len;
	const unsigned char *s = (const unsigned char *)src;

	if (outlen == 0)
		return;
	if (!src) {
		out[0] = '\0';
		return;
	}
	n = strlen(src);
	while (n > 0 && o + 1 < outlen) {
		len = text_utf8_char_len((const char *)s, n);
		if (len == 0 || (len == 1 && (s[0] < 0x20 || s[0] == 0x7f))) {
			out[o++] = '?';
			s++, n--;
			continue;
		}
		if (o + len >= outlen)
			break;
		memcpy(out + o, s, len);
		o += len, s += len, n -= len;
	}
	out[o] = '\0';
}

/* ---------------------------------------------------------------- numbers */

static const char *pooler_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* An integer in [min, max], surrounding blanks allowed (SHOW USERS pads); else -1. */
static int pooler_int(const char *s, long min, long max)
{
	char *end;
	long v;

	if (!s)
		return -1;
	s = pooler_skip_space(s);
	if (!*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *pooler_skip_space(end) || v < min || v > max)
		return -1;
	return (int)v;
}

/* Seconds from "120", "2.5", "120s", "500ms", "5min", "1h"; NAN when not sane. */
static double pooler_seconds(const char *s)
{
	static const struct {
		const char *unit;
		double factor;
	} units[] = { { "", 1 },     { "s", 1 },    { "ms", 0.001 }, { "us", 1e-6 },
		      { "min", 60 }, { "h", 3600 }, { "d", 86400 } };
	char *end;
	double v;

	if (!s)
		return NAN;
	s = pooler_skip_space(s);
	if (!isdigit((unsigned char)*s))
		return NAN;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return NAN;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t ul = strlen(units[i].unit);
		if (strncmp(end, units[i].unit, ul) == 0 && !*pooler_skip_space(end + ul)) {
			v *= units[i].factor;
			return v >= 0 && v <= POOLER_MAX_SECONDS ? v : NAN;
		}
	}
	return NAN;
}

static int pooler_days_from_civil(int y, int m, int d)
{
	/* Days since 1970-01-01 (proleptic Gregorian), without timegm's TZ games. */
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool pooler_parse_time(const char *text, double *seconds, char *zone, size_t zonelen)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, se, used = 0;

	*seconds = NAN;
	if (zone && zonelen)
		zone[0] = '\0';
	if (!text ||
	    sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6)
		return false;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    h < 0 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return false;
	*seconds = (double)pooler_days_from_civil(y, mo, d) * 86400.0 + h * 3600 + mi * 60 + se;
	if (zone && zonelen)
		pooler_copy_text(zone, zonelen, pooler_skip_space(text + used));
	return true;
}

/* ---------------------------------------------------------------- tables */

static int pooler_col(const struct pooler_table *t, const char *name)
{
	for (int c = 0; c < t->ncols; c++)
		if (t->names[c] && strcmp(t->names[c], name) == 0)
			return c;
	return -1;
}

static const char *pooler_cell(const struct pooler_table *t, int r, int c)
{
	if (c < 0 || c >= t->ncols || r < 0 || r >= t->nrows)
		return NULL;
	return t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
}

/* A column read into a struct field: its name, its kind and where it goes. */
enum pooler_field_kind { PF_TEXT, PF_COUNT, PF_PORT, PF_PID, PF_FLAG, PF_SECONDS, PF_TIME };

struct pooler_field {
	const char *column;
	enum pooler_field_kind kind;
	size_t offset;
	size_t size; /* PF_TEXT: the buffer's size */
};

#define TEXT(col, type, member)                                                                    \
	{                                                                                          \
		col, PF_TEXT, offsetof(type, member), sizeof(((type *)0)->member)                  \
	}
#define NUM(col, kind, type, member)                                                               \
	{                                                                                          \
		col, kind, offsetof(type, member), 0                                               \
	}

static void pooler_read_fields(void *dst, const struct pooler_field *fields, size_t nfields,
			       const struct pooler_table *t, const int *cols, int r)
{
	for (size_t i = 0; i < nfields; i++) {
		const struct pooler_field *f = &fields[i];
		const char *s = pooler_cell(t, r, cols[i]);
		char *p = (char *)dst + f->offset;

		switch (f->kind) {
		case PF_TEXT: pooler_copy_text(p, f->size, s); break;
		case PF_COUNT: *(int *)p = pooler_int(s, 0, POOLER_MAX_COUNT); break;
		case PF_PORT: *(int *)p = pooler_int(s, 0, 65535); break;
		case PF_PID: *(int *)p = pooler_int(s, 0, INT_MAX); break;
		case PF_FLAG: *(int *)p = pooler_int(s, 0, 1); break;
		case PF_SECONDS: *(double *)p = pooler_seconds(s); break;
		case PF_TIME: pooler_parse_time(s, (double *)p, NULL, 0); break;
		}
	}
}

static void pooler_columns(const struct pooler_table *t, const struct pooler_field *fields,
			   size_t nfields, int *cols)
{
	for (size_t i = 0; i < nfields; i++)
		cols[i] = pooler_col(t, fields[i].column);
}

/* Grows *arr to hold the table's rows (bounded); returns the row count to read. */
static int pooler_alloc_rows(void **arr, size_t elem, const struct pooler_table *t)
{
	int n = t->nrows;

	if (n < 0)
		n = 0;
	if (n > POOLER_MAX_ROWS)
		n = POOLER_MAX_ROWS;
	free(*arr);
	*arr = n ? util_xcalloc((size_t)n, elem) : NULL;
	return n;
}

/* ---------------------------------------------------------------- SHOWs */

static const struct pooler_field pooler_database_fields[] = {
	TEXT("name", struct pooler_database, name),
	TEXT("database", struct pooler_database, database),
	NUM("pool_size", PF_COUNT, struct pooler_database, pool_size),
	NUM("reserve_pool", PF_COUNT, struct pooler_database, reserve_pool),
	TEXT("pool_mode", struct pooler_database, pool_mode),
	NUM("max_connections", PF_COUNT, struct pooler_database, max_connections),
	NUM("current_connections", PF_COUNT, struct pooler_database, current_connections),
	NUM("paused", PF_FLAG, struct pooler_database, paused),
	NUM("disabled", PF_FLAG, struct pooler_database, disabled),
};

static const struct pooler_field pooler_user_fields[] = {
	TEXT("name", struct pooler_user, name),
	NUM("pool_size", PF_COUNT, struct pooler_user, pool_size),
	TEXT("pool_mode", struct pooler_user, pool_mode),
	NUM("max_user_connections", PF_COUNT, struct pooler_user, max_user_connections),
	NUM("current_connections", PF_COUNT, struct pooler_user, current_connections),
};

static const struct pooler_field pooler_pool_fields[] = {
	TEXT("database", struct pooler_pool, database),
	TEXT("user", struct pooler_pool, user),
	TEXT("pool_mode", struct pooler_pool, mode),
	NUM("cl_active", PF_COUNT, struct pooler_pool, cl_active),
	NUM("cl_waiting", PF_COUNT, struct pooler_pool, cl_waiting),
	NUM("sv_active", PF_COUNT, struct pooler_pool, sv_active),
	NUM("sv_idle", PF_COUNT, struct pooler_pool, sv_idle),
	NUM("sv_used", PF_COUNT, struct pooler_pool, sv_used),
	NUM("sv_tested", PF_COUNT, struct pooler_pool, sv_tested),
	NUM("sv_login", PF_COUNT, struct pooler_pool, sv_login),
};

static const struct pooler_field pooler_socket_fields[] = {
	TEXT("user", struct pooler_socket, user),
	TEXT("database", struct pooler_socket, database),
	TEXT("state", struct pooler_socket, state),
	TEXT("addr", struct pooler_socket, addr),
	NUM("port", PF_PORT, struct pooler_socket, port),
	TEXT("local_addr", struct pooler_socket, local_addr),
	NUM("local_port", PF_PORT, struct pooler_socket, local_port),
	NUM("connect_time", PF_TIME, struct pooler_socket, connect_time),
	NUM("request_time", PF_TIME, struct pooler_socket, request_time),
	TEXT("ptr", struct pooler_socket, ptr),
	TEXT("link", struct pooler_socket, link),
	NUM("remote_pid", PF_PID, struct pooler_socket, remote_pid),
	TEXT("application_name", struct pooler_socket, application_name),
};

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Seconds and microseconds columns ("maxwait"/"maxwait_us") as ms; NAN unknown. */
static double pooler_wait_ms(const struct pooler_table *t, int r, int c_s, int c_us)
{
	int s = pooler_int(pooler_cell(t, r, c_s), 0, (long)POOLER_MAX_SECONDS);
	int us = pooler_int(pooler_cell(t, r, c_us), 0, 999999);

	if (s < 0)
		return NAN;
	return s * 1000.0 + (us > 0 ? us / 1000.0 : 0);
}

static bool pooler_require(struct pooler_view *v, const struct pooler_table *t, const char *col,
			   const char *show)
{
	if (pooler_col(t, col) >= 0)
		return true;
	snprintf(v->reason, sizeof(v->reason), "%s has no column \"%s\": not a PgBouncer console",
		 show, col);
	return false;
}

static bool pooler_parse_version(struct pooler_view *v, const struct pooler_table *t)
{
	const char *s = pooler_cell(t, 0, pooler_col(t, "version"));
	const char *p;

	if (!s)
		return pooler_require(v, t, "version", "SHOW VERSION");
	/* "PgBouncer 1.18.0" (older: "PgBouncer version 1.x") */
	p = strstr(s, "PgBouncer");
	if (!p)
		return false;
	v->kind = POOLER_KIND_PGBOUNCER;
	p += strlen("PgBouncer");
	p = pooler_skip_space(p);
	if (strncmp(p, "version", 7) == 0)
		p = pooler_skip_space(p + 7);
	if (isdigit((unsigned char)*p)) {
		size_t n = strspn(p, "0123456789.");
		char tmp[32];
		if (n >= sizeof(tmp))
			n = sizeof(tmp) - 1;
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		util_strlcpy(v->version, tmp, sizeof(v->version));
	}
	return true;
}

static bool pooler_parse_config(struct pooler_view *v, const struct pooler_table *t)
{
	int ck = pooler_col(t, "key"), cv = pooler_col(t, "value");
	struct pooler_config *c = &v->config;

	if (!pooler_require(v, t, "key", "SHOW CONFIG") ||
	    !pooler_require(v, t, "value", "SHOW CONFIG"))
		return false;
	for (int r = 0; r < t->nrows && r < POOLER_MAX_ROWS; r++) {
		const char *k = pooler_cell(t, r, ck), *val = pooler_cell(t, r, cv);
		if (!k)
			continue;
		if (strcmp(k, "max_client_conn") == 0)
			c->max_client_conn = pooler_int(val, 1, POOLER_MAX_COUNT);
		else if (strcmp(k, "default_pool_size") == 0)
			c->default_pool_size = pooler_int(val, 0, POOLER_MAX_COUNT);
		else if (strcmp(k, "reserve_pool_size") == 0)
			c->reserve_pool_size = pooler_int(val, 0, POOLER_MAX_COUNT);
		else if (strcmp(k, "query_wait_timeout") == 0)
			c->query_wait_timeout_s = pooler_seconds(val);
		else if (strcmp(k, "server_idle_timeout") == 0)
			c->server_idle_timeout_s = pooler_seconds(val);
		else if (strcmp(k, "pool_mode") == 0)
			pooler_copy_text(c->pool_mode, sizeof(c->pool_mode), val);
	}
	return true;
}

static bool pooler_parse_databases(struct pooler_view *v, const struct pooler_table *t)
{
	int cols[NFIELDS(pooler_database_fields)];
	int c_reserve_new;

	if (!pooler_require(v, t, "name", "SHOW DATABASES"))
		return false;
	pooler_columns(t, pooler_database_fields, NFIELDS(pooler_database_fields), cols);
	c_reserve_new = pooler_col(t, "reserve_pool_size"); /* its name since 1.22 */
	v->ndatabases = pooler_alloc_rows((void **)&v->databases, sizeof(*v->databases), t);
	for (int r = 0; r < v->ndatabases; r++) {
		struct pooler_database *d = &v->databases[r];
		pooler_read_fields(d, pooler_database_fields, NFIELDS(pooler_database_fields), t,
				   cols, r);
		if (d->reserve_pool < 0 && c_reserve_new >= 0)
			d->reserve_pool =
				pooler_int(pooler_cell(t, r, c_reserve_new), 0, POOLER_MAX_COUNT);
	}
	return true;
}

static bool pooler_parse_users(struct pooler_view *v, const struct pooler_table *t)
{
	int cols[NFIELDS(pooler_user_fields)];

	if (!pooler_require(v, t, "name", "SHOW USERS"))
		return false;
	pooler_columns(t, pooler_user_fields, NFIELDS(pooler_user_fields), cols);
	v->nusers = pooler_alloc_rows((void **)&v->users, sizeof(*v->users), t);
	for (int r = 0; r < v->nusers; r++)
		pooler_read_fields(&v->users[r], pooler_user_fields, NFIELDS(pooler_user_fields), t,
				   cols, r);
	return true;
}

static bool pooler_parse_pools(struct pooler_view *v, const struct pooler_table *t)
{
	int cols[NFIELDS(pooler_pool_fields)];
	int c_wait = pooler_col(t, "maxwait"), c_wait_us = pooler_col(t, "maxwait_us");

	if (!pooler_require(v, t, "database", "SHOW POOLS") ||
	    !pooler_require(v, t, "user", "SHOW POOLS"))
		return false;
	pooler_columns(t, pooler_pool_fields, NFIELDS(pooler_pool_fields), cols);
	v->npools = pooler_alloc_rows((void **)&v->pools, sizeof(*v->pools), t);
	for (int r = 0; r < v->npools; r++) {
		struct pooler_pool *p = &v->pools[r];
		pooler_read_fields(p, pooler_pool_fields, NFIELDS(pooler_pool_fields), t, cols, r);
		p->maxwait_ms = pooler_wait_ms(t, r, c_wait, c_wait_us);
		p->pool_size = -1; /* from DATABASES/USERS/CONFIG in pooler_view_finish */
	}
	return true;
}

static bool pooler_parse_sockets(struct pooler_view *v, const struct pooler_table *t, bool servers)
{
	int cols[NFIELDS(pooler_socket_fields)];
	int c_wait = pooler_col(t, "wait"), c_wait_us = pooler_col(t, "wait_us");
	struct pooler_socket **arr = servers ? &v->servers : &v->clients;
	int n;
	const char *show = servers ? "SHOW SERVERS" : "SHOW CLIENTS";

	if (!pooler_require(v, t, "ptr", show) || !pooler_require(v, t, "state", show))
		return false;
	pooler_columns(t, pooler_socket_fields, NFIELDS(pooler_socket_fields), cols);
	n = pooler_alloc_rows((void **)arr, sizeof(**arr), t);
	for (int r = 0; r < n; r++) {
		struct pooler_socket *s = &(*arr)[r];
		pooler_read_fields(s, pooler_socket_fields, NFIELDS(pooler_socket_fields), t, cols,
				   r);
		s->wait_s = pooler_wait_ms(t, r, c_wait, c_wait_us) / 1000.0;
		s->age_s = s->request_age_s = NAN;
		if (!v->time_zone[0]) {
			double ignored;
			pooler_parse_time(pooler_cell(t, r, pooler_col(t, "connect_time")),
					  &ignored, v->time_zone, sizeof(v->time_zone));
		}
	}
	if (servers) {
		v->nservers = n;
		v->servers_total = (t->nrows > 0 ? t->nrows : 0) + t->rows_dropped;
	} else {
		v->nclients = n;
		v->clients_total = (t->nrows > 0 ? t->nrows : 0) + t->rows_dropped;
	}
	return true;
}

void pooler_view_init(struct pooler_view *v)
{
	memset(v, 0, sizeof(*v));
	v->config.max_client_conn = v->config.default_pool_size = v->config.reserve_pool_size = -1;
	v->config.query_wait_timeout_s = v->config.server_idle_timeout_s = NAN;
}

void pooler_view_free(struct pooler_view *v)
{
	free(v->databases);
	free(v->users);
	free(v->pools);
	free(v->clients);
	free(v->servers);
	pooler_view_init(v);
}

static const char *const pooler_show_sqls[POOLER_SHOW_COUNT] = {
	[POOLER_SHOW_VERSION] = "SHOW VERSION",	    [POOLER_SHOW_CONFIG] = "SHOW CONFIG",
	[POOLER_SHOW_DATABASES] = "SHOW DATABASES", [POOLER_SHOW_POOLS] = "SHOW POOLS",
	[POOLER_SHOW_CLIENTS] = "SHOW CLIENTS",	    [POOLER_SHOW_SERVERS] = "SHOW SERVERS",
	[POOLER_SHOW_USERS] = "SHOW USERS",
};

const char *pooler_show_sql(enum pooler_show which)
{
	return which < POOLER_SHOW_COUNT ? pooler_show_sqls[which] : NULL;
}

bool pooler_parse_show(struct pooler_view *v, enum pooler_show which, const struct pooler_table *t)
{
	bool ok = false;

	if (!t || t->ncols < 0 || (t->ncols > 0 && !t->names) ||
	    (t->nrows > 0 && t->ncols > 0 && !t->cells))
		return false;
	switch (which) {
	case POOLER_SHOW_VERSION: ok = pooler_parse_version(v, t); break;
	case POOLER_SHOW_CONFIG: ok = pooler_parse_config(v, t); break;
	case POOLER_SHOW_DATABASES: ok = pooler_parse_databases(v, t); break;
	case POOLER_SHOW_POOLS: ok = pooler_parse_pools(v, t); break;
	case POOLER_SHOW_CLIENTS: ok = pooler_parse_sockets(v, t, false); break;
	case POOLER_SHOW_SERVERS: ok = pooler_parse_sockets(v, t, true); break;
	case POOLER_SHOW_USERS: ok = pooler_parse_users(v, t); break;
	default: return false;
	}
	if (ok)
		v->have[which] = true;
	return ok;
}

bool pooler_parse_server_version(struct pooler_view *v, const char *server_version)
{
	const char *slash;
	size_t n;
	char tmp[32];

	/* PgBouncer answers the startup with server_version "1.18.0/bouncer". */
	if (!server_version || !(slash = strstr(server_version, "/bouncer")))
		return false;
	v->kind = POOLER_KIND_PGBOUNCER;
	n = (size_t)(slash - server_version);
	if (n > 0 && n < sizeof(tmp) && strspn(server_version, "0123456789.") == n) {
		memcpy(tmp, server_version, n);
		tmp[n] = '\0';
		util_strlcpy(v->version, tmp, sizeof(v->version));
	}
	return true;
}

/* ---------------------------------------------------------------- finish */

static const struct pooler_database *pooler_find_database(const struct pooler_view *v,
							  const char *name)
{
	for (int i = 0; i < v->ndatabases; i++)
		if (strcmp(v->databases[i].name, name) == 0)
			return &v->databases[i];
	return NULL;
}

static const struct pooler_user *pooler_find_user(const struct pooler_view *v, const char *name)
{
	for (int i = 0; i < v->nusers; i++)
		if (strcmp(v->users[i].name, name) == 0)
			return &v->users[i];
	return NULL;
}

static bool pooler_zone_is_utc(const char *zone)
{
	static const char *const utc[] = { "UTC", "GMT", "UCT", "Z", "+00", "+0000", "+00:00" };

	for (size_t i = 0; i < sizeof(utc) / sizeof(utc[0]); i++)
		if (strcasecmp(zone, utc[i]) == 0)
			return true;
	return false;
}

static double pooler_age(double ref, double t)
{
	if (isnan(ref) || isnan(t) || t <= 0)
		return NAN;
	/* A second of skew between the clocks reads as 0, not as negative. */
	return ref - t < 0 ? 0 : (ref - t > POOLER_MAX_SECONDS ? NAN : ref - t);
}

void pooler_view_finish(struct pooler_view *v, int self_port, double self_connected_s,
			double now_epoch)
{
	double ref = NAN;
	int self = -1;
	double newest = -1;

	/* Our own reader: by its client port, else the newest console client named like us. */
	for (int pass = self_port > 0 ? 0 : 1; pass < 2 && self < 0; pass++) {
		for (int i = 0; i < v->nclients; i++) {
			const struct pooler_socket *c = &v->clients[i];
			if (strcmp(c->database, "pgbouncer") != 0)
				continue;
			if (pass == 0 && c->port == self_port) {
				self = i;
				break;
			}
			if (pass == 1 &&
			    strcmp(c->application_name, POOLER_SELF_APPLICATION) == 0 &&
			    !isnan(c->connect_time) && c->connect_time > newest) {
				self = i;
				newest = c->connect_time;
			}
		}
	}
	if (self >= 0) {
		v->self_found = true;
		if (!isnan(v->clients[self].connect_time) && isfinite(self_connected_s) &&
		    self_connected_s >= 0)
			ref = v->clients[self].connect_time + self_connected_s;
		memmove(&v->clients[self], &v->clients[self + 1],
			(size_t)(v->nclients - self - 1) * sizeof(v->clients[0]));
		v->nclients--;
		if (v->clients_total > 0)
			v->clients_total--;
	}
	if (isnan(ref) && isfinite(now_epoch) && now_epoch > 0) {
		/* No own row: read the printed zone as UTC, or else as ours. */
		ref = now_epoch;
		if (!pooler_zone_is_utc(v->time_zone)) {
			time_t now = (time_t)now_epoch;
			struct tm tm;
			if (localtime_r(&now, &tm))
				ref += (double)tm.tm_gmtoff;
		}
	}
	for (int k = 0; k < 2; k++) {
		struct pooler_socket *arr = k ? v->servers : v->clients;
		int n = k ? v->nservers : v->nclients;
		for (int i = 0; i < n; i++) {
			arr[i].age_s = pooler_age(ref, arr[i].connect_time);
			arr[i].request_age_s = arr[i].request_time >= arr[i].connect_time
						       ? pooler_age(ref, arr[i].request_time)
						       : NAN;
		}
	}
	for (int i = 0; i < v->npools; i++) {
		struct pooler_pool *p = &v->pools[i];
		const struct pooler_user *u = pooler_find_user(v, p->user);
		const struct pooler_database *d = pooler_find_database(v, p->database);

		if (u && u->pool_size >= 0)
			p->pool_size = u->pool_size;
		else if (d && d->pool_size >= 0)
			p->pool_size = d->pool_size;
		else
			p->pool_size = v->config.default_pool_size;
		if (!p->mode[0])
			util_strlcpy(p->mode,
				     d && d->pool_mode[0] ? d->pool_mode : v->config.pool_mode,
				     sizeof(p->mode));
	}
}

/* ---------------------------------------------------------------- join */

static const struct pooler_socket *pooler_server_of(const struct pooler_view *v,
						    const struct pooler_socket *c)
{
	/* PgBouncer links both ends; a client without a link holds no server. */
	if (!c->link[0])
		return NULL;
	for (int i = 0; i < v->nservers; i++)
		if (strcmp(v->servers[i].ptr, c->link) == 0)
			return &v->servers[i];
	return NULL;
}

static const struct pooler_backend *pooler_backend_of(const struct pooler_socket *s,
						      const struct pooler_backend *b, int nb)
{
	if (!s || !b)
		return NULL;
	if (s->remote_pid > 0)
		for (int i = 0; i < nb; i++)
			if (b[i].pid == s->remote_pid)
				return &b[i];
	/* The server connection's own end is the backend's client end. */
	if (s->local_addr[0] && s->local_port > 0)
		for (int i = 0; i < nb; i++)
			if (b[i].client_port == s->local_port &&
			    strcmp(b[i].client_addr, s->local_addr) == 0)
				return &b[i];
	return NULL;
}

int pooler_join_clients(const struct pooler_view *v, const struct pooler_backend *backends,
			int nbackends, struct pooler_join *out, int max)
{
	int n = 0;

	for (int i = 0; i < v->nclients && n < max; i++) {
		out[n].client = &v->clients[i];
		out[n].server = pooler_server_of(v, &v->clients[i]);
		out[n].backend = pooler_backend_of(out[n].server, backends, nbackends);
		n++;
	}
	return n;
}

enum pooler_backend_owner pooler_backend_owner(const struct pooler_view *v,
					       const struct pooler_backend *b)
{
	if (v && v->kind == POOLER_KIND_PGBOUNCER)
		for (int i = 0; i < v->nservers; i++)
			if (pooler_backend_of(&v->servers[i], b, 1))
				return POOLER_OWNER_PGBOUNCER;
	if (pooler_is_supavisor_application(b->application_name))
		return POOLER_OWNER_SUPAVISOR;
	return POOLER_OWNER_CLIENT;
}

bool pooler_is_supavisor_application(const char *application_name)
{
	return application_name && strncasecmp(application_name, "supavisor", 9) == 0;
}

/* ---------------------------------------------------------------- holders */

static enum pooler_backend_state pooler_state_of(const struct pooler_join *j)
{
	static const struct {
		const char *state;
		enum pooler_backend_state s;
	} map[] = { { "active", POOLER_BE_ACTIVE },
		    { "idle", POOLER_BE_IDLE },
		    { "idle in transaction", POOLER_BE_IDLE_IN_XACT },
		    { "idle in transaction (aborted)", POOLER_BE_IDLE_IN_XACT } };

	if (!j->server)
		return POOLER_BE_NO_SERVER;
	if (!j->backend)
		return POOLER_BE_UNKNOWN;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(j->backend->state, map[i].state) == 0)
			return map[i].s;
	return POOLER_BE_OTHER;
}

static int pooler_holder_cmp(const void *a, const void *b)
{
	const struct pooler_holder *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (isnan(x->oldest_s) != isnan(y->oldest_s))
		return isnan(x->oldest_s) ? 1 : -1;
	if (!isnan(x->oldest_s) && x->oldest_s != y->oldest_s)
		return x->oldest_s > y->oldest_s ? -1 : 1;
	int c = strcmp(x->application_name, y->application_name);
	return c ? c : strcmp(x->addr, y->addr);
}

/*
 * Groups clients by application and address; only those of database/user
 * (NULL: all) and, when with_server, only those holding a server now.
 * Returns a malloc'd array sorted biggest first, its length in *n.
 */
static struct pooler_holder *pooler_group(const struct pooler_view *v,
					  const struct pooler_backend *backends, int nbackends,
					  const char *database, const char *user, bool with_server,
					  int *n)
{
	struct pooler_holder *g =
		v->nclients ? util_xcalloc((size_t)v->nclients, sizeof(*g)) : NULL;
	int ng = 0;

	for (int i = 0; i < v->nclients; i++) {
		const struct pooler_socket *c = &v->clients[i];
		struct pooler_join j;
		struct pooler_holder *h = NULL;

		if ((database && strcmp(c->database, database) != 0) ||
		    (user && strcmp(c->user, user) != 0))
			continue;
		j.client = c;
		j.server = pooler_server_of(v, c);
		j.backend = pooler_backend_of(j.server, backends, nbackends);
		if (with_server && !j.server)
			continue;
		for (int k = 0; k < ng && !h; k++)
			if (strcmp(g[k].application_name, c->application_name) == 0 &&
			    strcmp(g[k].addr, c->addr) == 0)
				h = &g[k];
		if (!h) {
			h = &g[ng++];
			util_strlcpy(h->application_name, c->application_name,
				     sizeof(h->application_name));
			util_strlcpy(h->addr, c->addr, sizeof(h->addr));
			h->oldest_s = NAN;
		}
		h->count++;
		if (strcmp(c->state, "waiting") == 0)
			h->waiting++;
		if (j.server)
			h->with_server++;
		if (!isnan(c->age_s) && (isnan(h->oldest_s) || c->age_s > h->oldest_s))
			h->oldest_s = c->age_s;
		h->backend_states[pooler_state_of(&j)]++;
	}
	if (ng > 1)
		qsort(g, (size_t)ng, sizeof(*g), pooler_holder_cmp);
	*n = ng;
	return g;
}

int pooler_top_clients(const struct pooler_view *v, const struct pooler_backend *backends,
		       int nbackends, struct pooler_holder *out, int max)
{
	int ng, n;
	struct pooler_holder *g = pooler_group(v, backends, nbackends, NULL, NULL, false, &ng);

	n = ng < max ? ng : max;
	if (n > 0)
		memcpy(out, g, (size_t)n * sizeof(*out));
	free(g);
	return n;
}

const struct pooler_pool *pooler_find_pool(const struct pooler_view *v, const char *database,
					   const char *user)
{
	if (!database)
		return NULL;
	for (int i = 0; i < v->npools; i++)
		if (strcmp(v->pools[i].database, database) == 0 &&
		    (!user || strcmp(v->pools[i].user, user) == 0))
			return &v->pools[i];
	return NULL;
}

int pooler_clients_in_use(const struct pooler_view *v)
{
	return v->have[POOLER_SHOW_CLIENTS] ? v->clients_total : -1;
}

/* ---------------------------------------------------------------- verdicts */

/* "12 s", "4.2 s", "?" (unknown or negative) */
static char *pooler_fmt_s(double s, char *out, size_t len)
{
	if (isnan(s) || s < 0)
		snprintf(out, len, "?");
	else if (s < 10)
		snprintf(out, len, "%.1f s", s);
	else
		snprintf(out, len, "%.0f s", s);
	return out;
}

static bool pooler_pool_exhausted(const struct pooler_pool *p)
{
	if (p->cl_waiting <= 0)
		return false;
	/* Unknown size: full when nothing is idle to hand out. */
	if (p->pool_size < 0)
		return p->sv_active > 0 && p->sv_idle <= 0 && p->sv_used <= 0;
	return p->sv_active >= p->pool_size;
}

bool pooler_queue_verdict(const struct pooler_view *v, const char *database, const char *user,
			  struct pooler_queue *q)
{
	const struct pooler_pool *p = pooler_find_pool(v, database, user);
	char wait[32], qwt[48] = "";

	memset(q, 0, sizeof(*q));
	if (!p || !pooler_pool_exhausted(p))
		return false;
	q->exhausted = true;
	q->limit = "pgbouncer_pool";
	q->cl_waiting = p->cl_waiting;
	q->sv_active = p->sv_active;
	q->pool_size = p->pool_size;
	q->maxwait_ms = p->maxwait_ms;
	snprintf(q->message, sizeof(q->message),
		 "waiting for a server connection: PgBouncer's pool %s/%s has %d of %d in use, "
		 "%d client%s waiting (longest %s)",
		 p->database, p->user, p->sv_active, p->pool_size, p->cl_waiting,
		 p->cl_waiting == 1 ? "" : "s",
		 pooler_fmt_s(p->maxwait_ms / 1000.0, wait, sizeof(wait)));
	if (!isnan(v->config.query_wait_timeout_s) && v->config.query_wait_timeout_s > 0)
		snprintf(qwt, sizeof(qwt), " (query_wait_timeout = %.0f s)",
			 v->config.query_wait_timeout_s);
	snprintf(q->advice, sizeof(q->advice),
		 "the pool is full%s: find who holds it (pooler), close idle sessions, raise "
		 "pool_size/default_pool_size within the server's max_connections, or use "
		 "transaction mode; queued clients fail after query_wait_timeout%s",
		 strcmp(p->mode, "session") == 0
			 ? " and in session mode each client keeps its server connection until it "
			   "disconnects"
			 : "",
		 qwt);
	return true;
}

void pooler_queue_unconfirmed(double query_timeout_ms, struct pooler_queue *q)
{
	memset(q, 0, sizeof(*q));
	q->limit = "pgbouncer_pool";
	q->cl_waiting = q->sv_active = q->pool_size = -1;
	q->maxwait_ms = NAN;
	snprintf(q->message, sizeof(q->message),
		 "the pooler let us in but the check query got no answer within %.0f ms: most "
		 "likely it waited for a server connection in an exhausted pool",
		 query_timeout_ms);
	snprintf(q->advice, sizeof(q->advice),
		 "confirm with PgBouncer's SHOW POOLS (cl_waiting > 0, sv_active = pool_size): "
		 "give pgpulse a console user with --pooler-admin, or add this user to "
		 "stats_users; raising --query-timeout will not help");
}

static double pooler_pct(int used, int of)
{
	return of > 0 && used >= 0 ? 100.0 * used / of : -1;
}

static void pooler_culprit_text(struct pooler_culprit *c, const char *mode)
{
	char who[POOLER_NAME_LEN + POOLER_ADDR_LEN + 32], age[32], wait[32], tail[96] = "";

	if (c->application_name[0])
		snprintf(who, sizeof(who), "%s (%s)", c->application_name,
			 c->addr[0] ? c->addr : "?");
	else
		snprintf(who, sizeof(who), "clients without application_name from %s",
			 c->addr[0] ? c->addr : "?");
	if (c->waiting > 0)
		snprintf(tail, sizeof(tail), "; %d waiting, the longest %s", c->waiting,
			 pooler_fmt_s(c->maxwait_ms / 1000.0, wait, sizeof(wait)));
	if (strcmp(c->resource, "pgbouncer_pool") == 0)
		snprintf(c->text, sizeof(c->text),
			 "%s holds %d of %d server connections of PgBouncer's pool %s/%s%s%s%s, "
			 "the oldest for %s%s",
			 who, c->count, c->of, c->database, c->user, mode[0] ? " (" : "", mode,
			 mode[0] ? " mode)" : "", pooler_fmt_s(c->oldest_s, age, sizeof(age)),
			 tail);
	else
		snprintf(c->text, sizeof(c->text),
			 "%s holds %d of %d PgBouncer client connections (max_client_conn), %d of "
			 "them without a server connection, the oldest for %s%s",
			 who, c->count, c->of, c->idle, pooler_fmt_s(c->oldest_s, age, sizeof(age)),
			 tail);
}

bool pooler_culprit(const struct pooler_view *v, const char *database, const char *user,
		    const struct pooler_backend *backends, int nbackends, bool incident,
		    double warn_pct, struct pooler_culprit *c)
{
	const struct pooler_pool *p = pooler_find_pool(v, database, user);
	int in_use = pooler_clients_in_use(v), ng = 0;
	double pool_pct = p ? pooler_pct(p->sv_active, p->pool_size) : -1;
	double client_pct = pooler_pct(in_use, v->config.max_client_conn);
	bool pool_hot = p && (p->cl_waiting > 0 || (pool_pct >= 0 && pool_pct >= warn_pct));
	bool client_hot = client_pct >= 0 && client_pct >= warn_pct;
	struct pooler_holder *g = NULL;

	memset(c, 0, sizeof(*c));
	c->oldest_s = c->maxwait_ms = NAN;
	if (v->kind != POOLER_KIND_PGBOUNCER || v->admin != POOLER_ADMIN_OK)
		return false;
	if (!pool_hot && !client_hot && !incident)
		return false;
	/* The pool first when it is the hotter resource (it is what queues the probe). */
	if (p && (pool_hot || !client_hot) && (pool_hot || pool_pct >= client_pct)) {
		g = pooler_group(v, backends, nbackends, p->database, p->user, true, &ng);
		if (ng > 0) {
			c->resource = "pgbouncer_pool";
			util_strlcpy(c->database, p->database, sizeof(c->database));
			util_strlcpy(c->user, p->user, sizeof(c->user));
			c->count = g[0].with_server;
			c->of = p->pool_size >= 0 ? p->pool_size : p->sv_active;
			c->idle = g[0].backend_states[POOLER_BE_IDLE];
			c->waiting = p->cl_waiting;
			c->maxwait_ms = p->maxwait_ms;
		}
	}
	if (!c->resource && in_use > 0 && (client_hot || incident)) {
		free(g);
		g = pooler_group(v, backends, nbackends, NULL, NULL, false, &ng);
		if (ng > 0) {
			c->resource = "pgbouncer_max_client_conn";
			c->count = g[0].count;
			c->of = v->config.max_client_conn >= 0 ? v->config.max_client_conn : in_use;
			c->idle = g[0].backend_states[POOLER_BE_NO_SERVER];
			c->waiting = 0;
			for (int i = 0; i < ng; i++)
				c->waiting += g[i].waiting;
		}
	}
	if (!c->resource) {
		free(g);
		return false;
	}
	c->found = true;
	util_strlcpy(c->application_name, g[0].application_name, sizeof(c->application_name));
	util_strlcpy(c->addr, g[0].addr, sizeof(c->addr));
	c->oldest_s = g[0].oldest_s;
	free(g);
	pooler_culprit_text(c, p && strcmp(c->resource, "pgbouncer_pool") == 0 ? p->mode : "");
	return true;
}

/* ---------------------------------------------------------------- Supavisor */

int pooler_supavisor_limit(const char *message, bool *session)
{
	static const struct {
		const char *marker;
		bool session;
	} markers[] = { { "pool_size:", true }, { "limit:", false } };

	if (!message)
		return -1;
	if (session)
		*session = util_contains_ci(message, "session mode");
	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		const char *p = strstr(message, markers[i].marker);
		if (!p)
			continue;
		p = pooler_skip_space(p + strlen(markers[i].marker));
		char num[16];
		size_t n = strspn(p, "0123456789");
		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, p, n);
		num[n] = '\0';
		if (session && markers[i].session)
			*session = true;
		return pooler_int(num, 1, POOLER_MAX_COUNT);
	}
	return -1;
}

/* ---------------------------------------------------------------- names, JSON */

/* ------------------------------------------------------------ texts */

void pooler_text_summary(const struct pooler_view *v, char *out, size_t len)
{
	char mode[40] = "", limit[48];
	int in_use = pooler_clients_in_use(v);

	if (v->admin != POOLER_ADMIN_OK) {
		snprintf(out, len, "%s", v->reason[0] ? v->reason : pooler_admin_name(v->admin));
		return;
	}
	if (v->config.pool_mode[0])
		snprintf(mode, sizeof(mode), ", %s mode", v->config.pool_mode);
	if (v->config.max_client_conn > 0)
		snprintf(limit, sizeof(limit), "%d/%d (max_client_conn)", in_use,
			 v->config.max_client_conn);
	else
		snprintf(limit, sizeof(limit), "%d", in_use);
	snprintf(out, len, "PgBouncer %s%s, clients %s", v->version[0] ? v->version : "?", mode,
		 limit);
}

/* A count as read: "?" when the console gave none or nonsense (-1). */
static const char *pooler_fmt_count(int v, char *out, size_t len)
{
	if (v < 0)
		snprintf(out, len, "?");
	else
		snprintf(out, len, "%d", v);
	return out;
}

void pooler_text_pool(const struct pooler_pool *pool, char *out, size_t len)
{
	char n[5][16], wait[16];

	snprintf(out, len,
		 "pool %s/%s  size %s  cl active %s  waiting %s  sv active %s idle %s  max wait %s",
		 pool->database, pool->user, pooler_fmt_count(pool->pool_size, n[0], sizeof(n[0])),
		 pooler_fmt_count(pool->cl_active, n[1], sizeof(n[1])),
		 pooler_fmt_count(pool->cl_waiting, n[2], sizeof(n[2])),
		 pooler_fmt_count(pool->sv_active, n[3], sizeof(n[3])),
		 pooler_fmt_count(pool->sv_idle, n[4], sizeof(n[4])),
		 pooler_fmt_s(isnan(pool->maxwait_ms) ? NAN : pool->maxwait_ms / 1000, wait,
			     sizeof(wait)));
}

void pooler_text_holder(const struct pooler_holder *h, char *out, size_t len)
{
	char age[16], waiting[32] = "";

	if (h->waiting)
		snprintf(waiting, sizeof(waiting), ", %d waiting", h->waiting);
	snprintf(out, len, "%s (%s)  %d client%s, %d with a server%s, oldest %s",
		 h->application_name[0] ? h->application_name : "(none)",
		 h->addr[0] ? h->addr : "?", h->count, h->count == 1 ? "" : "s", h->with_server,
		 waiting, pooler_fmt_s(h->oldest_s, age, sizeof(age)));
}

void pooler_text_join(const struct pooler_join *j, char *out, size_t len)
{
	const struct pooler_socket *c = j->client;
	char age[16], xact[16], server[64], backend[96];

	if (j->server == NULL)
		snprintf(server, sizeof(server), "no server");
	else if (j->server->remote_pid > 0)
		snprintf(server, sizeof(server), "server :%d pid %d", j->server->local_port,
			 j->server->remote_pid);
	else
		snprintf(server, sizeof(server), "server :%d", j->server->local_port);
	if (j->server == NULL)
		backend[0] = '\0';
	else if (j->backend == NULL)
		snprintf(backend, sizeof(backend), "  -> backend not visible");
	else if (!isnan(j->backend->xact_age_s))
		snprintf(backend, sizeof(backend), "  -> backend %s, xact %s", j->backend->state,
			 pooler_fmt_s(j->backend->xact_age_s, xact, sizeof(xact)));
	else
		snprintf(backend, sizeof(backend), "  -> backend %s", j->backend->state);
	snprintf(out, len, "%s  %s:%d  %s  %s  -> %s%s",
		 c->application_name[0] ? c->application_name : "(none)",
		 c->addr[0] ? c->addr : "?", c->port, c->state,
		 pooler_fmt_s(c->age_s, age, sizeof(age)), server, backend);
}

int pooler_shown_pools(const struct pooler_view *v, int *idx, int max)
{
	int n = 0;

	for (int i = 0; i < v->npools && n < max; i++)
		if (strcmp(v->pools[i].database, "pgbouncer") != 0)
			idx[n++] = i;
	return n;
}

const char *pooler_kind_name(enum pooler_kind k)
{
	static const char *const names[] = { "none", "pgbouncer", "supavisor" };
	return k <= POOLER_KIND_SUPAVISOR ? names[k] : "none";
}

const char *pooler_admin_name(enum pooler_admin a)
{
	static const char *const names[] = { "not_read", "ok", "denied", "unreachable" };
	return a <= POOLER_ADMIN_UNREACHABLE ? names[a] : "not_read";
}

const char *pooler_backend_state_name(enum pooler_backend_state s)
{
	static const char *const names[POOLER_BE_COUNT] = {
		[POOLER_BE_ACTIVE] = "active",
		[POOLER_BE_IDLE] = "idle",
		[POOLER_BE_IDLE_IN_XACT] = "idle in transaction",
		[POOLER_BE_OTHER] = "other",
		[POOLER_BE_UNKNOWN] = "unknown",
		[POOLER_BE_NO_SERVER] = "no server",
	};
	return s < POOLER_BE_COUNT ? names[s] : "unknown";
}

static json_t *pooler_int_json(int v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *pooler_real_json(double v, double scale)
{
	return isnan(v) ? json_null() : json_real(round(v * scale) / scale);
}

static json_t *pooler_str_json(const char *s)
{
	/* Everything stored went through pooler_copy_text: valid UTF-8. */
	json_t *j = json_string(s);
	return j ? j : json_string("?");
}

json_t *pooler_json(const struct pooler_view *v, const struct pooler_backend *backends,
		    int nbackends)
{
	struct pooler_holder top[POOLER_MAX_TOP_CLIENTS];
	json_t *o, *pools, *tops;
	int ntop;
	bool ok;

	if (!v || v->kind == POOLER_KIND_NONE)
		return json_null();
	ok = v->admin == POOLER_ADMIN_OK;
	pools = json_array();
	tops = json_array();
	for (int i = 0; ok && i < v->npools; i++) {
		const struct pooler_pool *p = &v->pools[i];
		if (strcmp(p->database, "pgbouncer") == 0) /* the console's own pseudo-pool */
			continue;
		json_array_append_new(
			pools,
			json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "database",
				  pooler_str_json(p->database), "user", pooler_str_json(p->user),
				  "mode", p->mode[0] ? pooler_str_json(p->mode) : json_null(),
				  "pool_size", pooler_int_json(p->pool_size), "cl_active",
				  pooler_int_json(p->cl_active), "cl_waiting",
				  pooler_int_json(p->cl_waiting), "sv_active",
				  pooler_int_json(p->sv_active), "sv_idle",
				  pooler_int_json(p->sv_idle), "maxwait_ms",
				  pooler_real_json(p->maxwait_ms, 1000)));
	}
	ntop = ok ? pooler_top_clients(v, backends, nbackends, top, POOLER_MAX_TOP_CLIENTS) : 0;
	for (int i = 0; i < ntop; i++) {
		json_t *states = json_object();
		for (int s = 0; s < POOLER_BE_COUNT; s++)
			if (top[i].backend_states[s] > 0)
				json_object_set_new(states, pooler_backend_state_name(s),
						    json_integer(top[i].backend_states[s]));
		json_array_append_new(
			tops,
			json_pack("{s:o, s:o, s:i, s:i, s:o, s:o}", "application_name",
				  pooler_str_json(top[i].application_name), "addr",
				  pooler_str_json(top[i].addr), "count", top[i].count, "waiting",
				  top[i].waiting, "oldest_s", pooler_real_json(top[i].oldest_s, 10),
				  "backend_states", states));
	}
	o = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "kind", pooler_kind_name(v->kind),
		      "version", v->version[0] ? pooler_str_json(v->version) : json_null(), "admin",
		      pooler_admin_name(v->admin), "max_client_conn",
		      ok ? pooler_int_json(v->config.max_client_conn) : json_null(),
		      "clients_in_use",
		      ok ? pooler_int_json(pooler_clients_in_use(v)) : json_null(), "pools", pools,
		      "top_clients", tops);
	return o ? o : json_null();
}

json_t *pooler_culprit_json(const struct pooler_culprit *c)
{
	json_t *o;

	if (!c || !c->found)
		return json_null();
	o = json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:o, s:o}", "text",
		      pooler_str_json(c->text), "source", "pgbouncer_admin", "resource",
		      c->resource, "database",
		      c->database[0] ? pooler_str_json(c->database) : json_null(), "user",
		      c->user[0] ? pooler_str_json(c->user) : json_null(), "application_name",
		      pooler_str_json(c->application_name), "addr", pooler_str_json(c->addr),
		      "count", c->count, "of", c->of, "idle", c->idle, "waiting", c->waiting,
		      "oldest_s", pooler_real_json(c->oldest_s, 10), "maxwait_ms",
		      pooler_real_json(c->maxwait_ms, 1000));
	return o ? o : json_null();
}
