/*
 * metrics: the Prometheus text exposition (format 0.0.4) of the targets'
 * state, for serve's /metrics and /probe. Pure: it renders what it is
 * given into a buffer. The phase histograms need fixed bucket bounds that
 * stats.h's log-linear histogram does not have, so each target has a small
 * metrics_target fed from every recorded probe result.
 */
#ifndef PGPULSE_METRICS_H
#define PGPULSE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "probe.h"
#include "target.h"

/* Upper bounds in seconds, from a loopback connect (0.25 ms) to a 10 s timeout. */
#define METRICS_BUCKETS 15
extern const double metrics_bucket_bounds[METRICS_BUCKETS];

struct metrics_target {
	/* per phase: observations per bucket (not cumulative), the last one +Inf */
	uint64_t bucket[PROBE_PHASE_COUNT][METRICS_BUCKETS + 1];
	double sum[PROBE_PHASE_COUNT];
	uint64_t count[PROBE_PHASE_COUNT];
	uint64_t failures[CLASS_COUNT][LIMIT_COUNT];
};

/*
 * A growing text buffer; data is NUL-terminated, len excludes the NUL.
 * openmetrics: render OpenMetrics 1.0 text instead of the 0.0.4 format
 * (counter families without _total, info families, "# EOF").
 */
struct metrics_buf {
	char *data;
	size_t len, cap;
	bool openmetrics;
};

void metrics_buf_free(struct metrics_buf *b);
void metrics_buf_printf(struct metrics_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a label value: backslash, double quote and newline escaped. */
void metrics_buf_label(struct metrics_buf *b, const char *s);

/*
 * Counts a finished probe: each phase it timed (failed probes count in the
 * phases they finished and in total) and its failure class and limit.
 */
void metrics_observe(struct metrics_target *m, const struct probe_result *r);

/* pgpulse's own facts for /metrics. */
struct metrics_self {
	const char *version;
	int probes_in_flight;
};

/* Every family for targets[0..n) (m[i] belongs to targets[i]) and pgpulse's own. */
void metrics_render(struct metrics_buf *b, const struct target *const *targets,
		    const struct metrics_target *m, int n, const struct metrics_self *self);
/* The last family of /metrics, measured by the caller: how long rendering took. */
void metrics_render_scrape_duration(struct metrics_buf *b, double seconds);
/* /probe's answer: success and phase durations as gauges, no target label. */
void metrics_render_probe(struct metrics_buf *b, const struct probe_result *r);
/* Ends an answer: "# EOF" in OpenMetrics, nothing in the 0.0.4 format. */
void metrics_finish(struct metrics_buf *b);
/* The Content-Type of what b holds. */
const char *metrics_content_type(const struct metrics_buf *b);

/* "30s", "5min", "0", "250ms"; bare numbers in unit_s seconds. False when unreadable. */
bool metrics_setting_seconds(const char *value, double unit_s, double *out);
/* "2027-01-01T00:00:00Z" -> Unix seconds; false when unreadable. */
bool metrics_rfc3339_seconds(const char *s, double *out);

#endif
