/*
 * Unit tests for report's JSON shapes: the error object every failure
 * has (also one before any phase), millisecond rounding, and the keys and
 * their order of check --json, from hand-made probe results.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "util.h"

static char *dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	return s;
}

static struct probe_result *result_new(void)
{
	struct probe_result *r = util_xcalloc(1, sizeof(*r));

	for (int i = 0; i < PROBE_PHASE_COUNT; i++)
		r->phase_ms[i] = NAN;
	r->in_recovery = -1;
	return r;
}

static void test_error_json_of_a_refusal(void **state)
{
	struct probe_result *r = result_new();
	char *s;

	(void)state;
	r->error.cls = CLASS_MAX_CLIENTS;
	r->error.limit = LIMIT_MAX_CONNECTIONS;
	util_strlcpy(r->error.sqlstate, "53300", sizeof(r->error.sqlstate));
	util_strlcpy(r->error.message, "sorry, too many clients already", sizeof(r->error.message));
	r->error.advice = "close idle sessions";
	r->failed_phase = PROBE_AUTH;
	s = dump(report_error_json(r));
	assert_string_equal(s, "{\"class\":\"max_clients\",\"sqlstate\":\"53300\","
			       "\"message\":\"sorry, too many clients already\","
			       "\"detail\":null,\"hint\":null,"
			       "\"advice\":\"close idle sessions\",\"phase\":\"auth\","
			       "\"limit\":\"max_connections\"}");
	free(s);
	free(r);
}

static void test_error_json_before_any_phase_and_without_sqlstate(void **state)
{
	struct probe_result *r = result_new();
	char *s;

	(void)state;
	r->error.cls = CLASS_OTHER;
	r->error.advice = "fix the target";
	util_strlcpy(r->error.message, "cannot parse target", sizeof(r->error.message));
	r->failed_phase = PROBE_PHASE_COUNT;
	s = dump(report_error_json(r));
	assert_string_equal(s, "{\"class\":\"other\",\"sqlstate\":null,"
			       "\"message\":\"cannot parse target\",\"detail\":null,\"hint\":null,"
			       "\"advice\":\"fix the target\","
			       "\"phase\":null,\"limit\":null}");
	free(s);
	free(r);
}

static void test_error_json_of_success_is_null(void **state)
{
	struct probe_result *r = result_new();
	json_t *j;

	(void)state;
	r->ok = true;
	j = report_error_json(r);
	assert_true(json_is_null(j));
	json_decref(j);
	free(r);
}

static void test_ms_json_rounds_to_microseconds(void **state)
{
	json_t *j;

	(void)state;
	j = report_ms_json(NAN);
	assert_true(json_is_null(j));
	json_decref(j);
	j = report_ms_json(1.23456);
	assert_true(json_is_real(j));
	assert_true(fabs(json_real_value(j) - 1.235) < 1e-9);
	json_decref(j);
}

static void test_check_json_keys_in_order(void **state)
{
	struct probe_result *r = result_new();
	struct target t;
	json_t *j, *phases;
	const char *key;
	json_t *v;
	static const char *const keys[] = { "status",	 "target", "phases_ms", "error",
					    "server",	 "tls",	   "settings",	"slots",
					    "addresses", "name",   "pooler",	"incident",
					    "late_ms" };
	static const char *const phase_keys[] = { "dns",   "tcp",   "tls",  "auth",
						  "query", "close", "total" };
	size_t i = 0;

	(void)state;
	target_init(&t, 0);
	t.dsn.display = util_xstrdup("postgresql://app:***@db/app");
	t.dsn.name = util_xstrdup("db");
	r->error.cls = CLASS_REFUSED;
	r->error.advice = "";
	r->failed_phase = PROBE_TCP;
	r->phase_ms[PROBE_DNS] = 0.5;
	r->late_ms = 12.25;
	util_strlcpy(r->addrs[r->naddrs++], "127.0.0.1", sizeof(r->addrs[0]));
	j = report_check_json(&t, r, REPORT_CRITICAL);
	json_object_foreach(j, key, v)
	{
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(json_string_value(json_object_get(j, "status")), "critical");
	assert_string_equal(json_string_value(json_object_get(j, "target")),
			    "postgresql://app:***@db/app");
	/* Not connected, no TLS, never inspected: null, not empty objects. */
	assert_true(json_is_null(json_object_get(j, "server")));
	assert_true(json_is_null(json_object_get(j, "tls")));
	assert_true(json_is_null(json_object_get(j, "settings")));
	assert_true(json_is_null(json_object_get(j, "slots")));
	/* No console read, not a max_clients failure. */
	assert_true(json_is_null(json_object_get(j, "pooler")));
	assert_true(json_is_null(json_object_get(j, "incident")));
	assert_int_equal(json_array_size(json_object_get(j, "addresses")), 1);
	assert_true(json_real_value(json_object_get(j, "late_ms")) == 12.25);
	phases = json_object_get(j, "phases_ms");
	i = 0;
	json_object_foreach(phases, key, v)
	{
		assert_string_equal(key, phase_keys[i]);
		i++;
	}
	assert_int_equal(i, 7);
	assert_true(json_real_value(json_object_get(phases, "dns")) == 0.5);
	assert_true(json_is_null(json_object_get(phases, "tcp")));
	json_decref(j);
	free((char *)t.dsn.display);
	t.dsn.display = NULL;
	free(t.dsn.name);
	t.dsn.name = NULL;
	target_free(&t);
	free(r);
}

/* An incident's end is a range: the last failure .. the first success. */
static void test_incident_json_end_as_a_range(void **state)
{
	struct target_incident inc;
	json_t *j, *d;
	char span[120];

	(void)state;
	memset(&inc, 0, sizeof(inc));
	inc.start.tv_sec = 1764597730; /* 2025-12-01T14:02:10Z */
	inc.start_ms = 1000;
	inc.last_fail.tv_sec = inc.start.tv_sec + 105;
	inc.last_fail_ms = 1000 + 105000;
	inc.probes_failed = 12;
	inc.limit = LIMIT_PGBOUNCER_POOL;
	/* open: no end, no culprit: how to get one */
	j = report_incident_json(&inc);
	assert_true(json_is_null(json_object_get(j, "ended_by")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "duration_s"), "max")));
	assert_true(json_is_null(json_object_get(j, "culprit")));
	assert_non_null(
		strstr(json_string_value(json_object_get(j, "culprit_advice")), "stats_users"));
	json_decref(j);
	/* ended 30 s after the last failure, culprit from a sibling */
	inc.end.tv_sec = inc.start.tv_sec + 135;
	inc.end_ms = 1000 + 135000;
	util_strlcpy(inc.culprit, "api holds 10 of 17", sizeof(inc.culprit));
	j = report_incident_json(&inc);
	assert_string_equal(json_string_value(json_object_get(j, "started")),
			    "2025-12-01T14:02:10.000Z");
	assert_string_equal(json_string_value(json_object_get(j, "ended_after")),
			    "2025-12-01T14:03:55.000Z");
	assert_string_equal(json_string_value(json_object_get(j, "ended_by")),
			    "2025-12-01T14:04:25.000Z");
	d = json_object_get(j, "duration_s");
	assert_true(json_real_value(json_object_get(d, "min")) == 105.0);
	assert_true(json_real_value(json_object_get(d, "max")) == 135.0);
	assert_int_equal(json_integer_value(json_object_get(j, "probes_failed")), 12);
	assert_string_equal(json_string_value(json_object_get(j, "limit")), "pgbouncer_pool");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "culprit"), "source")),
		"sibling");
	assert_null(json_object_get(j, "culprit_advice"));
	json_decref(j);
	/* an application_name with a stray byte: the incident stays, the byte is U+FFFD */
	util_strlcpy(inc.culprit, "caf\xe9 holds 10 of 17", sizeof(inc.culprit));
	j = report_incident_json(&inc);
	assert_true(json_is_object(j));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "culprit"), "text")),
		"caf\xef\xbf\xbd holds 10 of 17");
	json_decref(j);
	report_incident_span(&inc, 0, span, sizeof(span));
	assert_non_null(strstr(span, "(1m45s-2m15s)"));
	assert_true(strncmp(span, "ended between ", 14) == 0);
	inc.end.tv_sec = 0;
	report_incident_span(&inc, 1000 + 61000, span, sizeof(span));
	assert_string_equal(span, "open for 1m01s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_json_of_a_refusal),
		cmocka_unit_test(test_error_json_before_any_phase_and_without_sqlstate),
		cmocka_unit_test(test_error_json_of_success_is_null),
		cmocka_unit_test(test_ms_json_rounds_to_microseconds),
		cmocka_unit_test(test_check_json_keys_in_order),
		cmocka_unit_test(test_incident_json_end_as_a_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
