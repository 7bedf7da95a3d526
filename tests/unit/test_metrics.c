/*
 * Unit tests for metrics: the exposition text of targets' state, checked
 * line by line: cumulative histogram buckets, failures by class and limit,
 * escaped labels, families present or absent, /probe's gauges, and no
 * password in any target form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsn.h"
#include "metrics.h"
#include "target.h"
#include "util.h"

#define MARKER "Pw-MARKER-4711"

/* struct target is large (events, histograms): keep them off the stack. */
static struct target targets[2];
static struct metrics_target mt[2];

static void probe_ok(struct probe_result *r, double total_ms)
{
	memset(r, 0, sizeof(*r));
	for (int p = 0; p < PROBE_PHASE_COUNT; p++)
		r->phase_ms[p] = 0.1;
	r->phase_ms[PROBE_TOTAL] = total_ms;
	r->ok = true;
	r->in_recovery = 0;
	util_strlcpy(r->server_version, "15.18", sizeof(r->server_version));
	r->connect_timeout_ms = 10000;
	r->connect_timeout_source = "pgpulse default";
}

static void probe_failed(struct probe_result *r, enum classify_class cls, enum classify_limit limit,
			 double total_ms)
{
	memset(r, 0, sizeof(*r));
	for (int p = 0; p < PROBE_PHASE_COUNT; p++)
		r->phase_ms[p] = NAN;
	r->phase_ms[PROBE_DNS] = 0;
	r->phase_ms[PROBE_TOTAL] = total_ms;
	r->error.cls = cls;
	r->error.limit = limit;
	r->in_recovery = -1;
}

/* Records r on target i as the scheduler and serve's result callback do. */
static void feed(int i, const struct probe_result *r)
{
	target_record(&targets[i], r, 1000.0);
	metrics_observe(&mt[i], r);
}

static void setup_target(int i, const char *name)
{
	target_init(&targets[i], i);
	targets[i].dsn.name = util_xstrdup(name);
	targets[i].interval_ms = 1000;
	memset(&mt[i], 0, sizeof(mt[i]));
}

static int setup(void **state)
{
	setup_target(0, "db");
	setup_target(1, "pooler");
	return 0;
}

static int teardown(void **state)
{
	target_free(&targets[0]);
	target_free(&targets[1]);
	return 0;
}

static char *render(int n)
{
	const struct target *t[2] = { &targets[0], &targets[1] };
	struct metrics_self self = { "9.9.9", 1 };
	struct metrics_buf b = { 0 };

	metrics_render(&b, t, mt, n, &self);
	metrics_render_scrape_duration(&b, 0.002);
	return b.data;
}

static void assert_line(const char *text, const char *line)
{
	char *want = NULL;
	size_t n = strlen(line);
	const char *p = text;

	want = util_xmalloc(n + 2);
	snprintf(want, n + 2, "%s\n", line);
	while ((p = strstr(p, want)) != NULL && p != text && p[-1] != '\n')
		p++;
	if (p == NULL)
		fail_msg("missing line: %s\n--- in ---\n%s", line, text);
	free(want);
}

static void assert_no(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("unexpected '%s' in:\n%s", needle, text);
}

static void test_metrics_histogram_buckets_are_cumulative_with_timeout_in_last(void **state)
{
	struct probe_result r;
	char *text;

	probe_ok(&r, 0.4); /* a loopback connect: le 0.0005 */
	feed(0, &r);
	probe_ok(&r, 3.0); /* le 0.005 */
	feed(0, &r);
	probe_failed(&r, CLASS_TIMEOUT, LIMIT_NONE, 10000.0); /* a 10 s timeout: le 10 */
	feed(0, &r);
	text = render(1);
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"0.00025\"} 0");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"0.0005\"} 1");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"0.0025\"} 1");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"0.005\"} 2");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"5\"} 2");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"10\"} 3");
	assert_line(text, "pgpulse_probe_duration_seconds_bucket{target=\"db\",phase=\"total\","
			  "le=\"+Inf\"} 3");
	assert_line(text, "pgpulse_probe_duration_seconds_count{target=\"db\",phase=\"total\"} 3");
	assert_line(text,
		    "pgpulse_probe_duration_seconds_sum{target=\"db\",phase=\"total\"} 10.0034");
	/* the failed probe never reached tcp: only the two successes count there */
	assert_line(text, "pgpulse_probe_duration_seconds_count{target=\"db\",phase=\"tcp\"} 2");
	assert_line(text, "# TYPE pgpulse_probe_duration_seconds histogram");
	assert_line(text, "pgpulse_probe_success{target=\"db\"} 0");
	assert_line(text, "pgpulse_probes_total{target=\"db\"} 3");
	free(text);
}

static void test_metrics_failures_by_class_and_limit(void **state)
{
	struct probe_result r;
	char *text;

	probe_failed(&r, CLASS_MAX_CLIENTS, LIMIT_SUPAVISOR_SESSION_POOL, 5);
	feed(1, &r);
	feed(1, &r);
	probe_failed(&r, CLASS_REFUSED, LIMIT_NONE, 1);
	feed(1, &r);
	text = render(2);
	assert_line(text, "pgpulse_probe_failures_total{target=\"pooler\",class=\"max_clients\","
			  "limit=\"supavisor_session_pool\"} 2");
	assert_line(text, "pgpulse_probe_failures_total{target=\"pooler\",class=\"refused\","
			  "limit=\"\"} 1");
	assert_no(text, "class=\"timeout\"");
	/* two max_clients then refused: the incident closed */
	assert_line(text, "pgpulse_incident_open{target=\"pooler\"} 0");
	free(text);
}

static void test_metrics_incident_open_while_max_clients(void **state)
{
	struct probe_result r;
	char *text;

	probe_failed(&r, CLASS_MAX_CLIENTS, LIMIT_MAX_CONNECTIONS, 5);
	feed(0, &r);
	text = render(1);
	assert_line(text, "pgpulse_incident_open{target=\"db\"} 1");
	free(text);
}

static void test_metrics_before_the_first_probe_no_success_sample(void **state)
{
	char *text = render(2);

	assert_no(text, "pgpulse_probe_success{");
	assert_no(text, "pgpulse_server_info{");
	assert_no(text, "pgpulse_slots_in_use{");
	assert_line(text, "# TYPE pgpulse_probe_success gauge");
	assert_line(text, "pgpulse_probes_total{target=\"pooler\"} 0");
	assert_line(text, "pgpulse_probe_interval_seconds{target=\"db\"} 1");
	assert_line(text, "pgpulse_build_info{version=\"9.9.9\"} 1");
	assert_line(text, "pgpulse_targets_configured 2");
	assert_line(text, "pgpulse_probes_in_flight 1");
	assert_line(text, "pgpulse_scrape_duration_seconds 0.002");
	free(text);
}

static void test_metrics_label_values_are_escaped(void **state)
{
	char *text;

	free(targets[0].dsn.name);
	targets[0].dsn.name = util_xstrdup("a\"b\\c\nd");
	text = render(1);
	assert_line(text, "pgpulse_probes_total{target=\"a\\\"b\\\\c\\nd\"} 0");
	free(text);
}

/* One stray byte in a label would make Prometheus refuse the whole scrape. */
static void test_metrics_label_values_are_valid_utf8(void **state)
{
	char *text;

	free(targets[0].dsn.name);
	targets[0].dsn.name = util_xstrdup("caf\xe9-\xc3\xa9");
	text = render(1);
	assert_line(text, "pgpulse_probes_total{target=\"caf\xef\xbf\xbd-\xc3\xa9\"} 0");
	free(text);
}

static void test_metrics_server_tls_slots_and_settings(void **state)
{
	struct probe_result r;
	struct inspect_info *i = &r.inspect;
	char *text;

	probe_ok(&r, 2);
	r.tls.in_use = true;
	util_strlcpy(r.tls.protocol, "TLSv1.3", sizeof(r.tls.protocol));
	util_strlcpy(r.tls.cipher, "TLS_AES_256_GCM_SHA384", sizeof(r.tls.cipher));
	r.tls.have_cert = true;
	util_strlcpy(r.tls.not_after, "2027-01-01T00:00:00Z", sizeof(r.tls.not_after));
	r.inspected = true;
	i->valid = true;
	i->max_connections = 100;
	i->reserved = 3;
	i->in_use = 12;
	i->by_state[INSPECT_IDLE] = 10;
	i->by_state[INSPECT_ACTIVE] = 2;
	i->nsettings = 3;
	i->settings[0] = (struct inspect_setting){ "statement_timeout", "30s", "client" };
	i->settings[1] = (struct inspect_setting){ "idle_session_timeout", "0", "default" };
	i->settings[2] = (struct inspect_setting){ "max_connections", "100", "configuration file" };
	r.late_ms = 250; /* it waited a quarter second for room */
	feed(0, &r);
	text = render(1);
	assert_line(text,
		    "pgpulse_server_info{target=\"db\",version=\"15.18\",in_recovery=\"false\"} 1");
	assert_line(text, "pgpulse_tls_info{target=\"db\",protocol=\"TLSv1.3\","
			  "cipher=\"TLS_AES_256_GCM_SHA384\"} 1");
	assert_line(text, "pgpulse_tls_cert_expiry_timestamp_seconds{target=\"db\"} 1798761600");
	assert_line(text, "pgpulse_slots_in_use{target=\"db\"} 12");
	assert_line(text, "pgpulse_slots_usable{target=\"db\"} 97");
	assert_line(text, "pgpulse_max_connections{target=\"db\"} 100");
	assert_line(text, "pgpulse_slots_reserved{target=\"db\"} 3");
	assert_line(text, "pgpulse_slots_by_state{target=\"db\",state=\"idle\"} 10");
	assert_line(text, "pgpulse_slots_by_state{target=\"db\",state=\"active\"} 2");
	assert_line(text,
		    "pgpulse_timeout_setting_seconds{target=\"db\",setting=\"statement_timeout\","
		    "source=\"client\"} 30");
	assert_line(text, "pgpulse_timeout_setting_seconds{target=\"db\","
			  "setting=\"idle_session_timeout\",source=\"default\"} 0");
	assert_line(text,
		    "pgpulse_timeout_setting_seconds{target=\"db\",setting=\"connect_timeout\","
		    "source=\"pgpulse default\"} 10");
	assert_line(text, "pgpulse_probe_success{target=\"db\"} 1");
	assert_line(text, "pgpulse_probe_late_seconds{target=\"db\"} 0.25");
	/* max_connections is a slot count, not a timeout */
	assert_no(text, "setting=\"max_connections\"");
	free(text);
}

static void test_metrics_probe_answer_gauges_without_target(void **state)
{
	struct probe_result r;
	struct metrics_buf b = { 0 };

	probe_failed(&r, CLASS_REFUSED, LIMIT_NONE, 1.5);
	metrics_render_probe(&b, &r);
	assert_line(b.data, "pgpulse_probe_success 0");
	assert_line(b.data, "pgpulse_probe_duration_seconds{phase=\"total\"} 0.0015");
	assert_line(b.data, "pgpulse_probe_duration_seconds{phase=\"dns\"} 0");
	assert_line(b.data, "# TYPE pgpulse_probe_duration_seconds gauge");
	assert_line(b.data, "pgpulse_probe_failure_info{class=\"refused\",limit=\"\"} 1");
	assert_no(b.data, "phase=\"tcp\""); /* never reached */
	assert_no(b.data, "target=");
	metrics_buf_free(&b);

	probe_ok(&r, 2);
	metrics_render_probe(&b, &r);
	assert_line(b.data, "pgpulse_probe_success 1");
	assert_line(b.data, "pgpulse_probe_duration_seconds{phase=\"tcp\"} 0.0001");
	assert_no(b.data, "failure_info");
	metrics_buf_free(&b);
}

/* Every target form a password can come in: none of it reaches the text. */
static void test_metrics_never_show_a_password(void **state)
{
	static const char *const forms[] = {
		"host=127.0.0.1 port=5432 user=app password=" MARKER,
		"postgresql://app:" MARKER "@127.0.0.1:5432/db",
		"postgresql+psycopg2://app:" MARKER "@127.0.0.1:5432/db?sslmode=require",
		"postgresql://app@127.0.0.1/db?password=" MARKER,
	};
	struct probe_result r;
	char err[300], *text;

	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		target_free(&targets[0]);
		setup_target(0, "x");
		free(targets[0].dsn.name);
		targets[0].dsn.name = NULL;
		assert_true(dsn_parse(forms[k], NULL, &targets[0].dsn, err, sizeof(err)));
		probe_failed(&r, CLASS_AUTH_FAILED, LIMIT_NONE, 3);
		util_strlcpy(r.error.message, "password authentication failed",
			     sizeof(r.error.message));
		feed(0, &r);
		text = render(1);
		assert_no(text, MARKER);
		assert_line(text, "pgpulse_probes_total{target=\"127.0.0.1:5432\"} 1");
		free(text);
	}
}

static void test_metrics_openmetrics_names_families_by_type(void **state)
{
	const struct target *t[1] = { &targets[0] };
	struct metrics_self self = { "9.9.9", 0 };
	struct metrics_buf b = { 0 };
	struct probe_result r;

	probe_ok(&r, 2);
	feed(0, &r);
	b.openmetrics = true;
	metrics_render(&b, t, mt, 1, &self);
	metrics_render_scrape_duration(&b, 0.001);
	metrics_finish(&b);
	assert_line(b.data, "# TYPE pgpulse_probes counter");
	assert_line(b.data, "pgpulse_probes_total{target=\"db\"} 1");
	assert_line(b.data, "# TYPE pgpulse_probe_failures counter");
	assert_line(b.data, "# TYPE pgpulse_server info");
	assert_line(b.data,
		    "pgpulse_server_info{target=\"db\",version=\"15.18\",in_recovery=\"false\"} 1");
	assert_line(b.data, "# TYPE pgpulse_build info");
	assert_line(b.data, "# TYPE pgpulse_probe_duration_seconds histogram");
	assert_no(b.data, "# TYPE pgpulse_probes_total");
	assert_string_equal(b.data + b.len - 6, "# EOF\n");
	assert_string_equal(metrics_content_type(&b),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	metrics_buf_free(&b);

	/* the 0.0.4 format keeps the sample names and has no EOF */
	metrics_render(&b, t, mt, 1, &self);
	metrics_finish(&b);
	assert_line(b.data, "# TYPE pgpulse_probes_total counter");
	assert_line(b.data, "# TYPE pgpulse_server_info gauge");
	assert_no(b.data, "# EOF");
	metrics_buf_free(&b);
}

static void test_metrics_setting_seconds_units(void **state)
{
	double v;

	assert_true(metrics_setting_seconds("30s", 1e-3, &v));
	assert_true(fabs(v - 30) < 1e-9);
	assert_true(metrics_setting_seconds("5min", 1e-3, &v));
	assert_true(fabs(v - 300) < 1e-9);
	assert_true(metrics_setting_seconds("250ms", 1, &v));
	assert_true(fabs(v - 0.25) < 1e-9);
	assert_true(metrics_setting_seconds("2h", 1, &v));
	assert_true(fabs(v - 7200) < 1e-9);
	assert_true(metrics_setting_seconds("100", 1e-3, &v)); /* bare: the setting's unit */
	assert_true(fabs(v - 0.1) < 1e-9);
	assert_true(metrics_setting_seconds("0", 1e-3, &v));
	assert_true(v == 0);
	assert_false(metrics_setting_seconds("soon", 1, &v));
	assert_false(metrics_setting_seconds("5 fortnights", 1, &v));
}

static void test_metrics_rfc3339(void **state)
{
	double v;

	assert_true(metrics_rfc3339_seconds("1970-01-02T00:00:00Z", &v));
	assert_true(v == 86400);
	assert_false(metrics_rfc3339_seconds("", &v));
	assert_false(metrics_rfc3339_seconds("2027-01-01", &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_metrics_histogram_buckets_are_cumulative_with_timeout_in_last, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_metrics_failures_by_class_and_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_incident_open_while_max_clients, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_metrics_before_the_first_probe_no_success_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_label_values_are_valid_utf8, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_label_values_are_escaped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_server_tls_slots_and_settings, setup,
						teardown),
		cmocka_unit_test(test_metrics_probe_answer_gauges_without_target),
		cmocka_unit_test_setup_teardown(test_metrics_never_show_a_password, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_metrics_openmetrics_names_families_by_type,
						setup, teardown),
		cmocka_unit_test(test_metrics_setting_seconds_units),
		cmocka_unit_test(test_metrics_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
