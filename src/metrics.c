/*
 * metrics: one table of per-target families, rendered family by family (the
 * text format wants every sample of a family together). Labels are bounded:
 * target names, phases, classes, limits, states, setting names and sources,
 * server versions and TLS protocols; never a pid, a message or a conninfo.
 */
#include "config.h"

#include "metrics.h"
#include "text.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const double metrics_bucket_bounds[METRICS_BUCKETS] = {
	0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

void metrics_buf_free(struct metrics_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void metrics_buf_reserve(struct metrics_buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	while (b->len + more + 1 > b->cap)
		b->cap = b->cap ? b->cap * 2 : 4096;
	b->data = util_xrealloc(b->data, b->cap);
}

void metrics_buf_printf(struct metrics_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	metrics_buf_reserve(b, 256);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		metrics_buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

static void metrics_buf_putc(struct metrics_buf *b, char c)
{
	metrics_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* Escaped, and valid UTF-8: Prometheus refuses a whole scrape for one stray byte. */
void metrics_buf_label(struct metrics_buf *b, const char *s)
{
	size_t rest = strlen(s);

	while (rest > 0) {
		size_t k = text_utf8_char_len(s, rest);

		if (k == 0) {
			/* U+FFFD for the byte */
			metrics_buf_putc(b, '\xEF'), metrics_buf_putc(b, '\xBF');
			metrics_buf_putc(b, '\xBD');
			k = 1;
		} else if (*s == '\\' || *s == '"') {
			metrics_buf_putc(b, '\\'), metrics_buf_putc(b, *s);
		} else if (*s == '\n') {
			metrics_buf_putc(b, '\\'), metrics_buf_putc(b, 'n');
		} else {
			for (size_t i = 0; i < k; i++)
				metrics_buf_putc(b, s[i]);
		}
		s += k, rest -= k;
	}
}

/* A sample value: Go's float syntax, which Prometheus parses. */
static void metrics_value(struct metrics_buf *b, double v)
{
	if (isnan(v))
		metrics_buf_printf(b, " NaN\n");
	else if (isinf(v))
		metrics_buf_printf(b, " %sInf\n", v > 0 ? "+" : "-");
	else
		metrics_buf_printf(b, " %.15g\n", v);
}

void metrics_observe(struct metrics_target *m, const struct probe_result *r)
{
	for (int p = 0; p < PROBE_PHASE_COUNT; p++) {
		double s = r->phase_ms[p] / 1000.0;
		int k = 0;

		if (!isfinite(s) || s < 0)
			continue;
		while (k < METRICS_BUCKETS && s > metrics_bucket_bounds[k])
			k++;
		m->bucket[p][k]++;
		m->sum[p] += s;
		m->count[p]++;
	}
	if (!r->ok && r->error.cls < CLASS_COUNT && r->error.limit < LIMIT_COUNT)
		m->failures[r->error.cls][r->error.limit]++;
}

/* Unit suffixes as PostgreSQL prints them (SHOW, current_setting). */
static const struct {
	const char *suffix;
	double seconds;
} metrics_units[] = {
	{ "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 },
};

bool metrics_setting_seconds(const char *value, double unit_s, double *out)
{
	char *end;
	double v = strtod(value, &end);

	if (end == value || !isfinite(v))
		return false;
	if (*end == '\0') {
		*out = v * unit_s;
		return true;
	}
	for (size_t i = 0; i < sizeof(metrics_units) / sizeof(metrics_units[0]); i++)
		if (strcmp(end, metrics_units[i].suffix) == 0) {
			*out = v * metrics_units[i].seconds;
			return true;
		}
	return false;
}

bool metrics_rfc3339_seconds(const char *s, double *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return false;
	*out = (double)timegm(&tm);
	return true;
}

/* name{target="..." ; the caller adds labels and closes with "}". */
static void metrics_series(struct metrics_buf *b, const char *name, const struct target *t)
{
	metrics_buf_printf(b, "%s{target=\"", name);
	metrics_buf_label(b, t->dsn.name ? t->dsn.name : "");
	metrics_buf_putc(b, '"');
}

static void metrics_simple(struct metrics_buf *b, const char *name, const struct target *t,
			   double v)
{
	metrics_series(b, name, t);
	metrics_buf_putc(b, '}');
	metrics_value(b, v);
}

typedef void (*metrics_family_fn)(struct metrics_buf *b, const char *name, const struct target *t,
				  const struct metrics_target *m);

static void metrics_success(struct metrics_buf *b, const char *name, const struct target *t,
			    const struct metrics_target *m)
{
	if (t->have_last)
		metrics_simple(b, name, t, t->last.ok ? 1 : 0);
}

static void metrics_duration(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	for (int p = 0; p < PROBE_PHASE_COUNT; p++) {
		const char *phase = probe_phase_name(p);
		uint64_t cum = 0;

		for (int k = 0; k <= METRICS_BUCKETS; k++) {
			cum += m->bucket[p][k];
			metrics_series(b, "pgpulse_probe_duration_seconds_bucket", t);
			if (k < METRICS_BUCKETS)
				metrics_buf_printf(b, ",phase=\"%s\",le=\"%g\"} %llu\n", phase,
						   metrics_bucket_bounds[k],
						   (unsigned long long)cum);
			else
				metrics_buf_printf(b, ",phase=\"%s\",le=\"+Inf\"} %llu\n", phase,
						   (unsigned long long)cum);
		}
		metrics_series(b, "pgpulse_probe_duration_seconds_sum", t);
		metrics_buf_printf(b, ",phase=\"%s\"}", phase);
		metrics_value(b, m->sum[p]);
		metrics_series(b, "pgpulse_probe_duration_seconds_count", t);
		metrics_buf_printf(b, ",phase=\"%s\"} %llu\n", phase,
				   (unsigned long long)m->count[p]);
	}
	(void)name;
}

static void metrics_probes(struct metrics_buf *b, const char *name, const struct target *t,
			   const struct metrics_target *m)
{
	metrics_simple(b, name, t, (double)t->probes);
}

static void metrics_failures(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	for (int c = 0; c < CLASS_COUNT; c++)
		for (int l = 0; l < LIMIT_COUNT; l++) {
			const char *limit = classify_limit_name(l);

			if (m->failures[c][l] == 0)
				continue;
			metrics_series(b, name, t);
			metrics_buf_printf(b, ",class=\"%s\",limit=\"%s\"} %llu\n",
					   classify_class_name(c), limit ? limit : "",
					   (unsigned long long)m->failures[c][l]);
		}
}

static void metrics_last_timestamp(struct metrics_buf *b, const char *name, const struct target *t,
				   const struct metrics_target *m)
{
	if (t->have_last)
		metrics_simple(b, name, t,
			       (double)t->last.wall.tv_sec + (double)t->last.wall.tv_nsec / 1e9);
}

static void metrics_interval(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	metrics_simple(b, name, t, t->interval_ms / 1000.0);
}

static void metrics_late(struct metrics_buf *b, const char *name, const struct target *t,
			 const struct metrics_target *m)
{
	(void)m;
	if (t->have_last)
		metrics_simple(b, name, t, t->last.late_ms / 1000.0);
}

static void metrics_incident(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	metrics_simple(b, name, t, target_open_incident(t) ? 1 : 0);
}

static void metrics_server_info(struct metrics_buf *b, const char *name, const struct target *t,
				const struct metrics_target *m)
{
	const struct probe_result *r = &t->last_ok;

	if (!t->have_last_ok || r->server_version[0] == '\0')
		return;
	metrics_series(b, name, t);
	metrics_buf_printf(b, ",version=\"");
	metrics_buf_label(b, r->server_version);
	metrics_buf_printf(b, "\",in_recovery=\"%s\"} 1\n",
			   r->in_recovery < 0 ? "unknown"
			   : r->in_recovery   ? "true"
					      : "false");
}

static void metrics_tls_info(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	const struct tls_info *tls = &t->last_ok.tls;

	if (!t->have_last_ok || !tls->in_use)
		return;
	metrics_series(b, name, t);
	metrics_buf_printf(b, ",protocol=\"");
	metrics_buf_label(b, tls->protocol);
	metrics_buf_printf(b, "\",cipher=\"");
	metrics_buf_label(b, tls->cipher);
	metrics_buf_printf(b, "\"} 1\n");
}

/* The certificate seen last: a failed login still shows it after the handshake. */
static const struct tls_info *metrics_cert(const struct target *t)
{
	if (t->have_last && t->last.tls.have_cert)
		return &t->last.tls;
	if (t->have_last_ok && t->last_ok.tls.have_cert)
		return &t->last_ok.tls;
	return NULL;
}

static void metrics_cert_expiry(struct metrics_buf *b, const char *name, const struct target *t,
				const struct metrics_target *m)
{
	const struct tls_info *tls = metrics_cert(t);
	double when;

	if (tls && metrics_rfc3339_seconds(tls->not_after, &when))
		metrics_simple(b, name, t, when);
}

static const struct inspect_info *metrics_inspect(const struct target *t)
{
	return t->have_inspect && t->inspect.valid ? &t->inspect : NULL;
}

static void metrics_slots_in_use(struct metrics_buf *b, const char *name, const struct target *t,
				 const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);

	if (i)
		metrics_simple(b, name, t, i->in_use);
}

static void metrics_slots_usable(struct metrics_buf *b, const char *name, const struct target *t,
				 const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);

	if (i && inspect_usable_slots(i) >= 0)
		metrics_simple(b, name, t, inspect_usable_slots(i));
}

static void metrics_max_connections(struct metrics_buf *b, const char *name, const struct target *t,
				    const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);

	if (i && i->max_connections >= 0)
		metrics_simple(b, name, t, i->max_connections);
}

static void metrics_reserved(struct metrics_buf *b, const char *name, const struct target *t,
			     const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);

	if (i && i->max_connections >= 0)
		metrics_simple(b, name, t, i->reserved);
}

static void metrics_slots_by_state(struct metrics_buf *b, const char *name, const struct target *t,
				   const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);

	if (i == NULL)
		return;
	for (int s = 0; s < INSPECT_STATE_COUNT; s++) {
		metrics_series(b, name, t);
		metrics_buf_printf(b, ",state=\"%s\"} %d\n", inspect_state_name(s), i->by_state[s]);
	}
}

/* The settings that are timeouts, and the unit of a bare number. */
static const struct {
	const char *name;
	double unit_s;
} metrics_timeouts[] = {
	{ "statement_timeout", 1e-3 }, { "idle_in_transaction_session_timeout", 1e-3 },
	{ "lock_timeout", 1e-3 },      { "idle_session_timeout", 1e-3 },
	{ "tcp_keepalives_idle", 1 },  { "tcp_keepalives_interval", 1 },
};

static void metrics_timeout_settings(struct metrics_buf *b, const char *name,
				     const struct target *t, const struct metrics_target *m)
{
	const struct inspect_info *i = metrics_inspect(t);
	double v;

	/* The connect deadline is pgpulse's own; its source says where it came from. */
	if (t->have_last && t->last.connect_timeout_ms > 0) {
		metrics_series(b, name, t);
		metrics_buf_printf(b, ",setting=\"connect_timeout\",source=\"");
		metrics_buf_label(b, t->last.connect_timeout_source ? t->last.connect_timeout_source
								    : "");
		metrics_buf_printf(b, "\"}");
		metrics_value(b, t->last.connect_timeout_ms / 1000.0);
	}
	if (i == NULL)
		return;
	for (size_t k = 0; k < sizeof(metrics_timeouts) / sizeof(metrics_timeouts[0]); k++) {
		const struct inspect_setting *s = inspect_setting(i, metrics_timeouts[k].name);

		if (s == NULL || !metrics_setting_seconds(s->value, metrics_timeouts[k].unit_s, &v))
			continue;
		metrics_series(b, name, t);
		metrics_buf_printf(b, ",setting=\"%s\",source=\"", s->name);
		metrics_buf_label(b, s->source);
		metrics_buf_printf(b, "\"}");
		metrics_value(b, v);
	}
}

/* PgBouncer's console view (issue 9), when it was readable. */
static const struct pooler_view *metrics_pooler(const struct target *t)
{
	return t->have_pooler && t->pooler.admin == POOLER_ADMIN_OK ? &t->pooler : NULL;
}

static void metrics_pooler_clients(struct metrics_buf *b, const char *name, const struct target *t,
				   const struct metrics_target *m)
{
	const struct pooler_view *v = metrics_pooler(t);

	(void)m;
	if (v)
		metrics_simple(b, name, t, pooler_clients_in_use(v));
}

static void metrics_pooler_max_clients(struct metrics_buf *b, const char *name,
				       const struct target *t, const struct metrics_target *m)
{
	const struct pooler_view *v = metrics_pooler(t);

	(void)m;
	if (v && v->config.max_client_conn >= 0)
		metrics_simple(b, name, t, v->config.max_client_conn);
}

/* Over the pools (the console's own left out): clients waiting, and the longest wait. */
static void metrics_pooler_waits(const struct pooler_view *v, int *waiting, double *maxwait_s)
{
	*waiting = 0;
	*maxwait_s = 0;
	for (int i = 0; i < v->npools; i++) {
		const struct pooler_pool *p = &v->pools[i];

		if (strcmp(p->database, "pgbouncer") == 0)
			continue;
		*waiting += p->cl_waiting > 0 ? p->cl_waiting : 0;
		if (p->maxwait_ms / 1000 > *maxwait_s)
			*maxwait_s = p->maxwait_ms / 1000;
	}
}

/* The pooler's waiting clients (max_wait false) or its longest wait in seconds. */
static void metrics_pooler_wait(struct metrics_buf *b, const char *name, const struct target *t,
				bool max_wait)
{
	const struct pooler_view *v = metrics_pooler(t);
	int waiting;
	double maxwait;

	if (v) {
		metrics_pooler_waits(v, &waiting, &maxwait);
		metrics_simple(b, name, t, max_wait ? maxwait : waiting);
	}
}

static void metrics_pooler_waiting(struct metrics_buf *b, const char *name, const struct target *t,
				   const struct metrics_target *m)
{
	(void)m;
	metrics_pooler_wait(b, name, t, false);
}

static void metrics_pooler_max_wait(struct metrics_buf *b, const char *name, const struct target *t,
				    const struct metrics_target *m)
{
	(void)m;
	metrics_pooler_wait(b, name, t, true);
}

/* The per-target families, in the order /metrics shows them. */
static const struct metrics_family {
	const char *name;
	const char *type;
	const char *help;
	metrics_family_fn render;
} metrics_families[] = {
	{ "pgpulse_probe_success", "gauge",
	  "1 if the last probe connected and ran its query, else 0.", metrics_success },
	{ "pgpulse_probe_duration_seconds", "histogram",
	  "Probe duration by phase (dns, tcp, tls, auth, query, close, total); failed probes count "
	  "in the phases they finished and in total.",
	  metrics_duration },
	{ "pgpulse_probes_total", "counter", "Probes finished.", metrics_probes },
	{ "pgpulse_probe_failures_total", "counter",
	  "Failed probes by error class and the limit that refused (empty when none).",
	  metrics_failures },
	{ "pgpulse_last_probe_timestamp_seconds", "gauge",
	  "Start of the last finished probe, Unix time.", metrics_last_timestamp },
	{ "pgpulse_probe_interval_seconds", "gauge",
	  "Current time between probe starts (grows while backing off from max_clients).",
	  metrics_interval },
	{ "pgpulse_probe_late_seconds", "gauge",
	  "How late the last finished probe started after its due time (queued behind the "
	  "bound on probes in flight, or a busy loop).",
	  metrics_late },
	{ "pgpulse_incident_open", "gauge", "1 while a max_clients incident is open, else 0.",
	  metrics_incident },
	{ "pgpulse_server_info", "gauge", "The server's version and recovery state, value 1.",
	  metrics_server_info },
	{ "pgpulse_tls_info", "gauge",
	  "The TLS protocol and cipher of the last connection, value 1.", metrics_tls_info },
	{ "pgpulse_tls_cert_expiry_timestamp_seconds", "gauge",
	  "When the server certificate expires, Unix time.", metrics_cert_expiry },
	{ "pgpulse_slots_in_use", "gauge", "Client backends connected (pg_stat_activity).",
	  metrics_slots_in_use },
	{ "pgpulse_slots_usable", "gauge",
	  "Slots ordinary roles can use: max_connections minus the reserved ones.",
	  metrics_slots_usable },
	{ "pgpulse_max_connections", "gauge", "The server's max_connections.",
	  metrics_max_connections },
	{ "pgpulse_slots_reserved", "gauge",
	  "superuser_reserved_connections plus reserved_connections.", metrics_reserved },
	{ "pgpulse_slots_by_state", "gauge", "Client backends by pg_stat_activity state.",
	  metrics_slots_by_state },
	{ "pgpulse_timeout_setting_seconds", "gauge",
	  "Timeout settings in seconds (0: none), with their pg_settings source.",
	  metrics_timeout_settings },
	{ "pgpulse_pooler_clients_in_use", "gauge",
	  "PgBouncer's clients counted against max_client_conn (admin console).",
	  metrics_pooler_clients },
	{ "pgpulse_pooler_max_client_conn", "gauge", "PgBouncer's max_client_conn.",
	  metrics_pooler_max_clients },
	{ "pgpulse_pooler_clients_waiting", "gauge",
	  "PgBouncer's clients waiting for a server connection (cl_waiting, all pools).",
	  metrics_pooler_waiting },
	{ "pgpulse_pooler_max_wait_seconds", "gauge",
	  "The longest wait of a PgBouncer client for a server connection (maxwait, all pools).",
	  metrics_pooler_max_wait },
};

/*
 * OpenMetrics names a family without its samples' suffix: counter
 * pgpulse_probes has sample pgpulse_probes_total, info pgpulse_server has
 * pgpulse_server_info (and a gauge may not end in _info there).
 */
static void metrics_header(struct metrics_buf *b, const char *name, const char *type,
			   const char *help)
{
	size_t n = strlen(name);
	int len = (int)n;

	if (b->openmetrics && strcmp(type, "counter") == 0 && n > 6 &&
	    strcmp(name + n - 6, "_total") == 0)
		len -= 6;
	else if (b->openmetrics && n > 5 && strcmp(name + n - 5, "_info") == 0)
		len -= 5, type = "info";
	metrics_buf_printf(b, "# HELP %.*s %s\n# TYPE %.*s %s\n", len, name, help, len, name, type);
}

void metrics_finish(struct metrics_buf *b)
{
	if (b->openmetrics)
		metrics_buf_printf(b, "# EOF\n");
}

const char *metrics_content_type(const struct metrics_buf *b)
{
	return b->openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			      : "text/plain; version=0.0.4; charset=utf-8";
}

void metrics_render(struct metrics_buf *b, const struct target *const *targets,
		    const struct metrics_target *m, int n, const struct metrics_self *self)
{
	for (size_t f = 0; f < sizeof(metrics_families) / sizeof(metrics_families[0]); f++) {
		const struct metrics_family *fam = &metrics_families[f];

		metrics_header(b, fam->name, fam->type, fam->help);
		for (int i = 0; i < n; i++)
			fam->render(b, fam->name, targets[i], &m[i]);
	}
	metrics_header(b, "pgpulse_build_info", "gauge", "pgpulse's version, value 1.");
	metrics_buf_printf(b, "pgpulse_build_info{version=\"");
	metrics_buf_label(b, self->version);
	metrics_buf_printf(b, "\"} 1\n");
	metrics_header(b, "pgpulse_targets_configured", "gauge", "Targets this process probes.");
	metrics_buf_printf(b, "pgpulse_targets_configured %d\n", n);
	metrics_header(b, "pgpulse_probes_in_flight", "gauge", "Probes running now.");
	metrics_buf_printf(b, "pgpulse_probes_in_flight %d\n", self->probes_in_flight);
}

void metrics_render_scrape_duration(struct metrics_buf *b, double seconds)
{
	metrics_header(b, "pgpulse_scrape_duration_seconds", "gauge",
		       "Time taken to render this /metrics answer.");
	metrics_buf_printf(b, "pgpulse_scrape_duration_seconds");
	metrics_value(b, seconds);
}

void metrics_render_probe(struct metrics_buf *b, const struct probe_result *r)
{
	metrics_header(b, "pgpulse_probe_success", "gauge",
		       "1 if the probe connected and ran its query, else 0.");
	metrics_buf_printf(b, "pgpulse_probe_success %d\n", r->ok ? 1 : 0);
	metrics_header(b, "pgpulse_probe_duration_seconds", "gauge",
		       "Duration of each phase the probe finished.");
	for (int p = 0; p < PROBE_PHASE_COUNT; p++) {
		if (!isfinite(r->phase_ms[p]))
			continue;
		metrics_buf_printf(b, "pgpulse_probe_duration_seconds{phase=\"%s\"}",
				   probe_phase_name(p));
		metrics_value(b, r->phase_ms[p] / 1000.0);
	}
	if (!r->ok) {
		const char *limit = classify_limit_name(r->error.limit);

		metrics_header(b, "pgpulse_probe_failure_info", "gauge",
			       "Why the probe failed: error class and limit, value 1.");
		metrics_buf_printf(b, "pgpulse_probe_failure_info{class=\"%s\",limit=\"%s\"} 1\n",
				   classify_class_name(r->error.cls), limit ? limit : "");
	}
}
