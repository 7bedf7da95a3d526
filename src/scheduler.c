/*
 * scheduler: the loop. Modelled on mtr's select loop: every descriptor in one
 * poll(), the timeout set by whatever is due next, nothing that blocks.
 */
#include "scheduler.h"
#include "holders.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_MAX_WATCH	    4
#define SCHED_RESOLVER_FDS  16
#define SCHED_MAX_FRONTENDS 4

struct sched_watch {
	int fd;
	sched_fd_cb cb;
	void *arg;
};

/* A front-end's hooks, saved while another one runs over it. */
struct sched_frontend {
	sched_result_cb on_result;
	sched_event_cb on_event;
	void *cb_arg;
	struct sched_watch watch[SCHED_MAX_WATCH];
	int nwatch;
};

struct sched {
	struct sched_config cfg;
	char *query;
	struct resolver *resolver;
	struct target **targets;
	int ntargets;
	bool paused;
	bool stopped;
	sched_result_cb on_result;
	sched_event_cb on_event;
	void *cb_arg;
	struct sched_watch watch[SCHED_MAX_WATCH];
	int nwatch;
	struct sched_frontend saved[SCHED_MAX_FRONTENDS];
	int nsaved;
	unsigned generation; /* bumped by each turn and watch change: re-entry */
	struct pollfd *pfds;
	int *pfd_target; /* for each probe's pollfd, its target's index */
	int pfds_cap;
};

/* A probe's event callback needs both the loop and the target. */
struct sched_probe_ctx {
	struct sched *s;
	struct target *t;
};

void sched_config_defaults(struct sched_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = 1000;
	cfg->connect_timeout_ms = 10000;
	cfg->connect_timeout_source = "pgpulse default";
	cfg->query_timeout_ms = 5000;
	cfg->inspect_every_ms = 5000;
	cfg->backoff = true;
	cfg->backoff_max_ms = 60000;
}

struct sched *sched_new(const struct sched_config *cfg, char *err, size_t errlen)
{
	struct sched *s = util_xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	s->query = util_xstrdup(cfg->query ? cfg->query : "SELECT 1");
	s->cfg.query = s->query;
	s->resolver = resolver_new(err, errlen);
	if (s->resolver == NULL) {
		free(s->query);
		free(s);
		return NULL;
	}
	return s;
}

static void sched_target_free(struct target *t)
{
	/* The probe may still emit its close event through its context: free it first. */
	probe_free(t->probe);
	free(t->probe_ctx);
	target_free(t);
	free(t);
}

void sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->ntargets; i++)
		sched_target_free(s->targets[i]);
	free(s->targets);
	resolver_free(s->resolver);
	free(s->pfds);
	free(s->pfd_target);
	free(s->query);
	free(s);
}

struct target *sched_add_target(struct sched *s, struct dsn_target *dsn)
{
	struct target *t = util_xcalloc(1, sizeof(*t));

	target_init(t, s->ntargets);
	t->dsn = *dsn;
	memset(dsn, 0, sizeof(*dsn));
	t->base_interval_ms = t->interval_ms = s->cfg.interval_ms;
	t->next_due_ms = util_now_ms();
	t->probe_cfg.endpoint = classify_endpoint_guess(t->dsn.host, t->dsn.port);
	s->targets = util_xrealloc(s->targets, sizeof(*s->targets) * (size_t)(s->ntargets + 1));
	s->targets[s->ntargets++] = t;
	return t;
}

int sched_ntargets(const struct sched *s)
{
	return s->ntargets;
}

struct target *sched_target(struct sched *s, int i)
{
	return i >= 0 && i < s->ntargets ? s->targets[i] : NULL;
}

const struct sched_config *sched_config(const struct sched *s)
{
	return &s->cfg;
}

void sched_set_callbacks(struct sched *s, sched_result_cb on_result, sched_event_cb on_event,
			 void *arg)
{
	s->on_result = on_result;
	s->on_event = on_event;
	s->cb_arg = arg;
}

bool sched_watch_fd(struct sched *s, int fd, sched_fd_cb cb, void *arg)
{
	if (s->nwatch == SCHED_MAX_WATCH)
		return false;
	s->watch[s->nwatch++] = (struct sched_watch){ fd, cb, arg };
	s->generation++;
	return true;
}

void sched_unwatch_fd(struct sched *s, int fd)
{
	int n = 0;

	for (int i = 0; i < s->nwatch; i++)
		if (s->watch[i].fd != fd)
			s->watch[n++] = s->watch[i];
	s->nwatch = n;
	s->generation++;
}

void sched_frontend_save(struct sched *s)
{
	struct sched_frontend *f;

	if (s->nsaved == SCHED_MAX_FRONTENDS)
		abort(); /* a programming error: the prompt over the dashboard is 2 deep */
	f = &s->saved[s->nsaved++];
	f->on_result = s->on_result;
	f->on_event = s->on_event;
	f->cb_arg = s->cb_arg;
	memcpy(f->watch, s->watch, sizeof(f->watch));
	f->nwatch = s->nwatch;
	s->on_result = NULL;
	s->on_event = NULL;
	s->cb_arg = NULL;
	s->nwatch = 0;
	s->generation++;
}

void sched_frontend_restore(struct sched *s)
{
	struct sched_frontend *f;

	if (s->nsaved == 0)
		return;
	f = &s->saved[--s->nsaved];
	s->on_result = f->on_result;
	s->on_event = f->on_event;
	s->cb_arg = f->cb_arg;
	memcpy(s->watch, f->watch, sizeof(s->watch));
	s->nwatch = f->nwatch;
	s->generation++;
}

void sched_set_interval(struct sched *s, double ms)
{
	double now = util_now_ms();

	s->cfg.interval_ms = ms;
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];

		t->base_interval_ms = ms;
		if (t->backoff_level == 0)
			t->interval_ms = ms;
		if (t->next_due_ms > now + t->interval_ms)
			t->next_due_ms = now + t->interval_ms;
	}
}

void sched_set_paused(struct sched *s, bool paused)
{
	s->paused = paused;
}

bool sched_paused(const struct sched *s)
{
	return s->paused;
}

void sched_set_query(struct sched *s, const char *query)
{
	free(s->query);
	s->query = util_xstrdup(query);
	s->cfg.query = s->query;
}

void sched_set_timeouts(struct sched *s, double connect_ms, double query_ms)
{
	if (connect_ms > 0) {
		s->cfg.connect_timeout_ms = connect_ms;
		s->cfg.connect_timeout_source = "set timeout";
	}
	if (query_ms > 0)
		s->cfg.query_timeout_ms = query_ms;
}

static void sched_finish_probe(struct sched *s, struct target *t);

/*
 * Every front-end hears every result and event, also one covered by another
 * (the dashboard under the prompt): its records stay whole, and it draws
 * when it is back on top.
 */
static void sched_notify_result(struct sched *s, struct target *t, const struct probe_result *r)
{
	if (s->on_result)
		s->on_result(s->cb_arg, t, r);
	for (int i = s->nsaved - 1; i >= 0; i--)
		if (s->saved[i].on_result)
			s->saved[i].on_result(s->saved[i].cb_arg, t, r);
}

static void sched_on_probe_event(void *arg, const struct probe_event *ev)
{
	struct sched_probe_ctx *ctx = arg;
	struct sched *s = ctx->s;

	target_push_event(ctx->t, ev);
	if (s->on_event)
		s->on_event(s->cb_arg, ctx->t, ev);
	for (int i = s->nsaved - 1; i >= 0; i--)
		if (s->saved[i].on_event)
			s->saved[i].on_event(s->saved[i].cb_arg, ctx->t, ev);
}

void sched_probe_config(const struct sched *s, const struct target *t, struct probe_config *pc)
{
	*pc = t->probe_cfg;
	/* The target's own connect_timeout wins, as it would in the app. */
	pc->connect_timeout_ms = t->dsn.connect_timeout_s > 0 ? t->dsn.connect_timeout_s * 1000.0
							      : s->cfg.connect_timeout_ms;
	pc->connect_timeout_source =
		t->dsn.connect_timeout_s > 0 ? "target" : s->cfg.connect_timeout_source;
	pc->query_timeout_ms = s->cfg.query_timeout_ms;
	pc->query = s->cfg.query;
	pc->behind_pooler = t->behind_pooler;
}

struct resolver *sched_resolver(struct sched *s)
{
	return s->resolver;
}

static void sched_start_probe(struct sched *s, struct target *t, double now,
			      const struct sched_oneoff *o)
{
	struct sched_probe_ctx *ctx = util_xcalloc(1, sizeof(*ctx));
	struct probe_config pc;

	ctx->s = s;
	ctx->t = t;
	sched_probe_config(s, t, &pc);
	pc.inspect =
		s->cfg.inspect_every_ms >= 0 &&
		(t->last_inspect_ms == 0 || now - t->last_inspect_ms >= s->cfg.inspect_every_ms);
	if (o) {
		pc.inspect = o->inspect;
		pc.sql = o->sql;
	}
	if (pc.inspect)
		t->last_inspect_ms = now;
	t->probe_record = o == NULL || o->record;
	t->seq++;
	t->probe_ctx = ctx;
	t->probe = probe_new(&t->dsn, &pc, s->resolver, t->seq, sched_on_probe_event, ctx);
	/* Like ping: the next start is one interval after this one. */
	t->next_due_ms = now + t->interval_ms;
	probe_begin(t->probe);
}

bool sched_probe_now(struct sched *s, struct target *t, const struct sched_oneoff *o)
{
	if (t->probe != NULL || s->stopped)
		return false;
	sched_start_probe(s, t, util_now_ms(), o);
	return true;
}

void sched_stagger(struct sched *s)
{
	double now = util_now_ms();

	for (int i = 0; i < s->ntargets; i++)
		s->targets[i]->next_due_ms = now + s->targets[i]->interval_ms * i / s->ntargets;
}

bool sched_target_busy(const struct target *t)
{
	return t->probe != NULL;
}

void sched_cancel_target(struct sched *s, struct target *t)
{
	if (t->probe) {
		probe_cancel(t->probe);
		sched_finish_probe(s, t);
	}
}

/* Exponential back-off while a target answers max_clients; reset on anything else. */
static void sched_adjust_interval(struct sched *s, struct target *t, const struct probe_result *r)
{
	if (s->cfg.backoff && !r->ok && r->error.cls == CLASS_MAX_CLIENTS) {
		double next = t->base_interval_ms * pow(2.0, t->backoff_level + 1);

		if (next > s->cfg.backoff_max_ms)
			next = s->cfg.backoff_max_ms;
		if (next > t->interval_ms) {
			t->backoff_level++;
			t->interval_ms = next;
		}
	} else {
		/* Back-off answers max_clients only; any other outcome is probed as usual. */
		t->backoff_level = 0;
		t->interval_ms = t->base_interval_ms;
	}
	t->next_due_ms = util_now_ms() - r->phase_ms[PROBE_TOTAL] + t->interval_ms;
}

/* A view older than this (before the incident began) does not name its culprit. */
#define SCHED_CULPRIT_MAX_AGE_S 60

/*
 * Open incidents name who holds the slots, from the freshest view of their
 * server: the failing target cannot look itself, another target that
 * reaches the same server (the direct host beside a full pooler) can.
 */
static void sched_note_culprits(struct sched *s)
{
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];
		struct target_incident *inc = (struct target_incident *)target_open_incident(t);
		const struct inspect_info *view;
		const struct target *via;
		char line[sizeof(inc->culprit)];

		if (inc == NULL)
			continue;
		view = holders_view_for(s, t, &via);
		if (view == NULL ||
		    via->inspect_wall.tv_sec + SCHED_CULPRIT_MAX_AGE_S < inc->start.tv_sec)
			continue;
		/* "Nothing stands out" now does not erase who stood out earlier. */
		if (holders_culprit(view, line, sizeof(line)))
			util_strlcpy(inc->culprit, line, sizeof(inc->culprit));
	}
}

static void sched_finish_probe(struct sched *s, struct target *t)
{
	const struct probe_result *r = probe_result(t->probe);
	double now = util_now_ms();

	if (!r->cancelled) {
		if (t->probe_record) {
			target_record(t, r, now);
			sched_adjust_interval(s, t, r);
			if (r->inspected || target_open_incident(t))
				sched_note_culprits(s);
		}
		sched_notify_result(s, t, r);
	}
	probe_free(t->probe);
	free(t->probe_ctx);
	t->probe = NULL;
	t->probe_ctx = NULL;
	t->open_connections = 0;
	if (s->cfg.count && t->seq >= s->cfg.count)
		t->done = true;
}

static void sched_reserve(struct sched *s, int n)
{
	if (n <= s->pfds_cap)
		return;
	s->pfds_cap = n * 2;
	s->pfds = util_xrealloc(s->pfds, sizeof(*s->pfds) * (size_t)s->pfds_cap);
	s->pfd_target = util_xrealloc(s->pfd_target, sizeof(*s->pfd_target) * (size_t)s->pfds_cap);
}

static double sched_min(double a, double b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

void sched_run_once(struct sched *s, double max_wait_ms)
{
	double now = util_now_ms(), wait = max_wait_ms;
	int n = 0, nres, first_probe, nwatch;
	unsigned generation;

	/* Start what is due. */
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];

		if (t->probe == NULL && !t->done && !s->paused && !s->stopped &&
		    now >= t->next_due_ms)
			sched_start_probe(s, t, now, NULL);
	}

	sched_reserve(s, s->nwatch + SCHED_RESOLVER_FDS + s->ntargets);
	nwatch = s->nwatch;
	for (int i = 0; i < nwatch; i++) {
		s->pfds[n].fd = s->watch[i].fd;
		s->pfds[n].events = POLLIN;
		s->pfds[n].revents = 0;
		n++;
	}
	nres = resolver_pollfds(s->resolver, s->pfds + n, SCHED_RESOLVER_FDS);
	n += nres;
	wait = sched_min(wait, resolver_timeout_ms(s->resolver));
	first_probe = n;
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];

		if (t->probe && !probe_is_done(t->probe)) {
			t->open_connections = probe_pollfd(t->probe, &s->pfds[n]) ? 1 : 0;
			if (t->open_connections)
				s->pfd_target[n++] = i;
			wait = sched_min(wait, probe_deadline_ms(t->probe) - now);
		} else if (t->probe == NULL && !t->done && !s->paused && !s->stopped) {
			wait = sched_min(wait, t->next_due_ms - now);
		}
	}
	if (wait < 0 && wait != max_wait_ms)
		wait = 0;
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->probe && probe_is_done(s->targets[i]->probe))
			wait = 0;

	/* Round up so that a deadline is past, not a hair short, on wake-up. */
	if (poll(s->pfds, (nfds_t)n, wait < 0 ? -1 : (int)ceil(wait)) < 0 && errno != EINTR)
		return;

	generation = ++s->generation;
	for (int i = 0; i < nwatch; i++) {
		if (s->pfds[i].revents)
			s->watch[i].cb(s->watch[i].arg);
		/*
		 * A callback that ran the loop itself (the prompt over the
		 * dashboard) or changed the watch list made this turn's poll
		 * results stale; the next turn polls afresh.
		 */
		if (s->generation != generation)
			return;
	}
	resolver_process(s->resolver, s->pfds + nwatch, nres);
	for (int k = first_probe; k < n; k++) {
		struct target *t = s->targets[s->pfd_target[k]];

		if (t->probe && s->pfds[k].revents)
			probe_step(t->probe, s->pfds[k].revents);
	}
	/* Deadlines, and collecting what finished. */
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];

		if (t->probe && !probe_is_done(t->probe))
			probe_step(t->probe, 0);
		if (t->probe && probe_is_done(t->probe))
			sched_finish_probe(s, t);
	}
}

bool sched_finished(const struct sched *s)
{
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->probe || (!s->targets[i]->done && !s->stopped))
			return false;
	return true;
}

void sched_cancel_all(struct sched *s)
{
	s->stopped = true;
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = s->targets[i];

		if (t->probe) {
			probe_cancel(t->probe);
			sched_finish_probe(s, t);
		}
	}
}

int sched_open_connections(const struct sched *s)
{
	int n = 0;

	for (int i = 0; i < s->ntargets; i++)
		n += s->targets[i]->open_connections;
	return n;
}
