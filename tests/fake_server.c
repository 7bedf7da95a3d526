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
#include <unistd.h>

#define FAKE_DEFAULT_SQLSTATE "XX000"
#define FAKE_DEFAULT_MESSAGE                                                                       \
	"MaxClientsInSessionMode: max clients reached - in Session mode max "                      \
	"clients are limited to pool_size"

/* Startup-phase request codes (PostgreSQL protocol, "Message Formats"). */
#define FAKE_CODE_SSL_REQUEST	 80877103u
#define FAKE_CODE_GSSENC_REQUEST 80877104u
#define FAKE_CODE_CANCEL_REQUEST 80877102u

/* A startup packet is small; anything bigger is not a PostgreSQL client. */
#define FAKE_MAX_STARTUP 10000u
#define FAKE_OUT_MAX	 4096u

enum fake_mode { FAKE_MODE_ERROR, FAKE_MODE_SILENT, FAKE_MODE_CLOSE };

static const struct {
	const char *name;
	enum fake_mode mode;
} fake_modes[] = {
	{ "error", FAKE_MODE_ERROR },
	{ "silent", FAKE_MODE_SILENT },
	{ "close", FAKE_MODE_CLOSE },
};

struct fake_client {
	int fd;
	unsigned char in[FAKE_MAX_STARTUP];
	size_t in_len;
	unsigned char out[FAKE_OUT_MAX];
	size_t out_len;
	size_t out_sent;
	int close_after_write; /* close once out[] is flushed */
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
	fputs("usage: fake_server --port N [--host 127.0.0.1] --mode error|silent|close\n"
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
				fake_die("unknown mode '%s' (error, silent or close)", value);
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
	if (c->out_len + len > sizeof(c->out))
		return; /* cannot happen: the message length is checked at startup */
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
}

static void fake_queue_field(struct fake_client *c, char type, const char *value)
{
	fake_queue(c, &type, 1);
	fake_queue(c, value, strlen(value) + 1);
}

/* ErrorResponse: 'E', int32 length, then (type byte, C string) fields, then 0. */
static void fake_queue_error(struct fake_client *c, const struct fake_options *opts)
{
	size_t start = c->out_len;
	unsigned char header[5] = { 'E', 0, 0, 0, 0 };
	char end = '\0';

	fake_queue(c, header, sizeof(header));
	fake_queue_field(c, 'S', "FATAL");
	fake_queue_field(c, 'V', "FATAL");
	fake_queue_field(c, 'C', opts->sqlstate);
	fake_queue_field(c, 'M', opts->message);
	fake_queue(c, &end, 1);
	fake_put_u32(c->out + start + 1, (uint32_t)(c->out_len - start - 1));
}

/*
 * Consume complete startup-phase packets from the input buffer.
 * Returns 0 to keep the client, -1 to drop it now.
 */
static int fake_handle_input(struct fake_client *c, const struct fake_options *opts)
{
	while (c->in_len >= 4 && !c->close_after_write) {
		uint32_t len = fake_read_u32(c->in);
		uint32_t code;

		if (len < 8 || len > FAKE_MAX_STARTUP)
			return -1;
		if (c->in_len < len)
			return 0;
		code = fake_read_u32(c->in + 4);
		memmove(c->in, c->in + len, c->in_len - len);
		c->in_len -= len;

		if (code == FAKE_CODE_SSL_REQUEST || code == FAKE_CODE_GSSENC_REQUEST) {
			fake_queue(c, "N", 1);
			continue;
		}
		if (code == FAKE_CODE_CANCEL_REQUEST || opts->mode == FAKE_MODE_CLOSE)
			return -1;
		fake_queue_error(c, opts);
		c->close_after_write = 1;
	}
	if (c->in_len >= sizeof(c->in))
		return -1;
	return 0;
}

/* Returns 0 to keep the client, -1 to drop it. */
static int fake_flush(struct fake_client *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n =
			send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out_sent += (size_t)n;
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
	}
}

static void fake_run(struct fake_server *s, const struct fake_options *opts)
{
	while (!fake_stop_requested) {
		size_t i, n = s->nclients;
		int rc;
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
			if (s->clients[i]->out_len > s->clients[i]->out_sent)
				pfds[i + 1].events |= POLLOUT;
			pfds[i + 1].revents = 0;
		}

		/* A paused listener is retried once a second in case a slot freed. */
		rc = poll(pfds, n + 1, s->accept_paused ? 1000 : -1);
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
		free(server.clients[i]);
	}
	free(server.clients);
	free(server.pfds);
	close(server.listen_fd);
	if (opts.pidfile != NULL)
		unlink(opts.pidfile);
	return 0;
}
