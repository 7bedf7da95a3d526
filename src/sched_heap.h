/*
 * sched_heap: the scheduler's priority queues. A binary min-heap of ids
 * ordered by (key, tie), that also finds and removes any id in O(log n):
 * pos[id] tells where an id sits. The caller owns pos (indexed by id, -1
 * when the id is in no heap) and passes it to every call, so heaps that
 * never hold the same id at once may share one array.
 */
#ifndef PGPULSE_SCHED_HEAP_H
#define PGPULSE_SCHED_HEAP_H

#include <stdbool.h>

struct sched_heap_item {
	double key;
	int tie; /* equal keys: the smaller tie first */
	int id;
};

struct sched_heap {
	struct sched_heap_item *v;
	int n, cap;
};

void sched_heap_free(struct sched_heap *h);
/* id must be in no heap sharing pos (pos[id] == -1). */
void sched_heap_push(struct sched_heap *h, int *pos, double key, int tie, int id);
/* The smallest item; NULL when empty. */
const struct sched_heap_item *sched_heap_top(const struct sched_heap *h);
/* Removes and returns the smallest id; -1 when empty. */
int sched_heap_pop(struct sched_heap *h, int *pos);
/* Removes id, which must be in h (pos[id] >= 0); pos[id] becomes -1. */
void sched_heap_remove(struct sched_heap *h, int *pos, int id);

#endif
