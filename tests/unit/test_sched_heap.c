/*
 * Unit tests for sched_heap: items come out in (key, tie) order, removing
 * any id keeps the order, positions stay true after every operation, and
 * a long random run agrees with a plain sorted reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sched_heap.h"

#define N 2000

static int pos[N];

/* Every id that pos says is in h is there, and the heap order holds. */
static void assert_consistent(const struct sched_heap *h)
{
	int in = 0;

	for (int id = 0; id < N; id++) {
		if (pos[id] < 0)
			continue;
		in++;
		assert_true(pos[id] < h->n);
		assert_int_equal(h->v[pos[id]].id, id);
	}
	assert_int_equal(in, h->n);
	for (int i = 1; i < h->n; i++) {
		const struct sched_heap_item *p = &h->v[(i - 1) / 2], *c = &h->v[i];

		assert_true(p->key < c->key || (p->key == c->key && p->tie <= c->tie));
	}
}

static void test_sched_heap_pops_by_key_then_tie(void **state)
{
	struct sched_heap h = { 0 };
	static const double keys[] = { 30, 10, 20, 10, 5, 20 };
	static const int want[] = { 4, 1, 3, 2, 5, 0 };

	(void)state;
	memset(pos, -1, sizeof(pos));
	assert_null(sched_heap_top(&h));
	assert_int_equal(sched_heap_pop(&h, pos), -1);
	/* tie is the id here: equal keys come out lowest id first, as the old sort did */
	for (int i = 0; i < 6; i++)
		sched_heap_push(&h, pos, keys[i], i, i);
	assert_consistent(&h);
	assert_int_equal(sched_heap_top(&h)->id, 4);
	for (int i = 0; i < 6; i++)
		assert_int_equal(sched_heap_pop(&h, pos), want[i]);
	assert_int_equal(h.n, 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(pos[i], -1);
	sched_heap_free(&h);
}

static void test_sched_heap_removes_any_id(void **state)
{
	struct sched_heap h = { 0 };

	(void)state;
	memset(pos, -1, sizeof(pos));
	for (int i = 0; i < 100; i++)
		sched_heap_push(&h, pos, (double)((i * 37) % 100), i, i);
	/* the top, a leaf, the last item and ones in between */
	sched_heap_remove(&h, pos, h.v[0].id);
	sched_heap_remove(&h, pos, h.v[h.n - 1].id);
	sched_heap_remove(&h, pos, h.v[h.n / 2].id);
	sched_heap_remove(&h, pos, h.v[3].id);
	assert_consistent(&h);
	assert_int_equal(h.n, 96);
	for (double last = -1; h.n > 0;) {
		double k = sched_heap_top(&h)->key;

		assert_true(k >= last);
		last = k;
		sched_heap_pop(&h, pos);
		assert_consistent(&h);
	}
	sched_heap_free(&h);
}

/* xorshift32: the same run every time */
static uint32_t rng = 2463534242u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Two heaps share one pos (as the scheduler's queues do) against a flat reference. */
static void test_sched_heap_random_run_matches_reference(void **state)
{
	struct sched_heap h[2] = { { 0 }, { 0 } };
	static double key[N];
	static int where[N]; /* -1 none, else the heap */

	(void)state;
	memset(pos, -1, sizeof(pos));
	memset(where, -1, sizeof(where));
	for (int step = 0; step < 50000; step++) {
		int id = (int)(next() % N), k = (int)(next() % 2);

		if (where[id] < 0) {
			key[id] = (double)(next() % 500);
			sched_heap_push(&h[k], pos, key[id], id, id);
			where[id] = k;
		} else if (next() % 3 == 0) {
			sched_heap_remove(&h[where[id]], pos, id);
			where[id] = -1;
		} else {
			/* pop: the smallest (key, id) the reference holds in that heap */
			int w = where[id], best = -1;

			for (int j = 0; j < N; j++)
				if (where[j] == w && (best < 0 || key[j] < key[best] ||
						      (key[j] == key[best] && j < best)))
					best = j;
			assert_int_equal(sched_heap_pop(&h[w], pos), best);
			where[best] = -1;
		}
		if (step % 10000 == 0)
			for (int j = 0; j < N; j++)
				assert_true(where[j] < 0 || h[where[j]].v[pos[j]].id == j);
	}
	sched_heap_free(&h[0]);
	sched_heap_free(&h[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sched_heap_pops_by_key_then_tie),
		cmocka_unit_test(test_sched_heap_removes_any_id),
		cmocka_unit_test(test_sched_heap_random_run_matches_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
