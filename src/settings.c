/*
 * settings: one row a setting. The command line parses strictly (plain
 * seconds); the prompt also takes "500ms" and converts before calling set.
 */
#include "settings.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

bool settings_seconds(const char *text, double min_s, double max_s, double *ms)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end != '\0' || !isfinite(v) || v < min_s || v > max_s)
		return false;
	*ms = v * 1000.0;
	return true;
}

/* Seconds as the command line takes them: a finite number within e's range. */
static bool settings_cli_seconds(const struct settings_entry *e, const char *text, double *ms)
{
	return settings_seconds(text, e->min_s, e->max_s, ms);
}

static bool settings_cli_interval(const struct settings_entry *e, struct sched_config *cfg,
				  const char *text)
{
	return settings_cli_seconds(e, text, &cfg->interval_ms);
}

static bool settings_cli_timeout(const struct settings_entry *e, struct sched_config *cfg,
				 const char *text)
{
	if (!settings_cli_seconds(e, text, &cfg->connect_timeout_ms))
		return false;
	cfg->connect_timeout_source = "--timeout";
	return true;
}

static bool settings_cli_query_timeout(const struct settings_entry *e, struct sched_config *cfg,
				       const char *text)
{
	return settings_cli_seconds(e, text, &cfg->query_timeout_ms);
}

static bool settings_cli_query(const struct settings_entry *e, struct sched_config *cfg,
			       const char *text)
{
	(void)e;
	if (text[0] == '\0')
		return false;
	cfg->query = text;
	return true;
}

static bool settings_cli_inspect_every(const struct settings_entry *e, struct sched_config *cfg,
				       const char *text)
{
	if (strcmp(text, "-1") == 0) {
		cfg->inspect_every_ms = -1;
		return true;
	}
	return settings_cli_seconds(e, text, &cfg->inspect_every_ms);
}

static bool settings_set_interval(struct sched *s, const char *text, double ms)
{
	(void)text;
	sched_set_interval(s, ms);
	return true;
}

static bool settings_set_timeout(struct sched *s, const char *text, double ms)
{
	(void)text;
	sched_set_timeouts(s, ms, 0);
	return true;
}

static bool settings_set_query_timeout(struct sched *s, const char *text, double ms)
{
	(void)text;
	sched_set_timeouts(s, 0, ms);
	return true;
}

static bool settings_set_query(struct sched *s, const char *text, double ms)
{
	(void)ms;
	if (text[0] == '\0')
		return false;
	sched_set_query(s, text);
	return true;
}

static bool settings_set_probing(struct sched *s, const char *text, double ms)
{
	(void)ms;
	if (strcmp(text, "on") != 0 && strcmp(text, "off") != 0)
		return false;
	sched_set_paused(s, strcmp(text, "off") == 0);
	return true;
}

static void settings_show_interval(struct sched *s, char *out, size_t len)
{
	util_fmt_ms(sched_config(s)->interval_ms, out, len);
}

static void settings_show_timeout(struct sched *s, char *out, size_t len)
{
	util_fmt_ms(sched_config(s)->connect_timeout_ms, out, len);
}

static void settings_show_query_timeout(struct sched *s, char *out, size_t len)
{
	util_fmt_ms(sched_config(s)->query_timeout_ms, out, len);
}

static void settings_show_query(struct sched *s, char *out, size_t len)
{
	const char *q = sched_config(s)->query;

	util_strlcpy(out, q ? q : "SELECT 1", len);
}

static void settings_show_probing(struct sched *s, char *out, size_t len)
{
	util_strlcpy(out, sched_paused(s) ? "off (ad-hoc checks only)" : "on", len);
}

/* clang-format off */
static const struct settings_entry settings_rows[] = {
	{"interval", "SECONDS", "time between probe starts (background probing and ping)",
	 0.05, 86400, NULL, "bad --interval '%s': give seconds, 0.05 or more",
	 settings_cli_interval, settings_set_interval, settings_show_interval},
	{"timeout", "SECONDS", "connect deadline when the target sets no connect_timeout",
	 0.1, 86400, NULL, "bad --timeout '%s': give seconds, 0.1 or more",
	 settings_cli_timeout, settings_set_timeout, settings_show_timeout},
	{"query-timeout", "SECONDS", "deadline of the check query and of sql",
	 0.1, 86400, NULL, "bad --query-timeout '%s': give seconds, 0.1 or more",
	 settings_cli_query_timeout, settings_set_query_timeout, settings_show_query_timeout},
	{"query", "SQL", "the check query",
	 0, 0, NULL, "--query needs a query, e.g. --query 'SELECT 1'%s",
	 settings_cli_query, settings_set_query, settings_show_query},
	{"probing", "on|off", "background probing of every target each interval",
	 0, 0, "on off", NULL,
	 NULL, settings_set_probing, settings_show_probing},
	{"inspect-every", "SECONDS", "read settings and slots at most this often (-1 never)",
	 0, 86400, NULL, "bad --inspect-every '%s': give seconds, or -1 for never",
	 settings_cli_inspect_every, NULL, NULL},
};
/* clang-format on */

const struct settings_entry *settings_table(size_t *n)
{
	*n = sizeof(settings_rows) / sizeof(settings_rows[0]);
	return settings_rows;
}

const struct settings_entry *settings_find(const char *name, bool prompt)
{
	for (size_t i = 0; i < sizeof(settings_rows) / sizeof(settings_rows[0]); i++)
		if (strcmp(settings_rows[i].name, name) == 0 && (!prompt || settings_rows[i].set))
			return &settings_rows[i];
	return NULL;
}
