/*
 * stats: bounded-memory latency statistics for the front-ends: a logarithmic
 * histogram for percentiles, a ring of recent samples and the sparkline
 * drawn from it.
 */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bucket 0 holds samples below STATS_LOW_MS, the last bucket those at or
 * above STATS_HIGH_MS; the 2046 buckets between split [1 us, 1000 s) into
 * equal steps of log(value), each 1.02% wider than the one before. A
 * bucket reports its geometric middle, so a percentile is off by at most
 * ~0.51% inside the range; min and max bound what falls outside it.
 */
#define STATS_LOW_MS  1e-3
#define STATS_HIGH_MS 1e6
#define STATS_INNER   (STATS_BUCKETS - 2)

static double stats_per_log(void)
{
	return STATS_INNER / log(STATS_HIGH_MS / STATS_LOW_MS);
}

static unsigned stats_bucket_of(double ms)
{
	double i;

	if (ms < STATS_LOW_MS)
		return 0;
	if (ms >= STATS_HIGH_MS)
		return STATS_BUCKETS - 1;
	i = floor(log(ms / STATS_LOW_MS) * stats_per_log());
	/* rounding at the top edge must not spill into the overflow bucket */
	if (i >= STATS_INNER)
		i = STATS_INNER - 1;
	return 1 + (unsigned)i;
}

static double stats_bucket_value(unsigned b)
{
	if (b == 0)
		return STATS_LOW_MS / 2;
	if (b >= STATS_BUCKETS - 1)
		return STATS_HIGH_MS;
	return STATS_LOW_MS * exp(((double)(b - 1) + 0.5) / stats_per_log());
}

void stats_hist_free(struct stats_hist *h)
{
	for (unsigned i = 0; i < STATS_PAGES; i++) {
		free(h->page[i]);
		h->page[i] = NULL;
	}
}

void stats_hist_reset(struct stats_hist *h)
{
	stats_hist_free(h);
	memset(h, 0, sizeof(*h));
	h->min = h->max = h->last = NAN;
}

uint32_t stats_hist_bucket(const struct stats_hist *h, unsigned b)
{
	const uint32_t *pg;

	if (b >= STATS_BUCKETS)
		return 0;
	pg = h->page[b / STATS_PAGE_BUCKETS];
	return pg ? pg[b % STATS_PAGE_BUCKETS] : 0;
}

size_t stats_hist_page_bytes(const struct stats_hist *h)
{
	size_t n = 0;

	for (unsigned i = 0; i < STATS_PAGES; i++)
		n += h->page[i] ? STATS_PAGE_BUCKETS * sizeof(uint32_t) : 0;
	return n;
}

void stats_hist_add(struct stats_hist *h, double ms)
{
	uint32_t **pg;
	unsigned b;

	/* a failed probe has no latency: NAN, negatives and inf are not samples */
	if (!isfinite(ms) || ms < 0)
		return;
	if (h->count == 0 || ms < h->min)
		h->min = ms;
	if (h->count == 0 || ms > h->max)
		h->max = ms;
	h->count++;
	h->sum += ms;
	h->last = ms;
	b = stats_bucket_of(ms);
	pg = &h->page[b / STATS_PAGE_BUCKETS];
	if (*pg == NULL)
		*pg = util_xcalloc(STATS_PAGE_BUCKETS, sizeof(**pg));
	(*pg)[b % STATS_PAGE_BUCKETS]++;
}

/*
 * Nearest rank: the sample at rank ceil(p/100 * count). The first and last
 * ranks are min and max, known exactly; others report their bucket's
 * value, clamped to [min, max].
 */
double stats_hist_percentile(const struct stats_hist *h, double p)
{
	uint64_t rank, seen = 0;
	unsigned b;
	double v;

	if (h->count == 0 || isnan(p))
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
	/* whole pages at a time; absent pages hold nothing */
	for (b = 0; b < STATS_BUCKETS; b++) {
		const uint32_t *pg = h->page[b / STATS_PAGE_BUCKETS];

		if (pg == NULL) {
			b += STATS_PAGE_BUCKETS - 1;
			continue;
		}
		seen += pg[b % STATS_PAGE_BUCKETS];
		if (seen >= rank)
			break;
	}
	v = stats_bucket_value(b);
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

double stats_hist_mean(const struct stats_hist *h)
{
	return h->count ? h->sum / (double)h->count : NAN;
}

void stats_ring_reset(struct stats_ring *r)
{
	memset(r, 0, sizeof(*r));
}

void stats_ring_push(struct stats_ring *r, double v)
{
	r->v[r->head] = v;
	r->head = (r->head + 1) % STATS_RING;
	if (r->len < STATS_RING)
		r->len++;
}

double stats_ring_get(const struct stats_ring *r, unsigned i)
{
	if (i >= r->len)
		return NAN;
	return r->v[(r->head + STATS_RING - r->len + i) % STATS_RING];
}

static const char *const stats_utf8_levels[] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char stats_ascii_levels[] = "_.:-=+*#%@";

/*
 * Scales the shown values between their own min and max, so the line
 * shows jitter at any latency; a flat line sits one step above the floor
 * so it is visible. Missing values (NAN, inf) draw as "!" in UTF-8 mode
 * and "x" in ASCII. Fewer values than width draw a shorter line.
 */
char *stats_sparkline(const struct stats_ring *r, unsigned width, bool utf8, char *out,
		      size_t outlen)
{
	unsigned n = width < r->len ? width : r->len;
	unsigned first = r->len - n, i;
	unsigned nlevels = utf8 ? 8 : (unsigned)(sizeof(stats_ascii_levels) - 1);
	double lo = INFINITY, hi = -INFINITY, v;
	size_t pos = 0, glen;
	const char *glyph;
	char one[2] = { 0, 0 };

	if (out == NULL || outlen == 0)
		return out;
	for (i = 0; i < n; i++) {
		v = stats_ring_get(r, first + i);
		if (!isfinite(v))
			continue;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	for (i = 0; i < n; i++) {
		unsigned level;

		v = stats_ring_get(r, first + i);
		if (!isfinite(v)) {
			glyph = utf8 ? "!" : "x";
		} else {
			if (hi > lo) {
				level = (unsigned)((v - lo) / (hi - lo) * nlevels);
				if (level >= nlevels)
					level = nlevels - 1;
			} else {
				level = 1;
			}
			if (utf8) {
				glyph = stats_utf8_levels[level];
			} else {
				one[0] = stats_ascii_levels[level];
				glyph = one;
			}
		}
		/* whole characters only: never split a UTF-8 sequence */
		glen = strlen(glyph);
		if (pos + glen + 1 > outlen)
			break;
		memcpy(out + pos, glyph, glen);
		pos += glen;
	}
	out[pos] = '\0';
	return out;
}
