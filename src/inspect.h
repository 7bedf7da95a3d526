/*
 * inspect: what the server says about itself once a probe is in: version,
 * recovery, the timeout settings with their pg_settings source, and who
 * holds the connection slots (pg_stat_activity). One round trip, sent only
 * every few seconds so that a probe stays cheap.
 */
#ifndef PGPULSE_INSPECT_H
#define PGPULSE_INSPECT_H

#include <stdbool.h>
#include <libpq-fe.h>

#define INSPECT_MAX_SETTINGS 12
#define INSPECT_MAX_HOLDERS  10
#define INSPECT_MAX_RESULTS  4

struct inspect_setting {
	char name[48];
	char value[48];	 /* as SHOW prints it: "30s", "0", "100" */
	char source[32]; /* pg_settings.source: default, configuration file, client, user, ... */
};

/* One group of connections with the same application, user and client address. */
struct inspect_holder {
	char application_name[64];
	char usename[64];
	char client_addr[48]; /* "local" for Unix sockets, "hidden" without pg_read_all_stats */
	int count;
	int active;
	int idle;
	int idle_in_transaction;
	int idle_over_10min;	    /* idle for more than ten minutes */
	double oldest_s;	    /* age of the oldest connection */
	double longest_idle_xact_s; /* longest idle in transaction */
};

enum inspect_state {
	INSPECT_ACTIVE,
	INSPECT_IDLE,
	INSPECT_IDLE_IN_XACT,
	INSPECT_IDLE_IN_XACT_ABORTED,
	INSPECT_FASTPATH,
	INSPECT_DISABLED,
	INSPECT_UNKNOWN, /* other users' sessions without pg_read_all_stats */
	INSPECT_STATE_COUNT
};

struct inspect_info {
	bool valid;
	char error[200]; /* why the last inspection failed, "" when it did not */
	bool in_recovery;
	int nsettings;
	struct inspect_setting settings[INSPECT_MAX_SETTINGS];
	int max_connections; /* -1 when unknown */
	int reserved;	     /* superuser_reserved_connections + reserved_connections */
	int in_use;	     /* client backends, ours included */
	int by_state[INSPECT_STATE_COUNT];
	int nholders;
	struct inspect_holder holders[INSPECT_MAX_HOLDERS];
	int idle_in_xact; /* sessions idle in transaction */
	double longest_idle_xact_s;
	double oldest_connection_s;
	char oldest_application[64];
	/*
	 * The server's identity (postmaster start time and port): the same for
	 * every target that reaches this server, directly or through a pooler.
	 * "" when unknown.
	 */
	char server_key[64];
	char database[64]; /* current_database() */
	int backend_pid;   /* pg_backend_pid(): the server's own, also behind a pooler */
};

/* Usable slots: max_connections minus the reserved ones; -1 when unknown. */
static inline int inspect_usable_slots(const struct inspect_info *info)
{
	if (!info->valid || info->max_connections < 0)
		return -1;
	return info->max_connections - info->reserved;
}

/*
 * The one rule for what is left of the usable slots, so that the prompt,
 * the dashboard and check say the same: "3 left", "0 left", or "over by 2"
 * when superusers' sessions reach into the reserved slots; never a negative
 * count. "" when the slots are unknown. Returns out.
 */
const char *inspect_slots_left_text(const struct inspect_info *info, char *out, size_t outlen);
/* pg_stat_activity's client backends one by one (issue 9), at most this many. */
#define INSPECT_MAX_BACKENDS 256

struct pooler_backend;
/*
 * inspect_sql() plus a fourth statement: the client backends one by one,
 * for joining a pooler's server connections to them (the fourth result).
 */
const char *inspect_sql_backends(void);
/* The fourth result as rows; returns how many (at most max). */
int inspect_parse_backends(const PGresult *res, struct pooler_backend *out, int max);

/* The multi-statement query; results come back in this order. */
const char *inspect_sql(void);

/*
 * Fills out from the results of inspect_sql(). Returns false with out->error
 * set when a result is missing or failed (e.g. a view the role cannot read).
 */
bool inspect_parse(PGresult *const *results, int nresults, struct inspect_info *out);

const char *inspect_state_name(enum inspect_state s);
/* A setting by name, or NULL. */
const struct inspect_setting *inspect_setting(const struct inspect_info *info, const char *name);

#endif
