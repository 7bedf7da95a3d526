/*
 * report: formats results for scripts and monitoring. Every number shown
 * comes from a probe_result or a target's statistics; nothing here talks to
 * a server. Passwords cannot appear: targets are shown by their masked
 * display form only.
 */
#include "report.h"
#include "holders.h"
#include "text.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const report_status_names[] = {
	"OK",
	"WARNING",
	"CRITICAL",
	"UNKNOWN",
};

char *report_short_version(const char *server_version, char *out, size_t outlen)
{
	/* "15.18 (Debian 15.18-0+deb12u1)" -> "15.18" */
	text_copy(out, server_version, outlen);
	out[strcspn(out, " ")] = '\0';
	return out;
}

const char *report_status_name(enum report_status st)
{
	return report_status_names[st];
}

void report_thresholds_defaults(struct report_thresholds *th)
{
	th->total_ms[0] = th->total_ms[1] = -1;
	th->slots_pct[0] = 80;
	th->slots_pct[1] = 95;
	th->slots_left[0] = th->slots_left[1] = -1;
	th->cert_days[0] = 14;
	th->cert_days[1] = 3;
}

static bool report_parse_number(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return end != s && (*end == '\0' || strcmp(end, "ms") == 0) && *out >= 0 && isfinite(*out);
}

bool report_thresholds_parse(struct report_thresholds *th, int level, const char *spec, char *err,
			     size_t errlen)
{
	char *copy = util_xstrdup(spec), *save = NULL, *item;
	/* An empty list or item is a mistake, not "no thresholds". */
	bool ok = spec[0] != '\0' && strstr(spec, ",,") == NULL && spec[0] != ',' &&
		  spec[strlen(spec) - 1] != ',';

	char bad[64] = "";

	for (item = strtok_r(copy, ",", &save); item && ok; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		const char *key = eq ? item : "total", *val = eq ? eq + 1 : item;
		size_t vlen = strlen(val);
		double v;

		if (eq)
			*eq = '\0';
		if (strcmp(key, "slots") == 0 && vlen > 1 && val[vlen - 1] == '%') {
			char num[32];

			util_strlcpy(num, val, sizeof(num));
			num[strlen(num) - 1] = '\0';
			ok = report_parse_number(num, &v) && v <= 100;
			th->slots_pct[level] = v;
			th->slots_left[level] = -1; /* the user's slots rule replaces the default */
		} else if (!report_parse_number(val, &v)) {
			ok = false;
		} else if (strcmp(key, "total") == 0) {
			th->total_ms[level] = v;
		} else if (strcmp(key, "slots") == 0) {
			th->slots_left[level] = (int)v;
			th->slots_pct[level] = -1;
		} else if (strcmp(key, "cert") == 0) {
			th->cert_days[level] = (int)v;
		} else {
			ok = false;
		}
		/* say which part is wrong: a name, a number, a percentage */
		if (!ok && strcmp(key, "total") && strcmp(key, "slots") && strcmp(key, "cert"))
			snprintf(bad, sizeof(bad), " (no threshold '%.20s')", key);
		else if (!ok && vlen > 1 && val[vlen - 1] == '%')
			snprintf(bad, sizeof(bad), " (%.20s: a percentage is 0 to 100)", key);
		else if (!ok)
			snprintf(bad, sizeof(bad), " (%.20s: not a number)", key);
	}
	if (!ok)
		snprintf(err, errlen,
			 "bad threshold '%s'%s: use milliseconds (-w 200) or a list like "
			 "'total=200,slots=80%%,cert=14' (slots also as slots left: slots=5)",
			 spec, bad);
	free(copy);
	return ok;
}

enum report_status report_evaluate(const struct target *t, const struct probe_result *r,
				   const struct report_thresholds *th, char *why, size_t whylen)
{
	enum report_status st = REPORT_OK;
	char fmt[32];

	why[0] = '\0';
	if (!r->ok) {
		snprintf(why, whylen, "%s: %s", classify_class_name(r->error.cls),
			 r->error.message);
		return REPORT_CRITICAL;
	}
	/* Worst first: the first critical reason wins, else the first warning. */
	for (int level = 1; level >= 0 && st == REPORT_OK; level--) {
		enum report_status hit = level ? REPORT_CRITICAL : REPORT_WARNING;
		const struct inspect_info *in = &r->inspect;
		int usable = r->inspected ? inspect_usable_slots(in) : -1;

		if (th->total_ms[level] >= 0 && r->phase_ms[PROBE_TOTAL] > th->total_ms[level]) {
			snprintf(why, whylen, "connect took %s (over %.0f ms)",
				 util_fmt_ms(r->phase_ms[PROBE_TOTAL], fmt, sizeof(fmt)),
				 th->total_ms[level]);
			st = hit;
		} else if (usable > 0 && th->slots_pct[level] >= 0 &&
			   100.0 * in->in_use / usable >= th->slots_pct[level]) {
			snprintf(why, whylen, "%d of %d usable slots in use (%.0f%%)", in->in_use,
				 usable, 100.0 * in->in_use / usable);
			st = hit;
		} else if (usable > 0 && th->slots_left[level] >= 0 &&
			   usable - in->in_use <= th->slots_left[level]) {
			char left[32];

			snprintf(why, whylen, "usable slots: %s",
				 inspect_slots_left_text(in, left, sizeof(left)));
			st = hit;
		} else if (r->tls.have_cert && th->cert_days[level] >= 0 &&
			   r->tls.days_left < th->cert_days[level]) {
			snprintf(why, whylen, "server certificate expires in %d days (%s)",
				 r->tls.days_left, r->tls.not_after);
			st = hit;
		}
	}
	(void)t;
	return st;
}

/*
 * Text from a server, a pooler or a target as a JSON string: jansson
 * refuses invalid UTF-8 (and json_pack then builds nothing at all), so
 * invalid bytes become U+FFFD and the record is never lost. NULL: null.
 */
json_t *report_json_text(const char *s)
{
	char *valid;
	json_t *j;

	if (s == NULL)
		return json_null();
	if (text_utf8_valid(s, strlen(s)))
		return json_string(s);
	valid = text_utf8_repair(s);
	j = json_string(valid);
	free(valid);
	return j;
}

json_t *report_ms_json(double ms)
{
	if (isnan(ms))
		return json_null();
	return json_real(round(ms * 1000.0) / 1000.0);
}

static json_t *report_phases_json(const struct probe_result *r)
{
	json_t *o = json_object();

	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		json_object_set_new(o, probe_phase_name(i), report_ms_json(r->phase_ms[i]));
	return o;
}

json_t *report_error_json(const struct probe_result *r)
{
	const char *limit;

	if (r->ok)
		return json_null();
	limit = classify_limit_name(r->error.limit);
	/* failed_phase PROBE_PHASE_COUNT: it failed before any phase (a usage error). */
	return json_pack(
		"{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "class",
		classify_class_name(r->error.cls), "sqlstate",
		r->error.sqlstate[0] ? report_json_text(r->error.sqlstate) : json_null(), "message",
		report_json_text(r->error.message), "detail",
		r->error.detail[0] ? report_json_text(r->error.detail) : json_null(), "hint",
		r->error.hint[0] ? report_json_text(r->error.hint) : json_null(), "advice",
		report_json_text(r->error.advice ? r->error.advice : ""), "phase",
		r->failed_phase < PROBE_PHASE_COUNT ? json_string(probe_phase_name(r->failed_phase))
						    : json_null(),
		"limit", limit ? json_string(limit) : json_null());
}

static json_t *report_tls_json(const struct tls_info *tls)
{
	if (!tls->in_use)
		return json_null();
	return json_pack(
		"{s:o, s:o, s:i, s:o, s:o, s:o, s:o}", "protocol", report_json_text(tls->protocol),
		"cipher", report_json_text(tls->cipher), "bits", tls->bits, "cert_subject",
		tls->have_cert ? report_json_text(tls->subject) : json_null(), "cert_issuer",
		tls->have_cert ? report_json_text(tls->issuer) : json_null(), "cert_not_after",
		tls->have_cert ? report_json_text(tls->not_after) : json_null(), "cert_days_left",
		tls->have_cert ? json_integer(tls->days_left) : json_null());
}

static json_t *report_settings_json(const struct probe_result *r, const struct inspect_info *info)
{
	json_t *o;
	char buf[32];

	if (info == NULL || !info->valid)
		return json_null();
	o = json_object();
	for (int i = 0; i < info->nsettings; i++) {
		char *name = text_utf8_repair(info->settings[i].name);

		json_object_set_new(o, name,
				    json_pack("{s:o, s:o}", "value",
					      report_json_text(info->settings[i].value), "source",
					      report_json_text(info->settings[i].source)));
		free(name);
	}
	/* connect_timeout is the client's own: the deadline this probe had. */
	util_fmt_seconds(r->connect_timeout_ms, buf, sizeof(buf));
	json_object_set_new(
		o, "connect_timeout",
		json_pack("{s:s, s:s}", "value", buf, "source", r->connect_timeout_source));
	return o;
}

static json_t *report_slots_json(const struct inspect_info *info)
{
	json_t *o, *states, *holders;
	char culprit[200];

	if (info == NULL || !info->valid)
		return json_null();
	states = json_object();
	for (int s = 0; s < INSPECT_STATE_COUNT; s++)
		if (info->by_state[s])
			json_object_set_new(states, inspect_state_name(s),
					    json_integer(info->by_state[s]));
	holders = json_array();
	for (int i = 0; i < info->nholders; i++) {
		const struct inspect_holder *h = &info->holders[i];

		json_array_append_new(
			holders,
			json_pack("{s:o, s:o, s:o, s:i, s:i, s:i, s:i, s:i, s:f, s:f}",
				  "application_name", report_json_text(h->application_name),
				  "usename", report_json_text(h->usename), "client_addr",
				  report_json_text(h->client_addr), "count", h->count, "active",
				  h->active, "idle", h->idle, "idle_in_transaction",
				  h->idle_in_transaction, "idle_over_10min", h->idle_over_10min,
				  "oldest_s", round(h->oldest_s * 10) / 10,
				  "longest_idle_in_transaction_s",
				  round(h->longest_idle_xact_s * 10) / 10));
	}
	o = json_pack("{s:i, s:i, s:i, s:i, s:o, s:o, s:i, s:f, s:o}", "max_connections",
		      info->max_connections, "reserved", info->reserved, "usable",
		      inspect_usable_slots(info), "in_use", info->in_use, "by_state", states,
		      "top_holders", holders, "idle_in_transaction", info->idle_in_xact,
		      "oldest_connection_s", round(info->oldest_connection_s * 10) / 10, "culprit",
		      holders_culprit(info, culprit, sizeof(culprit)) ? report_json_text(culprit)
								      : json_null());
	return o;
}

static json_t *report_server_json(const struct probe_result *r)
{
	char version[32];

	if (!r->connected)
		return json_null();
	report_short_version(r->server_version, version, sizeof(version));
	return json_pack("{s:o, s:i, s:o, s:o, s:o, s:b}", "version", report_json_text(version),
			 "version_num", r->server_version_num, "backend_pid",
			 r->backend_pid ? json_integer(r->backend_pid) : json_null(), "in_recovery",
			 r->in_recovery < 0 ? json_null() : json_boolean(r->in_recovery), "address",
			 report_json_text(r->used_addr), "behind_pooler", r->behind_pooler);
}

/*
 * slots.supavisor: [{"user", "server_connections", "pool_size" (null:
 * unknown), "pool_size_from" (the target whose refusal told), "session"}].
 */
static json_t *report_supavisor_json(const struct target *const *targets, int n,
				     const struct target *t, const struct inspect_info *info)
{
	struct holders_supavisor sv;
	json_t *a = json_array();

	holders_supavisor_for(targets, n, t, info, &sv);
	for (int i = 0; i < sv.n; i++) {
		const struct holders_supavisor_user *u = &sv.v[i];
		bool known = u->pool_size > 0;

		json_array_append_new(
			a, json_pack("{s:o, s:i, s:o, s:o, s:o}", "user", report_json_text(u->user),
				     "server_connections", u->count, "pool_size",
				     known ? json_integer(u->pool_size) : json_null(),
				     "pool_size_from",
				     known ? report_json_text(u->source) : json_null(), "session",
				     known ? json_boolean(u->session) : json_null()));
	}
	return a;
}

json_t *report_check_json(const struct target *t, const struct probe_result *r,
			  enum report_status st)
{
	return report_check_json_among(t, r, st, &t, 1);
}

json_t *report_check_json_among(const struct target *t, const struct probe_result *r,
				enum report_status st, const struct target *const *targets, int n)
{
	static const char *const lower[] = { "ok", "warning", "critical", "unknown" };
	const struct inspect_info *info = r->inspected ? &r->inspect : NULL;
	json_t *addrs = json_array();

	for (int i = 0; i < r->naddrs; i++)
		json_array_append_new(addrs, report_json_text(r->addrs[i]));
	json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "status", lower[st],
			      "target", report_json_text(t->dsn.display), "phases_ms",
			      report_phases_json(r), "error", report_error_json(r), "server",
			      report_server_json(r), "tls", report_tls_json(&r->tls), "settings",
			      report_settings_json(r, info), "slots", report_slots_json(info),
			      "addresses", addrs);

	/* NAME=, service, host:port */
	json_object_set_new(o, "name", report_json_text(t->dsn.name));
	/* Below the warning thresholds only a missing commit is a culprit (issue 9). */
	if (st == REPORT_OK && info && json_is_object(json_object_get(o, "slots"))) {
		char culprit[200];

		json_object_set_new(
			json_object_get(o, "slots"), "culprit",
			holders_culprit_with(info, NULL, false, 101, culprit, sizeof(culprit))
				? report_json_text(culprit)
				: json_null());
	}
	if (info && json_is_object(json_object_get(o, "slots")))
		json_object_set_new(json_object_get(o, "slots"), "supavisor",
				    report_supavisor_json(targets, n, t, info));
	/* The pooler's side (issue 9): its console view, and the incident this failure is. */
	json_object_set_new(o, "pooler",
			    t->have_pooler && t->pooler.kind == POOLER_KIND_PGBOUNCER
				    ? pooler_json(&t->pooler, t->backends, t->nbackends)
				    : json_null());
	json_object_set_new(o, "incident",
			    !r->ok && r->error.cls == CLASS_MAX_CLIENTS
				    ? report_incident_json(target_open_incident(t))
				    : json_null());
	/* with many targets a probe may wait for room: how long after its due time it started */
	json_object_set_new(o, "late_ms", report_ms_json(r->late_ms));
	return o;
}

json_t *report_culprit_json(const struct target_incident *inc)
{
	if (inc == NULL)
		return json_null();
	if (inc->pooler_culprit.found)
		return pooler_culprit_json(&inc->pooler_culprit);
	if (inc->culprit[0])
		return json_pack("{s:o, s:s}", "text", report_json_text(inc->culprit), "source",
				 inc->culprit_source[0] ? inc->culprit_source : "sibling");
	return json_null();
}

static json_t *report_wall_json(const struct timespec *ts)
{
	char buf[40];

	if (ts->tv_sec == 0)
		return json_null();
	util_rfc3339(ts, buf, sizeof(buf));
	return json_string(buf);
}

static double report_ts_diff_s(const struct timespec *a, const struct timespec *b)
{
	return round(((double)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9) * 10) / 10;
}

json_t *report_incident_json(const struct target_incident *inc)
{
	const char *limit;
	json_t *o, *culprit;

	if (inc == NULL)
		return json_null();
	limit = classify_limit_name(inc->limit);
	culprit = report_culprit_json(inc);
	o = json_pack(
		"{s:o, s:o, s:o, s:{s:o, s:o}, s:I, s:o, s:o}", "started",
		report_wall_json(&inc->start), "ended_after", report_wall_json(&inc->last_fail),
		"ended_by", report_wall_json(&inc->end), "duration_s", "min",
		inc->last_fail.tv_sec ? json_real(report_ts_diff_s(&inc->last_fail, &inc->start))
				      : json_null(),
		"max",
		inc->end.tv_sec ? json_real(report_ts_diff_s(&inc->end, &inc->start)) : json_null(),
		"probes_failed", (json_int_t)inc->probes_failed, "limit",
		limit ? json_string(limit) : json_null(), "culprit", culprit);
	if (o && json_is_null(culprit))
		json_object_set_new(o, "culprit_advice", json_string(TARGET_NO_CULPRIT_ADVICE));
	return o ? o : json_null();
}

/* 1m45s, 12s */
static void report_span_text(double s, char *out, size_t len)
{
	if (!(s >= 0))
		s = 0;
	if (s < 60)
		snprintf(out, len, "%.0fs", s);
	else if (s < 3600)
		snprintf(out, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(out, len, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
}

void report_incident_span(const struct target_incident *inc, double now_ms, char *out, size_t len)
{
	char a[16], b[16], lo[16], hi[16];
	struct tm tm;

	if (inc->end.tv_sec == 0) {
		report_span_text((now_ms - inc->start_ms) / 1000, lo, sizeof(lo));
		snprintf(out, len, "open for %s", lo);
		return;
	}
	localtime_r(&inc->last_fail.tv_sec, &tm);
	strftime(a, sizeof(a), "%H:%M:%S", &tm);
	localtime_r(&inc->end.tv_sec, &tm);
	strftime(b, sizeof(b), "%H:%M:%S", &tm);
	report_span_text((inc->last_fail_ms - inc->start_ms) / 1000, lo, sizeof(lo));
	report_span_text((inc->end_ms - inc->start_ms) / 1000, hi, sizeof(hi));
	snprintf(out, len, "ended between %s and %s (%s-%s)", a, b, lo, hi);
}

void report_print_json(FILE *out, json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));

	if (s) {
		fputs(s, out);
		fputc('\n', out);
		free(s);
	}
	fflush(out);
}

/*
 * Prints untrusted text (server messages, versions, target names) with
 * control characters, escape sequences and invalid bytes shown visibly.
 * csv keeps non-ASCII characters whatever the locale: files are UTF-8.
 */
static void report_put_safe(FILE *out, const char *s, bool csv)
{
	char *safe = text_terminal_dup(s, csv || text_locale_utf8());

	fputs(safe, out);
	free(safe);
}

/*
 * Perfdata thresholds in the monitoring-plugins range syntax, each exactly
 * the rule report_evaluate applies: "N" alerts above N, "N:" below N.
 */
static const char *report_perf_above(double v, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, ";%g", v);
	else
		snprintf(buf, len, ";");
	return buf;
}

/*
 * The slots rule in force at a level as a range over slots in use: the
 * count that first alerts is n, so "n-1" (alert above it); "@0:" when even
 * 0 alerts; ";" when no rule is set.
 */
static const char *report_perf_slots(const struct report_thresholds *th, int level, int usable,
				     char *buf, size_t len)
{
	int n;

	if (th->slots_left[level] >= 0) {
		n = usable - th->slots_left[level];
	} else if (th->slots_pct[level] >= 0) {
		for (n = 0; n <= usable && 100.0 * n / usable < th->slots_pct[level]; n++)
			;
	} else {
		return report_perf_above(-1, buf, len);
	}
	if (n <= 0)
		snprintf(buf, len, ";@0:");
	else
		snprintf(buf, len, ";%d", n - 1);
	return buf;
}

/* cert=N alerts with fewer than N days left: "N:". */
static const char *report_perf_below(int v, char *buf, size_t len)
{
	if (v >= 0)
		snprintf(buf, len, ";%d:", v);
	else
		snprintf(buf, len, ";");
	return buf;
}

/*
 * Long output, after the first line, where Icinga and Nagios show it: the
 * advice, then the server's (or libpq's) DETAIL and HINT.
 */
static void report_long_output(FILE *out, const struct probe_result *r)
{
	if (r->ok)
		return;
	/* the server's and libpq's lines are untrusted text, like the first line */
	static const char *const labels[] = { "advice: ", "detail: ", "hint: " };
	const char *lines[] = { r->error.advice ? r->error.advice : "", r->error.detail,
				r->error.hint };

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i][0] == '\0')
			continue;
		fputs(labels[i], out);
		report_put_safe(out, lines[i], false);
		fputc('\n', out);
	}
}

void report_check_line(FILE *out, const struct target *t, const struct probe_result *r,
		       enum report_status st, const char *why, const struct report_thresholds *th)
{
	char fmt[32], version[32], a[32], b[32];
	int usable = r->inspected ? inspect_usable_slots(&r->inspect) : -1;

	fprintf(out, "PGPULSE %s - ", report_status_name(st));
	if (!r->ok) {
		report_put_safe(out, why, false);
		if (r->error.sqlstate[0])
			fprintf(out, " (SQLSTATE %s)", r->error.sqlstate);
	} else {
		report_short_version(r->server_version, version, sizeof(version));
		fprintf(out, "connected in %s (PostgreSQL ",
			util_fmt_ms(r->phase_ms[PROBE_TOTAL], fmt, sizeof(fmt)));
		report_put_safe(out, version, false);
		fputs(", ", out);
		report_put_safe(out, r->tls.in_use ? r->tls.protocol : "no TLS", false);
		fputc(')', out);
		if (st != REPORT_OK && why[0]) {
			fputs(": ", out);
			report_put_safe(out, why, false);
		}
	}
	fputs(" |", out);
	for (int i = 0; i < PROBE_PHASE_COUNT; i++) {
		int p = (i + PROBE_PHASE_COUNT - 1) % PROBE_PHASE_COUNT; /* total first */

		if (isnan(r->phase_ms[p]))
			continue;
		fprintf(out, " %s=%.3fms", probe_phase_name(p), r->phase_ms[p]);
		if (p == PROBE_TOTAL)
			fprintf(out, "%s%s;0", report_perf_above(th->total_ms[0], a, sizeof(a)),
				report_perf_above(th->total_ms[1], b, sizeof(b)));
	}
	if (usable > 0)
		fprintf(out, " slots=%d%s%s;0;%d", r->inspect.in_use,
			report_perf_slots(th, 0, usable, a, sizeof(a)),
			report_perf_slots(th, 1, usable, b, sizeof(b)), usable);
	if (r->tls.have_cert)
		fprintf(out, " cert_days=%d%s%s", r->tls.days_left,
			report_perf_below(th->cert_days[0], a, sizeof(a)),
			report_perf_below(th->cert_days[1], b, sizeof(b)));
	fputc('\n', out);
	report_long_output(out, r);
	fflush(out);
	(void)t;
}

void report_watch_header(FILE *out, enum report_format fmt)
{
	if (fmt == REPORT_CSV)
		fputs("ts,target,seq,ok,dns_ms,tcp_ms,tls_ms,auth_ms,query_ms,close_ms,total_ms,"
		      "class,sqlstate,backend_pid,message\n",
		      out);
	fflush(out);
}

/* CSV field: quoted, with doubled quotes; control characters shown. */
static void report_csv_string(FILE *out, const char *s)
{
	char *safe = text_terminal_dup(s, true);

	fputc('"', out);
	for (const char *p = safe; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
	free(safe);
}

/*
 * jsonl: a failing record of an open incident carries its culprit; the
 * record that ends an incident carries the whole incident (its end as a range).
 */
static void report_watch_incident(json_t *o, const struct target *t, const struct probe_result *r)
{
	const struct target_incident *open = target_open_incident(t);
	const struct target_incident *last = t->ninc ? &t->incidents[t->ninc - 1] : NULL;

	if (!r->ok && open)
		json_object_set_new(o, "culprit", report_culprit_json(open));
	else if (last && last->end.tv_sec && last->ended_seq == r->seq)
		json_object_set_new(o, "incident", report_incident_json(last));
}

void report_watch_record(FILE *out, enum report_format fmt, const struct target *t,
			 const struct probe_result *r)
{
	char ts[40], fmtbuf[32];

	util_rfc3339(&r->wall, ts, sizeof(ts));
	if (fmt == REPORT_JSONL) {
		json_t *o = json_pack("{s:s, s:o, s:I, s:b, s:o, s:o, s:o}", "ts", ts, "target",
				      report_json_text(t->dsn.display), "seq", (json_int_t)r->seq,
				      "ok", r->ok, "phases_ms", report_phases_json(r), "error",
				      report_error_json(r), "backend_pid",
				      r->backend_pid ? json_integer(r->backend_pid) : json_null());

		json_object_set_new(o, "name", report_json_text(t->dsn.name));
		/* how long after its due time it started: queued behind the bounds, a busy loop */
		json_object_set_new(o, "late_ms", report_ms_json(r->late_ms));
		report_watch_incident(o, t, r);
		report_print_json(out, o);
		json_decref(o);
		return;
	}
	if (fmt == REPORT_CSV) {
		fprintf(out, "%s,", ts);
		report_csv_string(out, t->dsn.display);
		fprintf(out, ",%llu,%s", (unsigned long long)r->seq, r->ok ? "true" : "false");
		for (int i = 0; i < PROBE_PHASE_COUNT; i++) {
			if (isnan(r->phase_ms[i]))
				fputc(',', out);
			else
				fprintf(out, ",%.3f", r->phase_ms[i]);
		}
		fprintf(out, ",%s,%s,", r->ok ? "" : classify_class_name(r->error.cls),
			r->error.sqlstate);
		if (r->backend_pid)
			fprintf(out, "%d", r->backend_pid);
		fputc(',', out);
		report_csv_string(out, r->ok ? "" : r->error.message);
		fputc('\n', out);
		fflush(out);
		return;
	}
	/* text: one ping-like line */
	fprintf(out, "%s ", ts);
	report_put_safe(out, t->dsn.name, false);
	fprintf(out, " seq=%llu ", (unsigned long long)r->seq);
	if (r->ok) {
		fprintf(out, "ok total=%s",
			util_fmt_ms(r->phase_ms[PROBE_TOTAL], fmtbuf, sizeof(fmtbuf)));
		for (int i = 0; i < PROBE_TOTAL; i++)
			fprintf(out, " %s=%.2f", probe_phase_name(i), r->phase_ms[i]);
		fprintf(out, " pid=%s\n", probe_pid_text(r->backend_pid, fmtbuf, sizeof(fmtbuf)));
	} else {
		const char *limit = classify_limit_name(r->error.limit);

		fprintf(out, "FAIL %s", classify_class_name(r->error.cls));
		if (r->error.sqlstate[0])
			fprintf(out, " (%s)", r->error.sqlstate);
		if (limit)
			fprintf(out, " limit=%s", limit);
		fprintf(out, " in %s after %s: ", probe_phase_name(r->failed_phase),
			util_fmt_ms(r->phase_ms[PROBE_TOTAL], fmtbuf, sizeof(fmtbuf)));
		report_put_safe(out, r->error.message, false);
		/* Self-restraint shows: the reader sees why the next line takes longer. */
		if (t->backoff_level > 0)
			fprintf(out, " [backing off: next probe in %.3g s]",
				t->interval_ms / 1000.0);
		fputc('\n', out);
	}
	fflush(out);
}

void report_summary(FILE *out, const struct target *t, double elapsed_ms)
{
	uint64_t failed = t->probes - t->ok;
	bool any = false;

	fputs("--- ", out);
	report_put_safe(out, t->dsn.display, false);
	fputs(" pgpulse statistics ---\n", out);
	fprintf(out, "%llu probe%s, %llu ok, %llu failed (%.1f%% failed), time %.1f s\n",
		(unsigned long long)t->probes, t->probes == 1 ? "" : "s", (unsigned long long)t->ok,
		(unsigned long long)failed,
		t->probes ? 100.0 * (double)failed / (double)t->probes : 0.0, elapsed_ms / 1000.0);
	if (failed) {
		fputs("failures:", out);
		for (int c = 1; c < CLASS_COUNT; c++)
			if (t->failures[c])
				fprintf(out, " %s=%llu", classify_class_name(c),
					(unsigned long long)t->failures[c]);
		fputc('\n', out);
	}
	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		any |= t->phase[i].count > 0;
	if (!any) {
		fflush(out);
		return;
	}
	fprintf(out, "%-6s %9s %9s %9s %9s %9s  (ms)\n", "phase", "min", "p50", "p95", "p99",
		"max");
	for (int i = 0; i < PROBE_PHASE_COUNT; i++) {
		const struct stats_hist *h = &t->phase[i];

		if (h->count == 0)
			continue;
		fprintf(out, "%-6s %9.3f %9.3f %9.3f %9.3f %9.3f\n", probe_phase_name(i), h->min,
			stats_hist_percentile(h, 50), stats_hist_percentile(h, 95),
			stats_hist_percentile(h, 99), h->max);
	}
	fflush(out);
}
