/*
 * report: the non-interactive outputs, all fed by the same numbers: the
 * check command's Nagios line and JSON object, watch's text/jsonl/csv
 * records and its ping-like summary. JSON goes through jansson.
 */
#ifndef PGPULSE_REPORT_H
#define PGPULSE_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "target.h"

enum report_status {
	REPORT_OK = 0,
	REPORT_WARNING = 1,
	REPORT_CRITICAL = 2,
	REPORT_UNKNOWN = 3,
};

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSONL,
	REPORT_CSV,
};

/* check's thresholds; a value < 0 is not checked. */
struct report_thresholds {
	double total_ms[2];  /* [0] warning, [1] critical */
	double slots_pct[2]; /* percent of usable slots in use */
	int slots_left[2];   /* usable slots left */
	int cert_days[2];    /* certificate days left */
};

void report_thresholds_defaults(struct report_thresholds *th);
/*
 * Parses "-w"/"-c" values: "200" (total ms) or a list "total=200,slots=80%,
 * slots=5,cert=14". level 0 warning, 1 critical. false with err on bad input.
 */
bool report_thresholds_parse(struct report_thresholds *th, int level, const char *spec, char *err,
			     size_t errlen);

const char *report_status_name(enum report_status st);
/* "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"; returns out. */
char *report_short_version(const char *server_version, char *out, size_t outlen);
/* Status of one check result, with a short reason in why. */
enum report_status report_evaluate(const struct target *t, const struct probe_result *r,
				   const struct report_thresholds *th, char *why, size_t whylen);

/* check --json: the object of DESIGN.md's public interface (caller json_decref's). */
json_t *report_check_json(const struct target *t, const struct probe_result *r,
			  enum report_status st);
/*
 * The same among all the targets checked: slots.supavisor takes Supavisor's
 * pool size from a sibling's refusal (issue 9).
 */
json_t *report_check_json_among(const struct target *t, const struct probe_result *r,
				enum report_status st, const struct target *const *targets, int n);
/* check: one Nagios plugin line with perfdata. */
void report_check_line(FILE *out, const struct target *t, const struct probe_result *r,
		       enum report_status st, const char *why, const struct report_thresholds *th);

/*
 * A max_clients incident (issue 9): {"started", "ended_after" (the last
 * failure), "ended_by" (the first success, null while open), "duration_s":
 * {"min", "max"}, "probes_failed", "limit", "culprit": {"text", "source",
 * ...} | null, "culprit_advice" (how to get a view when there is none)}.
 */
json_t *report_incident_json(const struct target_incident *inc);
/* An incident's culprit: the pooler's data, a sibling's text, or null. */
json_t *report_culprit_json(const struct target_incident *inc);
/* "ended between 14:03:55 and 14:04:25 (1m45s-2m15s)", or "open for 1m45s" (now_ms monotonic). */
void report_incident_span(const struct target_incident *inc, double now_ms, char *out, size_t len);

/* Pieces reused by other front-ends (burst). */
json_t *report_error_json(const struct probe_result *r);
/* Milliseconds rounded to microseconds; NAN becomes null. */
json_t *report_ms_json(double ms);
/* s as a JSON string with invalid UTF-8 replaced (U+FFFD); NULL: null. */
json_t *report_json_text(const char *s);
/* Prints a JSON value on one line with pgpulse's number format. */
void report_print_json(FILE *out, json_t *v);

void report_watch_header(FILE *out, enum report_format fmt);
void report_watch_record(FILE *out, enum report_format fmt, const struct target *t,
			 const struct probe_result *r);
/* ping-like summary: probes, failures by class, min/p50/p95/p99/max per phase. */
void report_summary(FILE *out, const struct target *t, double elapsed_ms);

#endif
