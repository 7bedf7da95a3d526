/*
 * stats: bounded latency statistics. A log-linear histogram gives
 * percentiles in fixed memory, a small ring keeps recent samples for
 * sparklines; a week-long run uses what a minute-long one does.
 */
#ifndef PGPULSE_STATS_H
#define PGPULSE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Histogram of milliseconds: buckets with ~1% relative width from 1 us to
 * ~1000 s. Percentiles are exact to bucket width; min, max, sum are exact.
 */
#define STATS_BUCKETS 2048

struct stats_hist {
	uint64_t count;
	double min, max, sum, last; /* min, max, last: NAN until a sample */
	uint32_t bucket[STATS_BUCKETS];
};

void stats_hist_reset(struct stats_hist *h);
/* NAN, negative and infinite values (failed probes) are not counted. */
void stats_hist_add(struct stats_hist *h, double ms);
/*
 * Nearest-rank percentile, p in [0,100]: p0 is min and p100 max exactly,
 * others within ~0.5% inside [1 us, 1000 s). NAN when empty.
 */
double stats_hist_percentile(const struct stats_hist *h, double p);
double stats_hist_mean(const struct stats_hist *h);

/* Fixed ring of recent values (for sparklines). */
#define STATS_RING 256
struct stats_ring {
	double v[STATS_RING];
	unsigned head; /* next write position */
	unsigned len;
};
void stats_ring_reset(struct stats_ring *r);
void stats_ring_push(struct stats_ring *r, double v);
/* i = 0 is the oldest of the last len values. */
double stats_ring_get(const struct stats_ring *r, unsigned i);

/*
 * Renders the last `width` values of a ring as a sparkline into out
 * (size outlen): UTF-8 blocks "▁▂▃▄▅▆▇█" when utf8, else ASCII
 * "_.:-=+*#%@", scaled between the min and max shown (all equal: the
 * second level). NAN values (failed probes) render as "!" (UTF-8) or "x"
 * (ASCII). Fewer values than width give a shorter line; output stops at
 * the last whole character that fits outlen. Returns out.
 */
char *stats_sparkline(const struct stats_ring *r, unsigned width, bool utf8, char *out,
		      size_t outlen);

#endif
