/*
 * dsn: parses a target with libpq's own parser (PQconninfoParse) after
 * stripping SQLAlchemy "+driver" schemes, works out the effective values
 * libpq will use (PG* environment, compiled-in defaults) and builds a
 * display form and error messages that never carry the password.
 */
#include "dsn.h"
#include "dsn_priv.h"
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define DSN_DEFAULT_PORT "5432"
#define DSN_EXPECTED                                                                               \
	"expected a conninfo string like 'host=db port=5432 dbname=app'"                           \
	" or a URI like 'postgresql://user@host:5432/db'"

/* "postgresql", "postgres" or either with "+driver", case-insensitively. */
static const char *dsn_postgres_scheme(const char *s, size_t len)
{
	static const char *const names[] = { "postgresql", "postgres" };
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len >= n && strncasecmp(s, names[i], n) == 0 && (len == n || s[n] == '+'))
			return names[i];
	}
	return NULL;
}

/*
 * asyncpg and some ORMs write "?ssl=require" (or ssl=true) where libpq wants
 * sslmode: a pasted URL should just work.
 */
static void dsn_map_ssl_param(struct dsn_buf *b, const char *query)
{
	static const struct {
		const char *from, *to;
	} values[] = { { "true", "require" },
		       { "1", "require" },
		       { "false", "disable" },
		       { "0", "disable" } };
	const char *p = query;

	while (*p) {
		size_t n = strcspn(p, "&");

		if (strncmp(p, "ssl=", 4) == 0) {
			const char *v = p + 4;
			size_t vn = n - 4;

			dsn_buf_puts(b, "sslmode=");
			for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
				if (strlen(values[i].from) == vn &&
				    strncmp(v, values[i].from, vn) == 0) {
					v = values[i].to;
					vn = strlen(v);
					break;
				}
			dsn_buf_add(b, v, vn);
		} else {
			dsn_buf_add(b, p, n);
		}
		p += n;
		if (*p == '&')
			dsn_buf_putc(b, *p++);
	}
}

char *dsn_strip_driver(const char *url)
{
	struct dsn_buf b = { 0 };
	size_t len;
	const char *scheme, *q;

	if (url == NULL)
		return util_xstrdup("");
	len = dsn_scheme_len(url);
	scheme = len ? dsn_postgres_scheme(url, len) : NULL;
	if (scheme == NULL)
		return util_xstrdup(url);
	/* libpq only knows the lower-case schemes */
	dsn_buf_puts(&b, scheme);
	q = strchr(url + len, '?');
	if (q == NULL) {
		dsn_buf_puts(&b, url + len);
		return dsn_buf_take(&b);
	}
	dsn_buf_add(&b, url + len, (size_t)(q - (url + len)) + 1);
	dsn_map_ssl_param(&b, q + 1);
	return dsn_buf_take(&b);
}

/*
 * libpq's URI parser ends userinfo at the first '@', '/' or '?', so a pasted
 * "postgresql://u:p@s/s@host/db" would connect to host "p" or read "s/s@host"
 * as the database, and show part of the password. Userinfo ends where
 * masking says it does (dsn_userinfo_end); its reserved characters are
 * percent-encoded, which libpq decodes again.
 */
static char *dsn_encode_userinfo_at(const char *uri)
{
	struct dsn_buf b = { 0 };
	size_t auth = dsn_scheme_len(uri) + 3;
	size_t at = dsn_userinfo_end(uri, auth);
	static const struct {
		char c;
		const char *enc;
	} reserved[] = { { '@', "%40" }, { '/', "%2F" }, { '?', "%3F" }, { '#', "%23" } };

	if (at == (size_t)-1)
		return util_xstrdup(uri);
	for (size_t i = 0; uri[i]; i++) {
		const char *enc = NULL;

		for (size_t k = 0;
		     i >= auth && i < at && k < sizeof(reserved) / sizeof(reserved[0]); k++)
			if (uri[i] == reserved[k].c)
				enc = reserved[k].enc;
		if (enc)
			dsn_buf_puts(&b, enc);
		else
			dsn_buf_putc(&b, uri[i]);
	}
	return dsn_buf_take(&b);
}

static void dsn_fail(char *err, size_t errlen, const char *reason, const char *const *inputs,
		     size_t ninputs)
{
	char *clean = dsn_scrub(reason, inputs, ninputs);
	size_t n = strlen(clean);

	/* libpq's messages end in a newline */
	while (n > 0 && dsn_is_space((unsigned char)clean[n - 1]))
		clean[--n] = '\0';
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "cannot parse target: %s; " DSN_EXPECTED, clean);
	free(clean);
}

/* The parameter list under construction: owned, parallel, NULL-terminated. */
static int dsn_find(const struct dsn_target *t, const char *keyword)
{
	int i;

	for (i = 0; i < t->nparams; i++)
		if (strcmp(t->keywords[i], keyword) == 0)
			return i;
	return -1;
}

static void dsn_set(struct dsn_target *t, const char *keyword, const char *value)
{
	int i = dsn_find(t, keyword);

	if (i >= 0) {
		free(t->values[i]);
		t->values[i] = util_xstrdup(value);
		return;
	}
	t->keywords = util_xrealloc(t->keywords, (size_t)(t->nparams + 2) * sizeof(char *));
	t->values = util_xrealloc(t->values, (size_t)(t->nparams + 2) * sizeof(char *));
	t->keywords[t->nparams] = util_xstrdup(keyword);
	t->values[t->nparams] = util_xstrdup(value);
	t->nparams++;
	t->keywords[t->nparams] = NULL;
	t->values[t->nparams] = NULL;
}

const char *dsn_get(const struct dsn_target *t, const char *keyword)
{
	int i;

	if (t == NULL || keyword == NULL)
		return NULL;
	i = dsn_find(t, keyword);
	return i >= 0 ? t->values[i] : NULL;
}

int dsn_params_with(const struct dsn_target *t, const char *const *extra_kw,
		    const char *const *extra_val, const char ***kw_out, const char ***val_out)
{
	size_t nextra = 0, i, j;
	const char **kw, **val;
	int n = 0;

	while (extra_kw && extra_kw[nextra])
		nextra++;
	kw = util_xcalloc((size_t)t->nparams + nextra + 1, sizeof(*kw));
	val = util_xcalloc((size_t)t->nparams + nextra + 1, sizeof(*val));
	for (i = 0; i < (size_t)t->nparams; i++) {
		for (j = 0; j < nextra; j++)
			if (strcmp(t->keywords[i], extra_kw[j]) == 0)
				break;
		if (j < nextra)
			continue;
		kw[n] = t->keywords[i];
		val[n++] = t->values[i];
	}
	for (i = 0; i < nextra; i++) {
		/* a later duplicate in extra wins; NULL removes the keyword */
		for (j = i + 1; j < nextra; j++)
			if (strcmp(extra_kw[i], extra_kw[j]) == 0)
				break;
		if (j < nextra || extra_val[i] == NULL)
			continue;
		kw[n] = extra_kw[i];
		val[n++] = extra_val[i];
	}
	*kw_out = kw;
	*val_out = val;
	return n;
}

void dsn_free(struct dsn_target *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nparams; i++) {
		free(t->keywords[i]);
		free(t->values[i]);
	}
	free(t->keywords);
	free(t->values);
	free(t->name);
	free(t->display);
	free(t->host);
	free(t->port);
	free(t->user);
	free(t->dbname);
	free(t->sslmode);
	free(t->note);
	memset(t, 0, sizeof(*t));
}

/* Value from the target, else the environment variable, else NULL. */
static const char *dsn_effective(const struct dsn_target *t, const char *keyword, const char *env)
{
	const char *v = dsn_get(t, keyword);

	if (v != NULL && *v)
		return v;
	v = env ? getenv(env) : NULL;
	return v != NULL && *v ? v : NULL;
}

/* Element i of a comma-separated list as a new string, or NULL. */
static char *dsn_list_item(const char *list, int idx)
{
	size_t n;
	char *r;

	while (idx-- > 0) {
		list = strchr(list, ',');
		if (list == NULL)
			return NULL;
		list++;
	}
	n = strcspn(list, ",");
	r = util_xmalloc(n + 1);
	memcpy(r, list, n);
	r[n] = '\0';
	return r;
}

static bool dsn_is_socket(const char *host)
{
	return host[0] == '/' || host[0] == '@';
}

/* Copies host without the brackets of "[::1]" when it is one. */
static char *dsn_unbracket(const char *host)
{
	size_t n = strlen(host);
	char *r;

	if (n < 2 || host[0] != '[' || host[n - 1] != ']')
		return util_xstrdup(host);
	r = util_xmalloc(n - 1);
	memcpy(r, host + 1, n - 2);
	r[n - 2] = '\0';
	return r;
}

static bool dsn_is_ip_literal(const char *host)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* Debian's libpq looks in /var/run/postgresql; upstream's default is /tmp. */
static const char *dsn_default_socket_dir(void)
{
	struct stat st;

	if (stat("/var/run/postgresql", &st) == 0 && S_ISDIR(st.st_mode))
		return "/var/run/postgresql";
	return "/tmp";
}

/* Each comma-separated port must be empty (default) or 1..65535. */
static const char *dsn_bad_port(const char *ports, char *bad, size_t badlen)
{
	const char *p = ports;

	for (;;) {
		size_t n = strcspn(p, ","), i = 0, j;
		long v = 0;

		while (i < n && dsn_is_space((unsigned char)p[i]))
			i++;
		j = i;
		while (j < n && p[j] >= '0' && p[j] <= '9' && v <= 65535)
			v = v * 10 + (p[j++] - '0');
		while (j < n && dsn_is_space((unsigned char)p[j]))
			j++;
		if (i < n && (j < n || v < 1 || v > 65535)) {
			snprintf(bad, badlen, "invalid port \"%.*s\"", (int)n, p);
			return bad;
		}
		if (p[n] == '\0')
			return NULL;
		p += n + 1;
	}
}

/* Integer seconds as libpq reads them; 0 when unset or not a number. */
static double dsn_parse_timeout(const char *s)
{
	char *end;
	long v;

	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	while (dsn_is_space((unsigned char)*end))
		end++;
	if (end == s || *end != '\0' || v < 0 || v > 100000000)
		return 0;
	return (double)v;
}

static void dsn_host_port(struct dsn_buf *b, const char *host, const char *port)
{
	if (strchr(host, ':')) {
		dsn_buf_putc(b, '[');
		dsn_buf_encode(b, host, ":");
		dsn_buf_putc(b, ']');
	} else {
		dsn_buf_encode(b, host, NULL);
	}
	if (port != NULL && *port) {
		dsn_buf_putc(b, ':');
		dsn_buf_encode(b, port, NULL);
	}
}

static void dsn_query(struct dsn_buf *b, const char *key, const char *value)
{
	dsn_buf_putc(b, strchr(b->s, '?') ? '&' : '?');
	dsn_buf_puts(b, key);
	dsn_buf_putc(b, '=');
	dsn_buf_encode(b, value, NULL);
}

/*
 * postgresql://user[:***]@host:port[,host:port]/dbname?param=value with
 * the effective host, port, user and dbname; Unix sockets go in the query
 * (host=%2Ftmp&port=5432). Only the target's own other parameters follow,
 * never a secret or our fallback_application_name. libpq parses it back.
 */
static char *dsn_build_display(const struct dsn_target *t, const char *hosts, const char *ports)
{
	struct dsn_buf b = { 0 };
	bool socket = false;
	char *h, *p;
	int i;

	dsn_buf_puts(&b, "postgresql://");
	if (t->user != NULL || dsn_get(t, "password") != NULL) {
		if (t->user != NULL)
			dsn_buf_encode(&b, t->user, NULL);
		if (dsn_get(t, "password") != NULL)
			dsn_buf_puts(&b, ":" DSN_MASK);
		dsn_buf_putc(&b, '@');
	}
	for (i = 0; (h = dsn_list_item(hosts, i)) != NULL; i++) {
		socket = socket || dsn_is_socket(h);
		free(h);
	}
	for (i = 0; !socket && (p = dsn_list_item(hosts, i)) != NULL; i++) {
		h = dsn_unbracket(p);
		free(p);
		/* one port applies to every host; missing ones are the default */
		p = strchr(ports, ',') ? dsn_list_item(ports, i) : util_xstrdup(ports);
		if (i > 0)
			dsn_buf_putc(&b, ',');
		dsn_host_port(&b, h, p && *p ? p : DSN_DEFAULT_PORT);
		free(h);
		free(p);
	}
	dsn_buf_putc(&b, '/');
	if (t->dbname != NULL)
		dsn_buf_encode(&b, t->dbname, NULL);
	if (socket) {
		dsn_query(&b, "host", hosts);
		dsn_query(&b, "port", ports);
	}
	for (i = 0; i < t->nparams; i++) {
		static const char *const skip[] = { "host",
						    "port",
						    "user",
						    "dbname",
						    "password",
						    "sslpassword",
						    "fallback_application_name" };
		size_t k;

		for (k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			if (strcmp(t->keywords[i], skip[k]) == 0)
				break;
		if (k == sizeof(skip) / sizeof(skip[0]))
			dsn_query(&b, t->keywords[i], t->values[i]);
	}
	return dsn_buf_take(&b);
}

static char *dsn_build_name(const struct dsn_target *t, const char *hosts)
{
	struct dsn_buf b = { 0 };
	const char *c;
	int others = 0;
	char more[32];

	if (t->host_is_socket) {
		/* PgBouncer and PostgreSQL often share a socket dir: keep the port */
		dsn_buf_puts(&b, "socket:");
		dsn_buf_puts(&b, t->host);
		if (strcmp(t->port, DSN_DEFAULT_PORT) != 0) {
			dsn_buf_putc(&b, ':');
			dsn_buf_puts(&b, t->port);
		}
	} else if (strchr(t->host, ':')) {
		dsn_buf_putc(&b, '[');
		dsn_buf_puts(&b, t->host);
		dsn_buf_puts(&b, "]:");
		dsn_buf_puts(&b, t->port);
	} else {
		dsn_buf_puts(&b, t->host);
		dsn_buf_putc(&b, ':');
		dsn_buf_puts(&b, t->port);
	}
	for (c = hosts; (c = strchr(c, ',')) != NULL; c++)
		others++;
	if (others > 0) {
		snprintf(more, sizeof(more), " +%d", others);
		dsn_buf_puts(&b, more);
	}
	return dsn_buf_take(&b);
}

static void dsn_trim(char *s)
{
	size_t lead = dsn_skip_space(s), n;

	memmove(s, s + lead, strlen(s + lead) + 1);
	n = strlen(s);
	while (n > 0 && dsn_is_space((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Values libpq checks only when it connects: here a typo is a usage error. */
static const struct dsn_choice {
	const char *keyword;
	const char *values; /* space-separated, with a space at both ends */
} dsn_choices[] = {
	{ "sslmode", " disable allow prefer require verify-ca verify-full " },
	{ "gssencmode", " disable prefer require " },
	{ "channel_binding", " disable prefer require " },
	{ "target_session_attrs", " any read-write read-only primary standby prefer-standby " },
};

static bool dsn_check_choices(const struct dsn_target *t, char *bad, size_t badlen)
{
	for (size_t i = 0; i < sizeof(dsn_choices) / sizeof(dsn_choices[0]); i++) {
		const char *v = dsn_get(t, dsn_choices[i].keyword);
		char word[64];

		if (v == NULL)
			continue;
		snprintf(word, sizeof(word), " %s ", v);
		if (strlen(v) < sizeof(word) - 3 && strstr(dsn_choices[i].values, word) != NULL)
			continue;
		snprintf(bad, badlen, "invalid %s=%.40s: use one of%s", dsn_choices[i].keyword, v,
			 dsn_choices[i].values);
		bad[strlen(bad) - 1] = '\0'; /* the list's trailing space */
		return false;
	}
	return true;
}

/* Fills keywords/values from the parse, then the effective values. */
static bool dsn_fill(struct dsn_target *t, PQconninfoOption *opts, const struct dsn_overrides *ov,
		     char *err, size_t errlen, const char *const *inputs, size_t ninputs)
{
	PQconninfoOption *o;
	const char *v, *hosts, *ports;
	char bad[300], *host;
	struct passwd *pw;

	for (o = opts; o->keyword; o++)
		if (o->val != NULL && o->val[0] != '\0')
			dsn_set(t, o->keyword, o->val);
	if (ov != NULL) {
		if (ov->host && *ov->host)
			dsn_set(t, "host", ov->host);
		if (ov->port && *ov->port)
			dsn_set(t, "port", ov->port);
		if (ov->user && *ov->user)
			dsn_set(t, "user", ov->user);
		if (ov->dbname && *ov->dbname)
			dsn_set(t, "dbname", ov->dbname);
		if (ov->password && *ov->password && dsn_get(t, "password") == NULL)
			dsn_set(t, "password", ov->password);
	}
	/* a conninfo host=[::1] would reach getaddrinfo with its brackets */
	v = dsn_get(t, "host");
	if (v != NULL && v[0] == '[' && !strchr(v, ',')) {
		host = dsn_unbracket(v);
		dsn_set(t, "host", host);
		free(host);
	}
	v = dsn_get(t, "port");
	if (v != NULL && dsn_bad_port(v, bad, sizeof(bad)) != NULL) {
		dsn_fail(err, errlen, bad, inputs, ninputs);
		return false;
	}
	if (!dsn_check_choices(t, bad, sizeof(bad))) {
		dsn_fail(err, errlen, bad, inputs, ninputs);
		return false;
	}
	if (dsn_get(t, "application_name") == NULL &&
	    dsn_get(t, "fallback_application_name") == NULL)
		dsn_set(t, "fallback_application_name", "pgpulse");

	/* libpq: host, else PGHOST, else hostaddr (TCP to it), else the socket dir */
	hosts = dsn_effective(t, "host", "PGHOST");
	v = dsn_effective(t, "hostaddr", "PGHOSTADDR");
	t->has_hostaddr = v != NULL;
	if (hosts == NULL)
		hosts = v != NULL ? v : dsn_default_socket_dir();
	ports = dsn_effective(t, "port", "PGPORT");
	if (ports == NULL)
		ports = DSN_DEFAULT_PORT;
	host = dsn_list_item(hosts, 0);
	t->host = dsn_unbracket(host);
	free(host);
	t->port = dsn_list_item(ports, 0);
	if (t->port[0] == '\0') {
		free(t->port);
		t->port = util_xstrdup(DSN_DEFAULT_PORT);
	}
	t->multi_host = strchr(hosts, ',') != NULL;
	t->host_is_socket = dsn_is_socket(t->host);
	t->host_is_literal = !t->host_is_socket && dsn_is_ip_literal(t->host);

	/* libpq defaults the user to the OS user, and dbname to the user */
	v = dsn_effective(t, "user", "PGUSER");
	if (v == NULL) {
		pw = getpwuid(geteuid());
		v = pw != NULL ? pw->pw_name : NULL;
	}
	t->user = v != NULL ? util_xstrdup(v) : NULL;
	v = dsn_effective(t, "dbname", "PGDATABASE");
	if (v == NULL)
		v = t->user;
	t->dbname = v != NULL ? util_xstrdup(v) : NULL;
	v = dsn_effective(t, "sslmode", "PGSSLMODE");
	t->sslmode = v != NULL ? util_xstrdup(v) : NULL;
	t->connect_timeout_s =
		dsn_parse_timeout(dsn_effective(t, "connect_timeout", "PGCONNECT_TIMEOUT"));

	t->name = dsn_build_name(t, hosts);
	t->display = dsn_build_display(t, hosts, ports);
	return true;
}

/*
 * Driver URLs. Connection strings copied from an application carry the
 * driver's own query parameters (Prisma's pgbouncer=true, asyncpg's
 * statement_cache_size=0, JDBC's user=/password=...), which libpq rejects
 * as a whole. Parameters libpq does not know are dropped with one note
 * naming them; one close to a libpq keyword is a typo and stays an error.
 */
static const struct dsn_driver_param {
	const char *name; /* matched ignoring case: JDBC writes camelCase */
	const char *driver;
} dsn_driver_params[] = {
	{ "pgbouncer", "Prisma" },
	{ "connection_limit", "Prisma" },
	{ "pool_timeout", "Prisma" },
	{ "socket_timeout", "Prisma" },
	{ "schema", "Prisma" },
	{ "sslaccept", "Prisma" },
	{ "sslidentity", "Prisma" },
	{ "statement_cache_size", "asyncpg/Prisma" },
	{ "prepared_statement_cache_size", "SQLAlchemy asyncpg" },
	{ "prepared_statement_name_func", "SQLAlchemy asyncpg" },
	{ "async_fallback", "SQLAlchemy" },
	{ "timeout", "pg8000/Rails" },
	{ "tcp_keepalive", "pg8000" },
	{ "ssl_context", "pg8000" },
	{ "uselibpqcompat", "node-postgres" },
	{ "max", "postgres.js" },
	{ "idle_timeout", "postgres.js/Rails" },
	{ "max_lifetime", "postgres.js" },
	{ "prepare", "postgres.js" },
	{ "fetch_types", "postgres.js" },
	{ "pool_max_conns", "pgx" },
	{ "pool_min_conns", "pgx" },
	{ "pool_min_idle_conns", "pgx" },
	{ "pool_max_conn_lifetime", "pgx" },
	{ "pool_max_conn_lifetime_jitter", "pgx" },
	{ "pool_max_conn_idle_time", "pgx" },
	{ "pool_health_check_period", "pgx" },
	{ "default_query_exec_mode", "pgx" },
	{ "statement_cache_capacity", "pgx" },
	{ "description_cache_capacity", "pgx" },
	{ "statement_cache_mode", "pgx" },
	{ "prefer_simple_protocol", "pgx" },
	{ "search_path", "pgx" },
	{ "binary_parameters", "lib/pq" },
	{ "disable_prepared_binary_result", "lib/pq" },
	{ "sslinline", "lib/pq" },
	{ "pool", "Rails" },
	{ "checkout_timeout", "Rails" },
	{ "reaping_frequency", "Rails" },
	{ "prepared_statements", "Rails" },
	{ "advisory_locks", "Rails" },
	{ "statement_limit", "Rails" },
	{ "encoding", "Rails" },
	{ "schema_search_path", "Rails" },
	{ "min_messages", "Rails" },
	{ "variables", "Rails" },
	{ "sslfactory", "JDBC" },
	{ "sslfactoryarg", "JDBC" },
	{ "sslhostnameverifier", "JDBC" },
	{ "sslpasswordcallback", "JDBC" },
	{ "applicationname", "JDBC" },
	{ "connecttimeout", "JDBC" },
	{ "logintimeout", "JDBC" },
	{ "sockettimeout", "JDBC" },
	{ "cancelsignaltimeout", "JDBC" },
	{ "tcpkeepalive", "JDBC" },
	{ "preparethreshold", "JDBC" },
	{ "preparedstatementcachequeries", "JDBC" },
	{ "preparedstatementcachesizemib", "JDBC" },
	{ "preferquerymode", "JDBC" },
	{ "currentschema", "JDBC" },
	{ "targetservertype", "JDBC" },
	{ "loadbalancehosts", "JDBC" },
	{ "rewritebatchedinserts", "JDBC" },
	{ "stringtype", "JDBC" },
	{ "binarytransfer", "JDBC" },
	{ "readonly", "JDBC" },
	{ "autosave", "JDBC" },
	{ "defaultrowfetchcount", "JDBC" },
	{ "assumeminserverversion", "JDBC" },
	{ "logunclosedconnections", "JDBC" },
	{ "gssencmode", "JDBC" }, /* libpq's is gssencmode too: only reached if libpq lacks it */
};

/* libpq keywords newer than some libpq a distribution may ship. */
static const struct dsn_newer_keyword {
	const char *name;
	int since;
} dsn_newer_keywords[] = {
	{ "channel_binding", 13 },
	{ "ssl_min_protocol_version", 13 },
	{ "ssl_max_protocol_version", 13 },
	{ "sslcrldir", 14 },
	{ "sslsni", 14 },
	{ "require_auth", 16 },
	{ "load_balance_hosts", 16 },
	{ "sslcertmode", 16 },
	{ "gssdelegation", 16 },
	{ "sslnegotiation", 17 },
	{ "min_protocol_version", 18 },
	{ "max_protocol_version", 18 },
	{ "sslkeylogfile", 18 },
};

/* "jdbc:postgresql://..." -> malloc'd "postgresql://..."; else NULL. */
static char *dsn_strip_jdbc(const char *s)
{
	static const char prefix[] = "jdbc:postgresql://";

	if (strncasecmp(s, prefix, sizeof(prefix) - 1) != 0)
		return NULL;
	return util_xstrdup(s + 5);
}

/* True when key (decoded) is one of this libpq's connection keywords. */
static bool dsn_libpq_knows(const PQconninfoOption *opts, const char *key)
{
	for (const PQconninfoOption *o = opts; o != NULL && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0)
			return true;
	/* libpq's URI parser maps JDBC's ssl=true itself */
	return strcmp(key, "ssl") == 0;
}

/* The libpq keyword a mistyped key most likely meant, or NULL. */
static const char *dsn_nearest_keyword(const PQconninfoOption *opts, const char *key)
{
	const char *best = NULL;
	int best_d = strlen(key) >= 6 ? 3 : 2;

	for (const PQconninfoOption *o = opts; o != NULL && o->keyword; o++) {
		int d = util_edit_distance(key, o->keyword);

		if (d < best_d)
			best = o->keyword, best_d = d;
	}
	return best;
}

/* Why libpq does not take key: "Prisma", "libpq 16+" or "unknown to libpq". */
static const char *dsn_dropped_reason(const char *key, char *buf, size_t buflen)
{
	for (size_t i = 0; i < sizeof(dsn_driver_params) / sizeof(dsn_driver_params[0]); i++)
		if (strcasecmp(key, dsn_driver_params[i].name) == 0)
			return dsn_driver_params[i].driver;
	for (size_t i = 0; i < sizeof(dsn_newer_keywords) / sizeof(dsn_newer_keywords[0]); i++)
		if (strcmp(key, dsn_newer_keywords[i].name) == 0) {
			snprintf(buf, buflen, "needs libpq %d+", dsn_newer_keywords[i].since);
			return buf;
		}
	return NULL;
}

/* A key safe to echo: short, and only characters keys are made of. */
static bool dsn_key_printable(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > 40)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!dsn_is_alnum((unsigned char)key[i]) && !strchr("_-.", key[i]))
			return false;
	return true;
}

/*
 * Copies the URI with the query parameters libpq does not know removed;
 * *note (malloc'd, NULL when nothing was dropped) names them. Returns NULL
 * with a reason in err when a key looks like a typo of a libpq keyword.
 */
static char *dsn_drop_driver_params(const char *uri, char **note, char *err, size_t errlen)
{
	struct dsn_buf out = { 0 }, dropped = { 0 };
	PQconninfoOption *opts = PQconninfoParse("", NULL);
	size_t auth = dsn_scheme_len(uri) + 3, at = dsn_userinfo_end(uri, auth);
	const char *q = strchr(uri + (at == (size_t)-1 ? auth : at + 1), '?'), *p;
	bool first = true;

	*note = NULL;
	if (q == NULL || opts == NULL) {
		PQconninfoFree(opts);
		return util_xstrdup(uri);
	}
	dsn_buf_add(&out, uri, (size_t)(q - uri));
	for (p = q + 1; *p;) {
		size_t n = strcspn(p, "&"), kn = strcspn(p, "=&");
		char *key = dsn_pct_decode(p, kn < n ? kn : n), why[32];
		const char *reason = NULL, *near = NULL;

		/* "?bad" without '=' is left for libpq to reject */
		if (kn < n && !dsn_libpq_knows(opts, key)) {
			reason = dsn_dropped_reason(key, why, sizeof(why));
			near = reason ? NULL : dsn_nearest_keyword(opts, key);
			if (reason == NULL && near == NULL)
				reason = "unknown to libpq";
		}
		if (near != NULL) {
			if (err != NULL && errlen > 0)
				snprintf(err, errlen,
					 "cannot parse target: unknown parameter \"%s\" (did you "
					 "mean %s?)",
					 dsn_key_printable(key) ? key : "?", near);
			free(key);
			free(out.s);
			free(dropped.s);
			PQconninfoFree(opts);
			return NULL;
		}
		if (reason != NULL) {
			dsn_buf_puts(&dropped, dropped.len ? ", " : "");
			dsn_buf_puts(&dropped, dsn_key_printable(key) ? key : "?");
			dsn_buf_puts(&dropped, " (");
			dsn_buf_puts(&dropped, reason);
			dsn_buf_putc(&dropped, ')');
		} else if (n > 0) {
			dsn_buf_putc(&out, first ? '?' : '&');
			dsn_buf_add(&out, p, n);
			first = false;
		}
		free(key);
		p += n;
		if (*p == '&')
			p++;
	}
	PQconninfoFree(opts);
	if (dropped.len) {
		struct dsn_buf msg = { 0 };

		dsn_buf_puts(&msg, "ignored driver parameters libpq does not use: ");
		dsn_buf_puts(&msg, dropped.s);
		*note = dsn_buf_take(&msg);
	}
	free(dropped.s);
	return dsn_buf_take(&out);
}

bool dsn_parse(const char *input, const struct dsn_overrides *ov, struct dsn_target *out, char *err,
	       size_t errlen)
{
	char *trimmed, *stripped, *conninfo, *msg = NULL, *jdbc;
	const char *inputs[3];
	PQconninfoOption *opts;
	size_t slen;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (input == NULL) {
		input = getenv("DATABASE_URL");
		if (input == NULL)
			input = "";
	}
	trimmed = util_xstrdup(input);
	dsn_trim(trimmed);
	if ((jdbc = dsn_strip_jdbc(trimmed)) != NULL) {
		free(trimmed);
		trimmed = jdbc;
	}
	slen = dsn_scheme_len(trimmed);
	if (slen > 0 && dsn_postgres_scheme(trimmed, slen) == NULL) {
		/* the scheme holds only [A-Za-z0-9+.-]: safe to echo */
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
				 "cannot parse target: unsupported URI scheme "
				 "\"%.*s\"; " DSN_EXPECTED,
				 (int)slen, trimmed);
		free(trimmed);
		return false;
	}
	stripped = dsn_strip_driver(trimmed);
	if (slen > 0) {
		char *kept = dsn_drop_driver_params(stripped, &out->note, err, errlen);

		if (kept == NULL) {
			free(trimmed);
			free(stripped);
			return false;
		}
		free(stripped);
		stripped = kept;
	}
	conninfo = slen > 0 ? dsn_encode_userinfo_at(stripped) : util_xstrdup(stripped);
	inputs[0] = input;
	inputs[1] = stripped;
	inputs[2] = conninfo;

	opts = PQconninfoParse(conninfo, &msg);
	if (opts == NULL) {
		dsn_fail(err, errlen, msg != NULL ? msg : "out of memory", inputs, 3);
		ok = false;
	} else {
		ok = dsn_fill(out, opts, ov, err, errlen, inputs, 3);
		PQconninfoFree(opts);
	}
	PQfreemem(msg);
	free(trimmed);
	free(stripped);
	free(conninfo);
	if (!ok)
		dsn_free(out);
	return ok;
}
