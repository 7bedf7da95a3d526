/*
 * Unit tests for stats: histogram percentiles against an exact
 * nearest-rank reference, the ring's order across wrap-around, and the
 * sparkline's characters and truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The histogram is 16 KiB: keep it off the test's stack. */
static struct stats_hist hist;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Nearest rank over a sorted array, the definition stats.c approximates. */
static double reference_percentile(const double *sorted, size_t n, double p)
{
	double r = ceil(p * (double)n / 100.0);
	size_t rank = r < 1 ? 1 : (size_t)r;

	return sorted[(rank > n ? n : rank) - 1];
}

/* xorshift64: the same numbers on every platform and run */
static uint64_t rng_state;

static double rng_unit(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void check_against_reference(double *v, size_t n)
{
	static const double ps[] = { 0, 0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 100 };
	size_t i;

	stats_hist_reset(&hist);
	for (i = 0; i < n; i++)
		stats_hist_add(&hist, v[i]);
	qsort(v, n, sizeof(*v), cmp_double);
	assert_int_equal(hist.count, n);
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		double want = reference_percentile(v, n, ps[i]);
		double got = stats_hist_percentile(&hist, ps[i]);

		if (fabs(got - want) > 0.02 * want)
			fail_msg("n=%zu p%g: got %g, want %g", n, ps[i], got, want);
	}
	assert_true(stats_hist_percentile(&hist, 0) == v[0]);
	assert_true(stats_hist_percentile(&hist, 100) == v[n - 1]);
}

static void test_stats_percentiles_match_nearest_rank(void **state)
{
	static double v[20000];
	size_t sizes[] = { 2, 3, 7, 100, 1001, 20000 };
	size_t s, i;

	rng_state = 0x9e3779b97f4a7c15ull;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		/* log-uniform over the whole supported range */
		for (i = 0; i < sizes[s]; i++)
			v[i] = 1e-3 * pow(10, 9 * rng_unit());
		check_against_reference(v, sizes[s]);
		/* a realistic shape: ~5 ms with a long tail */
		for (i = 0; i < sizes[s]; i++)
			v[i] = 4 + rng_unit() * 2 + (rng_unit() < 0.02 ? rng_unit() * 900 : 0);
		check_against_reference(v, sizes[s]);
	}
}

static void test_stats_bucket_error_is_within_one_percent(void **state)
{
	double v, got;

	/* a sample between a smaller and a larger one is p50 of three */
	for (v = 1e-3; v < 1e6; v *= 1.0137) {
		stats_hist_reset(&hist);
		stats_hist_add(&hist, 0);
		stats_hist_add(&hist, v);
		stats_hist_add(&hist, 2e6);
		got = stats_hist_percentile(&hist, 50);
		if (fabs(got - v) > 0.01 * v)
			fail_msg("p50 of {0, %g, 2e6} = %g", v, got);
	}
}

static void test_stats_p0_p100_are_exact(void **state)
{
	static const double v[] = { 12.345678, 0.0004, 3.5, 2500000.0, 7.25 };
	size_t i;

	stats_hist_reset(&hist);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		stats_hist_add(&hist, v[i]);
	assert_true(stats_hist_percentile(&hist, 0) == 0.0004);
	assert_true(stats_hist_percentile(&hist, 100) == 2500000.0);
	assert_true(stats_hist_percentile(&hist, -5) == 0.0004);
	assert_true(stats_hist_percentile(&hist, 150) == 2500000.0);
	assert_true(hist.min == 0.0004);
	assert_true(hist.max == 2500000.0);
	/* ranks 1 and n of nearest rank are min and max, also past the buckets */
	assert_true(stats_hist_percentile(&hist, 20) == 0.0004);
	assert_true(stats_hist_percentile(&hist, 81) == 2500000.0);
	assert_true(fabs(stats_hist_percentile(&hist, 80) - 12.345678) < 0.01 * 12.345678);
}

static void test_stats_single_sample_is_exact(void **state)
{
	static const double v[] = { 0, 0.0001, 0.001, 0.4242, 11.2, 999.999, 1e6, 5e7 };
	static const double ps[] = { 0, 1, 50, 99, 99.99, 100 };
	size_t i, j;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		stats_hist_reset(&hist);
		stats_hist_add(&hist, v[i]);
		for (j = 0; j < sizeof(ps) / sizeof(ps[0]); j++)
			assert_true(stats_hist_percentile(&hist, ps[j]) == v[i]);
		assert_true(stats_hist_mean(&hist) == v[i]);
		assert_true(hist.last == v[i]);
	}
}

static void test_stats_empty_is_nan(void **state)
{
	stats_hist_reset(&hist);
	assert_true(isnan(stats_hist_percentile(&hist, 50)));
	assert_true(isnan(stats_hist_percentile(&hist, 0)));
	assert_true(isnan(stats_hist_mean(&hist)));
	assert_true(isnan(hist.min));
	assert_true(isnan(hist.max));
	assert_true(isnan(hist.last));
	assert_int_equal(hist.count, 0);
	stats_hist_add(&hist, 5);
	assert_true(isnan(stats_hist_percentile(&hist, NAN)));
}

static void test_stats_failed_samples_are_not_counted(void **state)
{
	stats_hist_reset(&hist);
	stats_hist_add(&hist, NAN);
	stats_hist_add(&hist, -1);
	stats_hist_add(&hist, INFINITY);
	assert_int_equal(hist.count, 0);
	assert_true(isnan(stats_hist_percentile(&hist, 50)));
	stats_hist_add(&hist, 2);
	stats_hist_add(&hist, NAN);
	stats_hist_add(&hist, 4);
	stats_hist_add(&hist, -0.5);
	assert_int_equal(hist.count, 2);
	assert_true(hist.sum == 6);
	assert_true(stats_hist_mean(&hist) == 3);
	assert_true(hist.min == 2);
	assert_true(hist.max == 4);
	assert_true(hist.last == 4);
}

static void test_stats_ring_keeps_order_across_wrap(void **state)
{
	struct stats_ring r;
	unsigned i;

	stats_ring_reset(&r);
	assert_int_equal(r.len, 0);
	assert_true(isnan(stats_ring_get(&r, 0)));
	for (i = 0; i < 10; i++)
		stats_ring_push(&r, i);
	assert_int_equal(r.len, 10);
	assert_true(stats_ring_get(&r, 0) == 0);
	assert_true(stats_ring_get(&r, 9) == 9);
	assert_true(isnan(stats_ring_get(&r, 10)));

	for (i = 10; i < 300; i++)
		stats_ring_push(&r, i);
	assert_int_equal(r.len, STATS_RING);
	for (i = 0; i < STATS_RING; i++)
		assert_true(stats_ring_get(&r, i) == 300 - STATS_RING + i);
	assert_true(isnan(stats_ring_get(&r, STATS_RING)));
	assert_true(isnan(stats_ring_get(&r, 100000)));
}

static void ring_of(struct stats_ring *r, const double *v, size_t n)
{
	size_t i;

	stats_ring_reset(r);
	for (i = 0; i < n; i++)
		stats_ring_push(r, v[i]);
}

static void test_stats_sparkline_utf8(void **state)
{
	static const double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	static const double gaps[] = { 10, NAN, 20 };
	static const double flat[] = { 5, 5, 5 };
	static const double dead[] = { NAN, NAN };
	struct stats_ring r;
	char out[128];

	ring_of(&r, ramp, 8);
	assert_string_equal(stats_sparkline(&r, 8, true, out, sizeof(out)),
			    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	/* only the last width values, rescaled to their own range */
	assert_string_equal(stats_sparkline(&r, 2, true, out, sizeof(out)), "\u2581\u2588");
	/* fewer values than width: a shorter line */
	assert_string_equal(stats_sparkline(&r, 40, true, out, sizeof(out)),
			    "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588");
	ring_of(&r, gaps, 3);
	assert_string_equal(stats_sparkline(&r, 3, true, out, sizeof(out)), "\u2581!\u2588");
	ring_of(&r, flat, 3);
	assert_string_equal(stats_sparkline(&r, 3, true, out, sizeof(out)), "\u2582\u2582\u2582");
	ring_of(&r, dead, 2);
	assert_string_equal(stats_sparkline(&r, 3, true, out, sizeof(out)), "!!");
	stats_ring_reset(&r);
	assert_string_equal(stats_sparkline(&r, 3, true, out, sizeof(out)), "");
	ring_of(&r, ramp, 8);
	assert_string_equal(stats_sparkline(&r, 0, true, out, sizeof(out)), "");
}

static void test_stats_sparkline_ascii(void **state)
{
	static const double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	static const double gaps[] = { 1.5, NAN, 3.5, 2.5 };
	static const double flat[] = { 0.3, 0.3 };
	struct stats_ring r;
	char out[64];

	ring_of(&r, ramp, 10);
	assert_string_equal(stats_sparkline(&r, 10, false, out, sizeof(out)), "_.:-=+*#%@");
	ring_of(&r, gaps, 4);
	assert_string_equal(stats_sparkline(&r, 4, false, out, sizeof(out)), "_x@+");
	ring_of(&r, flat, 2);
	assert_string_equal(stats_sparkline(&r, 2, false, out, sizeof(out)), "..");
}

static void test_stats_sparkline_truncates_whole_characters(void **state)
{
	static const double ramp[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	struct stats_ring r;
	char out[16];

	ring_of(&r, ramp, 8);
	/* 3 bytes a block: 7 bytes hold two blocks and the terminator */
	assert_string_equal(stats_sparkline(&r, 8, true, out, 7), "\u2581\u2582");
	assert_string_equal(stats_sparkline(&r, 8, true, out, 6), "\u2581");
	assert_string_equal(stats_sparkline(&r, 8, true, out, 4), "\u2581");
	assert_string_equal(stats_sparkline(&r, 8, true, out, 3), "");
	assert_string_equal(stats_sparkline(&r, 8, true, out, 1), "");
	assert_string_equal(stats_sparkline(&r, 8, false, out, 4), "_.:");
	/* outlen 0: nothing may be written */
	memset(out, 'z', sizeof(out));
	assert_ptr_equal(stats_sparkline(&r, 8, true, out, 0), out);
	assert_int_equal(out[0], 'z');
	assert_null(stats_sparkline(&r, 8, true, NULL, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_percentiles_match_nearest_rank),
		cmocka_unit_test(test_stats_bucket_error_is_within_one_percent),
		cmocka_unit_test(test_stats_p0_p100_are_exact),
		cmocka_unit_test(test_stats_single_sample_is_exact),
		cmocka_unit_test(test_stats_empty_is_nan),
		cmocka_unit_test(test_stats_failed_samples_are_not_counted),
		cmocka_unit_test(test_stats_ring_keeps_order_across_wrap),
		cmocka_unit_test(test_stats_sparkline_utf8),
		cmocka_unit_test(test_stats_sparkline_ascii),
		cmocka_unit_test(test_stats_sparkline_truncates_whole_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
