/*
 * scheduler: the one poll() loop of the program. It owns the targets and the
 * resolver, starts probes when they are due (one at a time per target),
 * waits on every probe socket (its own and those of caller-owned probe sets
 * such as burst's), the resolver's sockets and the front-ends' watched
 * descriptors, and sleeps until the nearest of: next probe, a probe
 * deadline, a requested wake-up. Results flow one way: probe -> target
 * stats -> listeners. Front-ends turn it with sched_run_once() and act on
 * what their callbacks recorded once it returns.
 */
#ifndef PGPULSE_SCHEDULER_H
#define PGPULSE_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "target.h"

struct sched_config {
	double interval_ms;	   /* between probe starts, per target */
	double connect_timeout_ms; /* when the target sets no connect_timeout */
	/* Where connect_timeout_ms came from: "pgpulse default", "--timeout", "set timeout". */
	const char *connect_timeout_source;
	double query_timeout_ms;
	const char *query;	 /* check query; NULL: SELECT 1 */
	double inspect_every_ms; /* introspection at most this often; < 0 never */
	uint64_t count;		 /* probes per target; 0 until stopped */
	bool backoff;		 /* back off while a target answers max_clients */
	double backoff_max_ms;
	/*
	 * Probes in flight at once, at most: due targets past the bound wait
	 * their turn, longest waiting first. 0: SCHED_MAX_IN_FLIGHT, fewer if
	 * the descriptor limit (raised to its hard limit at start) allows
	 * fewer. max_per_host bounds those to one host and port, so pgpulse
	 * never fills a server's slots itself. One-off probes (the prompt)
	 * and probe sets (burst) are not held back, but count.
	 */
	int max_in_flight;
	int max_per_host;
	/*
	 * PgBouncer's admin console (issue 9): read at most this often per
	 * target that is (or may be) a PgBouncer; < 0 never (--no-pooler-admin).
	 */
	double pooler_every_ms;
	/* --pooler-admin: the console's conninfo; NULL: each target's own credentials. */
	const char *pooler_admin;
};

/* The default bound on probes in flight, and on those to one host and port. */
#define SCHED_MAX_IN_FLIGHT 128
#define SCHED_MAX_PER_HOST  8
/* Descriptors kept for the rest (resolver, front-ends, files), and per probe. */
#define SCHED_SPARE_FDS	    64
#define SCHED_FDS_PER_PROBE 2

typedef void (*sched_result_cb)(void *arg, struct target *t, const struct probe_result *r);
typedef void (*sched_event_cb)(void *arg, struct target *t, const struct probe_event *ev);
/* A watched descriptor is ready: revents as poll() set them. */
typedef void (*sched_watch_cb)(void *arg, int fd, short revents);
/* A wake-up came due. */
typedef void (*sched_timer_cb)(void *arg);

struct sched;

void sched_config_defaults(struct sched_config *cfg);
struct sched *sched_new(const struct sched_config *cfg, char *err, size_t errlen);
/* Cancels probes in flight (closing their connections) and frees everything. */
void sched_free(struct sched *s);

/* Takes ownership of *dsn (the struct is moved; do not dsn_free it). */
struct target *sched_add_target(struct sched *s, struct dsn_target *dsn);
int sched_ntargets(const struct sched *s);
struct target *sched_target(struct sched *s, int i);
/* Every target, in order, as plain data (holders_view_for takes it). */
const struct target *const *sched_targets(const struct sched *s);
const struct sched_config *sched_config(const struct sched *s);

/*
 * Listeners hear every result and event, newest first. Several listen at
 * once: a front-end covered by another (the dashboard under the prompt)
 * stays registered, so its records stay whole while it does not run.
 * arg identifies the listener for sched_unlisten.
 */
void sched_listen(struct sched *s, sched_result_cb on_result, sched_event_cb on_event, void *arg);
void sched_unlisten(struct sched *s, void *arg);

/*
 * Extra descriptors in the loop's poll(): stdin, the signal pipe, later an
 * HTTP listener. events is POLLIN and/or POLLOUT; cb gets the revents. Any
 * number. A callback may watch or unwatch (itself or others): a watch
 * removed during a turn is not called in it. Callbacks only record what
 * happened; they never run the loop themselves (front-ends act on it after
 * sched_run_once returns).
 *
 * A front-end whose descriptors change from turn to turn (libmicrohttpd in
 * external-select mode) re-registers them before each turn: it calls
 * sched_unwatch_owner(s, arg), then sched_watch() for each fd of
 * MHD_get_fdset2() (POLLIN for the read set, POLLOUT for the write set),
 * and sched_wake_at() with MHD_get_timeout(); its callback marks the fd
 * ready and, after the turn, it calls MHD_run_from_select(). With
 * MHD_USE_EPOLL it is one watch of MHD's epoll fd (POLLIN) plus the
 * wake-up, and MHD_run() after the turn.
 */
bool sched_watch(struct sched *s, int fd, short events, sched_watch_cb cb, void *arg);
/* Stops watching fd, whoever watched it. */
void sched_unwatch(struct sched *s, int fd);
/* Stops every watch and wake-up registered with this arg. */
void sched_unwatch_owner(struct sched *s, void *arg);
/*
 * Asks for cb(arg) at when_ms (util_now_ms() time) at the latest: the turn
 * that reaches it returns by then. One-shot; one per arg (a new call
 * replaces the previous time). sched_wake_cancel drops it.
 */
void sched_wake_at(struct sched *s, double when_ms, sched_timer_cb cb, void *arg);
void sched_wake_cancel(struct sched *s, void *arg);

/*
 * Probes the caller owns and the loop drives: burst's held connections.
 * The loop polls each one that is not done, steps it on readiness and on
 * its deadline; the caller starts, reads and frees them, and removes the
 * set before freeing the array. No results or events are reported for
 * them: the caller reads probe_result() after each turn.
 */
struct sched_probe_set {
	struct probe **probes;
	int n;
};
void sched_drive(struct sched *s, struct sched_probe_set *set);
void sched_undrive(struct sched *s, struct sched_probe_set *set);

void sched_set_interval(struct sched *s, double ms);
void sched_set_paused(struct sched *s, bool paused);
bool sched_paused(const struct sched *s);
void sched_set_query(struct sched *s, const char *query);
void sched_set_timeouts(struct sched *s, double connect_ms, double query_ms);
/* A probe the prompt asks for, outside the schedule. */
struct sched_oneoff {
	bool inspect;	 /* read settings and slots too */
	const char *sql; /* run this read-only instead of the check query */
	bool record;	 /* count it in the target's statistics */
};

/*
 * Starts a probe on target t now; false when one is already in flight.
 * o may be NULL (a scheduled-style probe, recorded). The result callback
 * sees it like any other; sql results are in r->table during the callback.
 */
bool sched_probe_now(struct sched *s, struct target *t, const struct sched_oneoff *o);
/* True while target t has a probe in flight. */
bool sched_target_busy(const struct target *t);
/* Cancels target t's probe in flight (Ctrl-C in the prompt). */
void sched_cancel_target(struct sched *s, struct target *t);
/* The resolver, for probes the caller owns (sched_drive). */
struct resolver *sched_resolver(struct sched *s);
/* Builds the probe configuration the scheduler would use for t. */
void sched_probe_config(const struct sched *s, const struct target *t, struct probe_config *pc);

/*
 * Spreads the targets' next probes evenly over one interval from now, so
 * that a fleet is not connected to all at once. Every turn does this by
 * itself for targets added since the last one (their first starts spread
 * over one interval); this spreads them all again.
 */
void sched_stagger(struct sched *s);
/* Probes in flight now (scheduled and one-off), and the bound on them. */
int sched_in_flight(const struct sched *s);
int sched_max_in_flight(const struct sched *s);
/* One turn of the loop; waits at most max_wait_ms (< 0: as long as needed). */
void sched_run_once(struct sched *s, double max_wait_ms);
/* True when every target has reached its count and no probe is in flight. */
bool sched_finished(const struct sched *s);
/* Cancels every probe in flight (their server-side cancels sent together). */
void sched_cancel_busy(struct sched *s);
/* Stops probing for good and cancels probes in flight. */
void sched_cancel_all(struct sched *s);
/*
 * PgBouncer's admin console is read for a target when it is known to be a
 * PgBouncer (behind_pooler, PgBouncer's error texts, an earlier read,
 * --pooler-admin with one target) at most every pooler_every_ms, and at
 * once when its probe sits queued after the pooler's ReadyForQuery. True
 * while such a read is in flight.
 */
bool sched_pooler_reading(const struct target *t);
/*
 * pg_stat_activity's client backends one by one, for joining t's pooler
 * view to them: the freshest rows of t's server, read through t or a
 * sibling (read only while some target is, or sits behind, a PgBouncer).
 * NULL (and *n 0) when none.
 */
const struct pooler_backend *sched_pooler_backends(const struct sched *s, const struct target *t,
						   int *n);
/* The age in seconds of t's pooler view; NAN when there is none. */
double sched_pooler_age_s(const struct target *t);

/* Connections of ours open right now, over all targets. */
int sched_open_connections(const struct sched *s);

#endif
