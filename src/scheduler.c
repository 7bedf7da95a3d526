/*
 * scheduler: the loop. Modelled on mtr's select loop: every descriptor in one
 * poll(), the timeout set by whatever is due next, nothing that blocks.
 */
#include "scheduler.h"
#include "admin.h"
#include "sched_heap.h"
#include "holders.h"
#include "util.h"

#include <arpa/inet.h>

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define SCHED_RESOLVER_FDS 16

struct sched_watch {
	int fd;
	short events;
	sched_watch_cb cb;
	void *arg;
};

struct sched_listener {
	sched_result_cb on_result;
	sched_event_cb on_event;
	void *arg;
};

struct sched_timer {
	double when_ms;
	sched_timer_cb cb;
	void *arg;
};

struct sched {
	struct sched_config cfg;
	char *query;
	char *pooler_admin; /* --pooler-admin, our copy (main blanks argv's) */
	struct resolver *resolver;
	struct target **targets;
	int ntargets;
	bool paused;
	bool stopped;
	struct sched_listener *listeners; /* newest last; notified newest first */
	int nlisteners;
	struct sched_watch *watch;
	int nwatch;
	struct sched_timer *timers;
	int ntimers;
	struct sched_probe_set **sets;
	int nsets;
	/* one turn's poll set: for each entry, what it belongs to */
	struct pollfd *pfds;
	struct sched_turn_slot *slots;
	int pfds_cap;
	/* each server's freshest view of its slots, for incidents' culprits */
	struct holders_servers *servers;
	struct holders_poolers poolers; /* every pooler connection seen, for culprits */
	/* what bounds the probes in flight (sched_start_due) */
	struct sched_meta *meta; /* per target, by index */
	struct sched_host *hosts;
	int nhosts;
	int *host_map; /* open addressing: host index + 1, 0 free */
	int host_cap;
	int in_flight;
	int max_in_flight, max_per_host;
	int unplaced;	 /* targets added since the last turn, not yet spread */
	unsigned ev_max; /* each target's event log, shared out by their number */
	/*
	 * The queues, so a turn costs O(log N) in the targets, not a scan:
	 * idle targets wait in `waiting` by due time; once due, in their
	 * host's `ready`; `hosts_ready` holds the hosts with room and a due
	 * target, by their longest waiting. A target is in one queue at most.
	 */
	struct sched_heap waiting, hosts_ready;
	int *target_pos;      /* per target: its place in waiting or its host's ready */
	int *host_pos;	      /* per host: its place in hosts_ready */
	struct target **busy; /* the targets with a probe in flight (in_flight of them) */
	int busy_cap;
	struct target **turn; /* this turn's copy of busy, in target order */
	int turn_cap;
	/*
	 * PgBouncer's console: known poolers wait in pooler_due for the time
	 * their next read comes due (a probe in flight is looked at as it
	 * runs); the reads in flight are in readers. A turn looks at those only.
	 */
	struct sched_heap pooler_due;
	int *pooler_pos; /* per target: its place in pooler_due */
	struct target **readers;
	int nreaders, readers_cap;
	int ndone;  /* targets that reached their count */
	int nearby; /* targets that are, or sit behind, a PgBouncer */
};

enum sched_queue { SCHED_Q_NONE, SCHED_Q_WAITING, SCHED_Q_READY };

/* A target's place in the bounds and queues: its host, whether its start is spread yet. */
struct sched_meta {
	int host;
	bool placed;
	bool oneoff; /* the probe in flight is a prompt's one-off */
	enum sched_queue queue;
	int busy_at;	/* its place in busy while a probe is in flight */
	double late_ms; /* how late the probe in flight started */
	int reader_at;	/* its place in readers while a console read is in flight */
	bool nearby;	/* counted in nearby */
};

/* One server as targets name it (host and port), and our probes in flight to it. */
struct sched_host {
	char *key;
	int in_flight;
	struct sched_heap ready; /* its targets past their due time, waiting for room */
};

/* What a pollfd of this turn stands for. */
struct sched_turn_slot {
	enum { SLOT_WATCH, SLOT_RESOLVER, SLOT_TARGET, SLOT_SET, SLOT_ADMIN } kind;
	struct sched_watch watch; /* SLOT_WATCH: a copy, checked again before the call */
	struct probe *probe;	  /* SLOT_TARGET, SLOT_SET */
	struct admin *admin;	  /* SLOT_ADMIN */
	int owner, index;	  /* its target; or its set and place in it */
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
	cfg->max_in_flight = 0; /* SCHED_MAX_IN_FLIGHT, within the descriptor limit */
	cfg->max_per_host = SCHED_MAX_PER_HOST;
	cfg->pooler_every_ms = 5000;
}

/*
 * Raises the soft limit on open descriptors to the hard one (each probe is
 * a socket) and returns the soft limit now in force.
 */
static long sched_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > INT32_MAX ? INT32_MAX
								       : (long)rl.rlim_cur;
}

/* The bound on probes in flight: asked for, else the default the fd limit allows. */
static int sched_in_flight_bound(int asked, long fd_limit)
{
	long fit = (fd_limit - SCHED_SPARE_FDS) / SCHED_FDS_PER_PROBE;

	if (asked > 0)
		return asked;
	if (fit > SCHED_MAX_IN_FLIGHT)
		fit = SCHED_MAX_IN_FLIGHT;
	return fit > 1 ? (int)fit : 1;
}

static bool sched_pooler_admin_check(struct sched *s, char *err, size_t errlen);

struct sched *sched_new(const struct sched_config *cfg, char *err, size_t errlen)
{
	struct sched *s = util_xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	s->query = util_xstrdup(cfg->query ? cfg->query : "SELECT 1");
	s->cfg.query = s->query;
	s->pooler_admin = cfg->pooler_admin ? util_xstrdup(cfg->pooler_admin) : NULL;
	s->cfg.pooler_admin = s->pooler_admin;
	s->resolver = sched_pooler_admin_check(s, err, errlen) ? resolver_new(err, errlen) : NULL;
	if (s->resolver == NULL) {
		free(s->pooler_admin);
		free(s->query);
		free(s);
		return NULL;
	}
	s->servers = holders_servers_new();
	s->max_in_flight = sched_in_flight_bound(cfg->max_in_flight, sched_raise_fd_limit());
	s->max_per_host = cfg->max_per_host > 0 ? cfg->max_per_host : SCHED_MAX_PER_HOST;
	return s;
}

int sched_max_in_flight(const struct sched *s)
{
	return s->max_in_flight;
}

int sched_in_flight(const struct sched *s)
{
	return s->in_flight;
}

static void sched_target_free(struct target *t)
{
	/* The probe may still emit its close event through its context: free it first. */
	probe_free(t->probe);
	free(t->probe_ctx);
	admin_free(t->admin);
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
	free(s->slots);
	free(s->listeners);
	free(s->watch);
	free(s->timers);
	free(s->sets);
	free(s->query);
	holders_servers_free(s->servers);
	for (int i = 0; i < s->nhosts; i++) {
		free(s->hosts[i].key);
		sched_heap_free(&s->hosts[i].ready);
	}
	free(s->hosts);
	free(s->host_map);
	free(s->meta);
	sched_heap_free(&s->waiting);
	sched_heap_free(&s->hosts_ready);
	free(s->target_pos);
	free(s->host_pos);
	free(s->busy);
	free(s->turn);
	sched_heap_free(&s->pooler_due);
	free(s->pooler_pos);
	free(s->readers);
	free(s->pooler_admin);
	free(s);
}

static int *sched_host_slot(const struct sched *s, const char *key)
{
	uint32_t i = (uint32_t)util_hash(key) & (uint32_t)(s->host_cap - 1);

	while (s->host_map[i] && strcmp(s->hosts[s->host_map[i] - 1].key, key) != 0)
		i = (i + 1) & (uint32_t)(s->host_cap - 1);
	return &s->host_map[i];
}

/* ------------------------------------------------------------------ queues */

/* Puts host h in hosts_ready when it has room and a due target, else takes it out. */
static void sched_host_update(struct sched *s, int h)
{
	const struct sched_heap_item *top = sched_heap_top(&s->hosts[h].ready);

	if (s->host_pos[h] >= 0)
		sched_heap_remove(&s->hosts_ready, s->host_pos, h);
	if (top && s->hosts[h].in_flight < s->max_per_host)
		sched_heap_push(&s->hosts_ready, s->host_pos, top->key, top->tie, h);
}

static void sched_dequeue(struct sched *s, const struct target *t)
{
	struct sched_meta *m = &s->meta[t->index];

	if (m->queue == SCHED_Q_WAITING) {
		sched_heap_remove(&s->waiting, s->target_pos, t->index);
	} else if (m->queue == SCHED_Q_READY) {
		sched_heap_remove(&s->hosts[m->host].ready, s->target_pos, t->index);
		sched_host_update(s, m->host);
	}
	m->queue = SCHED_Q_NONE;
}

/* After anything that changes when, or whether, t is due: its place in the queues. */
static void sched_requeue(struct sched *s, const struct target *t)
{
	sched_dequeue(s, t);
	if (t->probe || t->done)
		return;
	sched_heap_push(&s->waiting, s->target_pos, t->next_due_ms, t->index, t->index);
	s->meta[t->index].queue = SCHED_Q_WAITING;
}

/* Targets whose time came move to their host's queue; equal times keep target order. */
static void sched_make_ready(struct sched *s, double now)
{
	const struct sched_heap_item *top;

	while ((top = sched_heap_top(&s->waiting)) != NULL && top->key <= now) {
		int i = top->id, h = s->meta[i].host;

		sched_heap_pop(&s->waiting, s->target_pos);
		sched_heap_push(&s->hosts[h].ready, s->target_pos, s->targets[i]->next_due_ms, i,
				i);
		s->meta[i].queue = SCHED_Q_READY;
		sched_host_update(s, h);
	}
}

static void sched_busy_add(struct sched *s, struct target *t)
{
	if (s->in_flight == s->busy_cap) {
		s->busy_cap = s->busy_cap ? 2 * s->busy_cap : 64;
		s->busy = util_xrealloc(s->busy, sizeof(*s->busy) * (size_t)s->busy_cap);
	}
	s->meta[t->index].busy_at = s->in_flight;
	s->busy[s->in_flight++] = t;
	s->hosts[s->meta[t->index].host].in_flight++;
	sched_host_update(s, s->meta[t->index].host);
}

static void sched_busy_remove(struct sched *s, const struct target *t)
{
	int at = s->meta[t->index].busy_at;

	s->busy[at] = s->busy[--s->in_flight];
	s->meta[s->busy[at]->index].busy_at = at;
	s->hosts[s->meta[t->index].host].in_flight--;
	sched_host_update(s, s->meta[t->index].host);
}

/* The index of t's server (host and port as the target names them), added when new. */
static int sched_host_of(struct sched *s, const struct target *t)
{
	char key[600];
	int *slot;

	snprintf(key, sizeof(key), "%s\n%s", t->dsn.host ? t->dsn.host : "",
		 t->dsn.port ? t->dsn.port : "");
	if (2 * (s->nhosts + 1) > s->host_cap) {
		/* at most half full: a lookup is O(1) */
		free(s->host_map);
		s->host_cap = s->host_cap ? 2 * s->host_cap : 16;
		s->host_map = util_xcalloc((size_t)s->host_cap, sizeof(*s->host_map));
		for (int i = 0; i < s->nhosts; i++)
			*sched_host_slot(s, s->hosts[i].key) = i + 1;
	}
	slot = sched_host_slot(s, key);
	if (*slot == 0) {
		s->hosts = util_xrealloc(s->hosts, sizeof(*s->hosts) * (size_t)(s->nhosts + 1));
		s->hosts[s->nhosts] = (struct sched_host){ .key = util_xstrdup(key) };
		s->host_pos =
			util_xrealloc(s->host_pos, sizeof(*s->host_pos) * (size_t)(s->nhosts + 1));
		s->host_pos[s->nhosts] = -1;
		*slot = ++s->nhosts;
	}
	return *slot - 1;
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
	target_set_event_max(t, s->ev_max ? s->ev_max : TARGET_EVENTS);
	s->targets = util_xrealloc(s->targets, sizeof(*s->targets) * (size_t)(s->ntargets + 1));
	s->meta = util_xrealloc(s->meta, sizeof(*s->meta) * (size_t)(s->ntargets + 1));
	s->meta[s->ntargets] = (struct sched_meta){ .host = sched_host_of(s, t) };
	s->target_pos =
		util_xrealloc(s->target_pos, sizeof(*s->target_pos) * (size_t)(s->ntargets + 1));
	s->target_pos[s->ntargets] = -1;
	s->pooler_pos =
		util_xrealloc(s->pooler_pos, sizeof(*s->pooler_pos) * (size_t)(s->ntargets + 1));
	s->pooler_pos[s->ntargets] = -1;
	s->targets[s->ntargets++] = t;
	s->unplaced++;
	sched_requeue(s, t);
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

const struct target *const *sched_targets(const struct sched *s)
{
	return (const struct target *const *)s->targets;
}

void sched_listen(struct sched *s, sched_result_cb on_result, sched_event_cb on_event, void *arg)
{
	s->listeners =
		util_xrealloc(s->listeners, sizeof(*s->listeners) * (size_t)(s->nlisteners + 1));
	s->listeners[s->nlisteners++] = (struct sched_listener){ on_result, on_event, arg };
}

void sched_unlisten(struct sched *s, void *arg)
{
	int n = 0;

	for (int i = 0; i < s->nlisteners; i++)
		if (s->listeners[i].arg != arg)
			s->listeners[n++] = s->listeners[i];
	s->nlisteners = n;
}

bool sched_watch(struct sched *s, int fd, short events, sched_watch_cb cb, void *arg)
{
	if (fd < 0)
		return false;
	s->watch = util_xrealloc(s->watch, sizeof(*s->watch) * (size_t)(s->nwatch + 1));
	s->watch[s->nwatch++] = (struct sched_watch){ fd, events, cb, arg };
	return true;
}

void sched_unwatch(struct sched *s, int fd)
{
	int n = 0;

	for (int i = 0; i < s->nwatch; i++)
		if (s->watch[i].fd != fd)
			s->watch[n++] = s->watch[i];
	s->nwatch = n;
}

void sched_wake_cancel(struct sched *s, void *arg)
{
	int n = 0;

	for (int i = 0; i < s->ntimers; i++)
		if (s->timers[i].arg != arg)
			s->timers[n++] = s->timers[i];
	s->ntimers = n;
}

void sched_unwatch_owner(struct sched *s, void *arg)
{
	int n = 0;

	for (int i = 0; i < s->nwatch; i++)
		if (s->watch[i].arg != arg)
			s->watch[n++] = s->watch[i];
	s->nwatch = n;
	sched_wake_cancel(s, arg);
}

void sched_wake_at(struct sched *s, double when_ms, sched_timer_cb cb, void *arg)
{
	sched_wake_cancel(s, arg);
	s->timers = util_xrealloc(s->timers, sizeof(*s->timers) * (size_t)(s->ntimers + 1));
	s->timers[s->ntimers++] = (struct sched_timer){ when_ms, cb, arg };
}

void sched_drive(struct sched *s, struct sched_probe_set *set)
{
	s->sets = util_xrealloc(s->sets, sizeof(*s->sets) * (size_t)(s->nsets + 1));
	s->sets[s->nsets++] = set;
}

void sched_undrive(struct sched *s, struct sched_probe_set *set)
{
	int n = 0;

	for (int i = 0; i < s->nsets; i++)
		if (s->sets[i] != set)
			s->sets[n++] = s->sets[i];
	s->nsets = n;
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
		/* brought forward, but still spread over the new interval */
		if (t->next_due_ms > now + t->interval_ms) {
			t->next_due_ms = now + t->interval_ms * (i + 1) / s->ntargets;
			sched_requeue(s, t);
		}
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
static void sched_pooler_cancel(struct sched *s, struct target *t);

/* Newest listener first: the front-end on top, then those it covers. */
static void sched_notify_result(struct sched *s, struct target *t, const struct probe_result *r)
{
	for (int i = s->nlisteners - 1; i >= 0; i--)
		if (s->listeners[i].on_result)
			s->listeners[i].on_result(s->listeners[i].arg, t, r);
}

/* Into the target's event log, then to the listeners, newest first. */
static void sched_notify_event(struct sched *s, struct target *t, const struct probe_event *ev)
{
	target_push_event(t, ev);
	for (int i = s->nlisteners - 1; i >= 0; i--)
		if (s->listeners[i].on_event)
			s->listeners[i].on_event(s->listeners[i].arg, t, ev);
}

static void sched_on_probe_event(void *arg, const struct probe_event *ev)
{
	struct sched_probe_ctx *ctx = arg;

	if (ev->kind == PROBE_EV_READY)
		ctx->t->probe_ready_ms = util_now_ms();
	sched_notify_event(ctx->s, ctx->t, ev);
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
	pc.backends = pc.inspect && s->nearby > 0;
	t->probe_record = o == NULL || o->record;
	t->probe_ready_ms = 0;
	t->seq++;
	t->probe_ctx = ctx;
	t->probe = probe_new(&t->dsn, &pc, s->resolver, t->seq, sched_on_probe_event, ctx);
	/*
	 * Like ping: the next start is one interval after this one. A prompt's
	 * one-off leaves the schedule alone, so targets stay spread and
	 * scheduled probes go on between a ping's.
	 */
	s->meta[t->index].oneoff = o != NULL;
	/* queued behind the bounds or a busy loop: how late it starts (a one-off is not) */
	s->meta[t->index].late_ms = o ? 0 : fmax(0, now - t->next_due_ms);
	if (o == NULL)
		t->next_due_ms = now + t->interval_ms;
	/* a one-off on a new target places it: the rest are spread over what remains */
	if (!s->meta[t->index].placed && s->unplaced > 0)
		s->unplaced--;
	s->meta[t->index].placed = true;
	sched_dequeue(s, t);
	sched_busy_add(s, t);
	/* the deadline starts now, when the probe does: time in the queue is not its time */
	probe_begin(t->probe);
}

bool sched_probe_now(struct sched *s, struct target *t, const struct sched_oneoff *o)
{
	if (t->probe != NULL || s->stopped)
		return false;
	sched_start_probe(s, t, util_now_ms(), o);
	return true;
}

/* Once the targets are added: the event log each keeps, by their number. */
static void sched_share_events(struct sched *s)
{
	unsigned max = target_event_capacity(s->ntargets);

	if (max == s->ev_max)
		return;
	s->ev_max = max;
	for (int i = 0; i < s->ntargets; i++)
		target_set_event_max(s->targets[i], max);
}

/* Spreads the first starts of the targets not placed yet over one interval from now. */
static void sched_place(struct sched *s, double now, bool all)
{
	int m = all ? s->ntargets : s->unplaced, k = 0;

	for (int i = 0; i < s->ntargets && m > 0; i++) {
		struct target *t = s->targets[i];

		if (!all && s->meta[i].placed)
			continue;
		t->next_due_ms = now + t->interval_ms * k++ / m;
		s->meta[i].placed = true;
		sched_requeue(s, t);
	}
	s->unplaced = 0;
}

void sched_stagger(struct sched *s)
{
	sched_place(s, util_now_ms(), true);
}

bool sched_target_busy(const struct target *t)
{
	return t->probe != NULL;
}

void sched_cancel_target(struct sched *s, struct target *t)
{
	sched_pooler_cancel(s, t);
	if (t->probe) {
		probe_cancel(t->probe);
		sched_finish_probe(s, t);
	}
}

/* Exponential back-off while a target answers max_clients; reset on anything else. */
static void sched_adjust_interval(struct sched *s, struct target *t, const struct probe_result *r)
{
	double was = t->interval_ms, planned;

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
	planned = util_now_ms() - r->phase_ms[PROBE_TOTAL] + t->interval_ms;
	/* a one-off moves the schedule later only when it backs off further */
	if (!s->meta[t->index].oneoff || t->interval_ms > was || planned < t->next_due_ms)
		t->next_due_ms = planned;
}

/* A view older than this (before the incident began) does not name its culprit. */
#define SCHED_CULPRIT_MAX_AGE_S 60

/*
 * The culprit of t's open incident from t's own PgBouncer console (the
 * pooler's clients, not its server connections): true when it named one.
 */
static bool sched_pooler_culprit(const struct sched *s, const struct target *t,
				 struct target_incident *inc)
{
	const char *db = t->dsn.dbname ? t->dsn.dbname : t->dsn.user;
	struct pooler_culprit c;
	const struct pooler_backend *be;
	int nbe;

	if (!t->have_pooler || t->pooler.admin != POOLER_ADMIN_OK ||
	    t->pooler_wall.tv_sec + SCHED_CULPRIT_MAX_AGE_S < inc->start.tv_sec)
		return false;
	be = sched_pooler_backends(s, t, &nbe);
	if (!pooler_culprit(&t->pooler, db, t->dsn.user, be, nbe, true, 0, &c))
		return false;
	inc->pooler_culprit = c;
	util_strlcpy(inc->culprit, c.text, sizeof(inc->culprit));
	util_strlcpy(inc->culprit_source, "pgbouncer_admin", sizeof(inc->culprit_source));
	return true;
}

/*
 * Open incidents name who holds the slots, from the freshest view of their
 * server: the failing target cannot look itself, another target that
 * reaches the same server (the direct host beside a full pooler) can. A
 * probe that inspected updates its server's view; a target with an open
 * incident reads its server's view at each of its probes. O(1) per probe
 * in the number of targets (holders_servers).
 */
static void sched_note_culprits(struct sched *s, struct target *t, const struct probe_result *r)
{
	struct target_incident *inc = (struct target_incident *)target_open_incident(t);
	struct timespec wall;
	char line[sizeof(inc->culprit)];

	if (r && r->inspected)
		holders_servers_note(s->servers, t, &s->poolers);
	if (inc == NULL || sched_pooler_culprit(s, t, inc))
		return;
	if (!holders_servers_culprit(s->servers, t, &wall, line, sizeof(line)) ||
	    wall.tv_sec + SCHED_CULPRIT_MAX_AGE_S < inc->start.tv_sec)
		return;
	/* "Nothing stands out" now does not erase who stood out earlier. */
	if (line[0]) {
		util_strlcpy(inc->culprit, line, sizeof(inc->culprit));
		util_strlcpy(inc->culprit_source, "sibling", sizeof(inc->culprit_source));
	}
}

/* ------------------------------------------------ PgBouncer's admin console */

static double sched_min(double a, double b);

/* The last read found no PgBouncer: ask again only this rarely (a FATAL in the server's log). */
#define SCHED_POOLER_NONE_RETRY_MS 600000.0
/* Denied (admin_users/stats_users): the configuration may change, rarely. */
#define SCHED_POOLER_DENIED_RETRY_MS 60000.0
/* A probe this long past the pooler's ReadyForQuery is queued: read at once. */
#define SCHED_POOLER_QUEUED_MS	 1000.0
#define SCHED_POOLER_DEADLINE_MS 3000.0

/* --pooler-admin must parse and must not make the loop wait on DNS. */
static bool sched_pooler_admin_check(struct sched *s, char *err, size_t errlen)
{
	struct dsn_target d;
	char why[300];
	bool ok;

	if (s->pooler_admin == NULL)
		return true;
	if (!dsn_parse(s->pooler_admin, NULL, &d, why, sizeof(why))) {
		snprintf(err, errlen, "--pooler-admin: %s", why);
		return false;
	}
	ok = d.host_is_socket || d.host_is_literal || d.has_hostaddr;
	dsn_free(&d);
	if (!ok)
		snprintf(err, errlen,
			 "--pooler-admin: give the host as an IP address or a socket directory, "
			 "or add hostaddr=IP (pgpulse does not wait on DNS in its loop)");
	return ok;
}

static bool sched_is_ip_literal(const char *a)
{
	unsigned char buf[16];

	return a && (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1);
}

/*
 * PgBouncer makes its cancel keys up from random bytes: the probe leaves
 * out a "pid" no kernel hands out (0 once connected), a pooler's almost surely.
 */
static bool sched_pid_made_up(const struct probe_result *r)
{
	return r->connected && r->backend_pid == 0;
}

/* Is t known to be a PgBouncer (or to sit behind one)? */
static bool sched_pooler_known(const struct sched *s, const struct target *t)
{
	enum classify_limit l = t->have_last && !t->last.ok ? t->last.error.limit : LIMIT_NONE;

	return t->behind_pooler || t->pooler_kind == POOLER_KIND_PGBOUNCER ||
	       (t->have_last && sched_pid_made_up(&t->last)) || l == LIMIT_PGBOUNCER_POOL ||
	       l == LIMIT_PGBOUNCER_MAX_CLIENT_CONN || (s->pooler_admin && s->ntargets == 1);
}

/* Has t's probe sat past the pooler's ReadyForQuery long enough to look queued? */
static bool sched_pooler_queued(const struct sched *s, const struct target *t, double now)
{
	double after = fmin(SCHED_POOLER_QUEUED_MS, s->cfg.query_timeout_ms / 3);

	return t->probe && t->probe_ready_ms > 0 && !probe_is_done(t->probe) &&
	       now - t->probe_ready_ms >= after && t->pooler_read_ms < t->probe_ready_ms;
}

/* The turn must wake when t's probe starts to look queued: ms from now, or -1. */
static double sched_pooler_queued_wake(const struct sched *s, const struct target *t, double now)
{
	double at = t->probe_ready_ms + fmin(SCHED_POOLER_QUEUED_MS, s->cfg.query_timeout_ms / 3);

	if (s->cfg.pooler_every_ms < 0 || t->admin || !t->probe || t->probe_ready_ms == 0 ||
	    t->pooler_read_ms >= t->probe_ready_ms || at <= now)
		return -1;
	return at - now;
}

/* How often t's console is read: rarely while denied, or when no PgBouncer answered. */
static double sched_pooler_every(const struct sched *s, const struct target *t)
{
	double every = fmax(s->cfg.pooler_every_ms, 1000);

	if (t->pooler.admin == POOLER_ADMIN_DENIED)
		return fmax(every, SCHED_POOLER_DENIED_RETRY_MS);
	if (t->pooler.kind == POOLER_KIND_NONE)
		return SCHED_POOLER_NONE_RETRY_MS; /* another pooler, or PostgreSQL itself */
	return every;
}

/* Should a console read of t start now? */
static bool sched_pooler_due(const struct sched *s, const struct target *t, double now)
{
	bool known, queued;

	if (s->cfg.pooler_every_ms < 0 || t->admin || s->stopped)
		return false;
	known = sched_pooler_known(s, t);
	queued = sched_pooler_queued(s, t, now);
	/* With several targets, --pooler-admin belongs to the ones known to be PgBouncers. */
	if (!known && (!queued || s->pooler_admin))
		return false;
	if (t->pooler_read_ms == 0)
		return true;
	/* the read must happen while the probe waits (not when denied or no PgBouncer) */
	if (queued && t->pooler.admin != POOLER_ADMIN_DENIED && t->pooler.kind != POOLER_KIND_NONE)
		return true;
	return now - t->pooler_read_ms >= sched_pooler_every(s, t);
}

/*
 * Puts t in pooler_due for when time alone makes its next read due (a
 * known pooler, no read in flight), else takes it out. Called where that
 * can change: a probe or a read finished, a read started or was cancelled.
 */
static void sched_pooler_arm(struct sched *s, const struct target *t)
{
	if (s->pooler_pos[t->index] >= 0)
		sched_heap_remove(&s->pooler_due, s->pooler_pos, t->index);
	if (s->cfg.pooler_every_ms < 0 || t->admin || t->done || s->stopped ||
	    !sched_pooler_known(s, t))
		return;
	sched_heap_push(&s->pooler_due, s->pooler_pos,
			t->pooler_read_ms == 0 ? 0 : t->pooler_read_ms + sched_pooler_every(s, t),
			t->index, t->index);
}

/*
 * The address to read the console at without resolving: the probe's own
 * (libpq resolves host names synchronously). NULL in *addr: the target's
 * host needs no resolving. False: no address known yet.
 */
static bool sched_pooler_hostaddr(const struct target *t, const char **addr)
{
	const struct probe_result *r = t->probe ? probe_result(t->probe) : NULL;

	*addr = NULL;
	if (t->dsn.host_is_socket || t->dsn.host_is_literal || t->dsn.has_hostaddr)
		return true;
	if (t->dsn.multi_host)
		return false;
	if (r && sched_is_ip_literal(r->used_addr))
		*addr = r->used_addr;
	else if (t->have_last && sched_is_ip_literal(t->last.used_addr))
		*addr = t->last.used_addr;
	return *addr != NULL;
}

/* A console read of t is in flight from now on. */
static void sched_readers_add(struct sched *s, struct target *t)
{
	if (s->nreaders == s->readers_cap) {
		s->readers_cap = s->readers_cap ? 2 * s->readers_cap : 16;
		s->readers =
			util_xrealloc(s->readers, sizeof(*s->readers) * (size_t)s->readers_cap);
	}
	s->meta[t->index].reader_at = s->nreaders;
	s->readers[s->nreaders++] = t;
}

static void sched_readers_remove(struct sched *s, const struct target *t)
{
	int at = s->meta[t->index].reader_at;

	s->readers[at] = s->readers[--s->nreaders];
	s->meta[s->readers[at]->index].reader_at = at;
}

/* Keeps the count of targets that are, or sit behind, a PgBouncer. */
static void sched_nearby_note(struct sched *s, const struct target *t)
{
	bool now = t->behind_pooler || t->pooler_kind == POOLER_KIND_PGBOUNCER;

	if (now != s->meta[t->index].nearby) {
		s->nearby += now ? 1 : -1;
		s->meta[t->index].nearby = now;
	}
}

static void sched_pooler_start(struct sched *s, struct target *t)
{
	struct probe_config pc;
	struct admin_config ac = { 0 };
	const char *kw[] = { "hostaddr", NULL }, *val[] = { NULL, NULL };
	const char **k, **v;
	char err[300];

	sched_probe_config(s, t, &pc);
	ac.deadline_ms = fmin(SCHED_POOLER_DEADLINE_MS, pc.connect_timeout_ms);
	if (s->pooler_admin) {
		t->admin = admin_new_conninfo(s->pooler_admin, &ac, err, sizeof(err));
	} else {
		if (!sched_pooler_hostaddr(t, &val[0]))
			return; /* wait for a probe to find the address */
		dsn_params_with(&t->dsn, val[0] ? kw : NULL, val[0] ? val : NULL, &k, &v);
		t->admin = admin_new(k, v, &ac);
		free(k);
		free(v);
	}
	if (t->admin) {
		sched_readers_add(s, t);
		sched_pooler_arm(s, t);
		admin_begin(t->admin);
	}
}

/* Says once (until a read succeeds) why the console could not be read. */
static void sched_pooler_note(struct sched *s, struct target *t)
{
	struct probe_event ev = { .kind = PROBE_EV_NOTE, .seq = t->seq, .ms = NAN };

	if (t->pooler.admin == POOLER_ADMIN_OK) {
		t->pooler_reason_noted = false;
		return;
	}
	if (t->pooler_reason_noted || t->pooler.reason[0] == '\0')
		return;
	t->pooler_reason_noted = true;
	clock_gettime(CLOCK_REALTIME, &ev.wall);
	snprintf(ev.detail, sizeof(ev.detail), "PgBouncer's admin console: %.200s",
		 t->pooler.reason);
	sched_notify_event(s, t, &ev);
}

/* A read finished: cache its view on the target. */
static void sched_pooler_collect(struct sched *s, struct target *t)
{
	pooler_view_free(&t->pooler);
	admin_take_result(t->admin, &t->pooler);
	admin_free(t->admin);
	t->admin = NULL;
	sched_readers_remove(s, t);
	t->have_pooler = true;
	t->pooler_read_ms = util_now_ms();
	clock_gettime(CLOCK_REALTIME, &t->pooler_wall);
	if (t->pooler.admin == POOLER_ADMIN_OK || t->pooler.admin == POOLER_ADMIN_DENIED)
		t->pooler_kind = POOLER_KIND_PGBOUNCER;
	else if (t->pooler.kind == POOLER_KIND_NONE)
		t->pooler_kind = POOLER_KIND_NONE;
	sched_nearby_note(s, t);
	sched_pooler_arm(s, t);
	sched_pooler_note(s, t);
	holders_poolers_note(&s->poolers, t);
	sched_note_culprits(s, t, NULL);
}

static void sched_pooler_cancel(struct sched *s, struct target *t)
{
	if (t->admin) {
		admin_cancel(t->admin);
		admin_free(t->admin);
		t->admin = NULL;
		sched_readers_remove(s, t);
		sched_pooler_arm(s, t);
	}
}

/*
 * This turn's console reads to start: those whose time came (pooler_due),
 * and a probe in flight's, which may look queued. O(log N) a read, and
 * the probes in flight; never a scan of the targets.
 */
static void sched_pooler_start_due(struct sched *s, double now)
{
	const struct sched_heap_item *top;

	if (s->cfg.pooler_every_ms < 0)
		return;
	/* --pooler-admin with one target: it is the PgBouncer, before any probe says so */
	if (s->pooler_admin && s->ntargets == 1 && s->pooler_pos[0] < 0)
		sched_pooler_arm(s, s->targets[0]);
	while ((top = sched_heap_top(&s->pooler_due)) != NULL && top->key <= now) {
		struct target *t = s->targets[top->id];

		/* not due after all (or no address yet): the next probe's end arms it again */
		sched_heap_pop(&s->pooler_due, s->pooler_pos);
		if (!t->done && sched_pooler_due(s, t, now))
			sched_pooler_start(s, t);
	}
	for (int k = 0; k < s->in_flight; k++) {
		struct target *t = s->busy[k];

		if (!t->done && sched_pooler_due(s, t, now))
			sched_pooler_start(s, t);
	}
}

/* The reads in flight in this turn's poll(), and when the turn must wake for reads. */
static double sched_pooler_poll(struct sched *s, int *n, double now)
{
	const struct sched_heap_item *next = sched_heap_top(&s->pooler_due);
	double wait = -1;

	if (s->cfg.pooler_every_ms < 0)
		return -1;
	for (int k = 0; k < s->in_flight; k++)
		wait = sched_min(wait, sched_pooler_queued_wake(s, s->busy[k], now));
	for (int k = 0; k < s->nreaders; k++) {
		struct target *t = s->readers[k];

		if (admin_is_done(t->admin))
			continue;
		if (admin_pollfd(t->admin, &s->pfds[*n])) {
			s->slots[*n].kind = SLOT_ADMIN;
			s->slots[*n].admin = t->admin;
			s->slots[*n].owner = t->index;
			(*n)++;
		}
		wait = sched_min(wait, fmax(0, admin_deadline_ms(t->admin) - now));
	}
	if (next && !s->stopped)
		wait = sched_min(wait, fmax(0, next->key - now));
	return wait;
}

/* After poll(): deadlines, and collecting what finished (from the end: collecting removes). */
static void sched_pooler_after(struct sched *s)
{
	for (int k = s->nreaders - 1; k >= 0; k--) {
		struct target *t = s->readers[k];

		if (!admin_is_done(t->admin))
			admin_step(t->admin, 0);
		if (admin_is_done(t->admin))
			sched_pooler_collect(s, t);
	}
}

/* Behind a pooler, a refusal may be the pooler's: never advise restarting the server for it. */
static const char sched_advice_refused_behind_pooler[] =
	"PostgreSQL or a pooler in front of it refused: check the pooler's client limit first "
	"(PgBouncer: max_client_conn, pool sizes), then the server's slots (slots)";

/*
 * What the pooler's side makes of a failed probe (issue 9). A query
 * deadline after a PgBouncer's ReadyForQuery is a probe queued for a
 * server connection: max_clients / pgbouncer_pool, confirmed by the
 * console read while it waited, else "most likely". Rewrites *r.
 */
static void sched_pooler_reclassify(const struct sched *s, struct target *t, struct probe_result *r)
{
	bool pooler = t->behind_pooler || t->pooler_kind == POOLER_KIND_PGBOUNCER ||
		      t->probe_cfg.endpoint == ENDPOINT_PGBOUNCER || sched_pid_made_up(r);
	const char *db = t->dsn.dbname ? t->dsn.dbname : t->dsn.user;
	struct pooler_queue q;

	if (r->ok || r->cancelled)
		return;
	if (r->error.cls == CLASS_MAX_CLIENTS && r->error.limit == LIMIT_MAX_CONNECTIONS &&
	    pooler) {
		r->error.advice = sched_advice_refused_behind_pooler;
		return;
	}
	/* PgBouncer's own query_wait_timeout: its advice with the value the console gave */
	if (r->error.cls == CLASS_MAX_CLIENTS && r->error.limit == LIMIT_PGBOUNCER_POOL &&
	    t->have_pooler && t->pooler.admin == POOLER_ADMIN_OK &&
	    t->pooler.config.query_wait_timeout_s >= 0 && r->error.advice != t->pooler_advice) {
		snprintf(t->pooler_advice, sizeof(t->pooler_advice),
			 "%.300s (query_wait_timeout = %.0f s)", r->error.advice,
			 t->pooler.config.query_wait_timeout_s);
		r->error.advice = t->pooler_advice;
		return;
	}
	/* the query deadline, after the pooler let us in */
	if ((r->error.cls != CLASS_QUERY_TIMEOUT && r->error.cls != CLASS_TIMEOUT) ||
	    r->failed_phase != PROBE_QUERY || !r->connected || t->probe_ready_ms == 0)
		return;
	if (t->have_pooler && t->pooler.admin == POOLER_ADMIN_OK &&
	    t->pooler_read_ms >= t->probe_ready_ms) {
		/* The console saw the pool while the probe waited: it decides. */
		if (!pooler_queue_verdict(&t->pooler, db, t->dsn.user, &q))
			return;
	} else if (pooler) {
		pooler_queue_unconfirmed(s->cfg.query_timeout_ms, &q);
	} else {
		return;
	}
	r->error.cls = CLASS_MAX_CLIENTS;
	r->error.limit = LIMIT_PGBOUNCER_POOL;
	r->error.sqlstate[0] = r->error.detail[0] = r->error.hint[0] = '\0';
	util_strlcpy(r->error.message, q.message, sizeof(r->error.message));
	util_strlcpy(t->pooler_advice, q.advice, sizeof(t->pooler_advice));
	r->error.advice = t->pooler_advice;
}

const struct pooler_backend *sched_pooler_backends(const struct sched *s, const struct target *t,
						   int *n)
{
	const struct target *best = NULL;

	for (int i = 0; i < s->ntargets; i++) {
		const struct target *c = s->targets[i];

		if (c->backends == NULL || !holders_same_server(c, t))
			continue;
		if (best == NULL || c->inspect_wall.tv_sec > best->inspect_wall.tv_sec)
			best = c;
	}
	*n = best ? best->nbackends : 0;
	return best ? best->backends : NULL;
}

bool sched_pooler_reading(const struct target *t)
{
	return t->admin != NULL;
}

double sched_pooler_age_s(const struct target *t)
{
	return t->have_pooler ? (util_now_ms() - t->pooler_read_ms) / 1000.0 : NAN;
}

static void sched_finish_probe(struct sched *s, struct target *t)
{
	struct probe_result rr = *probe_result(t->probe);
	const struct probe_result *r = &rr;
	double now = util_now_ms();

	rr.late_ms = s->meta[t->index].late_ms;
	sched_pooler_reclassify(s, t, &rr);
	if (!r->cancelled) {
		if (t->probe_record) {
			target_record(t, r, now);
			sched_nearby_note(s, t);
			sched_adjust_interval(s, t, r);
			if (t->behind_pooler)
				holders_poolers_note(&s->poolers, t);
			sched_note_culprits(s, t, r);
		}
		sched_notify_result(s, t, r);
	}
	probe_free(t->probe);
	free(t->probe_ctx);
	t->probe = NULL;
	t->probe_ctx = NULL;
	t->open_connections = 0;
	sched_busy_remove(s, t);
	/* check: a target found to be a PgBouncer gets its console read before the end */
	if (!s->stopped && !t->done && sched_pooler_due(s, t, now))
		sched_pooler_start(s, t);
	if (s->cfg.count && t->seq >= s->cfg.count && !t->done) {
		t->done = true;
		s->ndone++;
	}
	sched_requeue(s, t);
	sched_pooler_arm(s, t);
}

static void sched_reserve(struct sched *s, int n)
{
	if (n <= s->pfds_cap)
		return;
	s->pfds_cap = n * 2;
	s->pfds = util_xrealloc(s->pfds, sizeof(*s->pfds) * (size_t)s->pfds_cap);
	s->slots = util_xrealloc(s->slots, sizeof(*s->slots) * (size_t)s->pfds_cap);
}

static double sched_min(double a, double b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/* Is this watch still registered (a callback earlier in the turn may have dropped it)? */
static bool sched_watch_live(const struct sched *s, const struct sched_watch *w)
{
	for (int i = 0; i < s->nwatch; i++)
		if (s->watch[i].fd == w->fd && s->watch[i].cb == w->cb && s->watch[i].arg == w->arg)
			return true;
	return false;
}

/* Is this turn's probe still there and running (a callback may have cancelled it)? */
static bool sched_probe_live(const struct sched *s, const struct sched_turn_slot *slot)
{
	const struct probe *now_there = NULL;

	if (slot->kind == SLOT_TARGET && slot->owner < s->ntargets)
		now_there = s->targets[slot->owner]->probe;
	else if (slot->kind == SLOT_SET && slot->owner < s->nsets &&
		 slot->index < s->sets[slot->owner]->n)
		now_there = s->sets[slot->owner]->probes[slot->index];
	return now_there == slot->probe && !probe_is_done(slot->probe);
}

/* Calls the wake-ups that came due; each is one-shot and may ask again. */
static void sched_fire_timers(struct sched *s)
{
	double now = util_now_ms();
	int n = s->ntimers, ndue = 0;
	struct sched_timer *due;

	for (int i = 0; i < n; i++)
		ndue += s->timers[i].when_ms <= now;
	if (ndue == 0) /* serve re-arms before every turn: most turns fire nothing */
		return;
	due = util_xmalloc(sizeof(*due) * (size_t)n);
	memcpy(due, s->timers, sizeof(*due) * (size_t)n);
	for (int i = 0; i < n; i++) {
		if (due[i].when_ms > now)
			continue;
		sched_wake_cancel(s, due[i].arg);
		due[i].cb(due[i].arg);
	}
	free(due);
}

/* Adds a probe's socket to the turn; returns its deadline's distance from now. */
static double sched_poll_probe(struct sched *s, struct probe *p, int kind, int owner, int index,
			       int *n, double now, bool *open)
{
	bool polled = probe_pollfd(p, &s->pfds[*n]);

	if (polled) {
		s->slots[*n].kind = kind;
		s->slots[*n].probe = p;
		s->slots[*n].owner = owner;
		s->slots[*n].index = index;
		(*n)++;
	}
	if (open)
		*open = polled;
	/* a deadline already past is due now: a negative wait would read as "none" */
	return fmax(0, probe_deadline_ms(p) - now);
}

/* In target order: results of one turn come as they always came. */
static int sched_index_cmp(const void *a, const void *b)
{
	return (*(const struct target *const *)a)->index -
	       (*(const struct target *const *)b)->index;
}

/*
 * Starts what is due, the longest waiting first, within the bounds; the
 * rest waits in its host's queue for a probe in flight to finish. Each
 * start is O(log N) in the targets (sched_heap).
 */
static void sched_start_due(struct sched *s, double now)
{
	const struct sched_heap_item *host;

	if (s->paused || s->stopped)
		return;
	if (s->unplaced) {
		sched_place(s, now, false);
		sched_share_events(s);
	}
	sched_make_ready(s, now);
	while (s->in_flight < s->max_in_flight && (host = sched_heap_top(&s->hosts_ready)) != NULL)
		sched_start_probe(s, s->targets[sched_heap_top(&s->hosts[host->id].ready)->id], now,
				  NULL);
}

/* Deadlines, and collecting what finished: the probes in flight, in target order. */
static void sched_step_busy(struct sched *s)
{
	int n = s->in_flight;

	if (n == 0)
		return;
	/* a copy: result callbacks may start probes (sched_probe_now) and grow busy */
	if (n > s->turn_cap) {
		s->turn_cap = s->busy_cap;
		s->turn = util_xrealloc(s->turn, sizeof(*s->turn) * (size_t)s->turn_cap);
	}
	memcpy(s->turn, s->busy, sizeof(*s->turn) * (size_t)n);
	qsort(s->turn, (size_t)n, sizeof(*s->turn), sched_index_cmp);
	for (int k = 0; k < n; k++) {
		struct target *t = s->turn[k];

		/* a result callback may have cancelled it, and started another */
		if (t->probe && !probe_is_done(t->probe))
			probe_step(t->probe, 0);
		if (t->probe && probe_is_done(t->probe))
			sched_finish_probe(s, t);
	}
}

void sched_run_once(struct sched *s, double max_wait_ms)
{
	double now = util_now_ms(), wait = max_wait_ms;
	int n = 0, nres, res_at, nset = 0;
	const struct sched_heap_item *next;

	sched_start_due(s, now);
	sched_pooler_start_due(s, now);
	for (int i = 0; i < s->nsets; i++)
		nset += s->sets[i]->n;

	sched_reserve(s, s->nwatch + SCHED_RESOLVER_FDS + s->in_flight + s->nreaders + nset);
	for (int i = 0; i < s->nwatch; i++) {
		s->pfds[n] = (struct pollfd){ .fd = s->watch[i].fd, .events = s->watch[i].events };
		s->slots[n].kind = SLOT_WATCH;
		s->slots[n].watch = s->watch[i];
		n++;
	}
	res_at = n;
	nres = resolver_pollfds(s->resolver, s->pfds + n, SCHED_RESOLVER_FDS);
	n += nres;
	wait = sched_min(wait, resolver_timeout_ms(s->resolver));
	for (int i = 0; i < s->ntimers; i++)
		wait = sched_min(wait, s->timers[i].when_ms > now ? s->timers[i].when_ms - now : 0);
	for (int k = 0; k < s->in_flight; k++) {
		struct target *t = s->busy[k];
		bool open;

		if (probe_is_done(t->probe))
			continue;
		wait = sched_min(wait, sched_poll_probe(s, t->probe, SLOT_TARGET, t->index, 0, &n,
							now, &open));
		t->open_connections = open ? 1 : 0;
	}
	/*
	 * The next start: the earliest due time still ahead. Due targets
	 * waiting for room wake when a probe in flight ends, not before.
	 */
	next = sched_heap_top(&s->waiting);
	if (next && !s->paused && !s->stopped)
		wait = sched_min(wait, next->key - now);
	for (int i = 0; i < s->nsets; i++)
		for (int k = 0; k < s->sets[i]->n; k++) {
			struct probe *p = s->sets[i]->probes[k];

			if (p && !probe_is_done(p))
				wait = sched_min(wait, sched_poll_probe(s, p, SLOT_SET, i, k, &n,
									now, NULL));
		}
	wait = sched_min(wait, sched_pooler_poll(s, &n, now));
	if (wait < 0 && wait != max_wait_ms)
		wait = 0;
	for (int k = 0; k < s->in_flight; k++)
		if (probe_is_done(s->busy[k]->probe))
			wait = 0;

	/* Round up so that a deadline is past, not a hair short, on wake-up. */
	if (poll(s->pfds, (nfds_t)n, wait < 0 ? -1 : (int)ceil(wait)) < 0 && errno != EINTR)
		return;

	for (int k = 0; k < res_at; k++) {
		struct sched_watch *w = &s->slots[k].watch;

		if (s->pfds[k].revents && sched_watch_live(s, w))
			w->cb(w->arg, w->fd, s->pfds[k].revents);
	}
	sched_fire_timers(s);
	resolver_process(s->resolver, s->pfds + res_at, nres);
	for (int k = res_at + nres; k < n; k++) {
		struct sched_turn_slot *slot = &s->slots[k];

		if (slot->kind == SLOT_ADMIN) {
			/* a reader still there and running (nothing cancels one mid-turn today) */
			if (s->pfds[k].revents && slot->owner < s->ntargets &&
			    s->targets[slot->owner]->admin == slot->admin &&
			    !admin_is_done(slot->admin))
				admin_step(slot->admin, s->pfds[k].revents);
		} else if (s->pfds[k].revents && sched_probe_live(s, slot)) {
			probe_step(slot->probe, s->pfds[k].revents);
		}
	}
	sched_pooler_after(s);
	/* Deadlines of the caller's probes; they collect their results themselves. */
	for (int i = 0; i < s->nsets; i++)
		for (int k = 0; k < s->sets[i]->n; k++) {
			struct probe *p = s->sets[i]->probes[k];

			if (p && !probe_is_done(p))
				probe_step(p, 0);
		}
	sched_step_busy(s);
}

bool sched_finished(const struct sched *s)
{
	return s->in_flight == 0 && s->nreaders == 0 && (s->stopped || s->ndone == s->ntargets);
}

void sched_cancel_busy(struct sched *s)
{
	/* every server-side cancel on its way first: quitting waits ~1 s, not 1 s a probe */
	for (int k = 0; k < s->in_flight; k++)
		probe_cancel_start(s->busy[k]->probe);
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->probe)
			sched_cancel_target(s, s->targets[i]);
}

void sched_cancel_all(struct sched *s)
{
	s->stopped = true;
	for (int i = 0; i < s->ntargets; i++)
		sched_pooler_cancel(s, s->targets[i]);
	sched_cancel_busy(s);
}

int sched_open_connections(const struct sched *s)
{
	int n = 0;

	for (int k = 0; k < s->in_flight; k++)
		n += s->busy[k]->open_connections;
	return n;
}
