/*
 * Unit tests for target's memory on demand: the event ring grows to its
 * bound and keeps the newest events when the bound shrinks, incidents
 * grow as they come and keep the newest 32, and what a target allocates
 * is freed by target_free (the sanitizers and valgrind check that).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "target.h"

static void push_events(struct target *t, uint64_t from, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct probe_event ev = { .kind = PROBE_EV_NOTE, .seq = from + i, .ms = NAN };

		target_push_event(t, &ev);
	}
}

/* Events newest first are seq newest .. newest-len+1, then NULL. */
static void assert_newest(const struct target *t, uint64_t newest, unsigned len)
{
	assert_int_equal(t->ev_len, len);
	for (unsigned i = 0; i < len; i++)
		assert_int_equal(target_event(t, i)->seq, newest - i);
	assert_null(target_event(t, len));
}

static void test_target_events_grow_to_the_full_log(void **state)
{
	struct target t;

	(void)state;
	target_init(&t, 0);
	assert_int_equal(t.ev_cap, 0);
	assert_null(target_event(&t, 0));
	push_events(&t, 1, 5);
	assert_true(t.ev_cap < TARGET_EVENTS);
	assert_newest(&t, 5, 5);
	/* across every doubling, then past the bound: the oldest go */
	push_events(&t, 6, TARGET_EVENTS + 95);
	assert_int_equal(t.ev_cap, TARGET_EVENTS);
	assert_newest(&t, TARGET_EVENTS + 100, TARGET_EVENTS);
	assert_int_equal(t.ev_total, TARGET_EVENTS + 100);
	target_free(&t);
	assert_null(t.events);
}

static void test_target_event_capacity_shrinks_with_many_targets(void **state)
{
	(void)state;
	/* a handful of targets keep the whole log, as the dashboard always showed */
	assert_int_equal(target_event_capacity(0), TARGET_EVENTS);
	assert_int_equal(target_event_capacity(1), TARGET_EVENTS);
	assert_int_equal(target_event_capacity(32), TARGET_EVENTS);
	assert_int_equal(target_event_capacity(64), TARGET_EVENTS / 2);
	assert_int_equal(target_event_capacity(1000), TARGET_EVENTS_MIN);
	assert_int_equal(target_event_capacity(10000), TARGET_EVENTS_MIN);
	assert_true(target_event_capacity(200) <= TARGET_EVENTS);
	assert_true(target_event_capacity(200) >= TARGET_EVENTS_MIN);
}

static void test_target_lower_event_max_keeps_the_newest(void **state)
{
	struct target t;

	(void)state;
	target_init(&t, 0);
	push_events(&t, 1, 300); /* grown past 256, not yet wrapped */
	target_set_event_max(&t, 64);
	assert_int_equal(t.ev_cap, 64);
	assert_newest(&t, 300, 64);
	/* and wraps at the new bound */
	push_events(&t, 301, 100);
	assert_int_equal(t.ev_cap, 64);
	assert_newest(&t, 400, 64);
	/* a raised bound grows again as events come */
	target_set_event_max(&t, 100);
	push_events(&t, 401, 50);
	assert_int_equal(t.ev_cap, 100);
	assert_newest(&t, 450, 100);
	assert_int_equal(t.ev_total, 450);
	target_free(&t);
}

static struct probe_result *result(bool max_clients, uint64_t seq)
{
	static struct probe_result r;

	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.ok = !max_clients;
	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		r.phase_ms[i] = 2.0 + i;
	if (max_clients) {
		r.error.cls = CLASS_MAX_CLIENTS;
		r.error.limit = LIMIT_MAX_CONNECTIONS;
		strcpy(r.error.sqlstate, "53300");
		snprintf(r.error.message, sizeof(r.error.message), "too many clients %llu",
			 (unsigned long long)seq);
	}
	return &r;
}

/* The next probe, finished at 1 s a probe. */
static void record(struct target *t, bool max_clients, uint64_t *seq)
{
	++*seq;
	target_record(t, result(max_clients, *seq), 1000.0 * (double)*seq);
}

static void test_target_incidents_grow_on_demand_and_keep_the_newest(void **state)
{
	struct target t;
	uint64_t seq = 0;

	(void)state;
	target_init(&t, 0);
	for (int i = 0; i < 10; i++)
		record(&t, false, &seq);
	/* a target that never saw max_clients has no incident array at all */
	assert_null(t.incidents);
	assert_int_equal(t.inc_cap, 0);
	assert_null(target_open_incident(&t));
	for (int k = 0; k < TARGET_INCIDENTS + 8; k++) {
		record(&t, true, &seq);
		record(&t, true, &seq);
		assert_non_null(target_open_incident(&t));
		assert_int_equal(target_open_incident(&t)->probes_failed, 2);
		record(&t, false, &seq);
		assert_null(target_open_incident(&t));
		if (k == 0)
			assert_true(t.inc_cap < TARGET_INCIDENTS);
	}
	assert_int_equal(t.inc_cap, TARGET_INCIDENTS);
	assert_int_equal(t.ninc, TARGET_INCIDENTS);
	assert_int_equal(t.incidents_total, TARGET_INCIDENTS + 8);
	/* oldest first: the last one ended at the last probe, the first 8 are gone */
	assert_int_equal(t.incidents[t.ninc - 1].ended_seq, seq);
	assert_int_equal(t.incidents[0].ended_seq, 10 + 3 * 9);
	assert_string_equal(t.incidents[t.ninc - 1].message, "too many clients 129");
	target_free(&t);
	assert_null(t.incidents);
}

static void test_target_statistics_are_freed_and_reset(void **state)
{
	struct target t;

	(void)state;
	target_init(&t, 0);
	for (uint64_t s = 1; s <= 50; s++)
		target_record(&t, result(false, s), 10.0 * (double)s);
	assert_int_equal(t.phase[PROBE_TOTAL].count, 50);
	assert_true(stats_hist_page_bytes(&t.phase[PROBE_TOTAL]) > 0);
	assert_true(fabs(stats_hist_percentile(&t.phase[PROBE_TOTAL], 50) - (2.0 + PROBE_TOTAL)) <
		    0.01 * (2.0 + PROBE_TOTAL));
	target_reset_stats(&t);
	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		assert_int_equal(stats_hist_page_bytes(&t.phase[i]), 0);
	target_record(&t, result(false, 51), 510.0);
	assert_int_equal(t.phase[PROBE_TOTAL].count, 1);
	target_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_events_grow_to_the_full_log),
		cmocka_unit_test(test_target_event_capacity_shrinks_with_many_targets),
		cmocka_unit_test(test_target_lower_event_max_keeps_the_newest),
		cmocka_unit_test(test_target_incidents_grow_on_demand_and_keep_the_newest),
		cmocka_unit_test(test_target_statistics_are_freed_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
