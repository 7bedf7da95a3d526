/*
 * sched_heap: an indexed binary min-heap, so the loop finds the next due
 * probe and its next wake-up in O(log n) of the targets, not by a scan.
 */
#include "sched_heap.h"
#include "util.h"

#include <stdlib.h>

static bool sched_heap_less(const struct sched_heap_item *a, const struct sched_heap_item *b)
{
	if (a->key != b->key)
		return a->key < b->key;
	return a->tie < b->tie;
}

/* Puts item at i and records where it went. */
static void sched_heap_set(struct sched_heap *h, int *pos, int i, struct sched_heap_item item)
{
	h->v[i] = item;
	pos[item.id] = i;
}

static void sched_heap_up(struct sched_heap *h, int *pos, int i)
{
	struct sched_heap_item item = h->v[i];

	while (i > 0 && sched_heap_less(&item, &h->v[(i - 1) / 2])) {
		sched_heap_set(h, pos, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	sched_heap_set(h, pos, i, item);
}

static void sched_heap_down(struct sched_heap *h, int *pos, int i)
{
	struct sched_heap_item item = h->v[i];

	for (;;) {
		int c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && sched_heap_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!sched_heap_less(&h->v[c], &item))
			break;
		sched_heap_set(h, pos, i, h->v[c]);
		i = c;
	}
	sched_heap_set(h, pos, i, item);
}

void sched_heap_free(struct sched_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

void sched_heap_push(struct sched_heap *h, int *pos, double key, int tie, int id)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->v = util_xrealloc(h->v, sizeof(*h->v) * (size_t)h->cap);
	}
	h->v[h->n++] = (struct sched_heap_item){ key, tie, id };
	sched_heap_up(h, pos, h->n - 1);
}

const struct sched_heap_item *sched_heap_top(const struct sched_heap *h)
{
	return h->n > 0 ? &h->v[0] : NULL;
}

void sched_heap_remove(struct sched_heap *h, int *pos, int id)
{
	int i = pos[id];
	struct sched_heap_item last;

	pos[id] = -1;
	if (--h->n == i)
		return;
	/* the last item fills the hole, then moves whichever way it must */
	last = h->v[h->n];
	sched_heap_set(h, pos, i, last);
	sched_heap_up(h, pos, i);
	sched_heap_down(h, pos, pos[last.id]);
}

int sched_heap_pop(struct sched_heap *h, int *pos)
{
	int id;

	if (h->n == 0)
		return -1;
	id = h->v[0].id;
	sched_heap_remove(h, pos, id);
	return id;
}
