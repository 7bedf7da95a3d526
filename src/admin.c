/*
 * admin: PgBouncer's admin console read as a non-blocking state machine
 * (see admin.h). libpq does the protocol; this file does the stepping, the
 * deadline, the row cap, and says what an error means for a person.
 */
#include "admin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

#include <libpq-fe.h>

#include "text.h"
#include "util.h"

#define ADMIN_DEFAULT_DEADLINE_MS 3000.0

enum admin_state { ADMIN_ST_NEW, ADMIN_ST_CONNECTING, ADMIN_ST_QUERYING, ADMIN_ST_DONE };

/* One SHOW's rows as they arrive, at most POOLER_MAX_ROWS of them. */
struct admin_rows {
	int ncols, nrows, cap, dropped;
	char **names;
	char **cells;
	char error[160]; /* the SHOW failed: why */
};

struct admin {
	enum admin_state state;
	struct admin_config cfg;
	char **kw, **val; /* owned copies, NULL-terminated */
	char user[64];	  /* for the reason when denied */
	PGconn *conn;
	PostgresPollingStatusType poll;
	bool flush_pending;
	double t_start, t_connected, t_end, deadline;
	enum pooler_show show; /* the SHOW in flight */
	struct admin_rows rows;
	struct pooler_view view;
};

/* Parameters the console rejects or that would make libpq ask it things. */
static const char *const admin_dropped_keywords[] = {
	"dbname",  "application_name", "fallback_application_name",
	"options", "replication",      "target_session_attrs",
	NULL
};

static bool admin_dropped(const char *kw, bool keep_dbname)
{
	if (keep_dbname && strcmp(kw, "dbname") == 0)
		return false;
	for (int i = 0; admin_dropped_keywords[i]; i++)
		if (strcmp(kw, admin_dropped_keywords[i]) == 0)
			return true;
	return false;
}

struct admin *admin_new(const char *const *keywords, const char *const *values,
			const struct admin_config *cfg)
{
	struct admin *a = util_xcalloc(1, sizeof(*a));
	int n = 0, k = 0;
	bool have_dbname = false;

	if (cfg)
		a->cfg = *cfg;
	if (!(a->cfg.deadline_ms > 0))
		a->cfg.deadline_ms = ADMIN_DEFAULT_DEADLINE_MS;
	while (keywords && keywords[n])
		n++;
	a->kw = util_xcalloc((size_t)n + 3, sizeof(char *));
	a->val = util_xcalloc((size_t)n + 3, sizeof(char *));
	for (int i = 0; i < n; i++) {
		if (!values[i] || !values[i][0] || admin_dropped(keywords[i], a->cfg.keep_dbname))
			continue;
		if (strcmp(keywords[i], "dbname") == 0)
			have_dbname = true;
		if (strcmp(keywords[i], "user") == 0)
			util_strlcpy(a->user, values[i], sizeof(a->user));
		a->kw[k] = util_xstrdup(keywords[i]);
		a->val[k++] = util_xstrdup(values[i]);
	}
	if (!have_dbname) {
		a->kw[k] = util_xstrdup("dbname");
		a->val[k++] = util_xstrdup("pgbouncer");
	}
	a->kw[k] = util_xstrdup("application_name");
	a->val[k++] = util_xstrdup(POOLER_SELF_APPLICATION);
	pooler_view_init(&a->view);
	a->view.kind = POOLER_KIND_PGBOUNCER; /* what we try to read; corrected if not */
	a->state = ADMIN_ST_NEW;
	return a;
}

struct admin *admin_new_conninfo(const char *conninfo, const struct admin_config *cfg, char *err,
				 size_t errlen)
{
	PQconninfoOption *opts, *o;
	char *perr = NULL;
	const char **kw, **val;
	struct admin_config c = { 0 };
	struct admin *a;
	int n = 0;

	opts = PQconninfoParse(conninfo ? conninfo : "", &perr);
	if (!opts) {
		/* libpq quotes the string it choked on, password and all: say less. */
		snprintf(err, errlen,
			 "--pooler-admin: not a valid conninfo or URI (check its quoting and "
			 "keywords)");
		PQfreemem(perr);
		return NULL;
	}
	for (o = opts; o->keyword; o++)
		n++;
	kw = util_xcalloc((size_t)n + 1, sizeof(char *));
	val = util_xcalloc((size_t)n + 1, sizeof(char *));
	n = 0;
	for (o = opts; o->keyword; o++) {
		if (!o->val || !o->val[0])
			continue;
		kw[n] = o->keyword;
		val[n++] = o->val;
	}
	if (cfg)
		c = *cfg;
	c.keep_dbname = true;
	a = admin_new(kw, val, &c);
	free(kw);
	free(val);
	PQconninfoFree(opts);
	return a;
}

/* ---------------------------------------------------------------- rows */

static void admin_rows_clear(struct admin_rows *r)
{
	for (int i = 0; i < r->ncols; i++)
		free(r->names[i]);
	for (long i = 0; i < (long)r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->names);
	free(r->cells);
	memset(r, 0, sizeof(*r));
}

static void admin_rows_columns(struct admin_rows *r, const PGresult *res)
{
	if (r->names)
		return;
	r->ncols = PQnfields(res);
	if (r->ncols <= 0) {
		r->ncols = 0;
		return;
	}
	r->names = util_xcalloc((size_t)r->ncols, sizeof(char *));
	for (int c = 0; c < r->ncols; c++)
		r->names[c] = util_xstrdup(PQfname(res, c) ? PQfname(res, c) : "");
}

static void admin_rows_add(struct admin_rows *r, const PGresult *res)
{
	admin_rows_columns(r, res);
	for (int i = 0; i < PQntuples(res); i++) {
		if (r->nrows >= POOLER_MAX_ROWS || PQnfields(res) != r->ncols) {
			r->dropped++;
			continue;
		}
		if (r->nrows == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->cells = util_xrealloc(r->cells, (size_t)r->cap * (size_t)r->ncols *
								   sizeof(char *));
		}
		for (int c = 0; c < r->ncols; c++)
			r->cells[(size_t)r->nrows * (size_t)r->ncols + (size_t)c] =
				PQgetisnull(res, i, c) ? NULL : util_xstrdup(PQgetvalue(res, i, c));
		r->nrows++;
	}
}

/* ---------------------------------------------------------------- outcome */

static double admin_now_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int admin_local_port(PGconn *conn)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = conn ? PQsocket(conn) : -1;

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1; /* Unix socket: pooler_view_finish finds us by name */
}

static void admin_finish(struct admin *a)
{
	bool read_any = false;

	if (a->state == ADMIN_ST_DONE)
		return;
	for (int i = 0; i < POOLER_SHOW_COUNT; i++)
		read_any = read_any || a->view.have[i];
	/* Also after a deadline mid-read: what was read gets its ages and pool sizes. */
	if (read_any)
		pooler_view_finish(&a->view, admin_local_port(a->conn),
				   (util_now_ms() - a->t_connected) / 1000.0, admin_now_epoch());
	admin_rows_clear(&a->rows);
	if (a->conn)
		PQfinish(a->conn);
	a->conn = NULL;
	a->t_end = util_now_ms();
	a->state = ADMIN_ST_DONE;
	/* The reason quotes the pooler (its errors, its version): made safe once for every view. */
	{
		char raw[sizeof(a->view.reason)];

		util_strlcpy(raw, a->view.reason, sizeof(raw));
		text_terminal(a->view.reason, raw, sizeof(a->view.reason), true);
	}
}

/* libpq's message, first line only, with its "FATAL:  08P01: " prefix gone. */
static void admin_first_line(const char *msg, char *out, size_t outlen)
{
	const char *p = msg ? msg : "";
	const char *colon;
	size_t n;

	/* "connection to server at ... failed: FATAL:  not allowed" */
	if ((colon = strstr(p, "FATAL:")))
		p = colon + 6;
	else if ((colon = strstr(p, "failed: ")))
		p = colon + 8;
	while (*p == ' ')
		p++;
	/* A verbose SQLSTATE prefix "08P01: ". */
	if (strlen(p) > 7 && p[5] == ':' && p[6] == ' ' &&
	    strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") >= 5)
		p += 7;
	n = strcspn(p, "\n");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* What a refused or failed console login means, from PgBouncer's texts. */
static void admin_connect_failed(struct admin *a, const char *why)
{
	static const struct {
		const char *needle;
		enum pooler_admin outcome;
		const char *reason; /* %s: the user */
	} meanings[] = {
		{ "not allowed", POOLER_ADMIN_DENIED,
		  "user \"%s\" may not read PgBouncer's admin console: add it to stats_users "
		  "(read-only) or admin_users in pgbouncer.ini, or give pgpulse a user that may "
		  "with --pooler-admin" },
		{ "password authentication failed", POOLER_ADMIN_DENIED,
		  "PgBouncer refused user \"%s\"'s password on its admin console: check the "
		  "credentials, or use --pooler-admin" },
		{ "SASL authentication failed", POOLER_ADMIN_DENIED,
		  "PgBouncer refused user \"%s\"'s password on its admin console: check the "
		  "credentials, or use --pooler-admin" },
		{ "no such user", POOLER_ADMIN_DENIED,
		  "PgBouncer does not know user \"%s\": its admin users must be in auth_file "
		  "and in stats_users or admin_users" },
		{ "does not exist", POOLER_ADMIN_UNREACHABLE,
		  "no admin console at this address: it says database \"pgbouncer\" does not "
		  "exist, so it is not PgBouncer%.0s" },
		{ "no such database", POOLER_ADMIN_UNREACHABLE,
		  "no admin console at this address: it knows no database \"pgbouncer\"%.0s" },
	};
	char line[200];

	admin_first_line(why, line, sizeof(line));
	for (size_t i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++) {
		if (!util_contains_ci(line, meanings[i].needle))
			continue;
		a->view.admin = meanings[i].outcome;
		snprintf(a->view.reason, sizeof(a->view.reason), meanings[i].reason,
			 a->user[0] ? a->user : "?");
		if (meanings[i].outcome == POOLER_ADMIN_UNREACHABLE)
			a->view.kind = POOLER_KIND_NONE;
		admin_finish(a);
		return;
	}
	a->view.admin = POOLER_ADMIN_UNREACHABLE;
	snprintf(a->view.reason, sizeof(a->view.reason), "PgBouncer's admin console: %s",
		 line[0] ? line : "connection failed");
	admin_finish(a);
}

/* ---------------------------------------------------------------- steps */

static void admin_send(struct admin *a)
{
	int r;

	admin_rows_clear(&a->rows);
	if (!PQsendQuery(a->conn, pooler_show_sql(a->show))) {
		a->view.admin = POOLER_ADMIN_UNREACHABLE;
		admin_first_line(PQerrorMessage(a->conn), a->view.reason, sizeof(a->view.reason));
		admin_finish(a);
		return;
	}
	/* Rows one by one, so a hostile console cannot make us buffer without bound. */
	PQsetSingleRowMode(a->conn);
	r = PQflush(a->conn);
	a->flush_pending = r == 1;
	if (r < 0) {
		a->view.admin = POOLER_ADMIN_UNREACHABLE;
		admin_first_line(PQerrorMessage(a->conn), a->view.reason, sizeof(a->view.reason));
		admin_finish(a);
	}
}

static void admin_show_done(struct admin *a)
{
	struct pooler_table t = {
		.nrows = a->rows.nrows,
		.ncols = a->rows.ncols,
		.names = (const char *const *)a->rows.names,
		.cells = (const char *const *)a->rows.cells,
		.rows_dropped = a->rows.dropped,
	};

	/* A SHOW that failed or does not parse leaves its part unknown; the rest stands. */
	if (!a->rows.error[0])
		pooler_parse_show(&a->view, a->show, &t);
	a->show++;
	if (a->show >= POOLER_SHOW_COUNT) {
		admin_finish(a);
		return;
	}
	admin_send(a);
}

static void admin_connected(struct admin *a)
{
	const char *sv = PQparameterStatus(a->conn, "server_version");

	a->t_connected = util_now_ms();
	if (!pooler_parse_server_version(&a->view, sv)) {
		a->view.kind = POOLER_KIND_NONE;
		a->view.admin = POOLER_ADMIN_UNREACHABLE;
		snprintf(a->view.reason, sizeof(a->view.reason),
			 "not a PgBouncer admin console (the server says version %.40s)",
			 sv ? sv : "?");
		admin_finish(a);
		return;
	}
	a->view.admin = POOLER_ADMIN_OK;
	PQsetnonblocking(a->conn, 1);
	a->state = ADMIN_ST_QUERYING;
	a->show = POOLER_SHOW_VERSION;
	admin_send(a);
}

static void admin_step_connect(struct admin *a)
{
	a->poll = PQconnectPoll(a->conn);
	if (a->poll == PGRES_POLLING_FAILED) {
		admin_connect_failed(a, PQerrorMessage(a->conn));
		return;
	}
	if (a->poll == PGRES_POLLING_OK)
		admin_connected(a);
}

static void admin_step_query(struct admin *a, short revents)
{
	PGresult *res;

	if (a->flush_pending && (revents & POLLOUT)) {
		int r = PQflush(a->conn);
		a->flush_pending = r == 1;
		if (r < 0)
			goto broken;
	}
	if (revents & (POLLIN | POLLERR | POLLHUP)) {
		if (!PQconsumeInput(a->conn))
			goto broken;
	}
	while (a->state == ADMIN_ST_QUERYING && !PQisBusy(a->conn)) {
		res = PQgetResult(a->conn);
		if (!res) {
			admin_show_done(a);
			continue;
		}
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
		case PGRES_TUPLES_OK: admin_rows_add(&a->rows, res); break;
		case PGRES_COMMAND_OK:
		case PGRES_EMPTY_QUERY: break;
		default:
			admin_first_line(PQresultErrorMessage(res), a->rows.error,
					 sizeof(a->rows.error));
			if (!a->rows.error[0])
				util_strlcpy(a->rows.error, "failed", sizeof(a->rows.error));
			break;
		}
		PQclear(res);
	}
	if (a->state == ADMIN_ST_QUERYING && PQstatus(a->conn) == CONNECTION_BAD)
		goto broken;
	return;
broken:
	a->view.admin = POOLER_ADMIN_UNREACHABLE;
	{
		char line[160];
		admin_first_line(PQerrorMessage(a->conn), line, sizeof(line));
		snprintf(a->view.reason, sizeof(a->view.reason),
			 "PgBouncer's admin console closed the connection during %s: %s",
			 pooler_show_sql(a->show), line[0] ? line : "no reason given");
	}
	admin_finish(a);
}

void admin_begin(struct admin *a)
{
	if (a->state != ADMIN_ST_NEW)
		return;
	a->t_start = util_now_ms();
	a->deadline = a->t_start + a->cfg.deadline_ms;
	a->state = ADMIN_ST_CONNECTING;
	a->conn = PQconnectStartParams((const char *const *)a->kw, (const char *const *)a->val, 0);
	if (!a->conn) {
		a->view.admin = POOLER_ADMIN_UNREACHABLE;
		util_strlcpy(a->view.reason, "out of memory starting a connection",
			     sizeof(a->view.reason));
		admin_finish(a);
		return;
	}
	if (PQstatus(a->conn) == CONNECTION_BAD) {
		admin_connect_failed(a, PQerrorMessage(a->conn));
		return;
	}
	a->poll = PGRES_POLLING_WRITING;
}

bool admin_pollfd(const struct admin *a, struct pollfd *pfd)
{
	int fd;

	if (a->state != ADMIN_ST_CONNECTING && a->state != ADMIN_ST_QUERYING)
		return false;
	fd = PQsocket(a->conn); /* may change while connecting: read it each time */
	if (fd < 0)
		return false;
	pfd->fd = fd;
	pfd->revents = 0;
	if (a->state == ADMIN_ST_CONNECTING)
		pfd->events = a->poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	else
		pfd->events = POLLIN | (a->flush_pending ? POLLOUT : 0);
	return true;
}

double admin_deadline_ms(const struct admin *a)
{
	return a->state == ADMIN_ST_NEW ? INFINITY : a->deadline;
}

void admin_step(struct admin *a, short revents)
{
	if (a->state != ADMIN_ST_CONNECTING && a->state != ADMIN_ST_QUERYING)
		return;
	if (util_now_ms() >= a->deadline) {
		a->view.admin = POOLER_ADMIN_UNREACHABLE;
		snprintf(a->view.reason, sizeof(a->view.reason),
			 "PgBouncer's admin console did not answer within %.0f ms (%s)",
			 a->cfg.deadline_ms,
			 a->state == ADMIN_ST_CONNECTING ? "connecting" : pooler_show_sql(a->show));
		admin_finish(a);
		return;
	}
	if (a->state == ADMIN_ST_CONNECTING) {
		if (revents)
			admin_step_connect(a);
		return;
	}
	admin_step_query(a, revents);
}

bool admin_is_done(const struct admin *a)
{
	return a->state == ADMIN_ST_DONE;
}

void admin_cancel(struct admin *a)
{
	if (a->state == ADMIN_ST_DONE)
		return;
	a->view.admin = POOLER_ADMIN_UNREACHABLE;
	util_strlcpy(a->view.reason, "cancelled", sizeof(a->view.reason));
	admin_finish(a);
}

const struct pooler_view *admin_result(const struct admin *a)
{
	return &a->view;
}

void admin_take_result(struct admin *a, struct pooler_view *out)
{
	*out = a->view;
	pooler_view_init(&a->view);
}

double admin_elapsed_ms(const struct admin *a)
{
	if (a->state == ADMIN_ST_NEW)
		return 0;
	return (a->state == ADMIN_ST_DONE ? a->t_end : util_now_ms()) - a->t_start;
}

void admin_free(struct admin *a)
{
	if (!a)
		return;
	admin_rows_clear(&a->rows);
	if (a->conn)
		PQfinish(a->conn);
	for (int i = 0; a->kw[i]; i++) {
		free(a->kw[i]);
		/* A password may be among the values: wipe before freeing. */
		explicit_bzero(a->val[i], strlen(a->val[i]));
		free(a->val[i]);
	}
	free(a->kw);
	free(a->val);
	pooler_view_free(&a->view);
	free(a);
}
