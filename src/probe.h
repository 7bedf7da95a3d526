/*
 * probe: one connection's lifecycle as a non-blocking state machine over
 * libpq: resolve -> TCP -> TLS -> startup/auth -> check query -> close,
 * each step stamped on CLOCK_MONOTONIC, with its own deadline because libpq
 * ignores connect_timeout in the asynchronous API. The owner drives it from
 * a poll() loop and reads the result when it is done.
 */
#ifndef PGPULSE_PROBE_H
#define PGPULSE_PROBE_H

#include <poll.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "classify.h"
#include "dsn.h"
#include "inspect.h"
#include "pooler.h"
#include "resolve.h"
#include "tls.h"

enum probe_phase {
	PROBE_DNS = 0,
	PROBE_TCP,
	PROBE_TLS,
	PROBE_AUTH,
	PROBE_QUERY,
	PROBE_CLOSE,
	PROBE_TOTAL,
	PROBE_PHASE_COUNT
};

enum probe_event_kind {
	PROBE_EV_RESOLVE = 0,
	PROBE_EV_TCP,
	PROBE_EV_TLS,
	PROBE_EV_READY,
	PROBE_EV_QUERY,
	PROBE_EV_CLOSE,
	PROBE_EV_ERROR,
	PROBE_EV_TIMEOUT,
	PROBE_EV_NOTICE, /* a server NOTICE/WARNING, detail made terminal-safe */
	PROBE_EV_CANCEL, /* the query past its deadline was cancelled on the server */
	PROBE_EV_NOTE, /* not the probe's: something the scheduler learnt (the pooler's console) */
	PROBE_EV_COUNT
};

/* A lifecycle event, mirroring what a pooled application sees. */
struct probe_event {
	enum probe_event_kind kind;
	uint64_t seq;
	struct timespec wall;
	double ms; /* the phase just finished; NAN when not timed */
	int backend_pid;
	enum classify_class cls; /* for error/timeout */
	enum probe_phase phase;	 /* for error/timeout: the phase it died in */
	char detail[240];
};

typedef void (*probe_event_cb)(void *arg, const struct probe_event *ev);

struct probe_config {
	double connect_timeout_ms;	    /* whole connect, DNS included */
	const char *connect_timeout_source; /* "target", "--timeout", ... (static) */
	double query_timeout_ms;
	const char *query; /* the check query, "SELECT 1" */
	bool inspect;	   /* run the introspection query after the check */
	enum classify_endpoint endpoint;
	/*
	 * sql: instead of the check query, run this in a read-only transaction
	 * under statement_timeout = query_timeout_ms; rows land in result.table.
	 */
	const char *sql;
	/* hold: stop once connected and keep the connection until probe_release() (burst). */
	bool hold;
	/* The target is known to be a pooler: the protocol's pid is not a backend's. */
	bool behind_pooler;
	/* No target, no DATABASE_URL: libpq's defaults; the advice says so. */
	bool no_target;
	/* with inspect: also pg_stat_activity's client backends one by one (issue 9) */
	bool backends;
};

/* Rows of a sql probe, owned by the probe (valid until probe_free). */
struct probe_table {
	int nrows, ncols;
	char **names;	  /* ncols column names */
	char **cells;	  /* nrows * ncols values, row-major; NULL for SQL NULL */
	char command[64]; /* command tag, e.g. "SELECT 3" */
};

struct probe_result {
	uint64_t seq;
	struct timespec wall; /* when the probe started */
	bool ok;
	bool cancelled;
	double phase_ms[PROBE_PHASE_COUNT]; /* NAN: never reached */
	enum probe_phase failed_phase;
	struct classify_result error; /* cls CLASS_NONE when ok */
	bool connected;		      /* the server let us in (ReadyForQuery) */
	int backend_pid;	      /* 0: unknown, e.g. a pooler's stand-in */
	bool behind_pooler;	      /* introspection saw another backend than the protocol */
	int naddrs;
	char addrs[RESOLVE_MAX_ADDRS][RESOLVE_ADDR_LEN];
	char used_addr[RESOLVE_ADDR_LEN + 64]; /* address or socket directory */
	char server_version[32];
	int server_version_num;
	int in_recovery; /* -1 unknown */
	struct tls_info tls;
	bool inspected;
	double inspect_ms;
	struct inspect_info inspect;
	char query_value[64];	   /* first column of the first row */
	double connect_timeout_ms; /* the deadline this probe had, and its source */
	const char *connect_timeout_source;
	struct probe_table *table; /* sql probes only; owned by the probe */
	bool holding;		   /* hold probes: connected and held now */
	int notices;		   /* NOTICE/WARNING messages the server sent */
	bool cancel_sent;	   /* a query past its deadline was cancelled on the server */
	/* ms after its due time it started (queued behind the bounds, a busy loop): scheduler's */
	double late_ms;
	/* cfg.backends: the client backends one by one; owned by the probe, like table */
	struct pooler_backend *backends;
	int nbackends;
};

struct probe;

/* Frees a table (front-ends that keep a copy of one free it with this). */
void probe_table_free(struct probe_table *t);

struct probe *probe_new(const struct dsn_target *target, const struct probe_config *cfg,
			struct resolver *resolver, uint64_t seq, probe_event_cb cb, void *cbarg);
/* Starts resolving or connecting; may finish at once (e.g. refused socket). */
void probe_begin(struct probe *p);
/* The socket the probe waits on: fills pfd and returns true, or false if none. */
bool probe_pollfd(const struct probe *p, struct pollfd *pfd);
/* Monotonic ms when the probe must end. */
double probe_deadline_ms(const struct probe *p);
/* Advances on socket readiness (revents) or on its deadline (revents 0). */
void probe_step(struct probe *p, short revents);
bool probe_is_done(const struct probe *p);
/* hold probes: closes the held connection; the probe is then done (ok). */
void probe_release(struct probe *p);
/* Ends the probe now, closing its connection; the result is marked cancelled. */
void probe_cancel(struct probe *p);
/*
 * Sends the server-side cancel of a query in flight without waiting for
 * it: probes cancelled together start theirs first, so that their
 * probe_cancel calls wait about PROBE_CANCEL_MS in all, not each.
 */
void probe_cancel_start(struct probe *p);
const struct probe_result *probe_result(const struct probe *p);
void probe_free(struct probe *p);

const char *probe_phase_name(enum probe_phase phase);
/* "4242", or "-" when the pid is unknown (a pooler answered for the server). */
const char *probe_pid_text(int pid, char *buf, size_t len);
const char *probe_event_name(enum probe_event_kind kind);

#endif
