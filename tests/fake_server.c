/*
 * fake_server: a tiny stand-in for endpoints that cannot run in the test
 * harness (Supavisor) or that misbehave on purpose. It speaks only the
 * startup phase of the PostgreSQL protocol, from one poll() loop.
 *
 * Modes:
 *   error   answer SSLRequest/GSSENCRequest with 'N', read the StartupMessage,
 *           send one ErrorResponse (S/V=FATAL, C=sqlstate, M=message), close
 *   silent  accept and never send a byte; close only when the client does
 *   close   accept, read the StartupMessage, close without a word (an
 *           SSLRequest still gets its 'N', so libpq goes on to the startup)
 *   session a plain session (version 15.18) whose queries answer 1: a cheap
 *           healthy server for scripts/bench-targets
 *
 * Misbehaving modes (tests/integration/t_hostile.sh), after the StartupMessage:
 *   garbage          random bytes (first an ESC) right after accept, no close
 *   error-huge       an ErrorResponse with a 1 MB message
 *   error-nomessage  an ErrorResponse with no M (message) field
 *   error-hostile    an ErrorResponse with invalid UTF-8 and escape sequences
 *   length-huge      an ErrorResponse header announcing 0x7fffffff bytes
 *   drip             a valid session start, sent a byte a second
 *   close-mid        half an ErrorResponse, then close
 *   ssl-garbage      'S' to SSLRequest, then random bytes
 *   big-version      a session with a 10 KB server_version; queries answer 1
 *   wide-row         a session whose check query answers 1,000 columns
 *   big-value        a session whose check query answers a 10 MB value
 *   notice-flood     a session that sends 20,000 NoticeResponses per query
 *   inspect-huge     a session whose introspection counts are past 2^31
 *
 * Plain POSIX C, no libraries: tests build it with the rest of the tree.
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define FAKE_DEFAULT_SQLSTATE "XX000"
#define FAKE_DEFAULT_MESSAGE                                                                       \
	"MaxClientsInSessionMode: max clients reached - in Session mode max "                      \
	"clients are limited to pool_size"

/* Startup-phase request codes (PostgreSQL protocol, "Message Formats"). */
#define FAKE_CODE_SSL_REQUEST	 80877103u
#define FAKE_CODE_GSSENC_REQUEST 80877104u
#define FAKE_CODE_CANCEL_REQUEST 80877102u

/* A startup packet or a query is small; anything bigger is not our client. */
#define FAKE_MAX_STARTUP 65536u
#define FAKE_OUT_MAX	 4096u

enum fake_mode {
	FAKE_MODE_ERROR,
	FAKE_MODE_SILENT,
	FAKE_MODE_CLOSE,
	FAKE_MODE_GARBAGE,
	FAKE_MODE_ERROR_HUGE,
	FAKE_MODE_ERROR_NOMESSAGE,
	FAKE_MODE_ERROR_HOSTILE,
	FAKE_MODE_LENGTH_HUGE,
	FAKE_MODE_DRIP,
	FAKE_MODE_CLOSE_MID,
	FAKE_MODE_SSL_GARBAGE,
	FAKE_MODE_BIG_VERSION,
	FAKE_MODE_WIDE_ROW,
	FAKE_MODE_BIG_VALUE,
	FAKE_MODE_NOTICE_FLOOD,
	FAKE_MODE_INSPECT_HUGE,
	FAKE_MODE_SESSION,
};

static const struct {
	const char *name;
	enum fake_mode mode;
} fake_modes[] = {
	{ "error", FAKE_MODE_ERROR },
	{ "silent", FAKE_MODE_SILENT },
	{ "close", FAKE_MODE_CLOSE },
	{ "garbage", FAKE_MODE_GARBAGE },
	{ "error-huge", FAKE_MODE_ERROR_HUGE },
	{ "error-nomessage", FAKE_MODE_ERROR_NOMESSAGE },
	{ "error-hostile", FAKE_MODE_ERROR_HOSTILE },
	{ "length-huge", FAKE_MODE_LENGTH_HUGE },
	{ "drip", FAKE_MODE_DRIP },
	{ "close-mid", FAKE_MODE_CLOSE_MID },
	{ "ssl-garbage", FAKE_MODE_SSL_GARBAGE },
	{ "big-version", FAKE_MODE_BIG_VERSION },
	{ "wide-row", FAKE_MODE_WIDE_ROW },
	{ "big-value", FAKE_MODE_BIG_VALUE },
	{ "notice-flood", FAKE_MODE_NOTICE_FLOOD },
	{ "inspect-huge", FAKE_MODE_INSPECT_HUGE },
	{ "session", FAKE_MODE_SESSION },
};

struct fake_client {
	int fd;
	unsigned char in[FAKE_MAX_STARTUP];
	size_t in_len;
	unsigned char *out; /* grows: some modes answer megabytes */
	size_t out_len;
	size_t out_cap;
	size_t out_sent;
	int close_after_write; /* close once out[] is flushed */
	int in_session;	       /* startup done: typed messages follow */
	int drip;	       /* send one byte a second */
	time_t next_drip;
};

struct fake_options {
	const char *host;
	const char *port;
	enum fake_mode mode;
	const char *sqlstate;
	const char *message;
	const char *pidfile;
	const char *countfile;
};

static volatile sig_atomic_t fake_stop_requested;

static void fake_on_signal(int signo)
{
	(void)signo;
	fake_stop_requested = 1;
}

static void fake_die(const char *fmt, ...)
{
	va_list ap;

	fputs("fake_server: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void fake_usage(FILE *out)
{
	fputs("usage: fake_server --port N [--host 127.0.0.1] --mode MODE (see the source's "
	      "header)\n"
	      "                   [--sqlstate XX000] [--message TEXT]\n"
	      "                   [--pidfile FILE] [--countfile FILE]\n",
	      out);
}

static void fake_parse_options(int argc, char **argv, struct fake_options *opts)
{
	int i;
	size_t m;
	int have_mode = 0;

	opts->host = "127.0.0.1";
	opts->port = NULL;
	opts->mode = FAKE_MODE_ERROR;
	opts->sqlstate = FAKE_DEFAULT_SQLSTATE;
	opts->message = FAKE_DEFAULT_MESSAGE;
	opts->pidfile = NULL;
	opts->countfile = NULL;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			fake_usage(stdout);
			exit(0);
		}
		if (i + 1 >= argc) {
			fake_usage(stderr);
			fake_die("option %s needs a value", arg);
		}
		value = argv[++i];
		if (strcmp(arg, "--port") == 0) {
			opts->port = value;
		} else if (strcmp(arg, "--host") == 0) {
			opts->host = value;
		} else if (strcmp(arg, "--sqlstate") == 0) {
			if (strlen(value) != 5)
				fake_die("--sqlstate must be 5 characters, got '%s'", value);
			opts->sqlstate = value;
		} else if (strcmp(arg, "--message") == 0) {
			opts->message = value;
		} else if (strcmp(arg, "--pidfile") == 0) {
			opts->pidfile = value;
		} else if (strcmp(arg, "--countfile") == 0) {
			opts->countfile = value;
		} else if (strcmp(arg, "--mode") == 0) {
			for (m = 0; m < sizeof(fake_modes) / sizeof(fake_modes[0]); m++) {
				if (strcmp(value, fake_modes[m].name) == 0) {
					opts->mode = fake_modes[m].mode;
					have_mode = 1;
					break;
				}
			}
			if (!have_mode)
				fake_die("unknown mode '%s' (see the list in fake_server.c)",
					 value);
		} else {
			fake_usage(stderr);
			fake_die("unknown option %s", arg);
		}
	}
	if (opts->port == NULL || !have_mode) {
		fake_usage(stderr);
		fake_die("--port and --mode are required");
	}
	if (strlen(opts->message) > FAKE_OUT_MAX - 64)
		fake_die("--message is too long");
}

/*
 * Write the whole file under a temporary name and rename it into place, so a
 * test reading it concurrently never sees a half-written value.
 */
static void fake_write_file(const char *path, const char *fmt, ...)
{
	char tmp[4096];
	FILE *f;
	va_list ap;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		fake_die("path too long: %s", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		fake_die("cannot write %s: %s", tmp, strerror(errno));
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0)
		fake_die("cannot write %s: %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		fake_die("cannot rename %s to %s: %s", tmp, path, strerror(errno));
}

static int fake_set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static int fake_listen(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1;
	int rc;
	int one = 1;
	int saved_errno = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0)
		fake_die("cannot resolve %s port %s: %s", host, port, gai_strerror(rc));

	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved_errno = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0 &&
		    fake_set_nonblocking(fd) == 0)
			break;
		saved_errno = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		fake_die("cannot listen on %s port %s: %s", host, port, strerror(saved_errno));
	return fd;
}

static uint32_t fake_read_u32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
	       (uint32_t)p[3];
}

static void fake_put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void fake_queue(struct fake_client *c, const void *data, size_t len)
{
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : FAKE_OUT_MAX;

		while (cap < c->out_len + len)
			cap *= 2;
		c->out = realloc(c->out, cap);
		if (c->out == NULL)
			fake_die("out of memory");
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void fake_queue_field(struct fake_client *c, char type, const char *value)
{
	fake_queue(c, &type, 1);
	fake_queue(c, value, strlen(value) + 1);
}

/* A message: type byte, int32 length (filled in by fake_msg_end), body. */
static size_t fake_msg_begin(struct fake_client *c, char type)
{
	unsigned char header[5] = { (unsigned char)type, 0, 0, 0, 0 };
	size_t start = c->out_len;

	fake_queue(c, header, sizeof(header));
	return start;
}

static void fake_msg_end(struct fake_client *c, size_t start)
{
	fake_put_u32(c->out + start + 1, (uint32_t)(c->out_len - start - 1));
}

static void fake_queue_u32(struct fake_client *c, uint32_t v)
{
	unsigned char b[4];

	fake_put_u32(b, v);
	fake_queue(c, b, 4);
}

static void fake_queue_u16(struct fake_client *c, uint16_t v)
{
	unsigned char b[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	fake_queue(c, b, 2);
}

static uint32_t fake_random(void)
{
	static uint32_t x;

	if (x == 0)
		x = (uint32_t)getpid() * 2654435761u + (uint32_t)time(NULL);
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void fake_queue_garbage(struct fake_client *c, size_t n)
{
	unsigned char esc = 0x1b;

	fake_queue(c, &esc, 1);
	for (size_t i = 1; i < n; i++) {
		unsigned char b = (unsigned char)fake_random();

		fake_queue(c, &b, 1);
	}
}

/*
 * ErrorResponse or NoticeResponse: type, int32 length, then (field type,
 * C string) pairs, then 0. message NULL leaves out the M field.
 */
static void fake_queue_report(struct fake_client *c, char type, const char *severity,
			      const char *sqlstate, const char *message)
{
	size_t start = fake_msg_begin(c, type);
	char end = '\0';

	fake_queue_field(c, 'S', severity);
	fake_queue_field(c, 'V', severity);
	fake_queue_field(c, 'C', sqlstate);
	if (message != NULL)
		fake_queue_field(c, 'M', message);
	fake_queue(c, &end, 1);
	fake_msg_end(c, start);
}

static void fake_queue_error(struct fake_client *c, const struct fake_options *opts)
{
	fake_queue_report(c, 'E', "FATAL", opts->sqlstate, opts->message);
}

/* AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery. */
static void fake_queue_session_start(struct fake_client *c, const char *server_version)
{
	static const char *const params[][2] = {
		{ "client_encoding", "UTF8" },
		{ "server_encoding", "UTF8" },
		{ "integer_datetimes", "on" },
		{ "standard_conforming_strings", "on" },
	};
	size_t m = fake_msg_begin(c, 'R');

	fake_queue_u32(c, 0);
	fake_msg_end(c, m);
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		m = fake_msg_begin(c, 'S');
		fake_queue(c, params[i][0], strlen(params[i][0]) + 1);
		fake_queue(c, params[i][1], strlen(params[i][1]) + 1);
		fake_msg_end(c, m);
	}
	m = fake_msg_begin(c, 'S');
	fake_queue(c, "server_version", sizeof("server_version"));
	fake_queue(c, server_version, strlen(server_version) + 1);
	fake_msg_end(c, m);
	m = fake_msg_begin(c, 'K');
	fake_queue_u32(c, 4242);
	fake_queue_u32(c, 0x5eed);
	fake_msg_end(c, m);
	m = fake_msg_begin(c, 'Z');
	fake_queue(c, "I", 1);
	fake_msg_end(c, m);
}

/* One result set of text columns: RowDescription, DataRows, CommandComplete. */
static void fake_queue_result(struct fake_client *c, int ncols, int nrows, const char *const *cells,
			      const char *big_value, size_t big_len)
{
	size_t m = fake_msg_begin(c, 'T');

	fake_queue_u16(c, (uint16_t)ncols);
	for (int i = 0; i < ncols; i++) {
		fake_queue(c, "c", 2);
		fake_queue_u32(c, 0);
		fake_queue_u16(c, 0);
		fake_queue_u32(c, 25); /* text */
		fake_queue_u16(c, 0xffff);
		fake_queue_u32(c, 0xffffffff);
		fake_queue_u16(c, 0);
	}
	fake_msg_end(c, m);
	for (int r = 0; r < nrows; r++) {
		m = fake_msg_begin(c, 'D');
		fake_queue_u16(c, (uint16_t)ncols);
		for (int i = 0; i < ncols; i++) {
			const char *v = cells ? cells[r * ncols + i] : "1";
			size_t n = big_value && i == 0 ? big_len : strlen(v);

			fake_queue_u32(c, (uint32_t)n);
			fake_queue(c, big_value && i == 0 ? big_value : v, n);
		}
		fake_msg_end(c, m);
	}
	m = fake_msg_begin(c, 'C');
	fake_queue(c, "SELECT 1", sizeof("SELECT 1"));
	fake_msg_end(c, m);
}

/* The three result sets of the introspection query, counts past 2^31. */
static void fake_queue_inspect_huge(struct fake_client *c)
{
	static const char *const settings[] = {
		"max_connections",     "99999999999", "configuration file",
		"pg_is_in_recovery",   "false",	      "",
		"pgpulse.backend_pid", "4242",	      "",
	};
	static const char *const states[] = {
		"active", "3000000000", "idle", "2147483647", "idle", "2147483647",
	};
	static const char *const holders[] = {
		"app\x1b[2J", "u",	    "10.0.0.1",	  "2147483647", "2147483647",
		"2147483647", "2147483647", "2147483647", "nan",	"1e308",
		"app",	      "u",	    "10.0.0.2",	  "2147483647", "2147483647",
		"2147483647", "2147483647", "2147483647", "-5",		"inf",
	};

	fake_queue_result(c, 3, 3, settings, NULL, 0);
	fake_queue_result(c, 2, 3, states, NULL, 0);
	fake_queue_result(c, 10, 2, holders, NULL, 0);
}

static void fake_queue_ready(struct fake_client *c)
{
	size_t m = fake_msg_begin(c, 'Z');

	fake_queue(c, "I", 1);
	fake_msg_end(c, m);
}

/* A simple Query in a session: the answer this mode gives. */
static void fake_answer_query(struct fake_client *c, const struct fake_options *opts,
			      const char *sql)
{
	if (opts->mode == FAKE_MODE_NOTICE_FLOOD)
		for (int i = 0; i < 20000; i++)
			fake_queue_report(c, 'N', "NOTICE", "00000", "flood \x1b[2J notice");
	if (opts->mode == FAKE_MODE_INSPECT_HUGE && strstr(sql, "pg_stat_activity") != NULL) {
		fake_queue_inspect_huge(c);
	} else if (opts->mode == FAKE_MODE_WIDE_ROW) {
		fake_queue_result(c, 1000, 1, NULL, NULL, 0);
	} else if (opts->mode == FAKE_MODE_BIG_VALUE) {
		size_t n = 10u << 20;
		char *big = malloc(n);

		if (big == NULL)
			fake_die("out of memory");
		memset(big, 'v', n);
		fake_queue_result(c, 1, 1, NULL, big, n);
		free(big);
	} else {
		fake_queue_result(c, 1, 1, NULL, NULL, 0);
	}
	fake_queue_ready(c);
}

/* What each misbehaving mode answers a StartupMessage with. */
static void fake_answer_startup(struct fake_client *c, const struct fake_options *opts)
{
	static const char hostile[] = "bad \xc3\x28 utf8 \xff\xfe, escapes \x1b[2J\x1b]0;pwned\x07 "
				      "and a cut \xe2\x82";
	char version[10 * 1024];

	switch (opts->mode) {
	case FAKE_MODE_ERROR_HUGE: {
		size_t n = 1u << 20;
		char *big = malloc(n + 1);

		if (big == NULL)
			fake_die("out of memory");
		memset(big, 'x', n);
		big[n] = '\0';
		fake_queue_report(c, 'E', "FATAL", "XX000", big);
		free(big);
		c->close_after_write = 1;
		return;
	}
	case FAKE_MODE_ERROR_NOMESSAGE:
		fake_queue_report(c, 'E', "FATAL", "XX000", NULL);
		c->close_after_write = 1;
		return;
	case FAKE_MODE_ERROR_HOSTILE:
		fake_queue_report(c, 'E', "FATAL", "XX000", hostile);
		c->close_after_write = 1;
		return;
	case FAKE_MODE_LENGTH_HUGE: {
		unsigned char header[5] = { 'E', 0x7f, 0xff, 0xff, 0xff };

		fake_queue(c, header, sizeof(header));
		fake_queue(c, "SFATAL", 7);
		return; /* and wait */
	}
	case FAKE_MODE_CLOSE_MID:
		fake_queue_report(c, 'E', "FATAL", opts->sqlstate, opts->message);
		c->out_len = c->out_len / 2;
		c->close_after_write = 1;
		return;
	case FAKE_MODE_DRIP:
		fake_queue_session_start(c, "15.18");
		c->drip = 1;
		c->next_drip = time(NULL) + 1;
		return;
	case FAKE_MODE_BIG_VERSION:
		memset(version, '9', sizeof(version) - 1);
		memcpy(version, "15.18 ", 6);
		version[sizeof(version) - 1] = '\0';
		fake_queue_session_start(c, version);
		c->in_session = 1;
		return;
	case FAKE_MODE_WIDE_ROW:
	case FAKE_MODE_BIG_VALUE:
	case FAKE_MODE_NOTICE_FLOOD:
	case FAKE_MODE_INSPECT_HUGE:
	case FAKE_MODE_SESSION:
		fake_queue_session_start(c, "15.18");
		c->in_session = 1;
		return;
	default: fake_queue_error(c, opts); c->close_after_write = 1;
	}
}

/* Typed messages once in a session: answers Query ('Q'), ends on Terminate. */
static int fake_handle_session(struct fake_client *c, const struct fake_options *opts)
{
	while (c->in_len >= 5) {
		uint32_t len = fake_read_u32(c->in + 1);
		char type = (char)c->in[0];

		if (len < 4 || len + 1 > FAKE_MAX_STARTUP)
			return -1;
		if (c->in_len < len + 1)
			return 0;
		if (type == 'X')
			return -1;
		if (type == 'Q') {
			c->in[len] = '\0'; /* the query's own NUL, to be safe */
			fake_answer_query(c, opts, (const char *)c->in + 5);
		}
		memmove(c->in, c->in + len + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
	}
	return 0;
}

/*
 * Consume complete startup-phase packets from the input buffer.
 * Returns 0 to keep the client, -1 to drop it now.
 */
static int fake_handle_input(struct fake_client *c, const struct fake_options *opts)
{
	while (c->in_len >= 4 && !c->close_after_write) {
		uint32_t len, code;

		if (c->in_session)
			return fake_handle_session(c, opts);
		len = fake_read_u32(c->in);
		if (len < 8 || len > FAKE_MAX_STARTUP)
			return -1;
		if (c->in_len < len)
			return 0;
		code = fake_read_u32(c->in + 4);
		memmove(c->in, c->in + len, c->in_len - len);
		c->in_len -= len;

		if (code == FAKE_CODE_SSL_REQUEST && opts->mode == FAKE_MODE_SSL_GARBAGE) {
			fake_queue(c, "S", 1);
			fake_queue_garbage(c, 4096);
			continue;
		}
		if (code == FAKE_CODE_SSL_REQUEST || code == FAKE_CODE_GSSENC_REQUEST) {
			fake_queue(c, "N", 1);
			continue;
		}
		if (code == FAKE_CODE_CANCEL_REQUEST || opts->mode == FAKE_MODE_CLOSE)
			return -1;
		fake_answer_startup(c, opts);
		if (!c->in_session)
			break;
	}
	if (c->in_len >= sizeof(c->in))
		return -1;
	return 0;
}

/* Returns 0 to keep the client, -1 to drop it. */
static int fake_flush(struct fake_client *c)
{
	while (c->out_sent < c->out_len) {
		size_t want = c->out_len - c->out_sent;
		ssize_t n;

		if (c->drip) {
			if (time(NULL) < c->next_drip)
				return 0;
			want = 1;
			c->next_drip = time(NULL) + 1;
		}
		n = send(c->fd, c->out + c->out_sent, want, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out_sent += (size_t)n;
		if (c->drip)
			return 0;
	}
	c->out_len = c->out_sent = 0;
	return c->close_after_write ? -1 : 0;
}

/* Returns 0 to keep the client, -1 to drop it. */
static int fake_read(struct fake_client *c, const struct fake_options *opts)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

		if (n == 0)
			return -1; /* the client closed */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (opts->mode == FAKE_MODE_SILENT)
			continue; /* swallow everything, answer nothing */
		c->in_len += (size_t)n;
		if (fake_handle_input(c, opts) != 0)
			return -1;
		if (c->out_len > 0)
			return 0; /* the caller flushes */
	}
}

struct fake_server {
	int listen_fd;
	int accept_paused; /* out of descriptors: stop polling the listener */
	struct fake_client **clients;
	struct pollfd *pfds;
	size_t nclients;
	size_t cap;
	unsigned long accepted;
};

static void fake_drop_client(struct fake_server *s, size_t i)
{
	close(s->clients[i]->fd);
	free(s->clients[i]->out);
	free(s->clients[i]);
	s->clients[i] = s->clients[s->nclients - 1];
	s->nclients--;
	s->accept_paused = 0;
}

static void fake_accept(struct fake_server *s, const struct fake_options *opts)
{
	for (;;) {
		int fd = accept(s->listen_fd, NULL, NULL);
		struct fake_client *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				s->accept_paused = 1;
			return;
		}
		s->accepted++;
		if (opts->countfile != NULL)
			fake_write_file(opts->countfile, "%lu\n", s->accepted);
		if (fake_set_nonblocking(fd) != 0) {
			close(fd);
			continue;
		}
		if (s->nclients == s->cap) {
			size_t ncap = s->cap ? s->cap * 2 : 64;
			struct fake_client **nc = realloc(s->clients, ncap * sizeof(*nc));

			if (nc == NULL) {
				close(fd);
				return;
			}
			s->clients = nc;
			s->cap = ncap;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			return;
		}
		c->fd = fd;
		s->clients[s->nclients++] = c;
		if (opts->mode == FAKE_MODE_GARBAGE)
			fake_queue_garbage(c, 4096);
	}
}

static void fake_run(struct fake_server *s, const struct fake_options *opts)
{
	while (!fake_stop_requested) {
		size_t i, n = s->nclients;
		int rc, drips = 0;
		struct pollfd *pfds = realloc(s->pfds, (n + 1) * sizeof(*pfds));

		if (pfds == NULL)
			fake_die("out of memory");
		s->pfds = pfds;
		pfds[0].fd = s->listen_fd;
		pfds[0].events = s->accept_paused ? 0 : POLLIN;
		pfds[0].revents = 0;
		for (i = 0; i < n; i++) {
			pfds[i + 1].fd = s->clients[i]->fd;
			pfds[i + 1].events = POLLIN;
			if (s->clients[i]->out_len > s->clients[i]->out_sent &&
			    !s->clients[i]->drip)
				pfds[i + 1].events |= POLLOUT;
			if (s->clients[i]->drip)
				drips = 1;
			pfds[i + 1].revents = 0;
		}

		/* A paused listener is retried once a second in case a slot freed. */
		rc = poll(pfds, n + 1, drips ? 200 : s->accept_paused ? 1000 : -1);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			fake_die("poll: %s", strerror(errno));
		}
		if (s->accept_paused && rc == 0)
			s->accept_paused = 0;

		/* Walk backwards: dropping swaps the last client into slot i. */
		for (i = n; i-- > 0;) {
			struct fake_client *c = s->clients[i];
			short re = pfds[i + 1].revents;
			int drop = 0;

			if (c->drip && c->out_len > c->out_sent)
				re |= POLLOUT; /* the drip's clock, not the socket, decides */
			if (re == 0)
				continue;
			if (re & (POLLIN | POLLHUP | POLLERR))
				drop = fake_read(c, opts) != 0;
			if (!drop && c->out_len > 0)
				drop = fake_flush(c) != 0;
			if (drop)
				fake_drop_client(s, i);
		}
		if (pfds[0].revents & POLLIN)
			fake_accept(s, opts);
	}
}

int main(int argc, char **argv)
{
	struct fake_options opts;
	struct fake_server server;
	struct sigaction sa;
	size_t i;

	fake_parse_options(argc, argv, &opts);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fake_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	memset(&server, 0, sizeof(server));
	server.listen_fd = fake_listen(opts.host, opts.port);
	if (opts.countfile != NULL)
		fake_write_file(opts.countfile, "0\n");
	if (opts.pidfile != NULL)
		fake_write_file(opts.pidfile, "%ld\n", (long)getpid());

	printf("ready\n");
	fflush(stdout);

	fake_run(&server, &opts);

	for (i = 0; i < server.nclients; i++) {
		close(server.clients[i]->fd);
		free(server.clients[i]->out);
		free(server.clients[i]);
	}
	free(server.clients);
	free(server.pfds);
	close(server.listen_fd);
	if (opts.pidfile != NULL)
		unlink(opts.pidfile);
	return 0;
}
