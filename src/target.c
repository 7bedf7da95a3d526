/*
 * target: per-endpoint aggregation of probe results. Pure bookkeeping in
 * bounded memory, allocated as it fills: no libpq, no I/O.
 */
#include "target.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const target_health_names[] = {
	[TARGET_UNKNOWN] = "WAITING",
	[TARGET_UP] = "UP",
	[TARGET_DEGRADED] = "DEGRADED",
	[TARGET_DOWN] = "DOWN",
};

const char *target_health_name(enum target_health h)
{
	return target_health_names[h];
}

void target_init(struct target *t, int index)
{
	memset(t, 0, sizeof(*t));
	t->index = index;
	t->ev_max = TARGET_EVENTS;
	pooler_view_init(&t->pooler);
	target_reset_stats(t);
	t->stats_reset = false;
}

void target_free(struct target *t)
{
	dsn_free(&t->dsn);
	pooler_view_free(&t->pooler);
	free(t->backends);
	t->backends = NULL;
	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		stats_hist_free(&t->phase[i]);
	free(t->events);
	t->events = NULL;
	t->ev_head = t->ev_len = t->ev_cap = 0;
	free(t->incidents);
	t->incidents = NULL;
	t->ninc = t->inc_cap = 0;
}

unsigned target_event_capacity(int ntargets)
{
	unsigned per = ntargets > 0 ? TARGET_EVENTS_BUDGET / (unsigned)ntargets : TARGET_EVENTS;

	if (per > TARGET_EVENTS)
		return TARGET_EVENTS;
	return per < TARGET_EVENTS_MIN ? TARGET_EVENTS_MIN : per;
}

/* Reallocates the ring to cap, keeping the newest events, oldest at 0. */
static void target_events_resize(struct target *t, unsigned cap)
{
	struct probe_event *v = util_xcalloc(cap, sizeof(*v));
	unsigned keep = t->ev_len < cap ? t->ev_len : cap;

	for (unsigned i = 0; i < keep; i++)
		v[keep - 1 - i] = *target_event(t, i);
	free(t->events);
	t->events = v;
	t->ev_cap = cap;
	t->ev_len = keep;
	t->ev_head = keep % cap;
}

void target_set_event_max(struct target *t, unsigned max)
{
	if (max == 0)
		max = 1;
	t->ev_max = max;
	if (t->ev_cap > max)
		target_events_resize(t, max);
}

void target_reset_stats(struct target *t)
{
	struct target_incident *open;

	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		stats_hist_reset(&t->phase[i]);
	stats_ring_reset(&t->total_ring);
	t->probes = t->ok = 0;
	memset(t->failures, 0, sizeof(t->failures));
	t->recent = 0;
	t->longest_outage_ms = 0;
	clock_gettime(CLOCK_REALTIME, &t->stats_since);
	t->stats_reset = true;
	open = (struct target_incident *)target_open_incident(t);
	if (open)
		open->failed_before_reset = open->probes_failed;
}

void target_push_event(struct target *t, const struct probe_event *ev)
{
	/* a full ring grows (doubling) until ev_max, then the oldest goes */
	if (t->ev_len == t->ev_cap && t->ev_cap < t->ev_max) {
		unsigned cap = t->ev_cap ? 2 * t->ev_cap : 8;

		target_events_resize(t, cap < t->ev_max ? cap : t->ev_max);
	}
	t->events[t->ev_head] = *ev;
	t->ev_head = (t->ev_head + 1) % t->ev_cap;
	if (t->ev_len < t->ev_cap)
		t->ev_len++;
	t->ev_total++;
}

const struct probe_event *target_event(const struct target *t, unsigned i)
{
	if (i >= t->ev_len)
		return NULL;
	return &t->events[(t->ev_head + t->ev_cap - 1 - i) % t->ev_cap];
}

static void target_set_health(struct target *t, enum target_health h)
{
	if (t->health == h)
		return;
	t->health = h;
	clock_gettime(CLOCK_REALTIME, &t->health_since);
}

static void target_track_incident(struct target *t, const struct probe_result *r, double now_ms)
{
	struct target_incident *open = (struct target_incident *)target_open_incident(t);

	if (!r->ok && r->error.cls == CLASS_MAX_CLIENTS) {
		if (open == NULL) {
			/* most targets never have one: the array grows on the first */
			if (t->ninc == t->inc_cap && t->inc_cap < TARGET_INCIDENTS) {
				t->inc_cap = t->inc_cap ? 2 * t->inc_cap : 2;
				if (t->inc_cap > TARGET_INCIDENTS)
					t->inc_cap = TARGET_INCIDENTS;
				t->incidents = util_xrealloc(t->incidents,
							     sizeof(*t->incidents) * t->inc_cap);
			}
			if (t->ninc == TARGET_INCIDENTS) {
				memmove(&t->incidents[0], &t->incidents[1],
					sizeof(t->incidents[0]) * (TARGET_INCIDENTS - 1));
				t->ninc--;
			}
			open = &t->incidents[t->ninc++];
			memset(open, 0, sizeof(*open));
			/* Both clocks from the probe's start, as the outage's start is. */
			open->start = r->wall;
			open->start_ms = now_ms - r->phase_ms[PROBE_TOTAL];
			t->incidents_total++;
		}
		open->probes_failed++;
		clock_gettime(CLOCK_REALTIME, &open->last_fail);
		open->last_fail_ms = now_ms;
		open->limit = r->error.limit;
		util_strlcpy(open->sqlstate, r->error.sqlstate, sizeof(open->sqlstate));
		util_strlcpy(open->message, r->error.message, sizeof(open->message));
		return;
	}
	/* Any other outcome (success or another failure) ends the incident. */
	if (open) {
		clock_gettime(CLOCK_REALTIME, &open->end);
		open->end_ms = now_ms;
		open->ended_seq = r->seq;
	}
}

/* The probe's per-backend rows outlive it here (the probe owns its own). */
static void target_keep_backends(struct target *t, const struct probe_result *r)
{
	if (r->backends == NULL)
		return;
	free(t->backends);
	t->nbackends = r->nbackends;
	t->backends =
		util_xcalloc(r->nbackends > 0 ? (size_t)r->nbackends : 1, sizeof(*t->backends));
	memcpy(t->backends, r->backends, sizeof(*t->backends) * (size_t)r->nbackends);
}

void target_record(struct target *t, const struct probe_result *r, double now_ms)
{
	if (r->cancelled)
		return;
	t->probes++;
	if (r->behind_pooler)
		t->behind_pooler = true;
	t->recent = (t->recent << 1) | (r->ok ? 0u : 1u);
	if (t->probes < 32)
		t->recent &= (1u << t->probes) - 1;
	/* Latency statistics describe successful probes; failures are counted apart. */
	for (int i = 0; i < PROBE_PHASE_COUNT && r->ok; i++)
		stats_hist_add(&t->phase[i], r->phase_ms[i]);
	stats_ring_push(&t->total_ring, r->ok ? r->phase_ms[PROBE_TOTAL] : NAN);
	t->last = *r;
	t->last.table = NULL; /* owned by the probe, gone after the callback */
	t->last.backends = NULL;
	t->last.nbackends = 0;
	t->have_last = true;
	target_track_incident(t, r, now_ms);
	if (r->ok) {
		t->ok++;
		t->last_ok = *r;
		t->last_ok.table = NULL;
		t->last_ok.backends = NULL;
		t->last_ok.nbackends = 0;
		t->have_last_ok = true;
		if (r->inspected) {
			t->inspect = r->inspect;
			t->have_inspect = true;
			t->inspect_wall = r->wall;
			target_keep_backends(t, r);
		}
		if (t->outage_start_ms > 0) {
			double len = now_ms - t->outage_start_ms;

			if (len > t->longest_outage_ms)
				t->longest_outage_ms = len;
			t->outage_start_ms = 0;
		}
		/* Recent failures leave the target degraded until they age out. */
		target_set_health(t, (t->recent & 0xffu) ? TARGET_DEGRADED : TARGET_UP);
		return;
	}
	t->failures[r->error.cls]++;
	if (t->outage_start_ms == 0)
		t->outage_start_ms = now_ms - r->phase_ms[PROBE_TOTAL];
	if (now_ms - t->outage_start_ms > t->longest_outage_ms)
		t->longest_outage_ms = now_ms - t->outage_start_ms;
	target_set_health(t, TARGET_DOWN);
}

double target_availability(const struct target *t)
{
	if (t->probes == 0)
		return NAN;
	return 100.0 * (double)t->ok / (double)t->probes;
}

const struct target_incident *target_open_incident(const struct target *t)
{
	if (t->ninc == 0 || t->incidents[t->ninc - 1].end.tv_sec != 0)
		return NULL;
	return &t->incidents[t->ninc - 1];
}
