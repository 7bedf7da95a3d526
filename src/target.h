/*
 * target: everything pgpulse knows about one endpoint over a run: the
 * parsed target, scheduling state, latency statistics per phase, failure
 * counts, up/down state, the last server facts and a bounded event log.
 * Filled by the scheduler from probe results; front-ends only read it.
 */
#ifndef PGPULSE_TARGET_H
#define PGPULSE_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "dsn.h"
#include "pooler.h"
#include "probe.h"
#include "stats.h"

/*
 * The event log keeps up to TARGET_EVENTS events per target while the
 * targets are few; with many, they share TARGET_EVENTS_BUDGET between them,
 * each keeping at least TARGET_EVENTS_MIN (a few probes' worth). The log
 * and the incidents are allocated as they fill: a quiet target of ten
 * thousand costs a few tens of KB.
 */
#define TARGET_EVENTS	     512
#define TARGET_EVENTS_MIN    32
#define TARGET_EVENTS_BUDGET (TARGET_EVENTS * 32)
#define TARGET_INCIDENTS     32

enum target_health {
	TARGET_UNKNOWN = 0, /* no probe finished yet */
	TARGET_UP,
	TARGET_DEGRADED, /* answering, but some of the recent probes failed */
	TARGET_DOWN,
};

/*
 * Consecutive max_clients failures form an incident. Back-off delays the
 * probe that sees recovery, so the end lies between the last failure and
 * the first success: durations are last_fail - start .. end - start.
 */
struct target_incident {
	struct timespec start, end; /* end (the first success) .tv_sec == 0 while open */
	double start_ms, end_ms;    /* monotonic */
	struct timespec last_fail;  /* the last failing probe of it */
	double last_fail_ms;
	uint64_t ended_seq; /* the probe that ended it (watch prints the incident with it) */
	uint64_t probes_failed;
	uint64_t failed_before_reset; /* of probes_failed, those before the last reset (r) */
	enum classify_limit limit;
	char sqlstate[6];
	char message[200];
	/*
	 * Who held the slots meanwhile (holders_culprit), from the freshest view
	 * of this server, possibly taken through another target; "" when
	 * nothing stood out or nobody could look. Filled by the scheduler.
	 */
	char culprit[600];
	/* The same from the failing pooler's own console, as data (found false: none). */
	struct pooler_culprit pooler_culprit;
	char culprit_source[16]; /* "pgbouncer_admin" | "sibling" | "" */
};

/* What an incident with no culprit says: how to get a view of the holders. */
#define TARGET_NO_CULPRIT_ADVICE                                                                   \
	"no view of who holds the slots: add this user to PgBouncer's stats_users or pass "        \
	"--pooler-admin, or give pgpulse a target with a role that may use the reserved slots "    \
	"(superuser_reserved_connections / pg_use_reserved_connections)"

struct target {
	int index;
	struct dsn_target dsn;
	struct probe_config probe_cfg;

	/* scheduling (owned by sched) */
	struct probe *probe;
	void *probe_ctx;    /* the scheduler's callback context */
	bool probe_record;  /* the probe in flight counts in the statistics */
	bool behind_pooler; /* a pooler answers here: its protocol pid is made up */
	uint64_t seq;
	double base_interval_ms;
	double interval_ms; /* current, with back-off */
	double next_due_ms;
	int backoff_level;
	double last_inspect_ms; /* monotonic ms of the last introspection, 0 never */
	bool done;		/* reached its probe count */

	/* statistics, since stats_since: the start, or the last reset (r) */
	bool stats_reset;
	struct timespec stats_since;
	struct stats_hist phase[PROBE_PHASE_COUNT];
	struct stats_ring total_ring; /* NAN for failures */
	uint64_t probes, ok;
	uint64_t failures[CLASS_COUNT];
	unsigned recent; /* bit history of the last 32 probes, 1 = failed */
	enum target_health health;
	struct timespec health_since;
	double outage_start_ms; /* 0 when not in an outage */
	double longest_outage_ms;
	int open_connections; /* connections of ours open right now */

	/* the last facts seen */
	bool have_last;
	struct probe_result last; /* last finished probe */
	bool have_last_ok;
	struct probe_result last_ok; /* last successful probe */
	bool have_inspect;
	struct inspect_info inspect; /* last successful introspection */
	struct timespec inspect_wall;

	/*
	 * PgBouncer's admin console (issue 9), read by the scheduler next to
	 * the probes (admin.h, pooler.h); front-ends read the cached view.
	 */
	struct admin *admin;	   /* a read in flight, or NULL */
	struct pooler_view pooler; /* the last finished read */
	bool have_pooler;
	double pooler_read_ms;	      /* monotonic end of the last read, 0 never */
	struct timespec pooler_wall;  /* its wall time (for "as of") */
	enum pooler_kind pooler_kind; /* PGBOUNCER once a read said so */
	bool pooler_reason_noted;     /* a denied/unreachable reason went to the events once */
	double probe_ready_ms;	      /* monotonic ReadyForQuery of the probe in flight, 0 none */
	char pooler_advice[400]; /* advice of a queued-probe verdict (error.advice points here) */
	/* pg_stat_activity's client backends one by one, from the last inspection that read them */
	struct pooler_backend *backends;
	int nbackends;

	/*
	 * Lifecycle events, a ring newest at head-1: ev_cap allocated, grown
	 * up to ev_max (target_event_capacity); read them with target_event.
	 */
	struct probe_event *events;
	unsigned ev_head, ev_len, ev_cap, ev_max;
	uint64_t ev_total;

	/* max_clients incidents, oldest first; the last may be open (inc_cap allocated) */
	struct target_incident *incidents;
	unsigned ninc, inc_cap;
	uint64_t incidents_total;
};

/* A target owns memory: never copy one by value. */
void target_init(struct target *t, int index);
/* Frees what the target owns (the dsn, statistics, events; not an in-flight probe). */
void target_free(struct target *t);
/* The events each target keeps when there are ntargets of them. */
unsigned target_event_capacity(int ntargets);
/* Keeps at most max events from now on (the newest, when there are more). */
void target_set_event_max(struct target *t, unsigned max);
/*
 * The dashboard's r: counters, failures by class, latency, availability and
 * the trend start again from now (stats_since). The probe log, the events
 * and the incidents are history and stay; an open incident remembers how
 * many of its failures came before, so every view can say "since the reset".
 */
void target_reset_stats(struct target *t);
void target_push_event(struct target *t, const struct probe_event *ev);
/* i = 0 is the newest event; NULL past the end. */
const struct probe_event *target_event(const struct target *t, unsigned i);
/* Folds a finished probe into the statistics and state. */
void target_record(struct target *t, const struct probe_result *r, double now_ms);
const char *target_health_name(enum target_health h);
/* Percentage of successful probes, NAN before the first. */
double target_availability(const struct target *t);
/* The open max_clients incident or NULL. */
const struct target_incident *target_open_incident(const struct target *t);

#endif
