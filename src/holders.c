/*
 * holders: culprit analysis over an inspect_info, and matching targets
 * that reach the same server. Pure logic: no libpq, no I/O.
 */
#include "holders.h"
#include "util.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sessions idle in transaction this long point at a missing commit/rollback. */
#define HOLDERS_IDLE_XACT_SUSPECT_S 60.0
/* Without max_connections, a group must hold at least this many to stand out. */
#define HOLDERS_MIN_UNKNOWN_LIMIT 5

/*
 * One application's share of the slots. inspect groups by application,
 * user and client address; a pool spread over several app servers is one
 * culprit, so groups with the same name are merged here.
 */
struct holders_group {
	char name[96];
	int count;
	int active;
	int idle;
	int idle_in_xact;
	int idle_over_10min;
	double longest_idle_xact_s;
	bool pooler; /* a pooler's server connections: never a verdict of their own */
};

/* What the slots look like, the groups merged, largest first. */
struct holders_summary {
	int usable; /* -1 when max_connections is unknown */
	int in_use;
	int ngroups;
	struct holders_group groups[INSPECT_MAX_HOLDERS];
};

/* Renders "<name> holds ..." up to the colon, for one rule. */
typedef void (*holders_describe_fn)(const struct holders_summary *sum,
				    const struct holders_group *g, char *out, size_t outlen);
typedef bool (*holders_match_fn)(const struct holders_summary *sum, const struct holders_group *g);

/*
 * The verdicts, read top to bottom, first match wins. A rule looks at the
 * largest group only (dominant: it holds half the usable slots), or at
 * every group (a missing commit is worth naming however small).
 */
struct holders_rule {
	bool dominant_only;
	holders_match_fn match;
	holders_describe_fn describe;
	const char *verdict; /* after the colon; NULL: none */
};

static void holders_group_name(const struct inspect_holder *h, char *out, size_t outlen)
{
	if (h->application_name[0])
		util_strlcpy(out, h->application_name, outlen);
	else if (h->usename[0])
		snprintf(out, outlen, "user %s", h->usename);
	else
		util_strlcpy(out, "an unnamed client", outlen);
}

/* Is this holder one of a pooler's server connections into this server? */
static bool holders_is_pooler(const struct holders_poolers *p, const struct inspect_holder *h)
{
	for (int i = 0; p && i < p->n; i++)
		if (strcmp(p->v[i].addr, h->client_addr) == 0 &&
		    (p->v[i].user[0] == '\0' || strcmp(p->v[i].user, h->usename) == 0))
			return true;
	return false;
}

static void holders_summarize_with(const struct inspect_info *info,
				   const struct holders_poolers *poolers,
				   struct holders_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->usable = inspect_usable_slots(info);
	sum->in_use = info->in_use;
	for (int i = 0; i < info->nholders && i < INSPECT_MAX_HOLDERS; i++) {
		const struct inspect_holder *h = &info->holders[i];
		struct holders_group *g = NULL;
		char name[96];

		bool pooler = holders_is_pooler(poolers, h);
		bool supavisor = pooler_is_supavisor_application(h->application_name);

		holders_group_name(h, name, sizeof(name));
		/* Kept apart from the clients of the same name: they are the pooler's. */
		if (pooler || supavisor)
			snprintf(name, sizeof(name), "%s's server connections (user %s)",
				 supavisor ? "Supavisor" : "the pooler",
				 h->usename[0] ? h->usename : "?");
		for (int k = 0; k < sum->ngroups && g == NULL; k++)
			if (strcmp(sum->groups[k].name, name) == 0)
				g = &sum->groups[k];
		if (g == NULL) {
			g = &sum->groups[sum->ngroups++];
			util_strlcpy(g->name, name, sizeof(g->name));
			g->pooler = pooler || supavisor;
		}
		g->count += h->count;
		g->active += h->active;
		g->idle += h->idle;
		g->idle_in_xact += h->idle_in_transaction;
		g->idle_over_10min += h->idle_over_10min;
		if (h->longest_idle_xact_s > g->longest_idle_xact_s)
			g->longest_idle_xact_s = h->longest_idle_xact_s;
	}
	/* Largest first; a stable insertion sort keeps inspect's order on ties. */
	for (int i = 1; i < sum->ngroups; i++) {
		struct holders_group g = sum->groups[i];
		int k = i;

		for (; k > 0 && sum->groups[k - 1].count < g.count; k--)
			sum->groups[k] = sum->groups[k - 1];
		sum->groups[k] = g;
	}
}

/* "14 min", "45 s", "2.5 h": ages as a person says them. */
static void holders_fmt_age(double s, char *out, size_t outlen)
{
	if (s < 120)
		snprintf(out, outlen, "%.0f s", s);
	else if (s < 120 * 60)
		snprintf(out, outlen, "%.0f min", s / 60);
	else
		snprintf(out, outlen, "%.1f h", s / 3600);
}

static bool holders_is_dominant(const struct holders_summary *sum, const struct holders_group *g)
{
	if (sum->usable > 0)
		return 2 * g->count >= sum->usable;
	return g->count >= HOLDERS_MIN_UNKNOWN_LIMIT && 2 * g->count >= sum->in_use;
}

static bool holders_mostly_idle_in_xact(const struct holders_summary *sum,
					const struct holders_group *g)
{
	(void)sum;
	return g->idle_in_xact > 0 && 2 * g->idle_in_xact >= g->count;
}

static bool holders_mostly_idle_long(const struct holders_summary *sum,
				     const struct holders_group *g)
{
	(void)sum;
	return g->idle_over_10min > 0 && 2 * g->idle_over_10min >= g->count;
}

static bool holders_mostly_idle(const struct holders_summary *sum, const struct holders_group *g)
{
	(void)sum;
	return g->idle > 0 && 2 * g->idle >= g->count;
}

static bool holders_mostly_active(const struct holders_summary *sum, const struct holders_group *g)
{
	(void)sum;
	return g->active > 0 && 2 * g->active >= g->count;
}

/* Without pg_read_all_stats, other roles' sessions have no state. */
static bool holders_states_hidden(const struct holders_summary *sum, const struct holders_group *g)
{
	(void)sum;
	return g->active + g->idle + g->idle_in_xact == 0;
}

static bool holders_any(const struct holders_summary *sum, const struct holders_group *g)
{
	(void)sum;
	(void)g;
	return true;
}

static bool holders_stuck_in_xact(const struct holders_summary *sum, const struct holders_group *g)
{
	(void)sum;
	return g->idle_in_xact > 0 && g->longest_idle_xact_s >= HOLDERS_IDLE_XACT_SUSPECT_S;
}

/* "api holds 48 of 57 usable slots" (or "of the 60 connections" without limits) */
static void holders_share(const struct holders_summary *sum, const struct holders_group *g,
			  char *out, size_t outlen)
{
	if (sum->usable > 0)
		snprintf(out, outlen, "%s holds %d of %d usable slots", g->name, g->count,
			 sum->usable);
	else
		snprintf(out, outlen, "%s holds %d of the %d connections", g->name, g->count,
			 sum->in_use);
}

/* Appends after what out already holds. */
static void holders_append(char *out, size_t outlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void holders_append(char *out, size_t outlen, const char *fmt, ...)
{
	size_t n = strlen(out);
	va_list ap;

	if (n + 1 >= outlen)
		return;
	va_start(ap, fmt);
	vsnprintf(out + n, outlen - n, fmt, ap);
	va_end(ap);
}

static void holders_describe_idle_in_xact(const struct holders_summary *sum,
					  const struct holders_group *g, char *out, size_t outlen)
{
	char age[32];

	holders_fmt_age(g->longest_idle_xact_s, age, sizeof(age));
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen, ", %d idle in transaction, the longest for %s", g->idle_in_xact,
		       age);
}

static void holders_describe_idle_long(const struct holders_summary *sum,
				       const struct holders_group *g, char *out, size_t outlen)
{
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen, ", %d idle for more than 10 minutes", g->idle_over_10min);
}

static void holders_describe_idle(const struct holders_summary *sum, const struct holders_group *g,
				  char *out, size_t outlen)
{
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen, ", %d of them idle", g->idle);
}

static void holders_describe_active(const struct holders_summary *sum,
				    const struct holders_group *g, char *out, size_t outlen)
{
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen, ", %d of them active", g->active);
}

static void holders_describe_hidden(const struct holders_summary *sum,
				    const struct holders_group *g, char *out, size_t outlen)
{
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen,
		       "; their state is hidden from this role "
		       "(pg_read_all_stats shows it)");
}

static void holders_describe_mixed(const struct holders_summary *sum, const struct holders_group *g,
				   char *out, size_t outlen)
{
	holders_share(sum, g, out, outlen);
	holders_append(out, outlen, " (%d active, %d idle, %d idle in transaction)", g->active,
		       g->idle, g->idle_in_xact);
}

/* "worker holds 12 sessions idle in transaction, the longest for 14 min" */
static void holders_describe_stuck(const struct holders_summary *sum, const struct holders_group *g,
				   char *out, size_t outlen)
{
	char age[32];

	(void)sum;
	holders_fmt_age(g->longest_idle_xact_s, age, sizeof(age));
	snprintf(out, outlen, "%s holds %d session%s idle in transaction, the longest for %s",
		 g->name, g->idle_in_xact, g->idle_in_xact == 1 ? "" : "s", age);
}

static const char holders_verdict_commit[] = "a missing commit/rollback";
static const char holders_verdict_pool[] = "a client-side pool";

static const struct holders_rule holders_rules[] = {
	{ true, holders_mostly_idle_in_xact, holders_describe_idle_in_xact,
	  holders_verdict_commit },
	{ true, holders_mostly_idle_long, holders_describe_idle_long, holders_verdict_pool },
	{ true, holders_mostly_idle, holders_describe_idle, holders_verdict_pool },
	{ true, holders_mostly_active, holders_describe_active,
	  "long queries, or more workers than slots" },
	{ true, holders_states_hidden, holders_describe_hidden, NULL },
	{ true, holders_any, holders_describe_mixed, NULL },
	/* nobody dominates, but someone forgot to commit */
	{ false, holders_stuck_in_xact, holders_describe_stuck, holders_verdict_commit },
};

/* The group a rule speaks about, or NULL. */
static const struct holders_group *holders_rule_subject(const struct holders_rule *rule,
							const struct holders_summary *sum)
{
	const struct holders_group *best = NULL;

	if (sum->ngroups == 0)
		return NULL;
	if (rule->dominant_only) {
		const struct holders_group *g = &sum->groups[0];

		/* The pooler's connections hold for its clients: the culprit is among those. */
		for (int i = 0; i < sum->ngroups && g->pooler; i++)
			g = &sum->groups[i];
		return !g->pooler && holders_is_dominant(sum, g) && rule->match(sum, g) ? g : NULL;
	}
	/* Among all: the most sessions, then the longest. */
	for (int i = 0; i < sum->ngroups; i++) {
		const struct holders_group *g = &sum->groups[i];

		if (g->pooler || !rule->match(sum, g))
			continue;
		if (best == NULL || g->idle_in_xact > best->idle_in_xact ||
		    (g->idle_in_xact == best->idle_in_xact &&
		     g->longest_idle_xact_s > best->longest_idle_xact_s))
			best = g;
	}
	return best;
}

bool holders_culprit(const struct inspect_info *info, char *out, size_t outlen)
{
	return holders_culprit_with(info, NULL, true, -1, out, outlen);
}

bool holders_culprit_with(const struct inspect_info *info, const struct holders_poolers *poolers,
			  bool incident, double warn_pct, char *out, size_t outlen)
{
	struct holders_summary sum;
	int usable;
	bool calm;

	if (outlen == 0)
		return false;
	out[0] = '\0';
	if (info == NULL || !info->valid)
		return false;
	/*
	 * Below the warning threshold the slots are fine: only a missing
	 * commit, a bug whatever the pressure, is worth naming.
	 */
	usable = inspect_usable_slots(info);
	calm = !incident && warn_pct >= 0 && usable > 0 && 100.0 * info->in_use / usable < warn_pct;
	holders_summarize_with(info, poolers, &sum);
	for (size_t i = 0; i < sizeof(holders_rules) / sizeof(holders_rules[0]); i++) {
		const struct holders_rule *rule = &holders_rules[i];
		const struct holders_group *g;

		if (calm && rule->verdict != holders_verdict_commit)
			continue;
		g = holders_rule_subject(rule, &sum);
		if (g == NULL)
			continue;
		rule->describe(&sum, g, out, outlen);
		if (rule->verdict)
			holders_append(out, outlen, ": %s", rule->verdict);
		return true;
	}
	return false;
}

/*
 * The Supabase project a target names: "db.<ref>.supabase.co" directly, or
 * user "postgres.<ref>" on the pooler (Supavisor wants the ref there).
 */
static bool holders_supabase_ref(const struct target *t, char *out, size_t outlen)
{
	const char *host = t->dsn.host, *user = t->dsn.user, *dot;
	size_t n;

	if (host == NULL)
		return false;
	if (strncasecmp(host, "db.", 3) == 0 && util_ends_with_ci(host + 2, ".supabase.co")) {
		n = strcspn(host + 3, ".");
		if (n == 0 || n >= outlen)
			return false;
		memcpy(out, host + 3, n);
		out[n] = '\0';
		return true;
	}
	if (util_ends_with_ci(host, ".pooler.supabase.com") && user != NULL &&
	    (dot = strrchr(user, '.')) != NULL && dot[1] != '\0') {
		util_strlcpy(out, dot + 1, outlen);
		return true;
	}
	return false;
}

bool holders_same_server(const struct target *a, const struct target *b)
{
	char ref_a[64], ref_b[64];
	bool keys = a->have_inspect && b->have_inspect && a->inspect.server_key[0] &&
		    b->inspect.server_key[0];

	if (a == b)
		return true;
	if (keys && strcmp(a->inspect.server_key, b->inspect.server_key) == 0)
		return true;
	/* A restart changes the key; the project a target names does not. */
	if (holders_supabase_ref(a, ref_a, sizeof(ref_a)) &&
	    holders_supabase_ref(b, ref_b, sizeof(ref_b)))
		return strcasecmp(ref_a, ref_b) == 0;
	return false;
}

/* Wall-clock order of two inspections: < 0, 0, > 0. */
static int holders_wall_cmp(const struct timespec *x, const struct timespec *y)
{
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	if (x->tv_nsec != y->tv_nsec)
		return x->tv_nsec < y->tv_nsec ? -1 : 1;
	return 0;
}

const struct target *holders_fresher_view(const struct target *t, const struct target *best,
					  const struct target *cand)
{
	int cmp;

	if (cand == NULL || !cand->have_inspect || !cand->inspect.valid ||
	    !holders_same_server(t, cand))
		return best;
	if (best == NULL)
		return cand;
	cmp = holders_wall_cmp(&cand->inspect_wall, &best->inspect_wall);
	if (cmp > 0 || (cmp == 0 && cand == t))
		return cand;
	return best;
}

/* ------------------------------------------------------- server views */

/* "k:" and the inspection's server key, or "r:" and the Supabase project. */
#define HOLDERS_SERVER_KEY_LEN (sizeof(((struct inspect_info *)0)->server_key) + 2)

struct holders_server {
	char key[HOLDERS_SERVER_KEY_LEN]; /* "" marks a free slot */
	struct timespec wall;
	char culprit[256];
};

/* Open addressing, linear probing, at most half full: O(1) per lookup. */
struct holders_servers {
	struct holders_server *slots;
	size_t cap, n;
};

struct holders_servers *holders_servers_new(void)
{
	struct holders_servers *h = util_xcalloc(1, sizeof(*h));

	h->cap = 16;
	h->slots = util_xcalloc(h->cap, sizeof(*h->slots));
	return h;
}

void holders_servers_free(struct holders_servers *h)
{
	if (h == NULL)
		return;
	free(h->slots);
	free(h);
}

static struct holders_server *holders_slot(struct holders_server *slots, size_t cap,
					   const char *key)
{
	size_t i = (size_t)util_hash(key) & (cap - 1);

	while (slots[i].key[0] && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void holders_servers_grow(struct holders_servers *h)
{
	struct holders_server *old = h->slots;
	size_t oldcap = h->cap;

	h->cap *= 2;
	h->slots = util_xcalloc(h->cap, sizeof(*h->slots));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key[0])
			*holders_slot(h->slots, h->cap, old[i].key) = old[i];
	free(old);
}

/* t's identities as keys: up to two (its server key, its Supabase project). */
static int holders_server_keys(const struct target *t, char keys[2][HOLDERS_SERVER_KEY_LEN])
{
	char ref[HOLDERS_SERVER_KEY_LEN - 2];
	int n = 0;

	if (t->have_inspect && t->inspect.server_key[0])
		snprintf(keys[n++], HOLDERS_SERVER_KEY_LEN, "k:%s", t->inspect.server_key);
	if (holders_supabase_ref(t, ref, sizeof(ref))) {
		/* projects compare case-insensitively */
		for (char *c = ref; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		snprintf(keys[n++], HOLDERS_SERVER_KEY_LEN, "r:%s", ref);
	}
	return n;
}

void holders_servers_note(struct holders_servers *h, const struct target *t,
			  const struct holders_poolers *poolers)
{
	char keys[2][HOLDERS_SERVER_KEY_LEN], line[sizeof(((struct holders_server *)0)->culprit)];
	int nkeys;

	if (!t->have_inspect || !t->inspect.valid)
		return;
	nkeys = holders_server_keys(t, keys);
	if (nkeys == 0)
		return;
	/* once per inspection; the pooler's own server connections are no culprit */
	holders_culprit_with(&t->inspect, poolers, true, -1, line, sizeof(line));
	for (int k = 0; k < nkeys; k++) {
		struct holders_server *v;

		if (2 * (h->n + 1) > h->cap)
			holders_servers_grow(h);
		v = holders_slot(h->slots, h->cap, keys[k]);
		if (v->key[0] == '\0') {
			util_strlcpy(v->key, keys[k], sizeof(v->key));
			h->n++;
		} else if (holders_wall_cmp(&t->inspect_wall, &v->wall) < 0) {
			continue; /* a fresher view is there already */
		}
		v->wall = t->inspect_wall;
		util_strlcpy(v->culprit, line, sizeof(v->culprit));
	}
}

bool holders_servers_culprit(const struct holders_servers *h, const struct target *t,
			     struct timespec *wall, char *out, size_t outlen)
{
	char keys[2][HOLDERS_SERVER_KEY_LEN];
	const struct holders_server *best = NULL;
	int nkeys = holders_server_keys(t, keys);

	for (int k = 0; k < nkeys; k++) {
		const struct holders_server *v = holders_slot(h->slots, h->cap, keys[k]);

		if (v->key[0] && (best == NULL || holders_wall_cmp(&v->wall, &best->wall) > 0))
			best = v;
	}
	if (outlen > 0)
		out[0] = '\0';
	if (best == NULL)
		return false;
	*wall = best->wall;
	util_strlcpy(out, best->culprit, outlen);
	return true;
}

/* Adds addr/user once. */
static void holders_poolers_add(struct holders_poolers *out, const char *addr, const char *user,
				bool probable)
{
	if (addr == NULL || addr[0] == '\0' || out->n >= HOLDERS_MAX_POOLERS)
		return;
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->v[i].addr, addr) == 0 && strcmp(out->v[i].user, user) == 0)
			return;
	util_strlcpy(out->v[out->n].addr, addr, sizeof(out->v[0].addr));
	util_strlcpy(out->v[out->n].user, user, sizeof(out->v[0].user));
	out->v[out->n++].probable = probable;
}

void holders_poolers_note(struct holders_poolers *out, const struct target *p)
{
	const struct pooler_view *v = &p->pooler;

	if (p->have_pooler && v->admin == POOLER_ADMIN_OK) {
		for (int k = 0; k < v->nservers; k++)
			holders_poolers_add(out, v->servers[k].local_addr, v->servers[k].user,
					    false);
	} else if (p->behind_pooler && p->have_last) {
		/* The pooler's listen address: its outgoing one when on one host. */
		holders_poolers_add(out, p->last.used_addr, p->dsn.user ? p->dsn.user : "", true);
	}
}

void holders_poolers_for(const struct target *const *targets, int n, const struct target *t,
			 struct holders_poolers *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < n; i++)
		if (targets[i] != t && holders_same_server(targets[i], t))
			holders_poolers_note(out, targets[i]);
}

/* ------------------------------------------------------- Supavisor */

/* The entry for user in out, added when new; NULL when out is full. */
static struct holders_supavisor_user *holders_supavisor_user(struct holders_supavisor *out,
							     const char *user)
{
	for (int i = 0; i < out->n; i++)
		if (strcmp(out->v[i].user, user) == 0)
			return &out->v[i];
	if (out->n >= HOLDERS_MAX_SUPAVISOR)
		return NULL;
	struct holders_supavisor_user *u = &out->v[out->n++];
	util_strlcpy(u->user, user, sizeof(u->user));
	u->pool_size = -1;
	return u;
}

/* The Supavisor pool size in c's refusal (last probe, else its incidents); -1 none. */
static int holders_supavisor_refusal(const struct target *c, bool *session)
{
	const char *texts[2] = { NULL, NULL };
	int n = 0;

	if (c->have_last && !c->last.ok && c->last.error.cls == CLASS_MAX_CLIENTS)
		texts[n++] = c->last.error.message;
	/* the newest incident, open or not: the pool size outlives it */
	if (c->ninc > 0)
		texts[n++] = c->incidents[c->ninc - 1].message;
	for (int i = 0; i < n; i++) {
		int size = pooler_supavisor_limit(texts[i], session);

		/* "limit: N" is the client limit; only pool_size counts servers */
		if (size > 0 && *session)
			return size;
	}
	return -1;
}

/*
 * Does c's user (Supavisor's "user.<project-ref>", or the plain name)
 * stand for the server-side user? An unnamed user stands for anyone.
 */
static bool holders_supavisor_user_matches(const struct target *c, const char *usename)
{
	const char *user = c->dsn.user;
	size_t n = strlen(usename);

	if (user == NULL)
		return true;
	return strcmp(user, usename) == 0 || (strncmp(user, usename, n) == 0 && user[n] == '.');
}

/* Does c reach t's server, or may it (it never got in, no project to tell)? */
static bool holders_supavisor_may_reach(const struct target *c, const struct target *t)
{
	char ref_c[64], ref_t[64];

	if (holders_same_server(c, t))
		return true;
	if (c->have_inspect && c->inspect.server_key[0])
		return false;
	return !(holders_supabase_ref(c, ref_c, sizeof(ref_c)) &&
		 holders_supabase_ref(t, ref_t, sizeof(ref_t)));
}

void holders_supavisor_for(const struct target *const *targets, int n, const struct target *t,
			   const struct inspect_info *info, struct holders_supavisor *out)
{
	memset(out, 0, sizeof(*out));
	if (t->backends && t->nbackends > 0) {
		for (int i = 0; i < t->nbackends; i++) {
			const struct pooler_backend *b = &t->backends[i];
			struct holders_supavisor_user *u;

			if (pooler_is_supavisor_application(b->application_name) &&
			    (u = holders_supavisor_user(out, b->usename)) != NULL)
				u->count++;
		}
	} else if (info && info->valid) {
		/* inspect's top holder groups: Supavisor's are large when they matter */
		for (int i = 0; i < info->nholders && i < INSPECT_MAX_HOLDERS; i++) {
			const struct inspect_holder *h = &info->holders[i];
			struct holders_supavisor_user *u;

			if (pooler_is_supavisor_application(h->application_name) &&
			    (u = holders_supavisor_user(out, h->usename)) != NULL)
				u->count += h->count;
		}
	}
	for (int k = 0; k < out->n; k++) {
		struct holders_supavisor_user *u = &out->v[k];

		for (int i = 0; i < n && u->pool_size < 0; i++) {
			const struct target *c = targets[i];
			bool session = false;
			int size;

			/* t itself too: a Supavisor target that gets in, refused now and then */
			if (!holders_supavisor_user_matches(c, u->user) ||
			    !holders_supavisor_may_reach(c, t))
				continue;
			size = holders_supavisor_refusal(c, &session);
			if (size <= 0)
				continue;
			u->pool_size = size;
			u->session = session;
			util_strlcpy(u->source, c->dsn.name ? c->dsn.name : "?", sizeof(u->source));
		}
	}
}

void holders_supavisor_text(const struct holders_supavisor_user *u, char *out, size_t outlen)
{
	snprintf(out, outlen, "Supavisor holds %d server connection%s for user %s", u->count,
		 u->count == 1 ? "" : "s", u->user);
	if (u->pool_size > 0)
		holders_append(out, outlen, ", of its pool_size %d (from %s's refusal)%s",
			       u->pool_size, u->source,
			       u->count >= u->pool_size ? ": the pool is full" : "");
	else
		holders_append(out, outlen, ", its pool size unknown (no Supavisor refusal seen)");
}
