/*
 * probe: the connection state machine. libpq does not say when TCP or TLS
 * ends, so phases are read off PQstatus() after each PQconnectPoll(): the
 * first status past CONNECTION_STARTED ends TCP, the first past the SSL or
 * GSS startup ends TLS. One poll call can cross several states; the
 * timestamps then coincide, which is the best a client can observe.
 */
#include "probe.h"
#include "text.h"
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A sql probe's wrapper adds BEGIN and SET results before the user's. */
#define PROBE_MAX_RESULTS 16

enum probe_state {
	PROBE_ST_NEW,
	PROBE_ST_RESOLVING,
	PROBE_ST_CONNECTING,
	PROBE_ST_QUERY,
	PROBE_ST_INSPECT,
	PROBE_ST_HOLDING,
	PROBE_ST_CANCELLING, /* result final; waiting for the server-side cancel */
	PROBE_ST_DONE,
};

/* How far the connection got; decides the phase a failure belongs to. */
enum probe_stage {
	PROBE_STAGE_TCP,
	PROBE_STAGE_TLS,
	PROBE_STAGE_AUTH,
};

struct probe {
	const struct dsn_target *target;
	struct probe_config cfg;
	bool pid_query; /* the check query reads pg_backend_pid() (behind a pooler) */
	struct resolver *resolver;
	probe_event_cb cb;
	void *cbarg;

	enum probe_state state;
	enum probe_stage stage;
	struct resolve_query *rq;
	PGconn *conn;
	PostgresPollingStatusType poll;
	bool flush_pending;
	bool connected;
	int addr_index;
	double deadline;
	double t_start, t_dns, t_conn_start, t_tcp, t_tls_done, t_ok, t_query_start;
	PGresult *results[PROBE_MAX_RESULTS];
	int nresults;
	PGresult *error_result; /* the first failed result of a multi-statement query */
	char *sql_text;		/* the wrapped user query of a sql probe */
	char *query, *sql;	/* own copies: a "set query" may free the caller's meanwhile */
	int cancel_fd;		/* CANCELLING: the cancel thread writes here when done */
	bool total_fixed;	/* phase_ms[TOTAL] was taken at the deadline */
	struct probe_result r;
};

static const char *const probe_phase_names[PROBE_PHASE_COUNT] = {
	"dns", "tcp", "tls", "auth", "query", "close", "total",
};

static const char *const probe_event_names[PROBE_EV_COUNT] = {
	"resolve", "tcp",   "tls",	"ready", "query", "close",
	"error",   "timeout", "notice", "cancel", "note",
};

/* Notices shown as events per probe; a flood is counted, not shown. */
#define PROBE_MAX_NOTICE_EVENTS 3
/* How long a query past its deadline may take to be cancelled on the server. */
#define PROBE_CANCEL_MS 1000.0

/* What a timeout says about each phase, for the person reading it. */
static const char *const probe_waiting_for[PROBE_PHASE_COUNT] = {
	"DNS resolution",     "the TCP connection",
	"the TLS handshake",  "authentication and backend start",
	"the query's result", "close",
	"the probe",
};

const char *probe_phase_name(enum probe_phase phase)
{
	return phase < PROBE_PHASE_COUNT ? probe_phase_names[phase] : "?";
}

const char *probe_pid_text(int pid, char *buf, size_t len)
{
	if (pid > 0)
		snprintf(buf, len, "%d", pid);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *probe_event_name(enum probe_event_kind kind)
{
	return kind < PROBE_EV_COUNT ? probe_event_names[kind] : "?";
}

static void probe_emit(struct probe *p, enum probe_event_kind kind, double ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void probe_emit(struct probe *p, enum probe_event_kind kind, double ms, const char *fmt, ...)
{
	struct probe_event ev;
	va_list ap;

	if (p->cb == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.seq = p->r.seq;
	clock_gettime(CLOCK_REALTIME, &ev.wall);
	ev.ms = ms;
	ev.backend_pid = p->r.backend_pid;
	ev.cls = p->r.error.cls;
	ev.phase = p->r.failed_phase;
	va_start(ap, fmt);
	vsnprintf(ev.detail, sizeof(ev.detail), fmt, ap);
	va_end(ap);
	p->cb(p->cbarg, &ev);
}

struct probe *probe_new(const struct dsn_target *target, const struct probe_config *cfg,
			struct resolver *resolver, uint64_t seq, probe_event_cb cb, void *cbarg)
{
	struct probe *p = util_xcalloc(1, sizeof(*p));

	p->cancel_fd = -1;
	p->target = target;
	p->cfg = *cfg;
	/*
	 * Behind a pooler the protocol's pid is made up, and introspection only
	 * runs now and then: the default check query asks the server for its pid,
	 * at no extra round trip, so every probe shows one (not "-" between).
	 */
	p->pid_query = cfg->behind_pooler && !cfg->sql &&
		       (cfg->query == NULL || strcmp(cfg->query, "SELECT 1") == 0);
	p->query = util_xstrdup(p->pid_query ? "SELECT pg_backend_pid()"
				: cfg->query ? cfg->query
					     : "SELECT 1");
	p->cfg.query = p->query;
	if (cfg->sql) {
		p->sql = util_xstrdup(cfg->sql);
		p->cfg.sql = p->sql;
	}
	p->resolver = resolver;
	p->cb = cb;
	p->cbarg = cbarg;
	p->r.seq = seq;
	p->r.connect_timeout_ms = cfg->connect_timeout_ms;
	p->r.connect_timeout_source =
		cfg->connect_timeout_source ? cfg->connect_timeout_source : "pgpulse default";
	p->r.in_recovery = -1;
	p->r.backend_pid = 0;
	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		p->r.phase_ms[i] = NAN;
	return p;
}

static void probe_clear_results(struct probe *p)
{
	for (int i = 0; i < p->nresults; i++)
		PQclear(p->results[i]);
	p->nresults = 0;
	PQclear(p->error_result);
	p->error_result = NULL;
}

void probe_table_free(struct probe_table *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < t->ncols; i++)
		free(t->names[i]);
	for (int i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->names);
	free(t->cells);
	free(t);
}

/* Copies a result's rows out, so the PGresult can go with the connection. */
static struct probe_table *probe_table_from(PGresult *res)
{
	struct probe_table *t = util_xcalloc(1, sizeof(*t));

	t->nrows = PQntuples(res);
	t->ncols = PQnfields(res);
	text_copy(t->command, PQcmdStatus(res), sizeof(t->command));
	t->names = util_xcalloc((size_t)t->ncols, sizeof(char *));
	t->cells = util_xcalloc((size_t)t->nrows * (size_t)t->ncols, sizeof(char *));
	for (int c = 0; c < t->ncols; c++)
		t->names[c] = util_xstrdup(PQfname(res, c));
	for (int r = 0; r < t->nrows; r++)
		for (int c = 0; c < t->ncols; c++)
			if (!PQgetisnull(res, r, c))
				t->cells[r * t->ncols + c] = util_xstrdup(PQgetvalue(res, r, c));
	return t;
}

/* Closes the connection (timed as the close phase when it was up) and ends. */
static void probe_finish(struct probe *p)
{
	double now;

	if (p->cancel_fd >= 0) {
		close(p->cancel_fd);
		p->cancel_fd = -1;
	}
	if (p->r.notices > PROBE_MAX_NOTICE_EVENTS)
		probe_emit(p, PROBE_EV_NOTICE, NAN, "%d more notices not shown",
			   p->r.notices - PROBE_MAX_NOTICE_EVENTS);

	if (p->rq) {
		resolve_cancel(p->rq);
		p->rq = NULL;
	}
	probe_clear_results(p);
	if (p->conn) {
		double t0 = util_now_ms();

		PQfinish(p->conn);
		p->conn = NULL;
		if (p->connected) {
			p->r.phase_ms[PROBE_CLOSE] = util_now_ms() - t0;
			probe_emit(p, PROBE_EV_CLOSE, p->r.phase_ms[PROBE_CLOSE],
				   "connection closed");
		}
	}
	now = util_now_ms();
	if (!p->total_fixed)
		p->r.phase_ms[PROBE_TOTAL] = now - p->t_start;
	p->state = PROBE_ST_DONE;
}

/* Records the failure already in p->r.error; the caller then finishes the probe. */
static void probe_fail_classified(struct probe *p, enum probe_phase phase)
{
	p->r.ok = false;
	p->r.failed_phase = phase;
	/* Only IPv6 addresses and no route: the IPv6-only host advice (Supabase direct). */
	if (p->r.error.cls == CLASS_UNREACHABLE && p->r.naddrs > 0) {
		bool all_v6 = true;

		for (int i = 0; i < p->r.naddrs; i++)
			all_v6 &= strchr(p->r.addrs[i], ':') != NULL;
		if (all_v6)
			p->r.error.advice = classify_advice_ipv6_only();
	}
	if (p->r.error.cls == CLASS_REFUSED && p->cfg.no_target)
		p->r.error.advice = classify_advice_no_target_refused();
	/* A failed phase has no duration of its own: it never completed. */
	if (phase != PROBE_QUERY && phase != PROBE_CLOSE)
		for (int i = phase; i < PROBE_TOTAL; i++)
			p->r.phase_ms[i] = NAN;
	else
		p->r.phase_ms[phase] = NAN;
	probe_emit(p, p->r.error.cls == CLASS_TIMEOUT ? PROBE_EV_TIMEOUT : PROBE_EV_ERROR, NAN,
		   "%s in %s: %s", classify_class_name(p->r.error.cls), probe_phase_name(phase),
		   p->r.error.message);
}

/* Classifies and records a failure; the caller then finishes the probe. */
static void probe_fail(struct probe *p, enum probe_phase phase, const char *sqlstate,
		       const char *message, enum classify_stage stage)
{
	classify_error(sqlstate, message, stage, p->cfg.endpoint, &p->r.error);
	probe_fail_classified(p, phase);
}

static enum probe_phase probe_stage_phase(enum probe_stage stage)
{
	static const enum probe_phase map[] = {
		[PROBE_STAGE_TCP] = PROBE_TCP,
		[PROBE_STAGE_TLS] = PROBE_TLS,
		[PROBE_STAGE_AUTH] = PROBE_AUTH,
	};
	return map[stage];
}

/* Reads PQstatus() and stamps the phases the connection has moved past. */
static void probe_observe(struct probe *p)
{
	ConnStatusType st = PQstatus(p->conn);
	double now = util_now_ms();

	if (st == CONNECTION_BAD || st == CONNECTION_STARTED || st == CONNECTION_NEEDED)
		return;
	if (p->stage == PROBE_STAGE_TCP) {
		p->t_tcp = now;
		p->r.phase_ms[PROBE_TCP] = now - p->t_conn_start;
		p->stage = PROBE_STAGE_TLS;
		probe_emit(p, PROBE_EV_TCP, p->r.phase_ms[PROBE_TCP], "connected to %s",
			   p->r.used_addr);
	}
	if (st == CONNECTION_MADE || st == CONNECTION_SSL_STARTUP || st == CONNECTION_GSS_STARTUP)
		return;
	if (p->stage == PROBE_STAGE_TLS) {
		p->t_tls_done = now;
		p->stage = PROBE_STAGE_AUTH;
		if (PQsslInUse(p->conn)) {
			p->r.phase_ms[PROBE_TLS] = now - p->t_tcp;
			probe_emit(p, PROBE_EV_TLS, p->r.phase_ms[PROBE_TLS], "%s %s",
				   PQsslAttribute(p->conn, "protocol"),
				   PQsslAttribute(p->conn, "cipher"));
		} else {
			/* A declined SSLRequest round trip counts towards auth. */
			p->t_tls_done = p->t_tcp;
			p->r.phase_ms[PROBE_TLS] = 0;
		}
	}
}

static void probe_connect_next(struct probe *p);

/*
 * A server NOTICE or WARNING (say, RAISE NOTICE in the check query): a
 * lifecycle event with the primary message made terminal-safe, as it may
 * hold escape sequences; never stderr.
 */
static void probe_notice(void *arg, const PGresult *res)
{
	struct probe *p = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	char safe[200], safe_sev[16];

	if (++p->r.notices > PROBE_MAX_NOTICE_EVENTS)
		return;
	text_terminal(safe, msg ? msg : "", sizeof(safe), true);
	text_terminal(safe_sev, sev ? sev : "NOTICE", sizeof(safe_sev), true);
	probe_emit(p, PROBE_EV_NOTICE, NAN, "%s: %s", safe_sev, safe);
}

static void probe_send(struct probe *p, const char *sql)
{
	p->t_query_start = util_now_ms();
	p->deadline = p->t_query_start + p->cfg.query_timeout_ms;
	if (!PQsendQuery(p->conn, sql)) {
		probe_fail(p, PROBE_QUERY, NULL, PQerrorMessage(p->conn), STAGE_QUERY);
		probe_finish(p);
		return;
	}
	p->flush_pending = PQflush(p->conn) == 1;
}

static void probe_connected(struct probe *p)
{
	char pid[16];
	const char *v;

	probe_observe(p);
	p->connected = true;
	p->t_ok = util_now_ms();
	p->r.phase_ms[PROBE_AUTH] = p->t_ok - p->t_tls_done;
	p->r.connected = true;
	p->r.backend_pid = PQbackendPID(p->conn);
	/*
	 * Poolers (PgBouncer, Supavisor) send a random cancel key in place of a
	 * pid. Linux pids never exceed 2^22 (PID_MAX_LIMIT): a larger or negative
	 * value is such a key, not a backend.
	 */
	if (p->r.backend_pid <= 0 || p->r.backend_pid > 4194304 || p->cfg.behind_pooler)
		p->r.backend_pid = 0;
	text_copy(p->r.server_version, PQparameterStatus(p->conn, "server_version"),
		  sizeof(p->r.server_version));
	p->r.server_version_num = PQserverVersion(p->conn);
	/* libpq walked a host list itself: ask it which one answered. */
	if (p->r.used_addr[0] == '\0') {
		const char *a = PQhostaddr(p->conn);

		text_copy(p->r.used_addr, a && *a ? a : PQhost(p->conn), sizeof(p->r.used_addr));
	}
	/* PostgreSQL 14+ reports in_hot_standby at startup: no query needed. */
	v = PQparameterStatus(p->conn, "in_hot_standby");
	if (v)
		p->r.in_recovery = strcmp(v, "on") == 0;
	tls_read(p->conn, &p->r.tls);
	probe_emit(p, PROBE_EV_READY, p->r.phase_ms[PROBE_AUTH], "backend pid %s, PostgreSQL %s",
		   probe_pid_text(p->r.backend_pid, pid, sizeof(pid)), p->r.server_version);
	PQsetnonblocking(p->conn, 1);
	if (p->cfg.hold) {
		p->state = PROBE_ST_HOLDING;
		p->r.ok = true;
		p->r.holding = true;
		p->deadline = INFINITY;
		return;
	}
	p->state = PROBE_ST_QUERY;
	if (p->cfg.sql) {
		size_t n = strlen(p->cfg.sql) + 128;

		/* Read-only and bounded on the server too; closing rolls it back. */
		p->sql_text = util_xmalloc(n);
		snprintf(p->sql_text, n,
			 "BEGIN TRANSACTION READ ONLY; SET LOCAL statement_timeout = %.0f; %s",
			 p->cfg.query_timeout_ms, p->cfg.sql);
		probe_send(p, p->sql_text);
		return;
	}
	probe_send(p, p->cfg.query);
}

static bool probe_should_try_next(const struct probe *p, enum classify_class cls)
{
	return p->stage == PROBE_STAGE_TCP && p->addr_index + 1 < p->r.naddrs &&
	       (cls == CLASS_REFUSED || cls == CLASS_UNREACHABLE);
}

static void probe_connect_failed(struct probe *p)
{
	const char *msg = PQerrorMessage(p->conn);
	char sqlstate[6] = "";
	struct classify_result cr;

	classify_extract_sqlstate(msg, sqlstate);
	classify_error(sqlstate, msg, STAGE_CONNECT, p->cfg.endpoint, &cr);
	/* Another address of the same name may answer: try it, as libpq would. */
	if (probe_should_try_next(p, cr.cls)) {
		PQfinish(p->conn);
		p->conn = NULL;
		p->addr_index++;
		probe_connect_next(p);
		return;
	}
	p->r.error = cr;
	probe_fail_classified(p, probe_stage_phase(p->stage));
	probe_finish(p);
}

static void probe_poll_connect(struct probe *p)
{
	p->poll = PQconnectPoll(p->conn);
	probe_observe(p);
	if (p->poll == PGRES_POLLING_OK)
		probe_connected(p);
	else if (p->poll == PGRES_POLLING_FAILED)
		probe_connect_failed(p);
}

/* Starts libpq on the current address (or lets libpq resolve, when we did not). */
static void probe_connect_next(struct probe *p)
{
	const char *extra_kw[3] = { NULL, NULL, NULL };
	const char *extra_val[3] = { NULL, NULL, NULL };
	const char **kw = NULL, **val = NULL;
	int n = 0;

	if (p->r.naddrs > 0) {
		extra_kw[n] = "host";
		extra_val[n++] = p->target->host;
		extra_kw[n] = "hostaddr";
		extra_val[n++] = p->r.addrs[p->addr_index];
		text_copy(p->r.used_addr, p->r.addrs[p->addr_index], sizeof(p->r.used_addr));
	} else if (p->target->host && !p->target->multi_host) {
		text_copy(p->r.used_addr, p->target->host, sizeof(p->r.used_addr));
	}
	dsn_params_with(p->target, extra_kw, extra_val, &kw, &val);
	p->stage = PROBE_STAGE_TCP;
	p->t_conn_start = util_now_ms();
	p->state = PROBE_ST_CONNECTING;
	p->conn = PQconnectStartParams(kw, val, 0);
	free(kw);
	free(val);
	if (p->conn == NULL) {
		probe_fail(p, PROBE_TCP, NULL, "out of memory starting a connection",
			   STAGE_CONNECT);
		probe_finish(p);
		return;
	}
	/* Verbose errors carry the SQLSTATE, which libpq has no API for at connect. */
	PQsetErrorVerbosity(p->conn, PQERRORS_VERBOSE);
	/* libpq's default prints NOTICEs raw to stderr, over the dashboard. */
	PQsetNoticeReceiver(p->conn, probe_notice, p);
	if (PQstatus(p->conn) == CONNECTION_BAD) {
		probe_connect_failed(p);
		return;
	}
	p->poll = PGRES_POLLING_WRITING;
	probe_observe(p);
}

static void probe_resolved(void *arg, const struct resolve_addrs *addrs)
{
	struct probe *p = arg;
	char list[200] = "";
	double now = util_now_ms();

	p->rq = NULL;
	p->t_dns = now;
	if (addrs->n == 0) {
		char msg[300];

		snprintf(msg, sizeof(msg), "could not translate host name \"%s\" to address: %s",
			 p->target->host, addrs->error);
		probe_fail(p, PROBE_DNS, NULL, msg, STAGE_CONNECT);
		probe_finish(p);
		return;
	}
	p->r.phase_ms[PROBE_DNS] = now - p->t_start;
	p->r.naddrs = addrs->n;
	for (int i = 0; i < addrs->n; i++) {
		text_copy(p->r.addrs[i], addrs->text[i], RESOLVE_ADDR_LEN);
		if (i)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, addrs->text[i], sizeof(list) - strlen(list) - 1);
	}
	probe_emit(p, PROBE_EV_RESOLVE, p->r.phase_ms[PROBE_DNS], "%s -> %s", p->target->host,
		   list);
	probe_connect_next(p);
}

void probe_begin(struct probe *p)
{
	const struct dsn_target *t = p->target;

	p->t_start = util_now_ms();
	clock_gettime(CLOCK_REALTIME, &p->r.wall);
	p->deadline = p->t_start + p->cfg.connect_timeout_ms;
	if (t->host && !t->host_is_socket && !t->host_is_literal && !t->multi_host &&
	    !t->has_hostaddr) {
		p->state = PROBE_ST_RESOLVING;
		/* The callback may run before this returns; it clears p->rq itself. */
		struct resolve_query *rq = resolve_start(p->resolver, t->host, probe_resolved, p);

		if (p->state == PROBE_ST_RESOLVING)
			p->rq = rq;
		return;
	}
	/* IP literals and Unix sockets need no resolution. */
	p->r.phase_ms[PROBE_DNS] = 0;
	/* A host list ("h1,h2") is libpq's to walk, as the app's libpq would. */
	if (t->host_is_literal && !t->multi_host) {
		p->r.naddrs = 1;
		text_copy(p->r.addrs[0], t->host, RESOLVE_ADDR_LEN);
	}
	probe_connect_next(p);
}

bool probe_pollfd(const struct probe *p, struct pollfd *pfd)
{
	int fd;

	if (p->state == PROBE_ST_CANCELLING) {
		pfd->fd = p->cancel_fd;
		pfd->events = POLLIN;
		pfd->revents = 0;
		return true;
	}
	if ((p->state != PROBE_ST_CONNECTING && p->state != PROBE_ST_QUERY &&
	     p->state != PROBE_ST_INSPECT && p->state != PROBE_ST_HOLDING) ||
	    p->conn == NULL)
		return false;
	fd = PQsocket(p->conn);
	if (fd < 0)
		return false;
	pfd->fd = fd;
	pfd->revents = 0;
	if (p->state == PROBE_ST_CONNECTING)
		pfd->events = p->poll == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	else
		pfd->events = POLLIN | (p->flush_pending ? POLLOUT : 0);
	return true;
}

double probe_deadline_ms(const struct probe *p)
{
	return p->deadline;
}

/* A query past our own deadline: connected fine, so the network advice is wrong. */
static const char probe_query_deadline_advice[] =
	"connected, but no result within the query deadline: the server is busy or the query "
	"is slow; raise --query-timeout (set query-timeout in the prompt)";

/*
 * The server-side cancel of a query past its deadline. libpq 15 has only
 * the blocking PQcancel (PQcancelStart arrived in 17) and keeps the cancel
 * key private, so a short-lived thread runs PQcancel (documented as safe
 * from any thread) and reports on a socketpair the probe polls: the loop
 * never blocks, and the probe ends when the server has the request, or
 * after PROBE_CANCEL_MS. The thread owns everything it touches.
 */
struct probe_canceller {
	PGcancel *cancel;
	int fd; /* write end */
};

static void *probe_cancel_thread(void *arg)
{
	struct probe_canceller *c = arg;
	char err[256];
	char ok = PQcancel(c->cancel, err, sizeof(err)) ? 'y' : 'n';
	int fd = c->fd;

	/* everything freed before the answer: the process may exit right after it */
	PQfreeCancel(c->cancel);
	free(c);
	/* the probe may have given up and closed its end: no SIGPIPE */
	(void)send(fd, &ok, 1, MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

/* Starts the server-side cancel; false when it cannot (the probe just ends). */
static bool probe_start_cancel(struct probe *p)
{
	struct probe_canceller *c;
	pthread_attr_t attr;
	pthread_t tid;
	int sv[2];
	bool started;

	if (p->conn == NULL || !p->connected || PQstatus(p->conn) != CONNECTION_OK ||
	    PQtransactionStatus(p->conn) != PQTRANS_ACTIVE)
		return false;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return false;
	c = util_xmalloc(sizeof(*c));
	c->cancel = PQgetCancel(p->conn);
	c->fd = sv[1];
	if (c->cancel == NULL) {
		free(c);
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	started = pthread_create(&tid, &attr, probe_cancel_thread, c) == 0;
	pthread_attr_destroy(&attr);
	if (!started) {
		PQfreeCancel(c->cancel);
		free(c);
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	p->cancel_fd = sv[0];
	p->state = PROBE_ST_CANCELLING;
	p->deadline = util_now_ms() + PROBE_CANCEL_MS;
	return true;
}

/* The cancel thread answered: 'y' when the server took the request. */
static void probe_cancel_done(struct probe *p)
{
	char ok = 'n';

	if (read(p->cancel_fd, &ok, 1) == 1 && ok == 'y') {
		p->r.cancel_sent = true;
		probe_emit(p, PROBE_EV_CANCEL, NAN, "query cancelled on the server");
	}
	probe_finish(p);
}

static void probe_timeout(struct probe *p)
{
	enum probe_phase phase;

	switch (p->state) {
	case PROBE_ST_CANCELLING:
		/* the server did not take the cancel in time: closing is all we can do */
		probe_finish(p);
		return;
	case PROBE_ST_RESOLVING: phase = PROBE_DNS; break;
	case PROBE_ST_CONNECTING: phase = probe_stage_phase(p->stage); break;
	case PROBE_ST_INSPECT:
		/* Introspection is extra: its timeout does not fail the probe. */
		snprintf(p->r.inspect.error, sizeof(p->r.inspect.error),
			 "introspection timed out after %.1f s", p->cfg.query_timeout_ms / 1000.0);
		p->r.phase_ms[PROBE_TOTAL] = util_now_ms() - p->t_start;
		p->total_fixed = true;
		if (!probe_start_cancel(p))
			probe_finish(p);
		return;
	default: phase = PROBE_QUERY; break;
	}
	/* Our own deadline: the class is known, nothing to classify. */
	memset(&p->r.error, 0, sizeof(p->r.error));
	p->r.error.cls = CLASS_TIMEOUT;
	snprintf(p->r.error.message, sizeof(p->r.error.message),
		 "timeout expired: no answer within %.1f s while waiting for %s",
		 (phase == PROBE_QUERY ? p->cfg.query_timeout_ms : p->cfg.connect_timeout_ms) /
			 1000.0,
		 probe_waiting_for[phase]);
	p->r.error.advice = phase == PROBE_QUERY
				    ? probe_query_deadline_advice
				    : classify_advice(CLASS_TIMEOUT, LIMIT_NONE, p->cfg.endpoint);
	probe_fail_classified(p, phase);
	/* A query left running would add to the load being watched. */
	if (phase == PROBE_QUERY) {
		p->r.phase_ms[PROBE_TOTAL] = util_now_ms() - p->t_start;
		p->total_fixed = true;
		if (probe_start_cancel(p))
			return;
	}
	probe_finish(p);
}

/* The pid the pooler-side check query read: a Linux pid, else none. */
static void probe_pid_from_query(struct probe *p)
{
	char *end;
	long pid = strtol(p->r.query_value, &end, 10);

	if (end != p->r.query_value && *end == '\0' && pid > 0 && pid <= 4194304)
		p->r.backend_pid = (int)pid;
}

static void probe_query_done(struct probe *p)
{
	/* The failed result if any, else the last one (a sql probe's own rows). */
	PGresult *res = p->error_result	  ? p->error_result
			: p->nresults > 0 ? p->results[p->cfg.sql ? p->nresults - 1 : 0]
					  : NULL;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
		const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

		probe_fail(p, PROBE_QUERY, sqlstate, msg, STAGE_QUERY);
		probe_finish(p);
		return;
	}
	p->r.phase_ms[PROBE_QUERY] = util_now_ms() - p->t_query_start;
	if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0)
		text_copy(p->r.query_value, PQgetvalue(res, 0, 0), sizeof(p->r.query_value));
	if (p->pid_query)
		probe_pid_from_query(p);
	if (p->cfg.sql)
		p->r.table = probe_table_from(res);
	probe_emit(p, PROBE_EV_QUERY, p->r.phase_ms[PROBE_QUERY], "%s -> %s",
		   p->cfg.sql ? p->cfg.sql : p->cfg.query, p->r.query_value);
	p->r.ok = true;
	probe_clear_results(p);
	if (p->cfg.inspect) {
		p->state = PROBE_ST_INSPECT;
		probe_send(p, p->cfg.backends ? inspect_sql_backends() : inspect_sql());
		return;
	}
	probe_finish(p);
}

static void probe_inspect_done(struct probe *p)
{
	p->r.inspect_ms = util_now_ms() - p->t_query_start;
	/* A failed statement (say, a view the role cannot read) says why. */
	if (p->error_result)
		p->r.inspected = inspect_parse(&p->error_result, 1, &p->r.inspect);
	else
		p->r.inspected = inspect_parse(p->results, p->nresults, &p->r.inspect);
	if (p->r.inspected && p->cfg.backends && p->nresults > 3 && p->r.backends == NULL) {
		p->r.backends = util_xcalloc(INSPECT_MAX_BACKENDS, sizeof(*p->r.backends));
		p->r.nbackends =
			inspect_parse_backends(p->results[3], p->r.backends, INSPECT_MAX_BACKENDS);
	}
	if (p->r.inspected) {
		p->r.in_recovery = p->r.inspect.in_recovery;
		/* A pid that differs from the server's own came from a pooler. */
		if (p->r.inspect.backend_pid > 0 &&
		    p->r.inspect.backend_pid != PQbackendPID(p->conn))
			p->r.behind_pooler = true;
		if (p->r.inspect.backend_pid > 0)
			p->r.backend_pid = p->r.inspect.backend_pid;
	}
	probe_finish(p);
}

/* Reads whatever arrived; true when all results of the command are in. */
static bool probe_read_results(struct probe *p)
{
	if (!PQconsumeInput(p->conn))
		return true; /* the connection broke; the NULL result says why */
	while (!PQisBusy(p->conn)) {
		PGresult *res = PQgetResult(p->conn);

		if (res == NULL)
			return true;
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && p->error_result == NULL)
			p->error_result = res;
		else if (p->nresults < PROBE_MAX_RESULTS)
			p->results[p->nresults++] = res;
		else
			PQclear(res);
	}
	return false;
}

void probe_step(struct probe *p, short revents)
{
	if (p->state == PROBE_ST_DONE || p->state == PROBE_ST_NEW)
		return;
	if (revents == 0) {
		if (util_now_ms() >= p->deadline)
			probe_timeout(p);
		return;
	}
	switch (p->state) {
	case PROBE_ST_CONNECTING: probe_poll_connect(p); break;
	case PROBE_ST_CANCELLING: probe_cancel_done(p); break;
	case PROBE_ST_HOLDING:
		/* A held connection that turns readable was closed or told something. */
		if (!PQconsumeInput(p->conn) || PQstatus(p->conn) == CONNECTION_BAD) {
			p->r.holding = false;
			probe_fail(p, PROBE_AUTH, NULL, PQerrorMessage(p->conn), STAGE_QUERY);
			probe_finish(p);
		}
		break;
	case PROBE_ST_QUERY:
	case PROBE_ST_INSPECT:
		if (revents & POLLOUT)
			p->flush_pending = PQflush(p->conn) == 1;
		if (!(revents & (POLLIN | POLLERR | POLLHUP)))
			break;
		if (!probe_read_results(p))
			break;
		if (p->state == PROBE_ST_QUERY)
			probe_query_done(p);
		else
			probe_inspect_done(p);
		break;
	default: break;
	}
	/* A step can take time; the deadline still holds. */
	if (p->state != PROBE_ST_DONE && util_now_ms() >= p->deadline)
		probe_timeout(p);
}

bool probe_is_done(const struct probe *p)
{
	return p->state == PROBE_ST_DONE;
}

void probe_release(struct probe *p)
{
	if (p->state == PROBE_ST_HOLDING) {
		p->r.holding = false;
		probe_finish(p);
	}
}

void probe_cancel_start(struct probe *p)
{
	if (p->state != PROBE_ST_DONE && p->state != PROBE_ST_CANCELLING)
		probe_start_cancel(p);
}

void probe_cancel(struct probe *p)
{
	if (p->state == PROBE_ST_DONE)
		return;
	p->r.cancelled = true;
	p->r.ok = false;
	/*
	 * A query still running on the server would outlive us (quit, Ctrl-C,
	 * SIGTERM): cancel it there first. This one wait is bounded by
	 * PROBE_CANCEL_MS from the cancel's start (probe_cancel_start) and
	 * happens only on an explicit cancel mid-query.
	 */
	if (p->state != PROBE_ST_CANCELLING)
		probe_start_cancel(p);
	if (p->state == PROBE_ST_CANCELLING) {
		struct pollfd pfd = { .fd = p->cancel_fd, .events = POLLIN };
		double left = p->deadline - util_now_ms();

		if (poll(&pfd, 1, left > 0 ? (int)ceil(left) : 0) == 1 && (pfd.revents & POLLIN)) {
			char ok = 'n';

			if (read(p->cancel_fd, &ok, 1) == 1 && ok == 'y')
				p->r.cancel_sent = true;
		}
	}
	probe_finish(p);
}

const struct probe_result *probe_result(const struct probe *p)
{
	return &p->r;
}

void probe_free(struct probe *p)
{
	if (p == NULL)
		return;
	if (p->state != PROBE_ST_DONE)
		probe_cancel(p);
	probe_table_free(p->r.table);
	free(p->r.backends);
	free(p->sql_text);
	free(p->query);
	free(p->sql);
	free(p);
}
