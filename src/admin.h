/*
 * admin: reads PgBouncer's admin console (dbname=pgbouncer) without ever
 * blocking: a state machine over libpq's asynchronous API, shaped like
 * probe.h, so the scheduler's one poll() loop drives it. It connects,
 * checks the server is a PgBouncer (server_version "x.y.z/bouncer"), sends
 * SHOW VERSION, CONFIG, DATABASES, POOLS, CLIENTS, SERVERS and USERS (one
 * simple-protocol query each: the console takes nothing else), keeps at
 * most POOLER_MAX_ROWS rows per SHOW (single-row mode), and hands the
 * tables to pooler.c. Its outcome: ok, denied (the role is in neither
 * admin_users nor stats_users; the reason says which setting grants it) or
 * unreachable. The admin database is not counted against max_client_conn,
 * so this works while the pooler refuses everyone else.
 */
#ifndef PGPULSE_ADMIN_H
#define PGPULSE_ADMIN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "pooler.h"

struct admin_config {
	double deadline_ms; /* the whole read, connect included; <= 0: 3000 */
	/*
	 * Keep the dbname the parameters carry (a --pooler-admin conninfo that
	 * names one); otherwise dbname is always "pgbouncer".
	 */
	bool keep_dbname;
};

struct admin;

/*
 * A reader for the console at the address in keywords/values (libpq's
 * NULL-terminated arrays, e.g. a target's with its credentials). dbname,
 * application_name, options, replication and target_session_attrs are
 * replaced: the console accepts none of the latter. To stay non-blocking
 * the parameters must carry hostaddr (or an IP literal or socket
 * directory as host): libpq resolves names synchronously.
 */
struct admin *admin_new(const char *const *keywords, const char *const *values,
			const struct admin_config *cfg);
/*
 * A reader from a conninfo string or URI (--pooler-admin); dbname defaults
 * to pgbouncer. NULL with a reason in err (never the password) when it
 * does not parse.
 */
struct admin *admin_new_conninfo(const char *conninfo, const struct admin_config *cfg, char *err,
				 size_t errlen);
/* Starts connecting; may be done at once (e.g. a bad parameter). */
void admin_begin(struct admin *a);
/* The socket to wait on: fills pfd and returns true, or false if none. */
bool admin_pollfd(const struct admin *a, struct pollfd *pfd);
/* Monotonic ms by which the read ends, whatever the server does. */
double admin_deadline_ms(const struct admin *a);
/* Advances on socket readiness (revents) or on the deadline (revents 0). */
void admin_step(struct admin *a, short revents);
bool admin_is_done(const struct admin *a);
/* Ends the read now (connection closed); the outcome is unreachable. */
void admin_cancel(struct admin *a);
/* The view read so far (complete once done); owned by the reader. */
const struct pooler_view *admin_result(const struct admin *a);
/* Moves the view out (to a per-target cache); the reader keeps an empty one. */
void admin_take_result(struct admin *a, struct pooler_view *out);
/* How long the read took (or has taken), in ms. */
double admin_elapsed_ms(const struct admin *a);
void admin_free(struct admin *a);

#endif
