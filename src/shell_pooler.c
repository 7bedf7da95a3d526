/*
 * shell_pooler: the prompt's view of the pooler's side (issue 9): PgBouncer's
 * admin console (pooler, clients), and who holds the slots when the
 * current target cannot get in (slots on a failing target), with the
 * pooler's own server connections never named as a culprit.
 */
#include "shell_priv.h"
#include "holders.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The server side's culprit (issue 9): the pooler's server connections
 * left out, and only above the slots warning threshold or in an incident.
 */
bool shell_slots_culprit(struct shell *sh, const struct target *t, const struct inspect_info *in,
			 char *out, size_t len)
{
	struct holders_poolers poolers;
	double warn = sh->o->thresholds.slots_pct[0];

	holders_poolers_for(sched_targets(sh->s), sched_ntargets(sh->s), t, &poolers);
	return holders_culprit_with(in, &poolers, target_open_incident(t) != NULL,
				    warn >= 0 ? warn : 80, out, len);
}

void shell_slots_supavisor(struct shell *sh, const struct target *t, const struct inspect_info *in)
{
	struct holders_supavisor sv;
	char line[300];

	holders_supavisor_for(sched_targets(sh->s), sched_ntargets(sh->s), t, in, &sv);
	for (int i = 0; i < sv.n; i++) {
		holders_supavisor_text(&sv.v[i], line, sizeof(line));
		shell_field(i ? "" : "supavisor", "%s", shell_show(line));
	}
}

/*
 * slots on a target that cannot get in (issue 9): who holds what it
 * needs, seen from its pooler's console or from a sibling target that
 * reaches the same server, else how to get such a view.
 */
void shell_slots_elsewhere(struct shell *sh, const struct target *t)
{
	const struct target_incident *inc = target_open_incident(t);
	const struct target *via = NULL;
	const struct inspect_info *view;
	const char *db = t->dsn.dbname ? t->dsn.dbname : t->dsn.user;
	struct pooler_culprit c;
	char line[600];
	int nbe;
	const struct pooler_backend *be = sched_pooler_backends(sh->s, t, &nbe);

	/* Supavisor's share, from the freshest view of the server (maybe t's own, older) */
	view = holders_view_for(sched_targets(sh->s), sched_ntargets(sh->s), t, &via);
	if (view)
		shell_slots_supavisor(sh, via, view);
	if (t->have_pooler && t->pooler.admin == POOLER_ADMIN_OK &&
	    pooler_culprit(&t->pooler, db, t->dsn.user, be, nbe, true, 0, &c)) {
		printf("\nculprit (PgBouncer's console, %.0f s ago): %s\n", sched_pooler_age_s(t),
		       shell_show(c.text));
		return;
	}
	if (inc && inc->culprit[0]) {
		printf("\nculprit: %s\n", shell_show(inc->culprit));
		return;
	}
	if (view && via != t && shell_slots_culprit(sh, t, view, line, sizeof(line))) {
		printf("\nculprit (seen through %s): %s\n", shell_show(via->dsn.name),
		       shell_show(line));
		return;
	}
	printf("\nculprit: unknown: %s\n", TARGET_NO_CULPRIT_ADVICE);
}

/* A console read in flight ends within its deadline (3 s at most): wait for it. */
static void shell_pooler_wait(struct shell *sh, const struct target *t)
{
	while (sched_pooler_reading(t) && !sh->interrupted && !sh->stop)
		sched_run_once(sh->s, 100);
}

/* Why there is no pooler view to show, or NULL when there is one. */
static const char *shell_pooler_missing(struct shell *sh, const struct target *t)
{
	if (sched_config(sh->s)->pooler_every_ms < 0)
		return "not read: --no-pooler-admin";
	if (!t->have_pooler)
		return sched_pooler_reading(t)
			       ? "reading PgBouncer's admin console now; ask again in a moment"
			       : "no PgBouncer seen here (pgpulse reads the admin console of a "
				 "target "
				 "it knows to be PgBouncer; --pooler-admin CONNINFO names one)";
	if (t->pooler_kind != POOLER_KIND_PGBOUNCER)
		return t->pooler.reason[0] ? t->pooler.reason : "not a PgBouncer";
	return NULL;
}

#define SHELL_OLDEST_APPS 5

/* The oldest client per application in PgBouncer's view, oldest first; returns how many. */
static int shell_pooler_oldest(const struct pooler_view *v, const char **app, double *age)
{
	int n = 0;

	for (int i = 0; i < v->nclients; i++) {
		const struct pooler_socket *c = &v->clients[i];
		int k = 0;

		if (isnan(c->age_s))
			continue;
		while (k < n && strcmp(app[k], c->application_name) != 0)
			k++;
		if (k == n) {
			if (n == SHELL_OLDEST_APPS)
				continue;
			app[n] = c->application_name;
			age[n++] = c->age_s;
		} else if (c->age_s > age[k]) {
			age[k] = c->age_s;
		}
	}
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && age[k] > age[k - 1]; k--) {
			const char *a = app[k];
			double x = age[k];

			app[k] = app[k - 1];
			age[k] = age[k - 1];
			app[k - 1] = a;
			age[k - 1] = x;
		}
	return n;
}

bool shell_slots_oldest_pooler(struct shell *sh, const struct target *t)
{
	const char *app[SHELL_OLDEST_APPS];
	double age[SHELL_OLDEST_APPS], server = NAN;
	char line[400];
	size_t len = 0;
	int n;

	shell_pooler_wait(sh, t);
	if (!t->have_pooler || t->pooler_kind != POOLER_KIND_PGBOUNCER ||
	    t->pooler.admin != POOLER_ADMIN_OK)
		return false;
	n = shell_pooler_oldest(&t->pooler, app, age);
	if (n == 0)
		return false;
	for (int i = 0; i < t->pooler.nservers; i++)
		if (!isnan(t->pooler.servers[i].age_s) &&
		    (isnan(server) || t->pooler.servers[i].age_s > server))
			server = t->pooler.servers[i].age_s;
	for (int i = 0; i < n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%.0f s (%s)",
					i ? ", " : "", age[i], app[i][0] ? app[i] : "(none)");
	if (len < sizeof(line))
		len += (size_t)snprintf(line + len, sizeof(line) - len,
					": PgBouncer's clients (connect_time)");
	if (!isnan(server) && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "; its server connections up to %.0f s",
			 server);
	shell_field("oldest", "%s", shell_show(line));
	return true;
}

int shell_cmd_pooler(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const struct pooler_view *v = &t->pooler;
	const char *missing;
	const char *db = t->dsn.dbname ? t->dsn.dbname : t->dsn.user;
	const struct report_thresholds *th = &sh->o->thresholds;
	struct pooler_holder top[POOLER_MAX_TOP_CLIENTS];
	struct pooler_culprit c;
	char line[600];
	int idx[32], np, nh, nbe;
	const struct pooler_backend *be = sched_pooler_backends(sh->s, t, &nbe);

	(void)w;
	shell_pooler_wait(sh, t);
	missing = shell_pooler_missing(sh, t);
	if (missing) {
		printf("%s: %s\n", shell_show(t->dsn.name), shell_show(missing));
		return APP_EXIT_USAGE;
	}
	pooler_text_summary(v, line, sizeof(line));
	printf("%s, as of %.0f s ago\n", shell_show(line), sched_pooler_age_s(t));
	if (v->admin != POOLER_ADMIN_OK)
		return APP_EXIT_WARNING;
	np = pooler_shown_pools(v, idx, 32);
	for (int i = 0; i < np; i++) {
		pooler_text_pool(&v->pools[idx[i]], line, sizeof(line));
		printf("  %s\n", shell_show(line));
	}
	nh = pooler_top_clients(v, be, nbe, top, POOLER_MAX_TOP_CLIENTS);
	for (int i = 0; i < nh; i++) {
		pooler_text_holder(&top[i], line, sizeof(line));
		printf("%s%s\n", i ? "         " : "holders  ", shell_show(line));
	}
	if (pooler_culprit(v, db, t->dsn.user, be, nbe, target_open_incident(t) != NULL,
			   th->slots_pct[0] >= 0 ? th->slots_pct[0] : 80, &c))
		printf("\nculprit: %s\n", shell_show(c.text));
	return APP_EXIT_OK;
}

#define SHELL_CLIENTS_SHOWN 200

int shell_cmd_clients(struct shell *sh, const struct shell_words *w)
{
	struct target *t = shell_current(sh);
	const char *missing;
	struct pooler_join *j;
	char line[400];
	int n, nbe;
	const struct pooler_backend *be = sched_pooler_backends(sh->s, t, &nbe);

	(void)w;
	shell_pooler_wait(sh, t);
	missing = shell_pooler_missing(sh, t);
	if (missing || t->pooler.admin != POOLER_ADMIN_OK) {
		printf("%s: %s\n", shell_show(t->dsn.name),
		       shell_show(missing ? missing : t->pooler.reason));
		return APP_EXIT_USAGE;
	}
	j = util_xcalloc(SHELL_CLIENTS_SHOWN, sizeof(*j));
	n = pooler_join_clients(&t->pooler, be, nbe, j, SHELL_CLIENTS_SHOWN);
	printf("%d client%s of PgBouncer (as of %.0f s ago)%s\n", t->pooler.clients_total,
	       t->pooler.clients_total == 1 ? "" : "s", sched_pooler_age_s(t),
	       n < t->pooler.clients_total ? ", the first shown" : "");
	for (int i = 0; i < n; i++) {
		pooler_text_join(&j[i], line, sizeof(line));
		printf("  %s\n", shell_show(line));
	}
	free(j);
	return APP_EXIT_OK;
}
