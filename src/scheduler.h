/*
 * scheduler: the one poll() loop. It owns the targets and the resolver, starts
 * probes when they are due (one at a time per target), waits on every
 * probe socket, the resolver's sockets and the front-end's descriptors, and
 * sleeps until the nearest of: next probe, a probe deadline, a front-end
 * wake-up. Results flow one way: probe -> target stats -> callbacks.
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
};

typedef void (*sched_result_cb)(void *arg, struct target *t, const struct probe_result *r);
typedef void (*sched_event_cb)(void *arg, struct target *t, const struct probe_event *ev);
typedef void (*sched_fd_cb)(void *arg);

struct sched;

void sched_config_defaults(struct sched_config *cfg);
struct sched *sched_new(const struct sched_config *cfg, char *err, size_t errlen);
/* Cancels probes in flight (closing their connections) and frees everything. */
void sched_free(struct sched *s);

/* Takes ownership of *dsn (the struct is moved; do not dsn_free it). */
struct target *sched_add_target(struct sched *s, struct dsn_target *dsn);
int sched_ntargets(const struct sched *s);
struct target *sched_target(struct sched *s, int i);
const struct sched_config *sched_config(const struct sched *s);

void sched_set_callbacks(struct sched *s, sched_result_cb on_result, sched_event_cb on_event,
			 void *arg);
/* Calls cb when fd is readable (stdin, a signal pipe). At most 4. */
bool sched_watch_fd(struct sched *s, int fd, sched_fd_cb cb, void *arg);
/* Stops watching fd (the prompt ignores stdin while a command runs). */
void sched_unwatch_fd(struct sched *s, int fd);
/*
 * A front-end opened over another (the prompt over the dashboard) saves
 * the callbacks and watched fds, which clears them, sets its own, and
 * restores the saved ones when it leaves. Nests 4 deep. Covered
 * front-ends keep hearing results and events (not their fds), so their
 * records stay whole. A watch callback may do this, unwatch, or run the
 * loop itself: the turn it was called from then ends early.
 */
void sched_frontend_save(struct sched *s);
void sched_frontend_restore(struct sched *s);

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
/* The resolver, for front-ends that drive probes themselves (burst). */
struct resolver *sched_resolver(struct sched *s);
/* Builds the probe configuration the scheduler would use for t. */
void sched_probe_config(const struct sched *s, const struct target *t, struct probe_config *pc);

/*
 * Spreads the targets' next probes evenly over one interval from now, so
 * that a fleet is not connected to all at once (serve at start).
 */
void sched_stagger(struct sched *s);
/* One turn of the loop; waits at most max_wait_ms (< 0: as long as needed). */
void sched_run_once(struct sched *s, double max_wait_ms);
/* True when every target has reached its count and no probe is in flight. */
bool sched_finished(const struct sched *s);
/* Stops probing for good and cancels probes in flight. */
void sched_cancel_all(struct sched *s);
/* Connections of ours open right now, over all targets. */
int sched_open_connections(const struct sched *s);

#endif
