/*
 * holders: reading pg_stat_activity's summary like a person would: who
 * holds the slots, and which holder looks like the culprit of a
 * max_clients incident (a client-side pool parked idle, sessions idle in
 * transaction). Also finds, for a target that cannot get in, the freshest
 * view of its server's slots taken through another target.
 */
#ifndef PGPULSE_HOLDERS_H
#define PGPULSE_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>

#include "inspect.h"
#include "target.h"

/*
 * Writes one line naming the likely culprit into out, e.g. "api holds 48 of
 * 57 usable slots, 45 idle for more than 10 minutes: a client-side pool".
 * Returns false (and writes "") when nothing stands out.
 */
bool holders_culprit(const struct inspect_info *info, char *out, size_t outlen);

/*
 * A pooler's server connections as the server sees them (issue 9): the
 * address and user PgBouncer connects from (SHOW SERVERS' local_addr and
 * user; or, without a console, the address a behind_pooler target reaches
 * its pooler at: "probably"). They are never "a client-side pool".
 */
#define HOLDERS_MAX_POOLERS 8
struct holders_poolers {
	int n;
	struct {
		char addr[48];
		char user[64];
		bool probable; /* no console: guessed from the pooler target's address */
	} v[HOLDERS_MAX_POOLERS];
};

/*
 * The pooler connections into t's server, from the other targets:
 * PgBouncer views of the same server, else behind_pooler siblings.
 */
void holders_poolers_for(const struct target *const *targets, int n, const struct target *t,
			 struct holders_poolers *out);
/*
 * Adds p's pooler connections to out (its console's server connections, or
 * its address when it is behind a pooler without a readable console).
 */
void holders_poolers_note(struct holders_poolers *out, const struct target *p);

/*
 * holders_culprit with the pooler's connections left out of the verdicts
 * (poolers may be NULL), and only when it matters: an incident is open or
 * slot use reached warn_pct (0..100; < 0: always).
 */
bool holders_culprit_with(const struct inspect_info *info, const struct holders_poolers *poolers,
			  bool incident, double warn_pct, char *out, size_t outlen);

/*
 * Supavisor's server connections into a server, per user (issue 9). Its
 * backends carry application_name "Supavisor"; its pool size per user is
 * known only from its refusals ("... limited to pool_size: 15"), seen on a
 * Supavisor target that reaches the same server (or whose server is
 * unknown: it never got in). They are never "a client-side pool".
 */
#define HOLDERS_MAX_SUPAVISOR 8
struct holders_supavisor_user {
	char user[64];
	int count;	 /* Supavisor's backends of this user */
	int pool_size;	 /* from a Supavisor refusal; -1 unknown */
	bool session;	 /* the refusal said session mode */
	char source[64]; /* the target whose refusal gave pool_size; "" */
};
struct holders_supavisor {
	int n;
	struct holders_supavisor_user v[HOLDERS_MAX_SUPAVISOR];
};

/*
 * Supavisor's connections in t's view of the slots (info: t's inspection
 * or a fresher probe's), counted from t's backends when it has them, else
 * from info's holders; the pool size from the other targets' refusals.
 * out->n is 0 when info shows no Supavisor backend.
 */
void holders_supavisor_for(const struct target *const *targets, int n, const struct target *t,
			   const struct inspect_info *info, struct holders_supavisor *out);
/*
 * "Supavisor holds 3 server connections for user app, of its pool_size 3
 * (from supa's refusal): the pool is full", or "..., its pool size unknown
 * (no Supavisor refusal seen)".
 */
void holders_supavisor_text(const struct holders_supavisor_user *u, char *out, size_t outlen);

/*
 * True when targets a and b reach the same PostgreSQL server: the server
 * identity their last inspections saw, else the Supabase project both name
 * (db.<ref>.supabase.co, or user postgres.<ref> on *.pooler.supabase.com).
 */
bool holders_same_server(const struct target *a, const struct target *b);

/*
 * One step of holders_view_for: returns whichever of best (may be NULL)
 * and cand holds the fresher inspection of t's server; t wins a tie.
 */
const struct target *holders_fresher_view(const struct target *t, const struct target *best,
					  const struct target *cand);

/*
 * The freshest view of the slots of t's server among targets[0..n): t's own
 * inspection when it is the newest, else one taken through another target
 * that reaches the same server (the direct host while the pooler is full).
 * *via (may be NULL) gets the target it came from; its inspect_wall says
 * how old it is. NULL when no target ever got in. The caller passes the
 * targets as plain data (sched_targets()), so holders needs no scheduler.
 */
static inline const struct inspect_info *holders_view_for(const struct target *const *targets,
							  int n, const struct target *t,
							  const struct target **via)
{
	const struct target *best = NULL;

	for (int i = 0; i < n; i++)
		best = holders_fresher_view(t, best, targets[i]);
	if (via)
		*via = best;
	return best ? &best->inspect : NULL;
}

/*
 * The freshest view of each server's slots, kept by server identity (the
 * key an inspection saw, and the Supabase project a target names), with its
 * culprit line worked out once per inspection. An incident finds who holds
 * its server's slots in O(1), however many targets there are: the same
 * matching as holders_same_server without a scan of every target.
 */
struct holders_servers;

struct holders_servers *holders_servers_new(void);
void holders_servers_free(struct holders_servers *h);

/* t was just inspected: t's view becomes its servers' view where it is fresher. */
void holders_servers_note(struct holders_servers *h, const struct target *t,
			  const struct holders_poolers *poolers);

/*
 * The freshest view of t's server: when it was taken (*wall) and its
 * culprit line in out ("" when nothing stands out). False when no target
 * reaching t's server ever got in.
 */
bool holders_servers_culprit(const struct holders_servers *h, const struct target *t,
			     struct timespec *wall, char *out, size_t outlen);

#endif
