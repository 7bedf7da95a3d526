/*
 * dashboard_panels: what the dashboard shows about a target: the probe
 * log, one function per panel (server, TLS, timeouts, slots, latency,
 * counters) and the title and state lines. Each draws through a pen, so a
 * dry pen measures it with the same code.
 */
#include "dashboard_priv.h"
#include "classify.h"
#include "holders.h"
#include "util.h"

#include <langinfo.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* ---------------------------------------------------------------- probe log */

/*
 * When the probe ended: the log is in completion order, so it is stamped
 * with completion times too (as the prompt's errors is), never start times
 * that would run out of order beside a slow probe.
 */
static struct timespec dashboard_probe_end(const struct probe_result *r)
{
	struct timespec end = r->wall;
	double ms = isnan(r->phase_ms[PROBE_TOTAL]) ? 0 : r->phase_ms[PROBE_TOTAL];
	long long ns = (long long)end.tv_nsec + (long long)(ms * 1e6);

	end.tv_sec += (time_t)(ns / 1000000000LL);
	end.tv_nsec = (long)(ns % 1000000000LL);
	return end;
}

void dashboard_log_push(struct dashboard *d, const struct target *t, const struct probe_result *r)
{
	struct dashboard_probe *e = &d->log[d->log_head];

	memset(e, 0, sizeof(*e));
	e->target = t->index;
	e->seq = r->seq;
	e->wall = dashboard_probe_end(r);
	e->ok = r->ok;
	memcpy(e->phase_ms, r->phase_ms, sizeof(e->phase_ms));
	e->backend_pid = r->backend_pid;
	e->cls = r->error.cls;
	e->failed_phase = r->failed_phase;
	util_strlcpy(e->sqlstate, r->error.sqlstate, sizeof(e->sqlstate));
	e->advice = r->ok ? NULL : r->error.advice;
	util_strlcpy(e->message, r->error.message, sizeof(e->message));
	d->log_head = (d->log_head + 1) % DASHBOARD_LOG;
	if (d->log_len < DASHBOARD_LOG)
		d->log_len++;
}

/* i = 0 is the newest entry; NULL past the end. */
static const struct dashboard_probe *dashboard_log_get(const struct dashboard *d, unsigned i)
{
	if (i >= d->log_len)
		return NULL;
	return &d->log[(d->log_head + DASHBOARD_LOG - 1 - i) % DASHBOARD_LOG];
}

const struct dashboard_probe *dashboard_log_find(const struct dashboard *d, int target,
						 uint64_t seq)
{
	const struct dashboard_probe *e;

	for (unsigned i = 0; (e = dashboard_log_get(d, i)) != NULL; i++)
		if (e->target == target && e->seq == seq)
			return e;
	return NULL;
}

const struct dashboard_probe *dashboard_last_failure(const struct dashboard *d, int target)
{
	const struct dashboard_probe *e;

	for (unsigned i = 0; (e = dashboard_log_get(d, i)) != NULL; i++)
		if (e->target == target && !e->ok)
			return e;
	return NULL;
}

/*
 * One line per probe, newest first. A failure shows class, SQLSTATE and
 * message, then its advice on a line of its own unless a newer line of the
 * same target already gave it (an incident repeats itself).
 * last_advice holds, per target, the advice shown last.
 */
static void dashboard_probe_line(struct dashboard *d, struct dashboard_pen *p,
				 const struct dashboard_probe *e, bool with_target,
				 const char **last_advice)
{
	char pid[16], label[256];
	char clock[32], ms[32];

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s ",
			  dashboard_fmt_clock(&e->wall, false, clock, sizeof(clock)));
	if (with_target)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%-18.18s ",
				  dashboard_target_label(d, sched_target(d->s, e->target), label,
							 sizeof(label)));
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "#%-5llu ", (unsigned long long)e->seq);
	if (e->ok) {
		dashboard_pen_add(p, d->attr[ROLE_OK], "ok   ");
		dashboard_pen_field(p, d->attr[ROLE_VALUE], "%9s",
				    util_fmt_ms(e->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
		dashboard_pen_field(p, d->attr[ROLE_NORMAL], "  pid %-7s",
				    probe_pid_text(e->backend_pid, pid, sizeof(pid)));
		/* Narrow screens drop whole phases from the end, never half a number. */
		for (int i = 0; i < PROBE_TOTAL; i++)
			dashboard_pen_field(p, d->attr[ROLE_LABEL], " %s %.2f", probe_phase_name(i),
					    isnan(e->phase_ms[i]) ? 0.0 : e->phase_ms[i]);
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_field(p, d->attr[ROLE_BAD], "FAIL %s", classify_class_name(e->cls));
	if (e->sqlstate[0])
		dashboard_pen_field(p, d->attr[ROLE_VALUE], " %s", e->sqlstate);
	/* The message is text and may be cut; the numbers after it go whole or not at all. */
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " %s", e->message);
	dashboard_pen_field(p, d->attr[ROLE_LABEL], " (in %s after %s)",
			    probe_phase_name(e->failed_phase),
			    util_fmt_ms(e->phase_ms[PROBE_TOTAL], ms, sizeof(ms)));
	dashboard_pen_nl(p);
	if (e->advice && e->advice[0] && e->advice != last_advice[e->target]) {
		dashboard_pen_at(p, 9);
		dashboard_pen_add(p, d->attr[ROLE_WARN], "advice: %s", e->advice);
		dashboard_pen_nl(p);
		last_advice[e->target] = e->advice;
	}
}

/* Recent probes of one target (target >= 0) or of all (-1). */
void dashboard_probe_log(struct dashboard *d, struct dashboard_pen *p, int target)
{
	const struct dashboard_probe *e;
	size_t n = (size_t)sched_ntargets(d->s);
	bool any = false;

	/* Kept across frames, grown when the prompt adds a target. */
	if (n > d->last_advice_cap) {
		d->last_advice = util_xrealloc(d->last_advice, n * sizeof(*d->last_advice));
		d->last_advice_cap = n;
	}
	memset(d->last_advice, 0, n * sizeof(*d->last_advice));

	for (unsigned i = 0; p->y < p->bottom && (e = dashboard_log_get(d, i)) != NULL; i++) {
		if (target >= 0 && e->target != target)
			continue;
		dashboard_probe_line(d, p, e, target < 0, d->last_advice);
		any = true;
	}
	if (!any) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "  no probe has finished yet");
		dashboard_pen_nl(p);
	}
}

/* ---------------------------------------------------------------- panels */

void dashboard_panel_server(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct probe_result *ok = t->have_last_ok ? &t->last_ok : NULL;
	char pid[16];
	const char *addr = t->have_last && t->last.used_addr[0] ? t->last.used_addr
			   : ok					? ok->used_addr
								: "";
	int recovery = t->have_inspect && t->inspect.valid ? t->inspect.in_recovery
		       : ok				   ? ok->in_recovery
							   : -1;

	dashboard_pen_title(p, d, "Server", NULL);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "version      ");
	if (ok)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "PostgreSQL %s", ok->server_version);
	else
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "- (no successful probe yet)");
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "backend pid  ");
	if (t->have_last && t->last.ok)
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s",
				  probe_pid_text(t->last.backend_pid, pid, sizeof(pid)));
	else if (ok)
		dashboard_pen_add(p, d->attr[ROLE_WARN], "- (last ok: %s)",
				  probe_pid_text(ok->backend_pid, pid, sizeof(pid)));
	else
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	dashboard_pen_at(p, 28);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "in_recovery ");
	if (recovery < 0)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	else
		dashboard_pen_add(p, d->attr[recovery ? ROLE_WARN : ROLE_VALUE], "%s",
				  recovery ? "yes (standby)" : "no (primary)");
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "address      ");
	if (addr[0] == '\0') {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	} else {
		bool v6 = strchr(addr, ':') != NULL && addr[0] != '/';

		dashboard_pen_add(p, d->attr[ROLE_VALUE], v6 ? "[%s]" : "%s", addr);
		if (addr[0] != '/')
			dashboard_pen_add(p, d->attr[ROLE_VALUE], ":%s", t->dsn.port);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " (%s", dashboard_addr_family(addr));
		if (t->have_last && t->last.naddrs > 1)
			dashboard_pen_add(p, d->attr[ROLE_NORMAL], ", %d addresses",
					  t->last.naddrs);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], ")");
	}
	dashboard_pen_nl(p);
}

void dashboard_panel_tls(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct tls_info *tls = t->have_last_ok ? &t->last_ok.tls : NULL;
	char days[40];

	dashboard_pen_title(p, d, "TLS", NULL);
	if (tls == NULL) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "- (no successful probe yet)");
		dashboard_pen_nl(p);
		return;
	}
	if (!tls->in_use) {
		dashboard_pen_add(p, d->attr[ROLE_WARN], "not in use");
		dashboard_pen_add(p, d->attr[ROLE_LABEL], " (sslmode=%s)",
				  t->dsn.sslmode ? t->dsn.sslmode : "prefer");
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "protocol     ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s", tls->protocol);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "  %s (%d bits)", tls->cipher, tls->bits);
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "certificate  ");
	if (!tls->have_cert) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
		dashboard_pen_nl(p);
		return;
	}
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s", tls->subject);
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "expires      ");
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%.10s ", tls->not_after);
	util_fmt_days_left(tls->days_left, days, sizeof(days));
	if (tls->days_left < 0)
		dashboard_pen_add(p, d->attr[ROLE_BAD], "(expired %s)", days);
	else
		dashboard_pen_add(p, d->attr[tls->days_left < 14 ? ROLE_WARN : ROLE_OK], "(%s)",
				  days);
	dashboard_pen_nl(p);
}

/*
 * The server-side timeouts that end an application's connections, with the
 * pg_settings source. Anything not at its built-in default is highlighted:
 * a role-level statement_timeout is exactly what people forget.
 */
static const char *const dashboard_timeouts[] = {
	"statement_timeout",	"idle_in_transaction_session_timeout",
	"lock_timeout",		"idle_session_timeout",
	"tcp_keepalives_idle",	"tcp_keepalives_interval",
	"tcp_keepalives_count",
};

void dashboard_panel_timeouts(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct inspect_info *info = t->have_inspect ? &t->inspect : NULL;
	int namew = p->w - 28 < 35 ? p->w - 28 : 35, defaults = 0;
	struct probe_config pc;
	char buf[32];

	if (namew < 12)
		namew = 12;
	dashboard_pen_title(p, d, "Timeouts", "value / source");
	if (info == NULL || !info->valid) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s",
				  info && info->error[0] ? info->error : "- (not read yet)");
		dashboard_pen_nl(p);
	} else {
		for (size_t i = 0; i < sizeof(dashboard_timeouts) / sizeof(dashboard_timeouts[0]);
		     i++) {
			const struct inspect_setting *st =
				inspect_setting(info, dashboard_timeouts[i]);
			bool unusual = st && strcmp(st->source, "default") != 0;

			/* Compact: only what someone set; defaults are what one expects. */
			if (!p->full && !unusual) {
				defaults++;
				continue;
			}

			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_NORMAL], "%-*.*s",
					  namew, namew, dashboard_timeouts[i]);
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_VALUE], " %7s",
					  st ? st->value : "-");
			dashboard_pen_add(p, d->attr[unusual ? ROLE_NOTE : ROLE_LABEL], "  %s",
					  st ? st->source : "");
			dashboard_pen_nl(p);
		}
		if (defaults > 0) {
			dashboard_pen_add(p, d->attr[ROLE_LABEL], "%d more at their defaults",
					  defaults);
			dashboard_pen_nl(p);
		}
	}
	/* connect_timeout is the client's own: the deadline the next probe gets. */
	sched_probe_config(d->s, t, &pc);
	util_fmt_seconds(pc.connect_timeout_ms, buf, sizeof(buf));
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%-*.*s", namew, namew, "connect_timeout");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], " %7s", buf);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  %s", pc.connect_timeout_source);
	dashboard_pen_nl(p);
}

/*
 * How full the slots are, against what clients can use (max_connections
 * less the reserved ones), with check's thresholds: 80% warning and 95%
 * critical unless -w/-c say otherwise.
 */
static enum dashboard_role dashboard_slots_role(const struct dashboard *d, int in_use, int usable)
{
	const struct report_thresholds *th = &d->o->thresholds;

	if (usable <= 0)
		return ROLE_BAD;
	for (int level = 1; level >= 0; level--) {
		enum dashboard_role role = level ? ROLE_BAD : ROLE_WARN;

		if (th->slots_pct[level] >= 0 && 100.0 * in_use / usable >= th->slots_pct[level])
			return role;
		if (th->slots_left[level] >= 0 && usable - in_use <= th->slots_left[level])
			return role;
	}
	return ROLE_OK;
}

/*
 * The holders' columns: user@client as wide as its longest entry (11 to 24),
 * and the application as wide as its longest name, as far as the panel
 * allows beside the others ("held ", " act idle", "  oldest"); never under 12.
 */
static void dashboard_holders_widths(const struct inspect_info *info, int holders, int panel_w,
				     int *appw, int *whow)
{
	int app = 0, who = 11;

	for (int i = 0; i < holders; i++) {
		const struct inspect_holder *h = &info->holders[i];
		int a = h->application_name[0] ? (int)strlen(h->application_name) : 6;
		int w = (int)(strlen(h->usename) + 1 + strlen(h->client_addr));

		app = a > app ? a : app;
		who = w > who ? w : who;
	}
	*whow = who < 24 ? who : 24;
	if (app > panel_w - (6 + 1 + *whow + 9 + 8))
		app = panel_w - (6 + 1 + *whow + 9 + 8);
	*appw = app > 12 ? app : 12;
}

/* "[|||||.....]  85%  3 left" ("over by 1"): the bar spans the usable slots only. */
static void dashboard_slots_bar(struct dashboard *d, struct dashboard_pen *p,
				const struct inspect_info *info, enum dashboard_role role)
{
	char tail[48], left[32];
	int bw, used, in_use = info->in_use, usable = inspect_usable_slots(info);

	if (usable <= 0) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "no usable slots");
		dashboard_pen_nl(p);
		return;
	}
	snprintf(tail, sizeof(tail), " %3d%%  %s", (int)lround(100.0 * in_use / usable),
		 inspect_slots_left_text(info, left, sizeof(left)));
	bw = p->w - 2 - (int)strlen(tail);
	if (bw >= 4) {
		used = (int)((long)in_use * bw / usable);
		if (in_use > 0 && used == 0)
			used = 1;
		if (used > bw)
			used = bw;
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "[");
		for (int i = 0; i < bw; i++)
			dashboard_pen_add(p, d->attr[i < used ? role : ROLE_LABEL], "%s",
					  i < used ? "|" : ".");
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "]");
	}
	dashboard_pen_field(p, d->attr[role], "%s", tail);
	dashboard_pen_nl(p);
}

static double dashboard_warn_pct(const struct dashboard *d);

/*
 * The server side's culprit (issue 9): the pooler's server connections
 * left out, and only above the slots warning threshold or in an incident.
 */
static bool dashboard_slots_culprit(struct dashboard *d, const struct target *t,
				    const struct inspect_info *info, char *out, size_t len)
{
	struct holders_poolers poolers;

	holders_poolers_for(sched_targets(d->s), sched_ntargets(d->s), t, &poolers);
	return holders_culprit_with(info, &poolers, target_open_incident(t) != NULL,
				    dashboard_warn_pct(d), out, len);
}

/* Supavisor's server connections per user against its pool size (issue 9). */
static void dashboard_slots_supavisor(struct dashboard *d, const struct target *t,
				      const struct inspect_info *info, struct dashboard_pen *p)
{
	struct holders_supavisor sv;
	char line[300];

	holders_supavisor_for(sched_targets(d->s), sched_ntargets(d->s), t, info, &sv);
	for (int i = 0; i < sv.n; i++) {
		const struct holders_supavisor_user *u = &sv.v[i];
		enum dashboard_role role = ROLE_NORMAL;

		if (u->pool_size > 0 && u->count >= u->pool_size)
			role = ROLE_BAD;
		else if (u->pool_size > 0 &&
			 100.0 * u->count / u->pool_size >= dashboard_warn_pct(d))
			role = ROLE_WARN;
		holders_supavisor_text(u, line, sizeof(line));
		dashboard_pen_wrap(p, d->attr[role], 2, 2, false, line);
	}
}

/*
 * Who holds the slots. Compact: the count, the bar and the culprit; full
 * adds the backends by state and the top holders.
 */
void dashboard_panel_slots(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct inspect_info *info = t->have_inspect ? &t->inspect : NULL;
	int usable, holders, appw, whow;
	enum dashboard_role role;
	char culprit[256], age[32], who[160], note[64] = "";
	bool any = false;

	/* Introspection runs every few seconds and not at all while probes fail. */
	if (info && info->valid)
		snprintf(note, sizeof(note), "read %s ago",
			 dashboard_fmt_duration(dashboard_seconds_since(&t->inspect_wall), age,
						sizeof(age)));
	dashboard_pen_title(p, d, "Slots", note);
	if (info == NULL || !info->valid || info->max_connections <= 0) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s",
				  info && info->error[0] ? info->error : "- (not read yet)");
		dashboard_pen_nl(p);
		return;
	}
	usable = inspect_usable_slots(info);
	role = dashboard_slots_role(d, info->in_use, usable);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "in use ");
	dashboard_pen_add(p, d->attr[role], "%d", info->in_use);
	dashboard_pen_add(p, d->attr[ROLE_NORMAL], " / %d max_connections", info->max_connections);
	dashboard_pen_field(p, d->attr[ROLE_LABEL], " (%d reserved, %d usable)", info->reserved,
			    usable);
	dashboard_pen_nl(p);
	dashboard_slots_bar(d, p, info, role);

	if (dashboard_slots_culprit(d, t, info, culprit, sizeof(culprit))) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_BAD], 9, 2, false, culprit);
	}
	dashboard_slots_supavisor(d, t, info, p);
	if (!p->full)
		return;

	for (int s = 0; s < INSPECT_STATE_COUNT; s++) {
		if (info->by_state[s] == 0)
			continue;
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%s%s ", any ? "  " : "",
				  inspect_state_name(s));
		dashboard_pen_add(p, d->attr[s == INSPECT_IDLE_IN_XACT ? ROLE_WARN : ROLE_VALUE],
				  "%d", info->by_state[s]);
		any = true;
	}
	if (!any)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "no client backends");
	dashboard_pen_nl(p);

	holders = info->nholders < 3 ? info->nholders : 3;
	dashboard_holders_widths(info, holders, p->w, &appw, &whow);
	if (holders > 0) {
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "%5s %-*s %-*s %3s %4s  %s", "held", appw,
				  "application", whow, "user@client", "act", "idle", "oldest");
		dashboard_pen_nl(p);
	}
	for (int i = 0; i < holders; i++) {
		const struct inspect_holder *h = &info->holders[i];

		snprintf(who, sizeof(who), "%s@%s", h->usename, h->client_addr);
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "%5d ", h->count);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], "%-*.*s %-*.*s", appw, appw,
				  h->application_name[0] ? h->application_name : "(none)", whow,
				  whow, who);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " %3d %4d", h->active, h->idle);
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "  %s",
				  dashboard_fmt_duration(h->oldest_s, age, sizeof(age)));
		if (h->idle_in_transaction)
			dashboard_pen_add(p, d->attr[ROLE_WARN], " %d idle in xact",
					  h->idle_in_transaction);
		dashboard_pen_nl(p);
	}
}

void dashboard_panel_latency(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	static const double pct[] = { 50, 95, 99 };
	static const char *const columns[] = { "last", "p50", "p95", "p99", "max" };
	char buf[64], spark[4 * 512];
	const char *c;
	unsigned width;

	dashboard_pen_title(p, d, "Latency", "successful probes");
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%-6s", "phase");
	for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++)
		dashboard_pen_field(p, d->attr[ROLE_LABEL], "%9s", columns[k]);
	dashboard_pen_nl(p);
	/* Compact: the total and the trend; full: every phase. */
	for (int i = p->full ? 0 : PROBE_TOTAL; i < PROBE_PHASE_COUNT; i++) {
		const struct stats_hist *h = &t->phase[i];
		attr_t a = d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_NORMAL];

		dashboard_pen_add(p, d->attr[i == PROBE_TOTAL ? ROLE_VALUE : ROLE_LABEL], "%-6s",
				  probe_phase_name(i));
		dashboard_pen_field(p, a, "%9s", util_fmt_ms(h->last, buf, sizeof(buf)));
		for (size_t k = 0; k < sizeof(pct) / sizeof(pct[0]); k++)
			dashboard_pen_field(
				p, a, "%9s",
				util_fmt_ms(stats_hist_percentile(h, pct[k]), buf, sizeof(buf)));
		dashboard_pen_field(p, a, "%9s", util_fmt_ms(h->max, buf, sizeof(buf)));
		dashboard_pen_nl(p);
	}
	/* The sparkline: one cell per probe, failures marked in red. */
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "%-6s", "trend");
	width = p->w > 8 ? (unsigned)(p->w - 7) : 1;
	if (width > 512)
		width = 512;
	stats_sparkline(&t->total_ring, width, d->utf8, spark, sizeof(spark));
	for (c = spark; *c;) {
		bool fail = *c == '!' || *c == 'x';
		size_t len = fail || (unsigned char)*c < 0x80 ? 1 : (size_t)mblen(c, MB_CUR_MAX);
		char one[8];

		if (len == 0 || len >= sizeof(one) || len == (size_t)-1)
			len = 1;
		memcpy(one, c, len);
		one[len] = '\0';
		dashboard_pen_add(p, d->attr[fail ? ROLE_BAD : ROLE_OK], "%s", one);
		c += len;
	}
	if (t->total_ring.len == 0)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "-");
	dashboard_pen_nl(p);
}

static void dashboard_last_incident(struct dashboard *d, const struct target *t,
				    struct dashboard_pen *p);

void dashboard_panel_counters(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct target_incident *open = target_open_incident(t);
	uint64_t failed = t->probes - t->ok;
	double current, longest;
	char buf[32];
	bool any = false;

	dashboard_pen_title(p, d, "Counters", NULL);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "probes ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%llu", (unsigned long long)t->probes);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  ok ");
	dashboard_pen_add(p, d->attr[ROLE_OK], "%llu", (unsigned long long)t->ok);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  failed ");
	dashboard_pen_add(p, d->attr[failed ? ROLE_BAD : ROLE_VALUE], "%llu",
			  (unsigned long long)failed);
	if (t->stats_reset)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], "  since the reset at %s",
				  dashboard_fmt_clock(&t->stats_since, false, buf, sizeof(buf)));
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "connections of ours open now ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%d", t->open_connections);
	if (sched_ntargets(d->s) > 1)
		dashboard_pen_add(p, d->attr[ROLE_LABEL], " (all targets %d)",
				  sched_open_connections(d->s));
	dashboard_pen_nl(p);

	dashboard_pen_add(p, d->attr[ROLE_LABEL], "failures");
	for (int c = 1; c < CLASS_COUNT; c++) {
		if (t->failures[c] == 0)
			continue;
		dashboard_pen_add(p, d->attr[ROLE_BAD], " %s", classify_class_name(c));
		dashboard_pen_add(p, d->attr[ROLE_VALUE], " %llu",
				  (unsigned long long)t->failures[c]);
		any = true;
	}
	if (!any)
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " none");
	dashboard_pen_nl(p);

	/* The outage going on counts by the clock, so the longest is at least as long. */
	current = t->outage_start_ms > 0 ? util_now_ms() - t->outage_start_ms : 0;
	longest = t->longest_outage_ms > current ? t->longest_outage_ms : current;
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "outages  longest ");
	dashboard_pen_add(p, d->attr[ROLE_VALUE], "%s",
			  longest > 0 ? util_fmt_ms(longest, buf, sizeof(buf)) : "none");
	if (t->outage_start_ms > 0)
		dashboard_pen_add(p, d->attr[ROLE_BAD], "  current %s",
				  util_fmt_ms(current, buf, sizeof(buf)));
	dashboard_pen_nl(p);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "max_clients incidents ");
	dashboard_pen_add(p, d->attr[open ? ROLE_BAD : ROLE_VALUE], "%llu%s",
			  (unsigned long long)t->incidents_total, open ? " (1 open now)" : "");
	dashboard_pen_nl(p);
	dashboard_last_incident(d, t, p);
}

/* The last incident that ended: both ends of its end, and its culprit. */
static void dashboard_last_incident(struct dashboard *d, const struct target *t,
				    struct dashboard_pen *p)
{
	const struct target_incident *inc = t->ninc ? &t->incidents[t->ninc - 1] : NULL;
	char line[900], span[120], clock[32];

	if (inc == NULL || inc->end.tv_sec == 0)
		return;
	report_incident_span(inc, util_now_ms(), span, sizeof(span));
	snprintf(line, sizeof(line), "%s -> %s, %llu probe%s failed%s%s",
		 dashboard_fmt_clock(&inc->start, false, clock, sizeof(clock)), span,
		 (unsigned long long)inc->probes_failed, inc->probes_failed == 1 ? "" : "s",
		 inc->culprit[0] ? ", culprit: " : "", inc->culprit);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "  last ");
	dashboard_pen_wrap(p, d->attr[ROLE_NORMAL], 4, 3, false, line);
}

/* The slots warning threshold in percent, for the pooler's pools (default 80). */
static double dashboard_warn_pct(const struct dashboard *d)
{
	double pct = d->o->thresholds.slots_pct[0];

	return pct >= 0 ? pct : 80;
}

/*
 * PgBouncer's own view (issue 9): mode and clients against
 * max_client_conn, then per pool active/waiting/servers, the top client
 * holders, and a culprit only above the warning threshold or in an
 * incident. Nothing for a target that is not a PgBouncer.
 */
void dashboard_panel_pooler(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct pooler_view *v = &t->pooler;
	const char *db = t->dsn.dbname ? t->dsn.dbname : t->dsn.user;
	struct pooler_holder top[5];
	struct pooler_culprit c;
	char line[600], note[48], age[32];
	int idx[8], np, nh, nbe;
	const struct pooler_backend *be;

	if (!t->have_pooler || t->pooler_kind != POOLER_KIND_PGBOUNCER)
		return;
	be = sched_pooler_backends(d->s, t, &nbe); /* O(targets): only for a PgBouncer */
	snprintf(note, sizeof(note), "as of %s ago",
		 dashboard_fmt_duration(sched_pooler_age_s(t), age, sizeof(age)));
	dashboard_pen_title(p, d, "Pooler", note);
	pooler_text_summary(v, line, sizeof(line));
	if (v->admin != POOLER_ADMIN_OK) {
		dashboard_pen_wrap(p, d->attr[ROLE_LABEL], 0, 2, false, line);
		return;
	}
	dashboard_pen_wrap(p, d->attr[ROLE_VALUE], 0, 2, false, line);
	np = pooler_shown_pools(v, idx, p->full ? 8 : 2);
	for (int i = 0; i < np; i++) {
		const struct pooler_pool *pool = &v->pools[idx[i]];
		bool full = pool->pool_size > 0 && pool->sv_active >= pool->pool_size;
		enum dashboard_role role = ROLE_NORMAL;

		if (pool->cl_waiting > 0 && full)
			role = ROLE_BAD;
		else if (pool->pool_size > 0 &&
			 100.0 * pool->sv_active / pool->pool_size >= dashboard_warn_pct(d))
			role = ROLE_WARN;
		pooler_text_pool(pool, line, sizeof(line));
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], "  ");
		dashboard_pen_wrap(p, d->attr[role], 4, 2, false, line);
	}
	/* In an incident the banner names it already. */
	if (!target_open_incident(t) &&
	    pooler_culprit(v, db, t->dsn.user, be, nbe, false, dashboard_warn_pct(d), &c)) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_BAD], 9, 3, false, c.text);
	}
	if (!p->full)
		return;
	nh = pooler_top_clients(v, be, nbe, top, 5);
	for (int i = 0; i < nh; i++) {
		pooler_text_holder(&top[i], line, sizeof(line));
		dashboard_pen_add(p, d->attr[ROLE_LABEL], i ? "         " : "holders  ");
		dashboard_pen_wrap(p, d->attr[top[i].waiting ? ROLE_WARN : ROLE_NORMAL], 9, 1,
				   false, line);
	}
}

/* ---------------------------------------------------------------- header */

void dashboard_title_bar(struct dashboard *d, const char *what)
{
	struct dashboard_pen p = dashboard_pen_make(0, 0, COLS, 1);
	struct timespec now;
	char clock[16], right[64];
	int rw;

	clock_gettime(CLOCK_REALTIME, &now);
	dashboard_fmt_clock(&now, false, clock, sizeof(clock));
	snprintf(right, sizeof(right), "%s%s ", sched_paused(d->s) ? "PAUSED  " : "", clock);
	rw = (int)strlen(right);
	p.w = COLS - rw - 1 > 0 ? COLS - rw - 1 : COLS;
	dashboard_pen_add(&p, d->attr[ROLE_BAR], " pgpulse  ");
	dashboard_pen_add(&p, d->attr[ROLE_BAR], "%s", what);
	p.w = COLS;
	dashboard_pen_fill(&p, d->attr[ROLE_BAR]);
	if (COLS - rw > 0)
		dashboard_text(0, COLS - rw, rw, d->attr[ROLE_BAR], right);
}

static void dashboard_interval_text(const struct target *t, char *out, size_t n)
{
	char iv[32];

	dashboard_fmt_interval(t->interval_ms, iv, sizeof(iv));
	if (t->backoff_level > 0)
		snprintf(out, n, "interval %s (backing off: max_clients)", iv);
	else
		snprintf(out, n, "interval %s", iv);
}

/* Who holds what the failing target needs (issue 9), under its incident banner. */
static void dashboard_incident_culprit(struct dashboard *d, const struct target_incident *inc,
				       struct dashboard_pen *p)
{
	if (inc->culprit[0]) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_BAD], 9, 3, false, inc->culprit);
	} else {
		dashboard_pen_add(p, d->attr[ROLE_WARN], "culprit: ");
		dashboard_pen_wrap(p, d->attr[ROLE_WARN], 9, 2, false, TARGET_NO_CULPRIT_ADVICE);
	}
}

/* The state line, then a banner for an open incident or a failing target. */
void dashboard_state_lines(struct dashboard *d, struct target *t, struct dashboard_pen *p)
{
	const struct target_incident *inc = target_open_incident(t);
	double avail = target_availability(t);
	char clock[32], dur[32], iv[96];

	dashboard_pen_add(p, d->attr[dashboard_health_badge(t->health)], " %s ",
			  target_health_name(t->health));
	if (t->health != TARGET_UNKNOWN)
		dashboard_pen_add(
			p, d->attr[ROLE_NORMAL], " since %s (%s)",
			dashboard_fmt_clock(&t->health_since, false, clock, sizeof(clock)),
			dashboard_fmt_duration(dashboard_seconds_since(&t->health_since), dur,
					       sizeof(dur)));
	dashboard_pen_add(p, d->attr[ROLE_LABEL], "   availability ");
	if (isnan(avail))
		dashboard_pen_add(p, d->attr[ROLE_VALUE], "-");
	else
		dashboard_pen_add(p,
				  d->attr[avail >= 99.9 ? ROLE_OK
					  : avail >= 90 ? ROLE_WARN
							: ROLE_BAD],
				  "%.2f%%", avail);
	dashboard_pen_add(p, d->attr[ROLE_LABEL], " (%llu/%llu)   ", (unsigned long long)t->ok,
			  (unsigned long long)t->probes);
	dashboard_interval_text(t, iv, sizeof(iv));
	dashboard_pen_add(p, d->attr[t->backoff_level > 0 ? ROLE_WARN : ROLE_NORMAL], "%s", iv);
	if (sched_paused(d->s))
		dashboard_pen_add(p, d->attr[ROLE_WAITING], "  PAUSED ");
	dashboard_pen_nl(p);

	if (inc) {
		const char *limit = classify_limit_name(inc->limit);
		char banner[512], code[48] = "", since[48] = "";

		/* "limit X (SQLSTATE Y): message", so the code does not read as the limit. */
		if (inc->sqlstate[0])
			snprintf(code, sizeof(code), " (SQLSTATE %s)", inc->sqlstate);
		/* after r the counters start at 0: say how many of these came since */
		if (inc->failed_before_reset)
			snprintf(since, sizeof(since), " (%llu since the reset)",
				 (unsigned long long)(inc->probes_failed -
						      inc->failed_before_reset));
		snprintf(banner, sizeof(banner),
			 " MAX_CLIENTS INCIDENT since %s (%s), %llu probes failed%s%s%s%s: %s",
			 dashboard_fmt_clock(&inc->start, false, clock, sizeof(clock)),
			 dashboard_fmt_duration(dashboard_seconds_since(&inc->start), dur,
						sizeof(dur)),
			 (unsigned long long)inc->probes_failed, since, limit ? ", limit " : "",
			 limit ? limit : "", code, inc->message);
		dashboard_pen_wrap(p, d->attr[ROLE_DOWN], 1, 2, true, banner);
		dashboard_incident_culprit(d, inc, p);
	} else if (t->have_last && !t->last.ok) {
		dashboard_pen_add(p, d->attr[ROLE_BAD], "last probe failed: %s",
				  classify_class_name(t->last.error.cls));
		if (t->last.error.sqlstate[0])
			dashboard_pen_add(p, d->attr[ROLE_VALUE], " %s", t->last.error.sqlstate);
		dashboard_pen_add(p, d->attr[ROLE_NORMAL], " ");
		dashboard_pen_wrap(p, d->attr[ROLE_NORMAL], 2, 2, false, t->last.error.message);
	}
	if (t->have_last && !t->last.ok && t->last.error.advice && t->last.error.advice[0]) {
		dashboard_pen_add(p, d->attr[ROLE_WARN], "advice: ");
		dashboard_pen_wrap(p, d->attr[ROLE_WARN], 8, 3, false, t->last.error.advice);
	}
}
