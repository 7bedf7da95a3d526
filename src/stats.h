/*
 * stats: bounded latency statistics. A log-linear histogram gives
 * percentiles in bounded memory, a small ring keeps recent samples for
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
/*
 * The buckets come in pages allocated when a sample first falls in them:
 * one target's latencies sit in a few pages (a page spans a factor of
 * ~1.9), so ten thousand histograms take kilobytes each, not 8 KiB.
 */
#define STATS_PAGE_BUCKETS 64
#define STATS_PAGES	   (STATS_BUCKETS / STATS_PAGE_BUCKETS)

struct stats_hist {
	uint64_t count;
	double min, max, sum, last;  /* min, max, last: NAN until a sample */
	uint32_t *page[STATS_PAGES]; /* NULL: no sample there yet */
};

/*
 * A histogram owns its pages: never copy one by value. A zeroed struct
 * (calloc, static) is a valid start for reset; reset and free release the
 * pages, reset leaves it empty and ready.
 */
void stats_hist_reset(struct stats_hist *h);
void stats_hist_free(struct stats_hist *h);
/* The count in bucket b (0 .. STATS_BUCKETS-1). */
uint32_t stats_hist_bucket(const struct stats_hist *h, unsigned b);
/* Bytes the pages take (for tests and benchmarks). */
size_t stats_hist_page_bytes(const struct stats_hist *h);
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
