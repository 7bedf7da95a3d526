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

/*
 * The histogram as it was before its buckets came in pages: one flat
 * array, the same bucket edges and the same nearest-rank walk. The paged
 * one must answer exactly what it answered.
 */
#define FLAT_LOW  1e-3
#define FLAT_HIGH 1e6
#define FLAT_N	  2048

struct flat_hist {
	uint64_t count;
	double min, max;
	uint32_t bucket[FLAT_N];
};

static double flat_per_log(void)
{
	return (FLAT_N - 2) / log(FLAT_HIGH / FLAT_LOW);
}

static void flat_add(struct flat_hist *h, double ms)
{
	double i;
	unsigned b;

	if (!isfinite(ms) || ms < 0)
		return;
	if (h->count == 0 || ms < h->min)
		h->min = ms;
	if (h->count == 0 || ms > h->max)
		h->max = ms;
	h->count++;
	if (ms < FLAT_LOW) {
		b = 0;
	} else if (ms >= FLAT_HIGH) {
		b = FLAT_N - 1;
	} else {
		i = floor(log(ms / FLAT_LOW) * flat_per_log());
		b = 1 + (unsigned)(i >= FLAT_N - 2 ? FLAT_N - 3 : i);
	}
	h->bucket[b]++;
}

static double flat_percentile(const struct flat_hist *h, double p)
{
	uint64_t rank, seen = 0;
	unsigned b;
	double v;

	if (h->count == 0)
		return NAN;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	rank = (uint64_t)ceil(p * (double)h->count / 100.0);
	if (rank <= 1)
		return h->min;
	if (rank >= h->count)
		return h->max;
	for (b = 0; b < FLAT_N; b++) {
		seen += h->bucket[b];
		if (seen >= rank)
			break;
	}
	if (b == 0)
		v = FLAT_LOW / 2;
	else if (b >= FLAT_N - 1)
		v = FLAT_HIGH;
	else
		v = FLAT_LOW * exp(((double)(b - 1) + 0.5) / flat_per_log());
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

static void check_against_flat(const double *v, size_t n)
{
	static struct flat_hist flat;
	double p;

	memset(&flat, 0, sizeof(flat));
	stats_hist_reset(&hist);
	for (size_t i = 0; i < n; i++) {
		flat_add(&flat, v[i]);
		stats_hist_add(&hist, v[i]);
	}
	for (unsigned b = 0; b < STATS_BUCKETS; b++)
		if (stats_hist_bucket(&hist, b) != flat.bucket[b])
			fail_msg("n=%zu bucket %u: %u, flat %u", n, b, stats_hist_bucket(&hist, b),
				 flat.bucket[b]);
	for (p = 0; p <= 100; p += 0.25)
		if (stats_hist_percentile(&hist, p) != flat_percentile(&flat, p))
			fail_msg("n=%zu p%g: %.17g, flat %.17g", n, p,
				 stats_hist_percentile(&hist, p), flat_percentile(&flat, p));
}

static void test_stats_paged_equals_flat_histogram(void **state)
{
	static double v[20000];
	size_t sizes[] = { 1, 2, 3, 100, 1001, 20000 };

	rng_state = 0x243f6a8885a308d3ull;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t i = 0; i < sizes[s]; i++)
			v[i] = 1e-4 * pow(10, 11 * rng_unit()); /* past both ends too */
		check_against_flat(v, sizes[s]);
		for (size_t i = 0; i < sizes[s]; i++)
			v[i] = 4 + rng_unit() * 2 + (rng_unit() < 0.02 ? rng_unit() * 900 : 0);
		check_against_flat(v, sizes[s]);
	}
	/* every bucket edge region, including the first and last pages */
	for (size_t i = 0; i < 4096; i++)
		v[i] = 1e-3 * pow(1e9, (double)i / 4095.0);
	check_against_flat(v, 4096);
	stats_hist_free(&hist);
}

static void test_stats_pages_are_allocated_on_demand(void **state)
{
	size_t page = STATS_PAGE_BUCKETS * sizeof(uint32_t);

	stats_hist_reset(&hist);
	assert_int_equal(stats_hist_page_bytes(&hist), 0);
	stats_hist_add(&hist, NAN); /* not a sample: no page */
	assert_int_equal(stats_hist_page_bytes(&hist), 0);
	/* a database's latencies, 3 to 6 ms: two pages at most */
	rng_state = 0x13198a2e03707344ull;
	for (int i = 0; i < 100000; i++)
		stats_hist_add(&hist, 3 + 3 * rng_unit());
	assert_true(stats_hist_page_bytes(&hist) <= 2 * page);
	assert_true(stats_hist_page_bytes(&hist) >= page);
	stats_hist_add(&hist, 1e6);
	assert_true(stats_hist_page_bytes(&hist) <= 3 * page);
	assert_int_equal(stats_hist_bucket(&hist, STATS_BUCKETS - 1), 1);
	assert_int_equal(stats_hist_bucket(&hist, STATS_BUCKETS), 0);
	/* reset gives the pages back, free leaves a reusable empty histogram */
	stats_hist_reset(&hist);
	assert_int_equal(stats_hist_page_bytes(&hist), 0);
	assert_true(isnan(stats_hist_percentile(&hist, 50)));
	stats_hist_add(&hist, 5);
	stats_hist_free(&hist);
	assert_int_equal(stats_hist_page_bytes(&hist), 0);
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
		cmocka_unit_test(test_stats_paged_equals_flat_histogram),
		cmocka_unit_test(test_stats_pages_are_allocated_on_demand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
